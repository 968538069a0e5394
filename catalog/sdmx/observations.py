"""The observations a data query asks for, read from the Parquet of one indicator dataset.

The key becomes a parameterised `WHERE` on the three dimension columns; the read is capped
in rows (`MAX_SCANNED`, then `MAX_OBSERVATIONS` after the period filter), in text per cell
(`MAX_CELL`) and in time (`TIME_LIMIT`, DuckDB having no statement timeout, a shared
watchdog interrupts it). A file that cannot be read is a server error (500), said in SDMX
words, never the engine's. Values are read as decimal text and written with the row's printed
decimals (`decimalsField`), as the API serves them: never a float's noise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

from catalog.errors import raise_store_failure
from catalog.sdmx.catalogue import DIMENSION_COLUMNS, OBSERVATIONS, Flow
from catalog.sdmx.codelists import unit_code
from catalog.sdmx.errors import SdmxError, TooLarge, Unavailable
from catalog.sdmx.keys import DIMENSIONS
from catalog.sdmx.periods import overlaps, sdmx_period
from catalog.search import small_connection
from catalog.sql import Watchdog, quote
from catalog.state import require_data
from catalog.store import Store, resource_file

MAX_OBSERVATIONS = 20_000  # in one answer
MAX_SCANNED = 100_000  # rows read before the period filter
MAX_CELL = 2000  # characters of one attribute's text
TIME_LIMIT = 10.0  # seconds one read may take

_WATCHDOG = Watchdog()


@dataclass(frozen=True)
class Observation:
    key: tuple[str, str, str]  # INDICATOR, REGION, PERIOD_TYPE
    time: str  # TIME_PERIOD
    value: str | None
    attributes: tuple[tuple[str, str], ...]  # (attribute id, text), empty ones left out


@dataclass(frozen=True)
class DataQuery:
    key: tuple[frozenset[str] | None, ...]
    start: date | None = None
    end: date | None = None


def read_observations(store: Store, flow: Flow, query: DataQuery) -> list[Observation]:
    """The observations of `flow` matching `query`, ordered by key and time."""
    require_data(flow.id, flow.access_level)  # a conditional dataset's figures: granted only
    sql, parameters = _select(flow, query)
    # Read in place (an object store's by byte ranges), on a connection that reads nothing else.
    path = store.place(flow.id, flow.version, resource_file(OBSERVATIONS))
    con = small_connection(store.files())
    deadline = _WATCHDOG.watch(TIME_LIMIT, con)
    try:
        rows = con.execute(sql, [path, *parameters, MAX_SCANNED + 1]).fetchall()
    except duckdb.InterruptException as exc:
        raise Unavailable("The read took too long; ask for fewer series.") from exc
    except duckdb.Error as exc:  # a damaged or unreadable published file: the server's fault
        raise_store_failure(exc)  # or the store's, for a moment: 503
        raise SdmxError("The data of this dataflow cannot be read now.") from exc
    finally:
        _WATCHDOG.cancel(deadline)
        con.close()
    if len(rows) > MAX_SCANNED:
        raise TooLarge(_too_many(MAX_SCANNED))
    found = [_observation(flow, row) for row in rows]
    kept = [o for o in found if overlaps(o.time, query.start, query.end)]
    if len(kept) > MAX_OBSERVATIONS:
        raise TooLarge(_too_many(MAX_OBSERVATIONS))
    return sorted(kept, key=lambda o: (o.key, o.time))


def _too_many(limit: int) -> str:
    return f"More than {limit} observations match: narrow the key or the periods."


def _select(flow: Flow, query: DataQuery) -> tuple[str, list[object]]:
    value = f"CAST({quote('value')} AS VARCHAR)"
    decimals = quote(flow.decimals_field) if flow.decimals_field else "NULL"
    year = quote("year") if "year" in flow.columns else "NULL"
    texts = [f"left(CAST({quote(a.column)} AS VARCHAR), {MAX_CELL})" for a in flow.attributes]
    dimensions = [quote(DIMENSION_COLUMNS[d][0]) for d in DIMENSIONS]
    where: list[str] = []
    parameters: list[object] = []
    for column, wanted in zip(dimensions, query.key, strict=True):
        if wanted is not None:
            where.append(f"{column} IN ({', '.join('?' for _ in wanted)})")
            parameters.extend(sorted(wanted))
    sql = (
        f"SELECT {', '.join(dimensions)}, CAST({quote('period')} AS VARCHAR),"
        f" CAST({year} AS INTEGER), {value}, CAST({decimals} AS INTEGER),"
        f" {', '.join(texts)} FROM read_parquet(?)"
        + (f" WHERE {' AND '.join(where)}" if where else "")
        + " LIMIT ?"
    )
    return sql, parameters


def _observation(flow: Flow, row: tuple[object, ...]) -> Observation:
    indicator, region, kind, period, year, value, decimals = row[:7]
    attributes = []
    for attribute, cell in zip(flow.attributes, row[7:], strict=True):
        if cell is None or cell == "":
            continue
        text = str(cell)
        attributes.append((attribute.id, unit_code(text) if attribute.codelist else text))
    return Observation(
        key=(str(indicator), str(region), str(kind)),
        time=sdmx_period(str(period), year if isinstance(year, int) else None),
        value=None if value is None else printed(str(value), decimals),
        attributes=tuple(attributes),
    )


def printed(stored: str, decimals: object) -> str:
    """A stored decimal's text with the printed decimals: zeros past them are dropped, a
    digit that is not zero never (a wrong decimals field loses nothing)."""
    whole, _, fraction = stored.partition(".")
    places = decimals if isinstance(decimals, int) and 0 <= decimals <= 38 else 0
    kept = fraction.rstrip("0")
    kept = kept.ljust(max(len(kept), places), "0")
    return f"{whole}.{kept}" if kept else whole
