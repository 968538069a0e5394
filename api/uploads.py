"""Request bodies of the CKAN Action API, read under caps; uploaded files stream to disk.

Starlette's `request.form()` spools every file, with no size cap, to the system's temporary
folder, and `request.body()` holds a body of any size in memory. Here a body is read chunk by
chunk and counted: the text of a body (JSON, form fields) up to `TEXT_BYTES`, the files of a
multipart body up to the `max_upload_bytes` setting, written as they arrive into a folder of
the request's own (`upload_folder`, under the state folder) that is removed however the
request ends. Past a cap, reading stops at once with `BodyTooLarge`; a malformed body raises
`MalformedBody`. Neither module knows the CKAN envelope: the route words the answer.
"""

from __future__ import annotations

import codecs
import contextlib
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

if TYPE_CHECKING:
    from python_multipart.multipart import MultipartCallbacks

# The text of one request: a JSON document or the fields of a form. A Table Schema of
# thousands of fields fits many times over; parsing 8 MiB of JSON costs ~100 MB at most.
TEXT_BYTES = 8 * 2**20
# A CKAN action takes one file (`upload`); a few more are harmless, thousands are an attack.
MAX_FILES = 4
MAX_PARTS = 1000
# Boundaries and part headers around the counted content.
OVERHEAD_BYTES = 2**20
# A request folder untouched this long belongs to a process that died (see `remove_stale`).
STALE_SECONDS = 6 * 3600


class BodyTooLarge(Exception):
    """The body, or one of its parts, is larger than its cap; nothing more of it is read."""

    def __init__(self, what: str, limit: int) -> None:
        super().__init__(f"{what} is larger than {limit:,} bytes")
        self.what = what
        self.limit = limit
        self.fields: dict[str, str] = {}  # the form fields read before the cap was met


class MalformedBody(ValueError):
    """The body cannot be parsed as the content type it declares."""


@dataclass(frozen=True)
class ReceivedFile:
    """A file of a multipart body: the name the client gave and where its bytes are."""

    filename: str
    path: Path
    size: int


FormItem = tuple[str, "str | ReceivedFile"]


@contextlib.contextmanager
def upload_folder(root: Path) -> Iterator[Path]:
    """A private folder under `root` for one request's files, removed when the block ends."""
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="request-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_stale(root: Path, max_age_seconds: float = STALE_SECONDS) -> list[Path]:
    """Remove request folders left by a process that died mid-upload. Several servers may
    share `root`, so only folders untouched for `max_age_seconds` go: a live upload writes
    every few seconds, and `upload_folder` removes its own."""
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    now = time.time()
    for folder in root.glob("request-*"):
        files = [folder, *folder.iterdir()] if folder.is_dir() else [folder]
        with contextlib.suppress(OSError):
            if now - max(path.stat().st_mtime for path in files) > max_age_seconds:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
    return removed


def declared_length(request: Request) -> int | None:
    """The body size the client announced (`Content-Length`), if it announced one."""
    text = request.headers.get("content-length", "")
    return int(text) if text.isdigit() else None


