"""Whole-table work: exact filtered counts (warm and cold), an estimated one, a group-by
aggregate and the CSV export."""

from __future__ import annotations

import time
from datetime import date, timedelta
from pathlib import Path

import httpx

from benchmarks import hotline
from benchmarks.api.results import (
    Aggregate,
    ColdTotal,
    ColdTotals,
    CsvExport,
    EstimatedTotal,
    ExactTotal,
)
from benchmarks.api.rig import AGGREGATE_SQL, FILTER_SQL, Rig
from benchmarks.exports import (
    CopyRun,
    DownloadRun,
    NotMeasured,
    duckdb_copy,
    export_rates,
    stream_export,
)
from benchmarks.memory import PeakMemory
from benchmarks.servers import Server
from benchmarks.timing import summary, time_get


def exact_total(rig: Rig) -> ExactTotal:
    """The filtered count by our rows page, our aggregate, Datasette's SQL and DuckDB."""
    ours, mine = rig.ours_rows({**rig.filters, "limit": 0, "total": "exact"})
    counted, by_aggregate = time_get(
        rig.client, rig.plan, f"{rig.base}/aggregate", {**rig.filters, "count": "*"}
    )
    peer, theirs = rig.peer_sql(f"select count(*) as n from {hotline.RESOURCE} where {FILTER_SQL}")
    floor, found = rig.floor(f"SELECT count(*) FROM {{table}} WHERE {FILTER_SQL}")
    totals = [
        mine.json()["total"],
        by_aggregate.json()["rows"][0]["count"],
        theirs.json()[0]["n"],
        found[0][0],
    ]
    return {
        "what": f"count of rows where {FILTER_SQL}",
        "ours": {
            **ours,
            "note": "`total` of /rows?limit=0&total=exact (the total alone)",
            "total_exact": mine.json()["total_exact"],
        },
        "ours_aggregate": {**counted, "note": "/aggregate?count=*"},
        "datasette": {**peer, "note": "?sql=select count(*) ..."},
        "duckdb": floor,
        "totals": totals,
        "agree": len(set(totals)) == 1 and mine.json()["total_exact"] is True,
    }


def aggregate(rig: Rig) -> Aggregate:
    """count(*) and avg() grouped by two columns, by each of the three."""
    grouped = {"group_by": "prefecture,channel", "count": "*", "avg": "wait_seconds"}
    ours, mine = time_get(rig.client, rig.plan, f"{rig.base}/aggregate", grouped)
    peer, theirs = rig.peer_sql(AGGREGATE_SQL.format(table=hotline.RESOURCE))
    floor, found = rig.floor(AGGREGATE_SQL)
    counts = [
        [(r["prefecture"], r["channel"], r["count"]) for r in mine.json()["rows"]],
        [(r["prefecture"], r["channel"], r["count"]) for r in theirs.json()],
        [(r[0], r[1], r[2]) for r in found],
    ]
    return {
        "what": "count(*) and avg(wait_seconds) grouped by prefecture, channel",
        "ours": ours,
        "datasette": {**peer, "note": "?sql=select ... group by"},
        "duckdb": floor,
        "groups": len(counts[2]),
        "agree": counts[0] == counts[1] == counts[2],
    }


def csv_export(rig: Rig, scratch: Path) -> CsvExport:
    """Every row as CSV: our download, Datasette's stream and DuckDB's COPY, with memory."""
    ours = export_ours(rig.client, rig.ours, rig.rows)
    with PeakMemory(rig.peer.pid) as memory:
        peer = stream_export(rig.client, f"{rig.table}.csv", {"_stream": "on"})
    rates = export_rates(peer, peer["lines"], rig.rows)
    copied = duckdb_copy(rig.con, rig.parquet, scratch / "floor.csv")
    # COPY wrote a header line and every row.
    floor = CopyRun(**copied, **export_rates(copied, rig.rows + 1, rig.rows))
    return CsvExport(
        what=f"all {rig.rows:,} rows as CSV",
        ours=ours,
        datasette=DownloadRun(**peer, **rates, **memory.report()),
        duckdb_copy=floor,
    )


