"""``validate_package``: read every resource, type it, and run every check over it."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from validation.checks.coverage import unchecked_note
from validation.checks.declaration import format_of, resource_problems
from validation.checks.domain import CheckDeclarationError, CheckRun, check_error, run_check
from validation.checks.keys import foreign_key_errors, primary_key_errors, unique_errors
from validation.chunks import (
    CHUNK_BYTES,
    Findings,
    TypedTables,
    check_rows,
    fill_cells,
    stream_resource,
    streams,
)
from validation.context import ResourceContext
from validation.errors import ReportError, table_error
from validation.flags import run_warning_check
from validation.folder import stray_files, stray_message
from validation.layout import LayoutFailure, layout_errors, read_printed
from validation.names import SLUG, is_slug
from validation.reading.delimited import RowPastChunk, read_csv
from validation.reading.dialect import Dialect
from validation.reading.readers import RawTable, ReadFailure, read_bytes, source_path
from validation.report import Report, Task
from validation.sql import connect, register

ReferenceResolver = Callable[[str, str], pa.Table]

REQUIRED_METADATA = (
    "$schema", "name", "title", "title_en", "description", "description_en", "keywords",
    "keywords_en", "licenses", "sources", "organization", "themes", "frequency",
    "access_level", "temporal", "spatial", "contact", "issued",
)  # fmt: skip


@dataclass(frozen=True)
class Validation:
    """The report, and each resource typed per its schema (complete only when valid); a
    resource read chunk by chunk is read back from disk when asked for (`TypedTables`)."""

    report: Report
    tables: TypedTables


@dataclass
class _Run:
    """The state of one validation: where errors go and what has been read."""

    descriptor: Mapping[str, Any]
    base_path: Path
    references: ReferenceResolver | None
    limit: int
    chunk_bytes: int = CHUNK_BYTES
    report: Report = field(default_factory=Report)
    contexts: dict[str, ResourceContext] = field(default_factory=dict)
    tasks: dict[str, Task] = field(default_factory=dict)
    dropped: int = 0
    reference_views: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def room(self) -> int:
        """How many errors a check may return: one past the limit, to tell that more exist."""
        return self._left + 1

    @property
    def _left(self) -> int:
        return max(self.limit - len(self.report.errors), 0)

    def record(self, task: Task | None, errors: list[ReportError]) -> None:
        kept = errors[: self._left]
        self.dropped += len(errors) - len(kept)
        (task.errors if task else self.report.package_errors).extend(kept)


def validate_package(
    descriptor: Mapping[str, Any],
    base_path: Path,
    *,
    references: ReferenceResolver | None = None,
    max_errors: int = 1000,
    chunk_bytes: int = CHUNK_BYTES,
) -> Validation:
    """Validate a Data Package descriptor and its files; problems go in the report, never raise.

    A plain CSV of more than ``chunk_bytes`` is read and checked that many bytes at a time.
    """
    started = time.perf_counter()
    run = _Run(descriptor, Path(base_path), references, max(max_errors, 1), chunk_bytes)
    if _package_is_usable(run):
        for resource in run.descriptor["resources"]:
            _validate_resource(run, resource)
        _check_across(run)
    for task in run.report.tasks:
        task.errors.sort(key=lambda e: (e.row or 0, e.field_number or 0))
    if run.dropped:
        run.report.warnings.append(
            f"reached the limit of {run.limit} errors; later errors were not reported"
        )
    run.report.seconds = time.perf_counter() - started
    return Validation(report=run.report, tables=_published_tables(run))


def _published_tables(run: _Run) -> TypedTables:
    """Typed tables with exactly ``arrow_schema``'s schema; nullable throughout if invalid."""
    tables = TypedTables()
    for name, ctx in run.contexts.items():
        tables.add(ctx, run.tasks[name].valid, run.tasks[name].flags_by_item())
    return tables


def _package_is_usable(run: _Run) -> bool:
    descriptor: Any = run.descriptor
    if not isinstance(descriptor, Mapping):
        run.record(None, [_package_error("the descriptor is not an object")])
        return False
    missing = [key for key in REQUIRED_METADATA if key not in descriptor]
    if missing:
        # The catalogue, CKAN and DCAT all need these: a dataset without them cannot be listed.
        listed = ", ".join(missing)
        run.record(None, [_package_error(f"the descriptor lacks required metadata: {listed}")])
    name = descriptor.get("name")
    if name is not None and not is_slug(name):
        run.record(None, [_package_error(f'name "{name}" must match {SLUG.pattern}')])
    resources = descriptor.get("resources")
    if not isinstance(resources, list) or not resources:
        run.record(None, [_package_error("the descriptor has no resources")])
        return False
    if "checks" in descriptor and not isinstance(descriptor["checks"], list):
        run.record(None, [_package_error("checks must be a list")])
    paths = [str(r.get("path")) for r in resources if isinstance(r, Mapping)]
    run.record(None, [_package_error(stray_message(p)) for p in stray_files(run.base_path, paths)])
    return True


