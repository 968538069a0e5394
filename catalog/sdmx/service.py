"""SDMX-REST 1.x over the store: what each request answers, as SDMX-ML 2.1 bytes.

Query parameters this service does not know are ignored, as SDMX-REST allows; known ones it
does not implement (`updatedAfter`, `firstNObservations`, `lastNObservations`,
`includeHistory=true`, a structure `detail` other than `full`) answer 501, so that a caller
never takes a partial answer for a whole one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from catalog.sdmx.catalogue import StructureCache
from catalog.sdmx.datamessages import (
    ALL_DIMENSIONS,
    EVERY_DIMENSION,
    generic_data,
    structure_specific_data,
)
from catalog.sdmx.errors import BadSyntax, NoResults, NotAcceptable, TooLarge, Unsupported
from catalog.sdmx.keys import AGENCY, flow_reference, series_key, structure_reference
from catalog.sdmx.observations import DataQuery, read_observations
from catalog.sdmx.periods import query_bound
from catalog.sdmx.structuremessages import select, structure_message, with_references
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
MAX_BYTES = 32 * 1024 * 1024  # of one answer


@dataclass(frozen=True)
class SdmxAnswer:
    body: bytes
    media_type: str


class SdmxService:
    def __init__(self, store: Store) -> None:
        self._store = store
        self._cache = StructureCache(store)

    def structure(
        self, resource: str, agency: str, identifier: str, version: str,
        params: Mapping[str, str], accept: str,
    ) -> SdmxAnswer:  # fmt: skip
        """A structure query: `/{resource}/{agency}/{id}/{version}?references=&detail=`."""
        if resource not in RESOURCES:
            raise Unsupported(f"Structures of type {resource} are not served here.")
        _negotiate(accept, {"structure": STRUCTURE_TYPE})
        wanted = structure_reference(agency, identifier, version)
        references = params.get("references", "none")
        if references not in REFERENCES:
            raise BadSyntax("references must be none, parents, parentsandsiblings, children,"
                            " descendants, all or a structure type.")  # fmt: skip
        detail = params.get("detail", "full")
        if detail != "full":
            raise Unsupported("Only detail=full is served.")
        structures = self._cache.structures()
        chosen = select(structures, resource, wanted.ids)
        if chosen.empty:
            raise NoResults(f"No {resource} matches {agency}/{identifier}/{version}.")
        if references != "none":
            chosen = with_references(structures, resource, chosen, references)
        return SdmxAnswer(_bounded(structure_message(chosen)), STRUCTURE_TYPE)

    def data(
        self, flow: str, key: str, provider: str, params: Mapping[str, str], accept: str
    ) -> SdmxAnswer:
        """A data query: `/data/{flow}/{key}/{provider}` with the SDMX query parameters."""
        media_type = _negotiate(
            accept,
            {"genericdata": GENERIC_TYPE, "structurespecificdata": SPECIFIC_TYPE},
        )
        identifier = flow_reference(flow)
        keyed = series_key(key)
        if provider not in ("all", AGENCY):
            raise NoResults(f"No data provider {provider[:40]} here: the only one is {AGENCY}.")
        query, at, detail = _data_parameters(keyed, params)
        found = self._cache.structures().flow(identifier)
        if found is None:
            raise NoResults(f"No dataflow {identifier}.")
        observations = read_observations(self._store, found, query)
        if not observations:
            raise NoResults("No observations match the key and the periods.")
        writer = generic_data if media_type == GENERIC_TYPE else structure_specific_data
        return SdmxAnswer(_bounded(writer(found, observations, at, detail)), media_type)


def _data_parameters(
    keyed: tuple[frozenset[str] | None, ...], params: Mapping[str, str]
) -> tuple[DataQuery, str, str]:
    for name in UNSUPPORTED_DATA:
        if name in params:
            raise Unsupported(f"{name} is not implemented here.")
    if params.get("includeHistory", "false") != "false":
        raise Unsupported("includeHistory is not implemented here: every version is current.")
    start, end = params.get("startPeriod"), params.get("endPeriod")
    query = DataQuery(
        key=keyed,
        start=query_bound(start, "startPeriod", last=False) if start else None,
        end=query_bound(end, "endPeriod", last=True) if end else None,
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


def _bounded(body: bytes) -> bytes:
    if len(body) > MAX_BYTES:
        raise TooLarge("The answer would be too large: narrow the query.")
    return body


def _negotiate(accept: str, offered: dict[str, str]) -> str:
    """The media type to answer with: the first offered (its default) for `*/*`, XML or no
    Accept; an SDMX-ML 2.1 type by name; NotAcceptable when nothing asked for is offered."""
    default = next(iter(offered.values()))
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")[:50] if accept.strip() else ["*/*"]):
        kind, *parameters = (part.strip().lower() for part in item.split(";"))
        options = dict(p.partition("=")[::2] for p in parameters)
        chosen = _offered(kind, options.get("version", ""), offered, default)
        weight = _weight(options.get("q", "1"))
        if chosen and weight > 0:
            ranked.append((-weight, position, chosen))
    if not ranked:
        raise NotAcceptable(
            "This resource is served as " + " or ".join(sorted(set(offered.values()))) + "."
        )
    return min(ranked)[2]


def _offered(kind: str, version: str, offered: dict[str, str], default: str) -> str | None:
    if kind in ("*/*", "application/*", "application/xml", "text/xml", "text/*"):
        return default
    prefix, suffix = "application/vnd.sdmx.", "+xml"
    if kind.startswith(prefix) and kind.endswith(suffix) and version in ("", "2.1"):
        return offered.get(kind[len(prefix) : -len(suffix)])
    return None


def _weight(text: str) -> float:
    try:
        weight = float(text)
    except ValueError:
        return 0.0
    return weight if 0.0 <= weight <= 1.0 else 0.0
