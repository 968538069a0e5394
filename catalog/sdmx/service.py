"""SDMX-REST 1.x over the store: what each request answers, as SDMX-ML 2.1 bytes.

Query parameters this service does not know are ignored, as SDMX-REST allows; known ones it
does not implement (`updatedAfter`, `firstNObservations`, `lastNObservations`,
`includeHistory=true`, a structure `detail` other than `full`) answer 501, so that a caller
never takes a partial answer for a whole one.

An answer is known before its body is made (`SdmxAnswer`): its ETag hashes what the body is
made of (the published versions of the tables it reads, the request normalised to what the
body depends on, and the format), so a route can answer `If-None-Match` and `HEAD` without
rendering, and equal ETags mean equal bytes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from catalog.sdmx.catalogue import StructureCache
from catalog.sdmx.datamessages import (
    ALL_DIMENSIONS,
    EVERY_DIMENSION,
    generic_data,
    structure_specific_data,
)
from catalog.sdmx.errors import BadSyntax, NoResults, TooLarge, Unsupported
from catalog.sdmx.keys import AGENCY, flow_reference, series_key, structure_reference
from catalog.sdmx.markup import Made
from catalog.sdmx.negotiation import negotiate
from catalog.sdmx.observations import DataQuery, read_observations
from catalog.sdmx.periods import query_bound
from catalog.sdmx.structuremessages import select, structure_message, with_references
from catalog.state import require_data
from catalog.store import Store

STRUCTURE_TYPE = "application/vnd.sdmx.structure+xml; version=2.1"
GENERIC_TYPE = "application/vnd.sdmx.genericdata+xml; version=2.1"
SPECIFIC_TYPE = "application/vnd.sdmx.structurespecificdata+xml; version=2.1"
ERROR_TYPE = "application/xml"
RESOURCES = ("dataflow", "datastructure", "codelist", "conceptscheme")
REFERENCES = frozenset(
    {"none", "parents", "parentsandsiblings", "children", "descendants", "all", *RESOURCES}
)
DETAILS = frozenset({"full", "dataonly", "serieskeysonly", "nodata"})
UNSUPPORTED_DATA = ("updatedAfter", "firstNObservations", "lastNObservations")
KNOWN_PARAMETERS = frozenset(
    {"startPeriod", "endPeriod", "dimensionAtObservation", "detail", "references",
     "includeHistory", *UNSUPPORTED_DATA}
)  # fmt: skip
MAX_BYTES = 32 * 1024 * 1024  # of one answer
# Part of every ETag: bump it when a message's rendering changes for the same content.
REVISION = "1"

Renderer = Callable[[], bytes]


@dataclass(frozen=True)
class SdmxAnswer:
    """An answer before its body: the ETag, the media type, and `gather`, which reads what
    the body needs (raising what a GET would answer instead) and returns its renderer."""

    etag: str
    media_type: str
    gather: Callable[[], Renderer]

    def body(self, render: Renderer | None = None) -> bytes:
        """The message's bytes, made by `render` when the route gathered it already."""
        body = (render or self.gather())()
        if len(body) > MAX_BYTES:
            raise TooLarge("The answer would be too large: narrow the query.")
        return body


