"""Dataset folders as the steward writes them: `datasets/<slug>/datapackage.yaml` and `data/`."""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import InitVar, dataclass
from pathlib import Path
from typing import Any

from catalog.errors import DescriptorError, NotFound
from catalog.store.model import (
    Document,
    Package,
    listed,
    parse_package,
    text_faults,
    try_package,
)
from validation import is_resource_name, is_slug, printable

DESCRIPTOR_NAME = "datapackage.yaml"
# A folder a CKAN client left in state `draft` (package_create, a half-done `opendata push`):
# no build publishes it until a write sets it `active` (catalog.ckan).
DRAFT_MARKER = ".draft"

# Slugs and resource names are `validation`'s (`validation.names`), the one definition the
# validator and the store share. The other names that become part of a path or a URL are
# the store's own; all are used with `fullmatch` (`match` with `$` accepts a trailing newline).
# Versions are `<UTC time>-<digest>` as `Publisher` names them; older stores and test
# fixtures use short names (`v1`), which are as safe.
VERSION_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,99}")
# A segment of a source file's path under its dataset folder (`data/表22-42A（2008年）.csv`):
# names as offices send them, full-width brackets and spaces included, but none of the
# characters a file system or a shell reads as syntax, no control or invisible formatting
# character, not hidden (`.x`), not an option (`-x`), not ending in a space or a dot.
FILE_NAME_RESERVED = '/\\:*?"<>|'
FILE_NAME_LIMIT = 255
# Links a descriptor may carry: web pages and mail addresses, never `javascript:`, `data:`,
# `file:` or a relative path that a page would resolve against the catalogue itself.
URL_PATTERN = re.compile(r"(?:https?://[^\s<>\"\\]+|mailto:[^\s<>\"\\]+)", re.IGNORECASE)
URL_MESSAGE = "must be an http(s):// or mailto: URL"


@dataclass(frozen=True)
class DatasetSource:
    """One dataset folder: its slug, location and parsed descriptor.

    `descriptor` is the document as read; `package` its typed model, parsed by
    `load_dataset` (or on first use, for a source made from a document in memory).
    """

    slug: str
    path: Path
    descriptor: Document
    parsed: InitVar[Package | None] = None
    _package: Package | None = dataclasses.field(
        default=None, init=False, repr=False, compare=False
    )

    def __post_init__(self, parsed: Package | None) -> None:
        object.__setattr__(self, "_package", parsed)

    @property
    def package(self) -> Package:
        package = self._package
        if package is None:
            origin = str(self.path / DESCRIPTOR_NAME)
            package = parse_package(self.descriptor, origin, DescriptorError)
            object.__setattr__(self, "_package", package)
        return package

    @property
    def references(self) -> set[str]:
        """Slugs of the other datasets this one's foreign keys point into."""
        return referenced_packages(self.descriptor)


# The code lists a printed table is read with: region names, and the units' factors.
LAYOUT_REFERENCES = frozenset({"region-codes", "indicator-codes"})


def referenced_packages(descriptor: Document) -> set[str]:
    packages: set[str] = set()
    for resource in descriptor.get("resources", []):
        if resource.get("layout") is not None:  # a printed table reads names and units
            packages |= LAYOUT_REFERENCES
        for key in resource.get("schema", {}).get("foreignKeys", []):
            package = key.get("reference", {}).get("package")
            if package:
                packages.add(package)
    return packages


def load_dataset(path: Path) -> DatasetSource:
    """Read a dataset folder (or its descriptor file) and check the slug matches the folder."""
    folder = path.parent if path.is_file() else path
    if not (folder / DESCRIPTOR_NAME).is_file():
        raise NotFound(f"{folder.name}: no {DESCRIPTOR_NAME} here")
    # Named as the datasets folder holds it (`<slug>/datapackage.yaml`): a message shows
    # no path of the machine it runs on.
    descriptor_path = Path(folder.name) / DESCRIPTOR_NAME
    descriptor = read_descriptor(folder / DESCRIPTOR_NAME, str(descriptor_path))
    if not isinstance(descriptor, dict):
        raise DescriptorError(f"{descriptor_path}: expected a mapping at the top level")
    slug = descriptor.get("name")
    if not is_slug(slug):
        raise DescriptorError(f"{descriptor_path}: `name` must be a slug like `my-dataset`")
    if slug != folder.name:
        raise DescriptorError(
            f"{descriptor_path}: `name` is {slug!r} but the folder is {folder.name!r};"
            " they must match"
        )
    package, faults = try_package(descriptor)
    faults.update(_name_and_link_faults(descriptor))
    if package is None or faults:
        raise DescriptorError(f"{descriptor_path}: {listed(faults)}")
    return DatasetSource(slug=slug, path=folder, descriptor=descriptor, parsed=package)


