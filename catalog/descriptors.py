"""Dataset folders as the steward writes them: `datasets/<slug>/datapackage.yaml` and `data/`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from catalog.errors import DescriptorError, NotFound

DESCRIPTOR_NAME = "datapackage.yaml"
SLUG_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class DatasetSource:
    """One dataset folder: its slug, location and parsed descriptor."""

    slug: str
    path: Path
    descriptor: dict[str, Any]

    @property
    def references(self) -> set[str]:
        """Slugs of the other datasets this one's foreign keys point into."""
        return referenced_packages(self.descriptor)


def referenced_packages(descriptor: dict[str, Any]) -> set[str]:
    packages = set()
    for resource in descriptor.get("resources", []):
        for key in resource.get("schema", {}).get("foreignKeys", []):
            package = key.get("reference", {}).get("package")
            if package:
                packages.add(package)
    return packages


def load_dataset(path: Path) -> DatasetSource:
    """Read a dataset folder (or its descriptor file) and check the slug matches the folder."""
    folder = path.parent if path.is_file() else path
    descriptor_path = folder / DESCRIPTOR_NAME
    if not descriptor_path.is_file():
        raise NotFound(f"{folder}: no {DESCRIPTOR_NAME} here")
    try:
        descriptor = yaml.safe_load(descriptor_path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise DescriptorError(f"{descriptor_path}: not readable YAML: {exc}") from exc
    if not isinstance(descriptor, dict):
        raise DescriptorError(f"{descriptor_path}: expected a mapping at the top level")
    slug = descriptor.get("name")
    if not isinstance(slug, str) or not SLUG_PATTERN.match(slug):
        raise DescriptorError(f"{descriptor_path}: `name` must be a slug like `my-dataset`")
    if slug != folder.name:
        raise DescriptorError(
            f"{descriptor_path}: `name` is {slug!r} but the folder is {folder.name!r};"
            " they must match"
        )
    return DatasetSource(slug=slug, path=folder, descriptor=descriptor)


def discover(datasets_dir: Path) -> list[DatasetSource]:
    """Every dataset folder under `datasets_dir`, sorted by slug."""
    if not datasets_dir.is_dir():
        raise NotFound(f"{datasets_dir}: no such datasets folder")
    folders = sorted(p for p in datasets_dir.iterdir() if (p / DESCRIPTOR_NAME).is_file())
    return [load_dataset(folder) for folder in folders]


def resolve(target: str, datasets_dir: Path) -> DatasetSource:
    """A dataset named by slug (looked up in `datasets_dir`) or by a path to its folder."""
    as_path = Path(target)
    if as_path.exists():
        return load_dataset(as_path)
    if SLUG_PATTERN.match(target):
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
