"""Dataset folders as the write actions change them: in a copy, validated, published, swapped in.

The steward's source of truth stays a folder: the write actions edit
`<datasets>/<slug>/datapackage.yaml` and `data/`, exactly what a steward edits by hand, and
then publish the folder with `Publisher` as `opendata build` does, in a child process
(`catalog.ckan.publishing`: a server never loads the validation's libraries):

- A change is made in a copy of the folder (`<datasets>/.writes/<random>/`), validated and
  published from there; only then does the copy replace the folder. An invalid upload raises
  `ValidationFailed` (CKAN `Validation Error`, 409, with the Frictionless report), the copy is
  dropped, and both the folder and the served version are untouched. Nothing is written
  outside that copy, whatever the action is sent: every dataset, resource (`table`) and file
  name is checked with a full match against one pattern per kind (`catalog.store`), an
  uploaded file's name is never a path, and every file is written only after its place was
  checked to be inside the copy.
- An action holds the dataset's publish lock (`Store.locked`) from reading the folder and
  the current version to swapping the new folder in, and publishes with that version as
  `base`: another server or an `opendata build` that published in between makes it fail
  with `Conflict` (409) rather than replace a version it never saw.
- Links (`url`, `license_url`, any `*_url`, the `path` of sources, licenses and
  contributors) must be `http(s)://` or `mailto:`; anything else is a `Validation Error`
  naming the field.
- Who writes may be limited to some organizations' datasets (`writing_as`, which the API
  sets from the token's scopes): a dataset is checked under its lock as it is read (its
  organization now) and as it is committed (its organization after the change), so that a
  writer can neither change another organization's dataset nor move one into or out of it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from catalog.ckan import mapping as ckan
from catalog.ckan import shapes
from catalog.ckan.actions.get import CkanActions
from catalog.ckan.actions.packages import (
    PackageFields,
    ResourceFields,
    Upload,
    descriptor_of,
    extras_of,
    resource_of,
)
from catalog.ckan.publishing import folder_writes, swap_in
from catalog.ckan.shapes import DataDict
from catalog.errors import InvalidFields, NotAuthorized, NotFound
from catalog.search import catalogue_uuid
from catalog.store import (
    DESCRIPTOR_NAME,
    DRAFT_MARKER,
    URL_MESSAGE,
    DatasetSource,
    Document,
    Package,
    Store,
    descriptor_faults,
    is_safe_url,
    load_dataset,
    url_fields,
)
from validation import is_slug

Publish = Callable[..., None]
"""Validate, publish and swap in a staged folder: `ChildPublisher` (`catalog.ckan.publishing`)."""
Permit = Callable[[str | None], bool]
"""Whether the writer may change a dataset of this organization (None: of no organization)."""
# Unset, as for a steward's own code calling the actions, every write is permitted.
_PERMIT: ContextVar[Permit | None] = ContextVar("write_permit", default=None)
WORK_FOLDER = ".writes"
# A dataset a client marked `state: "draft"` (CKAN's draft → active sequence) holds
# DRAFT_MARKER: its folder takes writes, none of which publishes (nor does `opendata build`),
# until a package_update or _patch sets `state: "active"`.
DELETED_FOLDER = ".deleted"
NAME_MESSAGE = "Must be purely lowercase alphanumeric (ascii) characters and these symbols: -"


@contextlib.contextmanager
def writing_as(permit: Permit) -> Iterator[None]:
    """Run the write actions of this block (and the threads it hands them to) for a writer
    limited by `permit`: a dataset of an organization it does not permit is Not Authorized."""
    token = _PERMIT.set(permit)
    try:
        yield
    finally:
        _PERMIT.reset(token)


def authorise(slug: str, package: Package) -> None:
    """Refuse (Not Authorized, 403) a write the current writer's permit does not cover."""
    permit = _PERMIT.get()
    organization = package.organization.name if package.organization else None
    if permit is not None and not permit(organization):
        owner = f"organization {organization}" if organization else "no organization"
        raise NotAuthorized(f"Not authorized to write dataset {slug} of {owner}")


