"""The Parquet of an object store read in place, by byte ranges (`RangeFiles`).

DuckDB 2.0's `httpfs` extension is not on PyPI, so DuckDB reads `s3://` places through an
fsspec filesystem registered on its connection (`ObjectReads`), which opens objects with
pyarrow's `S3FileSystem`: each read DuckDB makes (a footer, the column chunks of the row
groups a query needs) is one ranged GET, and no file is copied. pyarrow reads footers and
schemas through the same filesystem.

Versions are immutable, so what a file is (its size, its time) is asked once and kept
(`KNOWN_FILES` of them): DuckDB asks it several times per query (to expand the name, to
check its footer cache), which would be as many HEAD requests. A file opened with its size
known costs no HEAD either. A name not found is never kept: it may be written later.

A small file of a version (`WHOLE_BYTES` at most: the footer and the column chunks a query
reads would be two or more requests) is read whole by one GET on first use and its bytes
kept, up to the store's `kept_mb`, the least recently read dropped first: every later read
of it, by any connection, asks the bucket nothing. DuckDB's own cache of what it read is
per database (an SDMX read opens one per request) and trusts a file only once its time is
ten seconds old; this one needs neither, as a version file's key is never written again
(its folder is the version, named by its content; only keys below a version folder are
kept, never CURRENT, HISTORY, WITHDRAWN or GENERATION).

A store that fails a read (down, hung past its timeout, refusing) raises `StoreReadFailed`, never
an error that says "no such file": fsspec's listing takes any OSError for an absent file, and
DuckDB keeps a filesystem's error only as text, by which the store's failure is told from a
damaged file's (`catalog.errors.store_failure`), answered 503 and nothing empty kept from it.
A file a published version lists that the bucket does not hold (a partial restore: the
descriptors back, the objects not yet) is the store's failure too (`ObjectMissing`): never a
FileNotFoundError that escapes as a 500, nor a DuckDB "No files found" (issue 17).

The filesystem only reads: writing, listing beyond one key and removing are refused, so a
query can do nothing else to the bucket even where DuckDB's own checks would let it.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from catalog.errors import ObjectMissing, StoreReadFailed
from catalog.store.s3.location import DEFAULT_TIMEOUT_SECONDS, S3Location, S3Options

if TYPE_CHECKING:
    import duckdb
    import pyarrow.fs as pafs

KIND = "s3-ranges"
KNOWN_FILES = 65_536
OPENED_FILES = 1024
WHOLE_BYTES = 1 << 20  # a version file this small is read whole and kept
VERSION_DEPTH = 3  # <slug>/<version>/<file>: the keys under the prefix that never change
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN")
# How pyarrow's S3 errors say the server was not reached or did not answer in time
# ("AWS Error NETWORK_CONNECTION …: curlCode: 28, Timeout was reached", curl 7 when refused).
UNREACHED = ("NETWORK_CONNECTION", "curlCode", "Timeout")


class RangeFiles:
    """The files of one bucket and prefix, opened in place (the `Files` of an `S3Store`)."""

    def __init__(
        self, location: S3Location, settings: Mapping[str, str], kept_bytes: int = 0
    ) -> None:
        self.location = location
        self._settings = dict(settings)
        prefix = f"{location.prefix}/" if location.prefix else ""
        self.roots: tuple[str, ...] = (f"s3://{location.bucket}/{prefix}",)
        self._arrow: pafs.FileSystem | None = None
        self._known: dict[str, pafs.FileInfo] = {}
        self._opened: dict[str, pa.NativeFile] = {}
        self._lock = threading.Lock()
        # Small version files read whole, least recently read first, within `kept_bytes`.
        self._kept: OrderedDict[str, bytes] = OrderedDict()
        self._kept_size = 0
        self._kept_limit = kept_bytes

    @classmethod
    def of(cls, location: S3Location, options: S3Options) -> RangeFiles:
        """For a store: the server and the credentials this process was given. (A SQL
        worker's, made `from_spec`, keeps no file whole: it reads through its own DuckDB.)"""
        settings = {
            "endpoint_url": options.endpoint_url,
            "region": options.region,
            "addressing_style": options.addressing_style,
            "timeout_seconds": str(options.timeout_seconds),
        }
        settings.update({name: os.environ[name] for name in CREDENTIALS if os.environ.get(name)})
        return cls(location, settings, kept_bytes=options.kept_mb << 20)

    @classmethod
    def from_spec(cls, spec: Mapping[str, str]) -> RangeFiles:
        return cls(S3Location.parse(spec["location"]), spec)

    def spec(self) -> dict[str, str]:
        return {**self._settings, "kind": KIND, "location": str(self.location)}

    def arrow(self) -> pafs.FileSystem:
        """pyarrow's S3 filesystem for this server, made on first use."""
        if self._arrow is None:
            self._arrow = _arrow_filesystem(self._settings)
        return self._arrow

    def info(self, place: str) -> pafs.FileInfo | None:
        """What the file at `place` is (asked once: versions never change); None if absent."""
        path = _path(place)
        found = self._known.get(path)
        if found is not None:
            return found
        fs = importlib.import_module("pyarrow.fs")
        with answered("asking for", path):
            [found] = self.arrow().get_file_info([path])
        if found.type != fs.FileType.File:
            return None
        with self._lock:
            if len(self._known) >= KNOWN_FILES:
                self._known.clear()
            self._known[path] = found
        return found

    def open(self, place: str) -> pa.NativeFile:
        """The file at `place` for pyarrow, each read one ranged GET (`ObjectMissing` if there is
        none)."""
        return pa.PythonFile(self.ranges(place), mode="r")

    def ranges(self, place: str) -> Ranges:
        """The file at `place`, each read of it one ranged GET, or none for a small version
        file read whole before (`ObjectMissing` if there is no file)."""
        kept = self._whole(place)
        if kept is not None:
            return Ranges(pa.BufferReader(kept), "a kept file", self._read_failed)
        return Ranges(self._shared(place), _path(place), self._read_failed)

    def _shared(self, place: str) -> pa.NativeFile:
        path = _path(place)
        shared = self._opened.get(path)
        if shared is None:
            # pyarrow asks the object's size (a HEAD) when it opens one: once per file here,
            # its reads (`read_at`, safe from many threads) shared by every reader.
            if self.info(place) is None:
                raise ObjectMissing(path)
            with answered("opening", path):
                shared = self.arrow().open_input_file(path)
            with self._lock:
                if len(self._opened) >= OPENED_FILES:
                    self._opened.clear()  # readers that hold one keep it
                self._opened[path] = shared
        return shared

    def _whole(self, place: str) -> bytes | None:
        """The bytes of the small version file at `place`, read by one GET the first time;
        None for a file that is not kept (too large, not below a version folder, or none
        is kept)."""
        path = _path(place)
        with self._lock:
            kept = self._kept.get(path)
            if kept is not None:
                self._kept.move_to_end(path)
                return kept
        if not self._keeps(path):
            return None
        found = self.info(place)
        if found is None:
            raise ObjectMissing(path)
        if found.size > min(WHOLE_BYTES, self._kept_limit):
            return None
        # (pyarrow-stubs miss read_at's offset, as in `Ranges.read`)
        shared = self._shared(place)
        try:
            data = bytes(shared.read_at(found.size, 0))  # type: ignore[call-arg]
        except OSError as exc:
            raise self._read_failed(path, exc) from exc
        with self._lock:
            if path not in self._kept:
                self._kept[path] = data
                self._kept_size += len(data)
            while self._kept_size > self._kept_limit:
                _, dropped = self._kept.popitem(last=False)
                self._kept_size -= len(dropped)
        return data

    def _read_failed(self, path: str, exc: OSError) -> OSError:
        """What a read of `path` that failed raises: `ObjectMissing` when the store says the
        object is gone now (a file known before, then lost: a GET of it fails as the store's
        error, not as an absent file), else `StoreReadFailed`. Its remembered size and handle
        are dropped either way. A read that timed out or never connected is not asked about
        again: that would double a hung store's wait."""
        if isinstance(exc, (FileNotFoundError, StoreReadFailed)):
            return exc
        with self._lock:
            self._known.pop(path, None)
            self._opened.pop(path, None)
        if not any(word in str(exc) for word in UNREACHED):
            with contextlib.suppress(StoreReadFailed):
                if self.info(path) is None:
                    return ObjectMissing(path)
        return StoreReadFailed(f"reading {path}: {exc}")

    def _keeps(self, path: str) -> bool:
        """Whether `path` may be kept: a key below a version folder, which never changes."""
        root = self.roots[0].removeprefix("s3://")
        return (
            self._kept_limit > 0
            and path.startswith(root)
            and (path.removeprefix(root).count("/") >= VERSION_DEPTH - 1)
        )

    def size(self, place: str) -> int | None:
        found = self.info(place)
        return None if found is None else found.size

    def attach(self, con: duckdb.DuckDBPyConnection) -> None:
        con.register_filesystem(_object_reads(self))


class Ranges(io.RawIOBase):
    """One reader's position in a shared object: each read is one `read_at` of it."""

    def __init__(
        self, shared: pa.NativeFile, path: str, failed: Callable[[str, OSError], OSError]
    ) -> None:
        super().__init__()
        self._shared = shared
        self._path = path
        self._failed = failed
        self._size = shared.size()
        self._at = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def size(self) -> int:
        return self._size

    def tell(self) -> int:
        return self._at

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._at, io.SEEK_END: self._size}[whence]
        self._at = max(0, base + offset)
        return self._at

    def read(self, size: int | None = -1) -> bytes:
        wanted = self._size - self._at if size is None or size < 0 else size
        wanted = max(0, min(wanted, self._size - self._at))
        # (pyarrow-stubs miss read_at's offset: `read_at(nbytes, offset)`, safe across threads)
        try:
            data = self._shared.read_at(wanted, self._at) if wanted else b""  # type: ignore[call-arg]
        except OSError as exc:
            raise self._failed(self._path, exc) from exc
        self._at += len(data)
        return bytes(data)

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