async def read_body(request: Request, limit: int = TEXT_BYTES) -> bytes:
    """The whole body, refused once it passes `limit` bytes."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise BodyTooLarge("the request body", limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge("the request body", limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def read_multipart(
    request: Request, folder: Path | None, *, file_limit: int, text_limit: int = TEXT_BYTES
) -> list[FormItem]:
    """The fields and files of a `multipart/form-data` body; files are written into `folder`
    as they arrive (with no folder, a file part is refused)."""
    _, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if not boundary:
        raise MalformedBody("multipart/form-data without a boundary")
    parts = _Parts(folder, file_limit=file_limit, text_limit=text_limit)
    total_limit = file_limit + text_limit + OVERHEAD_BYTES
    size = 0
    try:
        parser = MultipartParser(boundary, parts.callbacks())
        async for chunk in request.stream():
            size += len(chunk)
            if size > total_limit:
                raise BodyTooLarge("the request body", total_limit)
            parser.write(chunk)
            await run_in_threadpool(parts.flush)  # file writes off the event loop
        parser.finalize()
        parts.finish()
    except FormParserError as exc:
        raise MalformedBody(f"the multipart body cannot be parsed ({exc})") from None
    except BodyTooLarge as exc:
        exc.fields = {name: value for name, value in parts.items if isinstance(value, str)}
        raise
    finally:
        parts.close()
    return parts.items


@dataclass
class _Part:
    name: str = ""
    disposition: bytes = b""
    header_name: bytes = b""
    header_value: bytes = b""
    text: bytearray = field(default_factory=bytearray)
    filename: str | None = None
    path: Path | None = None
    handle: IO[bytes] | None = None
    size: int = 0


class _Parts:
    """python-multipart's callbacks: fields kept as text, files queued for writing."""

    def __init__(self, folder: Path | None, *, file_limit: int, text_limit: int) -> None:
        self.folder = folder
        self.file_limit = file_limit
        self.text_limit = text_limit
        self.items: list[FormItem] = []
        self.part = _Part()
        self.pending: list[tuple[IO[bytes], bytes]] = []
        self.handles: list[IO[bytes]] = []
        self.file_bytes = 0
        self.text_bytes = 0
        self.count = 0

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.data,
            "on_part_end": self.end,
        }

    def begin(self) -> None:
        self.count += 1
        if self.count > MAX_PARTS:
            raise MalformedBody(f"the multipart body has more than {MAX_PARTS} parts")
        self.part = _Part()

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self.part.header_name += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self.part.header_value += data[start:end]

    def header_end(self) -> None:
        if self.part.header_name.lower() == b"content-disposition":
            self.part.disposition = self.part.header_value
        self.part.header_name = self.part.header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self.part.disposition)
        if b"name" not in options:
            raise MalformedBody('a multipart part has no Content-Disposition "name"')
        self.part.name = _text(options[b"name"], "a field name")
        if b"filename" not in options:
            return
        if self.folder is None:
            raise MalformedBody("only the write actions take files")
        if len(self.handles) >= MAX_FILES:
            raise MalformedBody(f"the multipart body has more than {MAX_FILES} files")
        # The client's name is kept for its extension only; on disk a name of ours.
        self.part.filename = options[b"filename"].decode("utf-8", "replace") or self.part.name
        self.part.path = self.folder / f"file-{len(self.handles)}"
        # Unbuffered: each network chunk goes to disk as it comes, none waits in memory.
        self.part.handle = self.part.path.open("xb", buffering=0)
        self.handles.append(self.part.handle)

    def data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self.part.handle is None:
            self.text_bytes += len(chunk)
            if self.text_bytes > self.text_limit:
                raise BodyTooLarge("the form fields", self.text_limit)
            self.part.text += chunk
            return
        self.file_bytes += len(chunk)
        if self.file_bytes > self.file_limit:
            raise BodyTooLarge("the uploaded file", self.file_limit)
        self.part.size += len(chunk)
        self.pending.append((self.part.handle, chunk))

    def end(self) -> None:
        part = self.part
        if part.handle is None:
            self.items.append((part.name, _text(bytes(part.text), f"field {part.name!r}")))
        else:
            assert part.path is not None and part.filename is not None
            self.items.append((part.name, ReceivedFile(part.filename, part.path, part.size)))

    def flush(self) -> None:
        for handle, chunk in self.pending:
            handle.write(chunk)
        self.pending.clear()

    def finish(self) -> None:
        self.flush()
        for handle in self.handles:
            handle.flush()

    def close(self) -> None:
        self.pending.clear()
        for handle in self.handles:
            handle.close()


def _text(raw: bytes, what: str) -> str:
    try:
        return codecs.decode(raw, "utf-8")
    except UnicodeDecodeError:
        raise MalformedBody(f"{what} is not UTF-8 text") from None