class SdmxService:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache = StructureCache(store)

    def structure(
        self, resource: str, agency: str, identifier: str, version: str,
        arguments: Sequence[tuple[str, str]], accept: str,
    ) -> SdmxAnswer:  # fmt: skip
        """A structure query: `/{resource}/{agency}/{id}/{version}?references=&detail=`."""
        if resource not in RESOURCES:
            raise Unsupported(f"Structures of type {resource} are not served here.")
        params = parameters(arguments)
        media_type = negotiate(accept, {"structure": STRUCTURE_TYPE})
        wanted = structure_reference(agency, identifier, version)
        references = params.get("references", "none")
        if references not in REFERENCES:
            raise BadSyntax("references must be none, parents, parentsandsiblings, children,"
                            " descendants, all or a structure type.")  # fmt: skip
        if params.get("detail", "full") != "full":
            raise Unsupported("Only detail=full is served.")
        structures = self._cache.structures()
        chosen = select(structures, resource, wanted)
        if chosen.empty:
            raise NoResults(f"No {resource} matches {agency}/{identifier}/{version}.")
        if references != "none":
            chosen = with_references(structures, resource, chosen, references)
        request = [resource, _listed(wanted.ids), _listed(wanted.versions), references]
        made = Made(etag(structures.made_of, request, media_type), structures.prepared)
        return SdmxAnswer(
            made.tag, media_type, lambda: lambda: structure_message(chosen, structures, made)
        )

    def data(
        self, flow: str, key: str, provider: str, arguments: Sequence[tuple[str, str]], accept: str
    ) -> SdmxAnswer:
        """A data query: `/data/{flow}/{key}/{provider}` with the SDMX query parameters."""
        params = parameters(arguments)
        media_type = negotiate(
            accept,
            {"genericdata": GENERIC_TYPE, "structurespecificdata": SPECIFIC_TYPE},
        )
        identifier, version = flow_reference(flow)
        keyed = series_key(key)
        if provider not in ("all", AGENCY):
            raise NoResults(f"No data provider {provider[:40]} here: the only one is {AGENCY}.")
        query, at, detail = _data_parameters(keyed, params)
        found = self._cache.structures().flow(identifier)
        if found is None or version not in (None, found.flow_version):
            raise NoResults(
                f"No dataflow {identifier}" + (f" version {version}." if version else ".")
            )
        # Before any tag is made: a client without a grant learns nothing, not even a 304.
        require_data(found.id, found.access_level)
        request = [identifier, [_listed(k) for k in keyed], str(query.start), str(query.end)]
        made_of = [found.id, found.version, found.flow_version]
        made = Made(etag(made_of, [*request, at, detail], media_type), found.published)
        writer = generic_data if media_type == GENERIC_TYPE else structure_specific_data

        def gather() -> Renderer:
            observations = read_observations(self._store, found, query)
            if not observations:
                raise NoResults("No observations match the key and the periods.")
            return lambda: writer(found, observations, at, detail, made)

        return SdmxAnswer(made.tag, media_type, gather)


def etag(made_of: object, request: object, media_type: str) -> str:
    """A strong ETag of a message: what it is made of, the normalised request, the format."""
    text = json.dumps([REVISION, made_of, request, media_type], ensure_ascii=False)
    return '"' + hashlib.sha256(text.encode()).hexdigest()[:40] + '"'


def parameters(query: Sequence[tuple[str, str]]) -> dict[str, str]:
    """The query's parameters by name; BadSyntax for a known one given twice with different
    values (which one was meant cannot be told). Unknown ones are ignored, as SDMX allows."""
    found: dict[str, str] = {}
    for name, value in query:
        if name in KNOWN_PARAMETERS and found.get(name, value) != value:
            raise BadSyntax(f"{name} is given more than once.")
        found[name] = value
    return found


def _listed(values: frozenset[str] | None) -> list[str] | None:
    return None if values is None else sorted(values)


def _data_parameters(
    keyed: tuple[frozenset[str] | None, ...], params: Mapping[str, str]
) -> tuple[DataQuery, str, str]:
    for name in UNSUPPORTED_DATA:
        if name in params:
            raise Unsupported(f"{name} is not implemented here.")
    if params.get("includeHistory", "false") != "false":
        raise Unsupported("includeHistory is not implemented here: every version is current.")
    start, end = params.get("startPeriod"), params.get("endPeriod")
    query = DataQuery(  # an empty bound is refused (400 naming it), never read as none
        key=keyed,
        start=None if start is None else query_bound(start, "startPeriod", last=False),
        end=None if end is None else query_bound(end, "endPeriod", last=True),
    )
    if query.start and query.end and query.start > query.end:
        raise BadSyntax("startPeriod is after endPeriod.")
    at = params.get("dimensionAtObservation", "TIME_PERIOD")
    if at not in (*EVERY_DIMENSION, ALL_DIMENSIONS):
        raise BadSyntax("dimensionAtObservation must be one of the dimensions or AllDimensions.")
    detail = params.get("detail", "full")
    if detail not in DETAILS:
        raise BadSyntax("detail must be full, dataonly, serieskeysonly or nodata.")
    return query, at, detail