@contextlib.contextmanager
def answered(doing: str, path: str) -> Iterator[None]:
    """The store failing (an OSError of pyarrow's other than an absent file) as
    `StoreReadFailed`."""
    try:
        yield
    except (FileNotFoundError, StoreReadFailed):
        raise
    except OSError as exc:
        raise StoreReadFailed(f"{doing} {path}: {exc}") from exc


def _path(place: str) -> str:
    """pyarrow's name of a place: `bucket/key`."""
    return place.removeprefix("s3://").lstrip("/")


def _arrow_filesystem(settings: Mapping[str, str]) -> pafs.FileSystem:
    fs = importlib.import_module("pyarrow.fs")
    endpoint = settings.get("endpoint_url", "")
    # As boto3's calls (`objects._client`): a hung server gives up within about twice the
    # limit, not after pyarrow's default of a minute per try and three tries (182 s).
    seconds = float(settings.get("timeout_seconds") or DEFAULT_TIMEOUT_SECONDS)
    options: dict[str, Any] = {
        "region": settings.get("region") or "us-east-1",
        "connect_timeout": min(seconds, 2.0),
        "request_timeout": seconds,
        "retry_strategy": fs.AwsStandardS3RetryStrategy(max_attempts=2),
        "force_virtual_addressing": settings.get("addressing_style") == "virtual",
    }
    if endpoint:
        scheme, _, host = endpoint.partition("://")
        options.update(endpoint_override=host.rstrip("/") or endpoint, scheme=scheme or "https")
    if settings.get("AWS_ACCESS_KEY_ID"):
        options.update(
            access_key=settings["AWS_ACCESS_KEY_ID"],
            secret_key=settings.get("AWS_SECRET_ACCESS_KEY", ""),
            session_token=settings.get("AWS_SESSION_TOKEN") or None,
        )
    # Else pyarrow looks for credentials as the AWS SDK does (config files, instance roles).
    made: pafs.FileSystem = fs.S3FileSystem(**options)
    return made