def read_descriptor(path: Path, origin: str = DESCRIPTOR_NAME) -> Any:
    """The YAML document at `path`, read strictly (a key given twice is an error); a
    `DescriptorError` naming `origin` when it is not YAML or not UTF-8."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DescriptorError(f"{origin}: not UTF-8 text (byte {exc.start})") from None
    # PyYAML loads with the first descriptor read (`catalog.store.yamltext`).
    from catalog.store.yamltext import YamlFault, load_strict

    try:
        document = load_strict(text)
    except YamlFault as exc:
        raise DescriptorError(f"{origin}: {exc}") from None
    except RecursionError:  # the YAML reader recurses once per level of nesting
        raise DescriptorError(f"{origin}: nested too deeply to be a descriptor") from None
    if _expanded_size(document) > DESCRIPTOR_NODES:
        raise DescriptorError(
            f"{origin}: its anchors and aliases expand to more than {DESCRIPTOR_NODES:,}"
            " values; write the descriptor out instead"
        )
    return document


# Nested aliases make a few KB of YAML stand for billions of values (a "billion laughs"),
# and every reader of the document walks them all. A real descriptor has a few thousand.
DESCRIPTOR_NODES = 200_000


def _expanded_size(document: object) -> int:
    """How many values `document` holds with every alias expanded, counted once per shared
    value (aliases make it a graph) and stopped past the limit."""
    sizes: dict[int, int] = {}

    def size(value: object) -> int:
        if not isinstance(value, dict | list):
            return 1
        children: Iterable[object] = value.values() if isinstance(value, dict) else value
        if id(value) not in sizes:
            sizes[id(value)] = 1  # a cycle (`&a [*a]`) counts once, never recurses for ever
            total = 1
            for child in children:
                total += size(child)
                if total > DESCRIPTOR_NODES:
                    break
            sizes[id(value)] = total
        return sizes[id(value)]

    return size(document)


def is_version(value: object) -> bool:
    return isinstance(value, str) and VERSION_PATTERN.fullmatch(value) is not None


def is_file_path(value: object) -> bool:
    """A relative path of safe segments (`data/wages.csv`): it stays under its folder."""
    return file_path_fault(value) is None


def file_path_fault(value: object) -> str | None:
    """What makes `value` no relative path of safe segments, or None when it is one."""
    if not isinstance(value, str) or not value or len(value) > 1000:
        return "must be a relative path under the dataset folder, as `data/table.csv`"
    faults = (file_name_fault(part) for part in value.split("/"))
    return next((f'"{printable(value)}": {fault}' for fault in faults if fault), None)


def file_name_fault(name: str) -> str | None:
    """Why `name` cannot be a file's name in a dataset folder, or None."""
    if not name or len(name.encode()) > FILE_NAME_LIMIT:
        return f"a file name has 1 to {FILE_NAME_LIMIT} bytes"
    odd = next((c for c in name if c in FILE_NAME_RESERVED or _invisible(c)), None)
    if odd is not None:
        shown = printable(odd) if _invisible(odd) else odd
        return (
            f'a file name may not hold "{shown}" (nor any of {FILE_NAME_RESERVED} or a control'
            " character)"
        )
    if name[0] in ".-" or name[0].isspace() or name[-1] == "." or name[-1].isspace():
        return (
            "a file name may not start with a dot, a dash or a space, nor end in a dot or a space"
        )
    return None


def _invisible(char: str) -> bool:
    # Controls, format characters (bidirectional overrides), line and paragraph separators.
    return unicodedata.category(char) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def is_safe_url(value: object) -> bool:
    return isinstance(value, str) and URL_PATTERN.fullmatch(value) is not None


EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+")
EMAIL_MESSAGE = "must be an email address such as name@example.org"


def descriptor_faults(descriptor: Document) -> dict[str, str]:
    """Every fault `load_dataset` would find in `descriptor`, by the place it is at.

    Each key names the faulty field as a path (`resources[0].path`, `licenses[0].path`):
    keys the model does not know (`catalog.store.model`), values of the wrong type, and
    names and links that could escape a folder or a page.
    """
    _, faults = try_package(descriptor)
    faults.update(_name_and_link_faults(descriptor))
    return faults