def _package_error(message: str) -> ReportError:
    return table_error("package-error", resource="", path="", message=message)


def _validate_resource(run: _Run, resource: Any) -> None:
    started = time.perf_counter()
    name = resource.get("name") if isinstance(resource, Mapping) else None
    path = resource.get("path") if isinstance(resource, Mapping) else None
    label = str(name) if isinstance(name, str) else f"resource {len(run.report.tasks) + 1}"
    task = Task(name=label, place=str(path) if isinstance(path, str) else "")
    run.report.tasks.append(task)
    problems = resource_problems(resource, label, [t.name for t in run.report.tasks[:-1]])
    if problems:
        run.record(task, problems)
        return
    assert isinstance(resource, Mapping) and isinstance(path, str)
    findings = Findings(run.limit)
    try:
        ctx = _checked(run, resource, label, path, findings)
    except ReadFailure as exc:
        run.record(task, [table_error(exc.type, resource=label, path=path, message=exc.message)])
        return
    except LayoutFailure as exc:
        run.record(task, layout_errors(exc, label, path))
        return
    except (pa.ArrowException, ValueError, OverflowError) as exc:
        # A value the vectorised path cannot handle must still end as a report, not a crash.
        message = f"the data could not be typed: {exc}"
        for errors in findings.checks:  # what the checks before it found
            run.record(task, errors)
        run.record(task, [table_error("source-error", resource=label, path=path, message=message)])
        return
    task.labels = list(ctx.raw.labels)
    for errors in findings.checks:  # each check's errors, in the order a whole file gives
        run.record(task, errors)
    run.contexts[label], run.tasks[label] = ctx, task
    task.stats = {**(ctx.raw.stats or {}), "fields": len(ctx.fields), "rows": ctx.raw.num_rows}
    task.seconds = time.perf_counter() - started


def _checked(
    run: _Run, resource: Mapping[str, Any], label: str, path: str, findings: Findings
) -> ResourceContext:
    """The resource read and checked row by row: whole, or chunk by chunk into a spool."""
    empty = RawTable([], None, [], pa.array([], pa.int64()))
    ctx = ResourceContext(name=label, path=path, descriptor=resource, raw=empty)
    if streams(resource, source_path(run.base_path, path), run.chunk_bytes, _warned(run, label)):
        try:
            ctx.raw.stats = stream_resource(ctx, run.base_path, findings, run.chunk_bytes)
            return ctx
        except RowPastChunk:
            findings.clear()
            ctx.spool = None
    ctx.raw = _read(run, resource, path)
    ctx.typed = check_rows(ctx, findings)
    return ctx


def _warned(run: _Run, name: str) -> bool:
    """Whether a warning check flags rows of ``name`` (it then needs the table in memory)."""
    checks = run.descriptor.get("checks")
    return isinstance(checks, list) and any(
        isinstance(c, Mapping) and c.get("resource") == name and c.get("severity") == "warning"
        for c in checks
    )


def _read(run: _Run, resource: Mapping[str, Any], path: str) -> RawTable:
    data = read_bytes(run.base_path, path)
    dialect = Dialect.from_descriptor(resource.get("dialect"))
    if resource.get("layout") is not None:  # a printed table: read into the long table
        return read_printed(data, resource, format_of(resource), run.references)
    if format_of(resource) == "xlsx":
        from validation.reading.workbook import read_xlsx

        header_row = resource.get("header_row", 1)
        if not isinstance(header_row, int) or header_row < 1:
            raise ReadFailure("resource-error", "header_row must be a 1-based row number")
        return read_xlsx(data, resource.get("sheet"), header_row, dialect=dialect)
    encoding = resource.get("encoding")
    return read_csv(data, str(encoding) if encoding else None, dialect)


def _check_across(run: _Run) -> None:
    """Keys and domain checks: set-based queries over every typed table at once."""
    spooled = [ctx for ctx in run.contexts.values() if ctx.spool is not None]
    con = connect(spooled[0].spool.folder if spooled and spooled[0].spool else None)
    try:
        for name, ctx in run.contexts.items():
            if ctx.checked is not None:
                register(con, name, ctx.checked)
        for name, ctx in run.contexts.items():
            _check_keys(run, con, run.tasks[name], ctx)
        _check_domain(run, con)
    finally:
        con.close()
    for ctx in spooled:
        fill_cells(ctx, run.tasks[ctx.name].errors, run.base_path)


