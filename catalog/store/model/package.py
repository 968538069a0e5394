"""The typed descriptor: the Data Package we publish, as one pydantic model.

Data Package v2 (package, resource, Table Dialect) and Table Schema v2 (schema, field,
constraints), with our catalogue properties beside the standard ones (`docs/descriptor.md`):
`title_en`, `organization`, `themes`, `frequency`, `access_level` (with `access_conditions`
when conditional), `temporal`, `spatial`, `contact`, `issued`, `featured`, `register`,
`checks`; per field `unit`, `decimals` and `title_en`. A published descriptor adds what
`Publisher` writes: `version`, `created`, `build`, and per resource `rows`, `byte_size`,
`source_file`, `embedded_from` and `downloads`.

Every object is strict about its keys: a key the standards and this catalogue do not define
is an error naming the key, the file and the nearest known key (a typo such as `titel`
would otherwise be carried along silently and never shown). Values are checked for their
type only as far as YAML can be trusted to give it: a year or a date written unquoted in
YAML arrives as a number or a date, and is accepted as such.

`Package.as_dict()` gives the document the model was parsed from, key for key and in its
order: what the store publishes and serves stays byte-for-byte what it was.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import Field, PrivateAttr, ValidationError, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from catalog.errors import NotFound
from catalog.store.model.register import CreditCode, Register
from catalog.store.model.tables import (
    Scalar,
    Strict,
    TableDialect,
    TableSchema,
)
from catalog.store.model.vocabulary import AccessLevel, Frequency, Theme
from validation import Layout

# A descriptor as JSON or YAML gives it: what the model is parsed from and gives back, and
# what the steward wrote before anything has checked it. Arbitrary JSON by nature: keys may
# be misspelt and values of any type, which is what `descriptor_faults` reports on.
Document = dict[str, Any]


class License(Strict):
    name: str | None = None
    path: str | None = None
    title: str | None = None


# A official (the issuer's own site or table), B reproduction of an official release (a
# mirror, a media copy), C secondary; the same vocabulary as `hrss-sources`.
ReliabilityTier = Literal["A", "B", "C"]


class Source(Strict):
    """Where figures come from; ours: `id` (cited by rows) and `reliability_tier`."""

    title: str | None = None
    path: str | None = None
    email: str | None = None
    version: Scalar | None = None
    id: Scalar | None = None
    reliability_tier: ReliabilityTier | None = None


class Contributor(Strict):
    title: str | None = None
    givenName: str | None = None
    familyName: str | None = None
    path: str | None = None
    email: str | None = None
    organization: str | None = None
    roles: list[str] | None = None
    role: str | None = None  # Data Package v1


class Organization(Strict):
    """The publishing unit (信息资源提供方) and its 统一社会信用代码."""

    name: str
    title: str | None = None
    title_en: str | None = None
    credit_code: CreditCode | None = None  # checked as GB 32100 says (`register.py`)


class Contact(Strict):
    name: str | None = None
    email: str | None = None


class Temporal(Strict):
    start: Scalar | None = None
    end: Scalar | None = None


class Featured(Strict):
    """Figures a dataset offers the home page (`web.headline`): the indicators to show, in
    order, from `resource`, under a short title."""

    indicators: list[str] = []
    resource: str | None = None
    title: str | None = None
    title_en: str | None = None


class CheckReference(Strict):
    resource: Any = None
    value: Any = None
    package: Any = None


class Check(Strict):
    """A domain check: its `type`, the `resource` it reads, its parameters.

    Only the names are checked here; whether a check's parameters make sense together is
    `validation`'s to say, in the report, where the steward reads every other problem.
    """

    type: Any = None
    resource: Any = None
    name: Any = None
    field: Any = None
    fields: Any = None
    where: Any = None
    min: Any = None
    max: Any = None
    value: Any = None
    group_by: Any = None
    parts: Any = None
    total: Any = None
    tolerance: Any = None
    complete: Any = None
    key: Any = None
    match_on: Any = None
    reference: CheckReference | None = None
    query: Any = None
    message: Any = None
    # `error` (the default) refuses to publish; `warning` publishes and appends `flag` (by
    # default the check's type) to the `flags` field of every row the check reports. Their
    # vocabulary is validation's (`validation.checks.domain`), said here too so that the
    # published JSON Schema marks `severity: warn` as the build would refuse it.
    severity: Literal["error", "warning"] = "error"
    flag: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+$")


class SourceFile(Strict):
    """Published: the steward's file a resource was built from."""

    path: str
    format: str
    bytes: int
    hash: str
    layout: Layout | None = None  # how the printed file was read (the resource's `layout`)


class PublishedDownload(Strict):
    """Published: a whole-resource download rendered once, when the version was written
    (`downloads/<resource>.<format>`); served as this file, its bytes and sha256 known."""

    format: str  # the download's extension: csv, json, xlsx
    path: str  # inside the version
    mediatype: str
    bytes: int
    hash: str  # sha256:<hex>

    @property
    def sha256(self) -> str:
        return self.hash.removeprefix("sha256:")


class EmbeddedFrom(Strict):
    """Published: the dataset version a copied code list came from."""

    package: str
    resource: str
    version: str


class FlaggedRows(Strict):
    """Published: how many rows of a resource warning checks flagged, and with which flags
    (the rows carry them in their `flags` field; `validation.json` locates each)."""

    rows: int
    flags: list[str]


class Build(Strict):
    """Published: what the version is a function of, and when it was published; `warnings`
    (only when there are any) per resource, the rows its warning checks flagged."""

    input_sha256: str = ""
    published: str = ""
    layout: str | None = None
    warnings: dict[str, FlaggedRows] | None = None