def export_ours(client: httpx.Client, server: Server, rows: int) -> DownloadRun | NotMeasured:
    """Our whole-resource CSV download, if the route answers; never a stand-in for it."""
    url = f"{server.url}/api/v1/datasets/{hotline.SLUG}/resources/{hotline.RESOURCE}.csv"
    with PeakMemory(server.pid) as memory:
        found = stream_export(client, url, {})
    if found["status"] != 200:
        return NotMeasured(
            url=url,
            status=found["status"],
            measured=False,
            note=f"the download route answered HTTP {found['status']}: not measured",
        )
    return DownloadRun(**found, **export_rates(found, found["lines"], rows), **memory.report())


def cold_totals(rig: Rig) -> ColdTotals:
    """Exact totals of filters each asked once, so no count kept from an earlier request
    answers them, each against DuckDB's count of the same filter, asked once too."""
    combos = [
        ({"prefecture": p, "topic": t}, f"prefecture = '{p}' AND topic = '{t}'")
        for p in hotline.PREFECTURES
        for t in hotline.TOPICS
        if (p, t) != (hotline.FILTER_PREFECTURE, hotline.FILTER_TOPIC)
    ]
    days = [f"{year}-{month:02d}-01" for year in (2021, 2022, 2023) for month in (2, 5, 8, 11)]
    ranges = [({"date__gte": day}, f"date >= DATE '{day}'") for day in days]
    # Two edges to scan, of 30 to 600 days: DuckDB's own count is quickest here.
    ends = [str(date.fromisoformat(day) + timedelta(30 + 47 * n)) for n, day in enumerate(days)]
    between = [
        ({"date__gte": day, "date__lte": end}, f"date BETWEEN DATE '{day}' AND DATE '{end}'")
        for day, end in zip(days, ends, strict=True)
    ]
    return {
        "by_scan": _cold(rig, combos, "prefecture and topic: every row group scanned"),
        "by_statistics": _cold(
            rig, ranges, "date from a day on: row-group statistics decide all but one group"
        ),
        "between_dates": _cold(
            rig, between, "date between two days 30-600 days apart: two edge groups scanned"
        ),
    }


def _cold(rig: Rig, filters: list[tuple[dict[str, str], str]], what: str) -> ColdTotal:
    mine: list[float] = []
    floor: list[float] = []
    agree = True
    for params, sql in filters:
        begun = time.perf_counter()
        asked: dict[str, str | int] = {**params, "limit": 0, "total": "exact"}
        answer = rig.client.get(f"{rig.base}/rows", params=asked)
        mine.append((time.perf_counter() - begun) * 1000)
        begun = time.perf_counter()
        found = rig.con.execute(f"SELECT count(*) FROM {rig.source} WHERE {sql}").fetchall()
        floor.append((time.perf_counter() - begun) * 1000)
        body = answer.raise_for_status().json()
        agree = agree and body["total"] == found[0][0] and body["total_exact"] is True
    return {
        "what": (
            f"{len(filters)} exact totals, each asked once ({what});"
            " ours by /rows?total=exact&limit=0 (the total alone)"
        ),
        "ours": summary(mine, 0),
        "duckdb": summary(floor, 0),
        "agree": agree,
    }


def estimated_total(rig: Rig) -> EstimatedTotal:
    """`total=estimate` of the benchmark filter, and how far it is from the exact count."""
    timing, answer = rig.ours_rows({**rig.filters, "limit": 1, "total": "estimate"})
    found = rig.con.execute(f"SELECT count(*) FROM {rig.source} WHERE {FILTER_SQL}").fetchall()
    exact, estimate = int(found[0][0]), answer.json()["total"]
    return {
        "what": f"total=estimate of rows where {FILTER_SQL}",
        "ours": timing,
        "estimate": estimate,
        "exact": exact,
        "error_percent": round(abs(estimate - exact) / exact * 100, 2) if exact else 0.0,
        "flagged": answer.json()["total_exact"] is False,
    }
