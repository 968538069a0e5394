"""Which `Store` serves a location: the one place a setting becomes a store.

A location (`OPENDATA_STORE`, `--store`) is a string: a local folder's path, or
`s3://bucket/prefix` for a bucket of an S3-protocol server (`catalog.store.s3`, configured by
`S3Options`: the standard AWS variables and OPENDATA_S3_*). Any other scheme is refused by
name rather than made into a folder called `gs:`. Nothing else decides the kind: the CLI and
`create_app` pass the location on.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated

from pydantic import BeforeValidator

from catalog.errors import StoreError
from catalog.store.base import Store
from catalog.store.clock import Clock, utc_now
from catalog.store.folder import FolderStore
from catalog.store.s3 import S3Location, S3Options, S3Store

# `scheme://`, as RFC 3986 spells a scheme; a Windows drive (`C:\`) has no `//`.
SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")


def _as_text(value: object) -> object:
    """A path given in code (`Path`) as the text of its location; anything else unchanged."""
    return os.fspath(value) if isinstance(value, os.PathLike) else value


StoreLocation = Annotated[str, BeforeValidator(_as_text)]
"""Where a store is: a local folder's path, or a URL such as `s3://bucket/prefix`."""


def store_folder(location: str | os.PathLike[str]) -> Path | None:
    """The local folder `location` names, or None if it names another kind of store."""
    text = os.fspath(location)
    return None if SCHEME.match(text) else Path(text)


def open_store(
    location: str | os.PathLike[str], *, clock: Clock = utc_now, s3: S3Options | None = None
) -> Store:
    """The store at `location`: a `FolderStore` for a local folder, an `S3Store` for
    `s3://bucket/prefix` (reached as `s3` says, else as the environment says)."""
    folder = store_folder(location)
    if folder is not None:
        return FolderStore(folder, clock=clock)
    if _scheme(location) == "s3":
        return S3Store(S3Location.parse(os.fspath(location)), s3, clock=clock)
    raise StoreError(
        f"the store {os.fspath(location)!r} is not a local folder, and no store for"
        f" {_scheme(location)}:// locations exists: give OPENDATA_STORE (--store) a"
        " folder's path or an s3://bucket/prefix"
    )


def _scheme(location: str | os.PathLike[str]) -> str:
    found = SCHEME.match(os.fspath(location))
    return found.group(1) if found else ""