class Resource(Strict):
    name: str
    path: str | list[str] | None = None
    data: Any = None
    type: str | None = None
    profile: str | None = Field(None, alias="$schema")
    title: str | None = None
    title_en: str | None = None
    description: str | None = None
    description_en: str | None = None
    homepage: str | None = None
    format: str | None = None
    mediatype: str | None = None
    encoding: str | None = None
    bytes: int | None = None
    hash: str | None = None
    sources: list[Source] | None = None
    licenses: list[License] | None = None
    dialect: TableDialect | None = None
    table_schema: TableSchema | None = Field(None, alias="schema")
    # ours, for reading a workbook: the sheet (name or 1-based number) and its header row
    sheet: str | int | None = None
    header_row: int | None = None
    # ours: how a printed table (yearbook page, office spreadsheet) is read (docs/steward.md)
    layout: Layout | None = None
    # published
    rows: int | None = None
    byte_size: int | None = None
    source_file: SourceFile | None = None
    embedded_from: EmbeddedFrom | None = None
    downloads: list[PublishedDownload] | None = None

    def download(self, extension: str) -> PublishedDownload | None:
        """The download as `extension` rendered at publish, if this version has one."""
        return next((d for d in self.downloads or [] if d.format == extension), None)


class Package(Strict):
    profile: str | None = Field(None, alias="$schema")
    name: str
    id: str | None = None
    title: str | None = None
    title_en: str | None = None
    description: str | None = None
    description_en: str | None = None
    homepage: str | None = None
    image: str | None = None
    version: str | None = None
    created: str | None = None
    keywords: list[str] = []
    keywords_en: list[str] = []
    licenses: list[License] = []
    sources: list[Source] = []
    contributors: list[Contributor] = []
    resources: list[Resource] = []
    organization: Organization | None = None
    themes: list[Theme] = []
    frequency: Frequency | None = None
    access_level: AccessLevel | None = None
    # 开放条件: what a user of a conditional (有条件开放) dataset must meet, zh and en
    access_conditions: str | None = None
    access_conditions_en: str | None = None
    temporal: Temporal | None = None
    spatial: list[str] = []
    contact: Contact | None = None
    issued: Scalar | None = None
    featured: Featured | None = None
    # ours: what the provincial register needs (`register.py`); `register` would shadow ABC's
    register_entry: Register | None = Field(None, alias="register")
    checks: list[Check] = []
    build: Build | None = None

    _document: Document = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _conditions_stated(self) -> Package:
        if self.access_level == "conditional" and not self.conditions().strip():
            message = "access_level `conditional` needs its `access_conditions` (开放条件)"
            fault = InitErrorDetails(
                type=PydanticCustomError("value_error", message),
                loc=("access_conditions",),
                input=self.access_conditions,
            )
            raise ValidationError.from_exception_data(type(self).__name__, [fault])
        return self

    def conditions(self, lang: str = "zh") -> str:
        """The conditions of a conditional dataset (开放条件) in `lang`: `access_conditions`
        (else the register's `open_conditions`); in en `access_conditions_en`, else zh."""
        if lang == "en" and self.access_conditions_en:
            return self.access_conditions_en
        declared = self.register_entry.open_conditions if self.register_entry else None
        return self.access_conditions or declared or ""

    @classmethod
    def of(cls, document: Document) -> Package:
        """The model of `document`; pydantic's ValidationError when it does not fit
        (`catalog.store.model.parsing` turns that into our error naming file and key)."""
        package = cls.model_validate(document)
        package._document = document
        return package

    def as_dict(self) -> Document:
        """The document this model was parsed from (a copy: the caller may change it)."""
        copied: Document = _copied(self._document)
        return copied

    def properties(self, keys: Iterable[str]) -> dict[str, object]:
        """Copies of those of `keys` the document has, as written there and in `keys`' order
        (cheaper than `as_dict` when a few top-level properties are wanted)."""
        document = self._document
        return {key: _copied(document[key]) for key in keys if key in document}

    def resource(self, name: str) -> Resource:
        """The resource called `name`; NotFound names the dataset when there is none."""
        for resource in self.resources:
            if resource.name == name:
                return resource
        raise NotFound(f"dataset {self.name!r} has no resource {name!r}")

    def modified(self) -> str:
        """When the version was published, as the descriptor writes it ("" if it does not).

        The one rule: the publisher's `build.published` (microseconds, UTC), else the
        version's `created` (seconds; a descriptor written by hand may have only that). Not
        `issued`: that is when the dataset first appeared, not when it last changed.
        """
        if self.build is not None and self.build.published:
            return self.build.published
        return self.created or ""

    def modified_at(self) -> datetime | None:
        """`modified()` as an aware UTC time; None when absent or unreadable."""
        return _moment(self.modified())

    def published(self) -> str:
        """The publisher's stamp of this version ("" in a descriptor it did not write)."""
        return self.build.published if self.build is not None else ""

    def published_at(self) -> datetime | None:
        return _moment(self.published())

    def warnings(self) -> int:
        """How many rows of this version warning checks flagged (0 when none)."""
        flagged = self.build.warnings if self.build is not None else None
        return sum(rows.rows for rows in (flagged or {}).values())

    def input_sha256(self) -> str:
        """The digest of everything the version was built from ("" when not recorded)."""
        return self.build.input_sha256 if self.build is not None else ""


def _moment(text: str) -> datetime | None:
    """An ISO 8601 stamp (`Z` or an offset; naive is UTC) as an aware UTC time, or None."""
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _copied(value: Any) -> Any:
    """A copy of a JSON-like document: a fifth of the time `copy.deepcopy` takes (measured
    on a 38 kB descriptor), which matters for a copy made on every read of a descriptor."""
    if isinstance(value, dict):
        return {key: _copied(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copied(item) for item in value]
    return value