class DatasetFolders:
    """The dataset folders under `datasets`, changed only as the module says."""

    def __init__(
        self,
        store: Store,
        datasets: Path,
        actions: CkanActions,
        *,
        publish: Publish,
    ) -> None:
        self.store = store
        self.publish = publish
        self.datasets = datasets
        self.actions = actions
        # Re-entrant: package_patch reads and updates under one hold.
        self.lock = threading.RLock()

    # --- finding -------------------------------------------------------------------------

    def slug(self, name_or_id: Any) -> str:
        """The slug of the dataset folder named (or identified by CKAN id) by `name_or_id`."""
        if not name_or_id:
            raise InvalidFields({"id": ["Missing value"]})
        text = str(name_or_id)
        if is_slug(text) and self.exists(text):
            return text
        if self.datasets.is_dir():
            for folder in self.datasets.iterdir():
                if is_slug(folder.name) and catalogue_uuid("dataset", folder.name) == text:
                    return folder.name
        raise NotFound("")

    def exists(self, slug: str) -> bool:
        return (self.datasets / slug / DESCRIPTOR_NAME).is_file()

    def resource_key(self, resource_id: Any) -> tuple[str, str]:
        """(dataset slug, resource name) of a resource's CKAN id."""
        if not resource_id:
            raise InvalidFields({"id": ["Missing value"]})
        if self.datasets.is_dir():
            for folder in sorted(self.datasets.iterdir()):
                if not is_slug(folder.name) or not (folder / DESCRIPTOR_NAME).is_file():
                    continue
                source = load_dataset(folder)
                for resource in source.descriptor.get("resources", []):
                    key = f"{source.slug}/{resource.get('name')}"
                    if catalogue_uuid("resource", key) == resource_id:
                        return source.slug, str(resource.get("name"))
        raise NotFound("Resource was not found.")

    def read(self, slug: str) -> tuple[str | None, DatasetSource]:
        """With the lock held: the current version (read first), then the folder.

        A dataset withdrawn as a whole is Not Found, as after package_delete: only a folder
        written after the withdrawal (a dataset created again) may be published again.
        """
        base = self.store.current(slug)
        if base is None and self._withdrawn_since_written(slug):
            raise NotFound("")
        try:
            source = load_dataset(self.datasets / slug)
        except NotFound:
            raise NotFound("") from None
        authorise(slug, source.package)
        return base, source

    def _withdrawn_since_written(self, slug: str) -> bool:
        # `opendata withdraw` leaves the steward's folder in place (package_delete moves it
        # aside): its descriptor, unchanged since, must not be published again by a write.
        withdrawal = self.store.withdrawal(slug)
        if withdrawal is None:
            return False
        try:
            written = (self.datasets / slug / DESCRIPTOR_NAME).stat().st_mtime
        except OSError:
            return False  # no folder: `load_dataset` answers Not Found
        return written <= datetime.fromisoformat(withdrawal.withdrawn).timestamp()

    # --- changing ------------------------------------------------------------------------

    def commit(
        self,
        slug: str,
        descriptor: Document,
        uploads: dict[str, Upload],
        *,
        replace_folder: bool,
        base: str | None,
        source: DatasetSource | None = None,
        draft: bool = False,
    ) -> None:
        """Write the changed folder beside the old one, publish it, then swap it in; a
        `draft` is swapped in unpublished, marked as one.

        Called with the dataset's lock held; `base` is the version current when the folder
        was read. Every file goes inside the action's own copy, checked before it is written.
        """
        package = check_descriptor(descriptor)
        authorise(slug, package)
        work = self.datasets / WORK_FOLDER / uuid.uuid4().hex
        staging = work / slug
        try:
            with folder_writes():
                (staging / "data").mkdir(parents=True)
                _copy_files(staging, package, uploads, source)
                document = package.as_dict()
                import yaml  # here: a server that takes no write never loads PyYAML

                text = yaml.safe_dump(document, allow_unicode=True, sort_keys=False)
                (staging / DESCRIPTOR_NAME).write_text(text, encoding="utf-8")
            if draft:
                (staging / DRAFT_MARKER).touch()
                swap_in(self.datasets, work, slug, replace_folder)
            elif package.resources:
                # Validated, published and swapped in by a child process (`publish`).
                source_now = DatasetSource(slug, staging, document, package)
                self.publish(source_now, work, replace_folder=replace_folder, base=base)
            else:
                swap_in(self.datasets, work, slug, replace_folder)
        finally:
            shutil.rmtree(work, ignore_errors=True)
            self.store.forget()  # the child's writes, not this store object's
        self.actions.refresh()

    def is_draft(self, slug: str) -> bool:
        """Whether a client marked the dataset a draft (its writes are not published)."""
        return (self.datasets / slug / DRAFT_MARKER).is_file()

    def check_writable(self) -> None:
        """Refuse (FoldersUnwritable) unless a folder can be made and removed beside the
        datasets: asked before a change outside the folders (a withdrawal) that the folder
        change after it must follow."""
        probe = self.datasets / WORK_FOLDER / uuid.uuid4().hex
        with folder_writes():
            probe.mkdir(parents=True)
            probe.rmdir()

    def set_aside(self, source: DatasetSource) -> None:
        """Move a withdrawn dataset's folder to `.deleted/`, out of `opendata build`'s way."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        target = self.datasets / DELETED_FOLDER / f"{source.slug}-{stamp}"
        with folder_writes():
            target.parent.mkdir(parents=True, exist_ok=True)
            source.path.rename(target)

    def descriptor(self, base: Document, package: DataDict) -> Document:
        """`base` with what the package dict says (`catalog.ckan.actions.packages`)."""
        return descriptor_of(PackageFields.of(package), base, self.actions.organizations())

    def resources_from(self, source: DatasetSource, resources: list[object]) -> list[Document]:
        """A package's `resources` list: each names an existing resource by id or table."""
        current = {str(r["name"]): r for r in source.descriptor.get("resources", [])}
        by_id = {catalogue_uuid("resource", f"{source.slug}/{n}"): n for n in current}
        chosen = []
        for position, given in enumerate(resources):
            if not isinstance(given, dict):
                raise InvalidFields({"resources": [f"Resource {position} is not a dict"]})
            name = by_id.get(str(given.get("id"))) or str(given.get("table") or "")
            if name not in current:
                if given.get("embedded_from"):
                    continue  # a copied code list: the publisher embeds it again
                raise InvalidFields({"resources": [
                    f"Resource {position} is new: add it with resource_create and a file"
                ]})  # fmt: skip
            chosen.append(resource_of(current[name], ResourceFields.of(given), None))
        return chosen

    # --- answers -------------------------------------------------------------------------

    def package(self, slug: str) -> shapes.CkanPackage:
        """The package dict of a dataset as served, or of its folder while it is a draft:
        a served dataset a client marked draft is its folder too (the writes held back),
        else a patch would rebuild on the served version and drop them."""
        if not self.is_draft(slug):
            try:
                return self.actions.package_show({"id": slug})
            except NotFound:
                pass
        source = load_dataset(self.datasets / slug)
        actions = self.actions
        draft = ckan.package_dict(source.package, actions.base_url, actions.region_names())
        return {**draft, "state": "draft"}

    def resource(self, slug: str, name: str) -> shapes.CkanResource:
        """The resource dict of a dataset's resource, as `package` shows it."""
        wanted = catalogue_uuid("resource", f"{slug}/{name}")
        for resource in self.package(slug)["resources"]:
            if resource["id"] == wanted:
                return resource
        raise NotFound("")


