"""An organisation's facts are one thing per organisation, not per dataset.

Each descriptor names its `organization` and may state its facts (titles, 统一社会信用代码);
DCAT gives the organisation one publisher IRI (`/organization/<slug>`) and CKAN one
organisation dict, so a fact any dataset states is the organisation's for all its datasets
(`organizations`, `with_organization`), and two datasets stating different values for one
fact is a steward's mistake refused at validation (`refuse_organization_conflict`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from catalog.errors import DescriptorError
from catalog.store.model.package import Organization, Package

FACTS = ("title", "title_en", "credit_code")  # what an organisation states beside its slug


def organizations(packages: Iterable[Package]) -> dict[str, Organization]:
    """Organisation slug → its facts, each from the first dataset (by name) stating it."""
    found: dict[str, dict[str, str]] = {}
    for package in sorted(packages, key=lambda p: p.name):
        given = package.organization
        if given is None or not given.name:
            continue
        facts = found.setdefault(given.name, {"name": given.name})
        for fact in FACTS:
            value = getattr(given, fact)
            if value and fact not in facts:
                facts[fact] = value
    return {name: Organization.model_validate(facts) for name, facts in found.items()}


def with_organization(package: Package, known: Mapping[str, Organization]) -> Package:
    """`package` with its organisation's facts as `known` holds them (itself when unknown)."""
    given = package.organization
    whole = known.get(given.name) if given is not None else None
    if whole is None or whole == given:
        return package
    return package.model_copy(update={"organization": whole})


class Sourced(Protocol):
    """A dataset folder (`DatasetSource`): what the others are given as."""

    @property
    def package(self) -> Package: ...


class Standing(Protocol):
    """What a store says of a dataset: whether it is served, and its withdrawals."""

    def current(self, slug: str) -> str | None: ...

    def withdrawals(self, slug: str) -> Sequence[object]: ...


def refuse_organization_conflict(
    package: Package, others: Iterable[Sourced], store: Standing
) -> None:
    """DescriptorError when `package` states a fact of its organisation differently from
    another dataset (the first by name), naming both datasets and the fact. A withdrawn
    dataset's folder is left out: its facts are nobody's until it is published again."""
    standing = [o.package for o in others if not _withdrawn(store, o.package.name)]
    fault = _conflict(package, standing)
    if fault is not None:
        raise DescriptorError(fault)


def _withdrawn(store: Standing, slug: str) -> bool:
    return store.current(slug) is None and bool(store.withdrawals(slug))


def _conflict(package: Package, others: Iterable[Package]) -> str | None:
    given = package.organization
    if given is None or not given.name:
        return None
    for other in sorted(others, key=lambda p: p.name):
        theirs = other.organization
        if other.name == package.name or theirs is None or theirs.name != given.name:
            continue
        for fact in FACTS:
            mine, their = getattr(given, fact), getattr(theirs, fact)
            if mine and their and mine != their:
                return (
                    f"organization {given.name!r}: `organization.{fact}` is {mine!r} in dataset"
                    f" {package.name!r} but {their!r} in dataset {other.name!r}; an"
                    " organisation's facts are one thing: state the same value in both (or"
                    " in one of them)"
                )
    return None