def _check_keys(
    run: _Run, con: duckdb.DuckDBPyConnection, task: Task, ctx: ResourceContext
) -> None:
    try:
        run.record(task, primary_key_errors(con, ctx, ctx.name, run.room))
        run.record(task, unique_errors(con, ctx, ctx.name, run.room))
    except duckdb.Error as exc:
        run.record(task, [_key_error(ctx, "schema-error", f"keys cannot be checked: {exc}")])
    for number, fk in enumerate(ctx.schema.get("foreignKeys", []), start=1):
        _check_foreign_key(run, con, task, ctx, number, fk)


def _check_foreign_key(
    run: _Run,
    con: duckdb.DuckDBPyConnection,
    task: Task,
    ctx: ResourceContext,
    number: int,
    fk: Mapping[str, Any],
) -> None:
    reference = fk["reference"]
    resource = str(reference.get("resource") or ctx.name)
    problem = f"foreign key {number} cannot be checked"
    try:
        view = _reference_view(run, con, reference.get("package"), resource)
    except CheckDeclarationError as exc:
        run.record(task, [_key_error(ctx, "resource-error", f"{problem}: {exc}")])
        return
    target = _target_label(reference, ctx.name)
    try:
        run.record(task, foreign_key_errors(con, ctx, ctx.name, fk, (view, target), run.room))
    except duckdb.Error as exc:
        run.record(task, [_key_error(ctx, "schema-error", f"{problem}: {exc}")])


def _key_error(ctx: ResourceContext, type_: str, message: str) -> ReportError:
    first_line = message.splitlines()[0]
    return table_error(type_, resource=ctx.name, path=ctx.path, message=first_line)


def _target_label(reference: Mapping[str, Any], own: str) -> str:
    resource = str(reference.get("resource") or own)
    package = reference.get("package")
    return f"{package}/{resource}" if package else resource


def _reference_view(run: _Run, con: duckdb.DuckDBPyConnection, package: Any, resource: str) -> str:
    """The view holding a referenced table; other packages' tables come from the resolver."""
    if not package:
        ctx = run.contexts.get(resource)
        if ctx is None or ctx.checked is None:
            raise CheckDeclarationError(
                f'the referenced resource "{resource}" is not readable here'
            )
        return resource
    key = (str(package), resource)
    if key not in run.reference_views:
        run.reference_views[key] = _resolve(
            run, con, key, f"__reference_{len(run.reference_views)}"
        )
    return run.reference_views[key]


def _resolve(run: _Run, con: duckdb.DuckDBPyConnection, key: tuple[str, str], view: str) -> str:
    package, resource = key
    if run.references is None:
        raise CheckDeclarationError(
            f'it refers to package "{package}", but no resolver for other packages was given'
        )
    try:
        table = run.references(package, resource)
    except KeyError as exc:
        why = f" ({exc.args[0]})" if exc.args and exc.args[0] != package else ""
        raise CheckDeclarationError(
            f'package "{package}" has no resource "{resource}" or is unknown{why}'
        ) from None
    except Exception as exc:  # the resolver is the caller's code; its failure is still a report
        raise CheckDeclarationError(f'resolving "{package}/{resource}" failed: {exc}') from None
    register(con, view, table)
    return view


def _check_domain(run: _Run, con: duckdb.DuckDBPyConnection) -> None:
    checks = run.descriptor.get("checks") or []
    if not isinstance(checks, list):
        return
    temporal = run.descriptor.get("temporal")
    for number, spec in enumerate(checks, start=1):
        resource = spec.get("resource") if isinstance(spec, Mapping) else None
        ctx = run.contexts.get(str(resource))
        if not isinstance(spec, Mapping) or ctx is None:
            declared = {t.name for t in run.report.tasks}
            if resource not in declared:
                message = f'check {number} names resource "{resource}", which the package lacks'
                run.record(None, [check_error("", "", message)])
            continue  # the resource exists but could not be read: that error is reported
        check = CheckRun(
            number=number,
            spec=spec,
            ctx=ctx,
            temporal=temporal if isinstance(temporal, Mapping) else {},
            reference_view=lambda package, name: _reference_view(run, con, package, name),
        )
        _run_check(run, con, check)


def _run_check(run: _Run, con: duckdb.DuckDBPyConnection, check: CheckRun) -> None:
    """An error check's findings are errors; a warning check's are flagged rows (only a
    check it cannot run is an error). What a check could not check is a note, either way."""
    task = run.tasks[check.ctx.name]
    if check.warns:
        errors, flagged = run_warning_check(con, check, run_check)
        task.flagged += flagged
    else:
        errors = run_check(con, check, run.room)
    run.record(task, errors)
    note = unchecked_note(con, check)
    if note is not None and not errors:
        run.report.notes.append(note)