def _copy_files(
    staging: Path, package: Package, uploads: dict[str, Upload], source: DatasetSource | None
) -> None:
    """Each resource's file into the copy: the upload, else the folder's file."""
    for resource in package.resources:
        path = resource.path
        if not isinstance(path, str):
            continue  # no file of its own: the publisher names the fault
        target = inside(staging, path)
        target.parent.mkdir(parents=True, exist_ok=True)
        if resource.name in uploads:
            shutil.copyfile(uploads[resource.name].path, target)
        elif source is not None and (source.path / path).is_file():
            # A path `load_dataset` checked: relative, no `..` (a steward's link is
            # theirs to make, so it is read, not resolved).
            shutil.copyfile(source.path / path, target)


def checked_slug(name: str) -> str:
    """A new dataset's name, refused unless it is a slug of at least two characters."""
    if len(name) < 2:
        raise InvalidFields({"name": ["Must be at least 2 characters long"]})
    if not is_slug(name):
        raise InvalidFields({"name": [NAME_MESSAGE]})
    return name


def position(source: DatasetSource, name: str) -> int:
    """Where the resource `name` is in the dataset's descriptor."""
    for found, resource in enumerate(source.descriptor.get("resources", [])):
        if resource.get("name") == name:
            return found
    raise NotFound("Resource was not found.")


def inside(folder: Path, relative: str) -> Path:
    """`folder / relative`, refused unless it stays inside `folder` (no `..`, no link out)."""
    target = folder / relative
    if not target.resolve().is_relative_to(folder.resolve()):
        raise InvalidFields({"path": ["A resource's file must stay inside its dataset folder"]})
    return target


def check_links(data: DataDict) -> None:
    """Refuse a package or resource dict whose links are not http(s) or mailto."""
    faults: dict[str, list[str]] = {}
    for field, value in url_fields({k: v for k, v in data.items() if k != "extras"}):
        if value not in (None, "") and not is_safe_url(value):
            faults[field] = [URL_MESSAGE]
    extras = extras_of(data.get("extras"))
    for key, value in extras.items():
        linked = key.lower() == "url" or key.lower().endswith("_url")
        if linked and value and not is_safe_url(value):
            faults[key] = [URL_MESSAGE]
    try:
        sources = json.loads(extras.get("sources") or "[]")
    except ValueError:
        sources = []  # `descriptor_of` names this fault
    # A source sent through the API is a link: what it names must be a page, not a file.
    for field, value in url_fields({"sources": sources}):
        if value not in (None, "") and not is_safe_url(value):
            faults[field] = [URL_MESSAGE]
    if faults:
        raise InvalidFields(faults)


def check_descriptor(descriptor: Document) -> Package:
    """The descriptor about to be written, typed; refused unless its keys, values, names and
    links are as `load_dataset` will demand."""
    faults = descriptor_faults(descriptor)
    if faults:
        raise InvalidFields({field: [message] for field, message in faults.items()})
    return Package.of(descriptor)
