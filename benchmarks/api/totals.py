"""Whole-table work: an exact filtered count, a group-by aggregate and the CSV export."""

from __future__ import annotations

from pathlib import Path

import httpx

from benchmarks import hotline
from benchmarks.api.results import Aggregate, CsvExport, ExactTotal
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
from benchmarks.timing import time_get


def exact_total(rig: Rig) -> ExactTotal:
    """The filtered count by our rows page, our aggregate, Datasette's SQL and DuckDB."""
    ours, mine = rig.ours_rows({**rig.filters, "limit": 1, "total": "exact"})
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
            "note": "`total` of /rows?limit=1&total=exact",
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