def _object_reads(files: RangeFiles) -> Any:
    """The fsspec filesystem DuckDB reads `s3://` places through (`ObjectReads`)."""
    spec = importlib.import_module("fsspec.spec")

    class ObjectReads(spec.AbstractFileSystem):  # type: ignore[misc, name-defined]
        """Read-only: open a file by ranges, say what a file is; nothing else."""

        protocol = "s3"
        cachable = False  # one per store; fsspec would otherwise share instances

        def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
            found = files.info(path)
            if found is None:
                raise FileNotFoundError(path)
            return {"name": _path(path), "size": found.size, "type": "file", "mtime": found.mtime}

        def glob(self, path: str, **kwargs: Any) -> list[str]:
            # fsspec's own globbing lists, and takes a listing's failure for no file at all;
            # an empty answer here is DuckDB's `No files found that match the pattern` (500).
            if files.info(path) is None:
                raise ObjectMissing(_path(path))
            return [_path(path)]

        def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
            # DuckDB expands a name by listing it; a place is always one key, never a folder.
            entry = self.info(path)
            return [entry] if detail else [entry["name"]]

        def modified(self, path: str) -> datetime:
            found = files.info(path)
            if found is None or found.mtime is None:
                raise FileNotFoundError(path)
            mtime: datetime = found.mtime
            return mtime

        def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Ranges:
            if mode != "rb":
                raise PermissionError("the store's files are read only")
            return files.ranges(path)

    return ObjectReads()