def _name_and_link_faults(descriptor: Document) -> dict[str, str]:
    """Names and links of a descriptor that could escape a folder or a page, and keywords a
    harvesting CKAN would refuse as tags.

    A steward's folder may give a source, licence or contributor `path` as a file inside the
    package (Data Package allows a relative POSIX path; pages show it as text, never as a
    link); the CKAN write actions accept only links there (`catalog.ckan.actions.folders`).
    """
    faults: dict[str, str] = text_faults(descriptor)  # tags CKAN refuses, control characters
    resources = descriptor.get("resources") or []
    if not isinstance(resources, list):
        return {"resources": "must be a list"}
    for position, resource in enumerate(resources):
        where = f"resources[{position}]"
        if not isinstance(resource, dict):
            faults[where] = "must be a mapping"
            continue
        if not is_resource_name(resource.get("name")):
            faults[f"{where}.name"] = (
                "must be lowercase letters, digits or `_`, starting with a letter or digit"
                " (at most 100)"
            )
        fault = file_path_fault(resource["path"]) if "path" in resource else None
        if fault is not None:
            faults[f"{where}.path"] = fault
    for field, value in url_fields(descriptor):
        if value in (None, "") or is_safe_url(value):
            continue
        if not (field.endswith("].path") and is_file_path(value)):
            faults[field] = URL_MESSAGE
    contact = descriptor.get("contact")
    email = contact.get("email") if isinstance(contact, dict) else None
    if email not in (None, "") and not is_email(email):
        faults["contact.email"] = EMAIL_MESSAGE
    return faults


def is_email(value: object) -> bool:
    """An address DCAT can write as a `mailto:` IRI and a page as a link: no quotes, spaces
    or angle brackets, one `@`, a dotted domain."""
    return isinstance(value, str) and EMAIL.fullmatch(value) is not None


# Lists of Data Package objects whose `path` is a link, not a file of the dataset.
LINKED_LISTS = ("licenses", "sources", "contributors")


def url_fields(value: Any, where: str = "") -> Iterator[tuple[str, Any]]:
    """Every (field path, value) of `value` that holds a link: `homepage`, `url`, `*_url`,
    `href`, and the `path` of licenses, sources and contributors, at any depth."""
    if isinstance(value, dict):
        for key, item in value.items():
            name = f"{where}.{key}" if where else str(key)
            if _is_link_key(str(key)):
                yield name, item
            elif str(key) in LINKED_LISTS and isinstance(item, list):
                for position, entry in enumerate(item):
                    if isinstance(entry, dict) and "path" in entry:
                        yield f"{name}[{position}].path", entry["path"]
                    yield from url_fields(entry, f"{name}[{position}]")
            else:
                yield from url_fields(item, name)
    elif isinstance(value, list):
        for position, item in enumerate(value):
            yield from url_fields(item, f"{where}[{position}]")


def _is_link_key(key: str) -> bool:
    lowered = key.lower()
    return lowered in ("url", "homepage", "href") or lowered.endswith("_url")


def discover(
    datasets_dir: Path,
    broken: dict[str, DescriptorError] | None = None,
    drafts: list[str] | None = None,
) -> list[DatasetSource]:
    """Every dataset folder under `datasets_dir` by slug, but drafts (named in `drafts`). With
    `broken`, a folder whose descriptor does not load is put there (by folder name) instead
    of failing the whole folder: one bad draft must not stop the other datasets."""
    if not datasets_dir.is_dir():
        raise NotFound(f"{datasets_dir}: no such datasets folder")
    folders = sorted(p for p in datasets_dir.iterdir() if (p / DESCRIPTOR_NAME).is_file())
    found = []
    for folder in folders:
        if (folder / DRAFT_MARKER).is_file():
            (drafts if drafts is not None else []).append(folder.name)
            continue
        try:
            found.append(load_dataset(folder))
        except DescriptorError as exc:
            if broken is None:
                raise
            broken[folder.name] = exc
    return found


def resolve(target: str, datasets_dir: Path) -> DatasetSource:
    """A dataset named by slug (looked up in `datasets_dir`) or by a path to its folder."""
    as_path = Path(target)
    if as_path.exists():
        return load_dataset(as_path)
    if is_slug(target):
        return load_dataset(datasets_dir / target)
    raise NotFound(f"{target}: neither a dataset slug under {datasets_dir} nor a path")


def build_order(sources: Iterable[DatasetSource]) -> list[DatasetSource]:
    """Sources ordered so that every code list comes before the datasets that reference it."""
    by_slug = {source.slug: source for source in sources}
    ordered: list[DatasetSource] = []
    state: dict[str, str] = {}

    def visit(slug: str, chain: tuple[str, ...]) -> None:
        if state.get(slug) == "done" or slug not in by_slug:
            return
        if state.get(slug) == "visiting":
            raise DescriptorError("foreign keys form a cycle: " + " → ".join((*chain, slug)))
        state[slug] = "visiting"
        for dependency in sorted(by_slug[slug].references):
            visit(dependency, (*chain, slug))
        state[slug] = "done"
        ordered.append(by_slug[slug])

    for slug in sorted(by_slug):
        visit(slug, ())
    return ordered
