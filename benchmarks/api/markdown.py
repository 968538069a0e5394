"""The API benchmark's results as a Markdown page: the timings, the export, the targets."""

from __future__ import annotations

import json

from benchmarks import report
from benchmarks.api.results import (
    ApiResults,
    Compared,
    CsvExport,
    DatastoreSearch,
    Measurements,
)
from benchmarks.api.targets import TARGET_ROWS
from benchmarks.exports import CopyRun, DownloadRun, NotMeasured
from benchmarks.timing import Timing


def _load(load_1min: list[float] | None) -> str:
    before, after = load_1min or ("?", "?")
    return f"{before} → {after}"


def _cell(timing: Timing | None) -> str:
    if not timing:
        return "—"
    return f"{timing['p50_ms']:,} / {timing['p95_ms']:,} (n={timing['n']})"


def markdown(r: ApiResults) -> str:
    return "\n".join([*_heading(r), *_timings(r["measurements"]), *_targets(r), *_setup(r)])


def _heading(r: ApiResults) -> list[str]:
    software = ", ".join(f"{k} {v}" for k, v in r["software"].items())
    return [
        f"# API benchmark: {r['rows']:,} rows of {r['data']}",
        "",
        f"{report.code_line(r['code'])}; published version `{r['version']}`;"
        f" {r['machine']['cpus']} CPUs; {software}. Run took {r.get('run_seconds', '?')} s.",
        "",
        "Each figure is p50 / p95 in ms over n timed HTTP requests (one keep-alive client,"
        f" after up to {r['plan']['warmup']} warm-ups); DuckDB is the same query on the"
        " Parquet file in-process, results fetched into Python.",
        "",
        "The machine is shared: `load` is its 1-minute load average before → after each"
        " measurement (this benchmark itself keeps it near 1–2 on 2 CPUs; more means other work"
        " ran at the same time and the figures are noisier).",
        "",
    ]


def _compared(m: Measurements) -> tuple[tuple[str, Compared], ...]:
    return (
        ("filtered_page", m["filtered_page"]),
        ("deep_keyset_page", m["deep_keyset_page"]),
        ("deep_offset_page", m["deep_offset_page"]),
        ("filtered_offset_page", m["filtered_offset_page"]),
        ("exact_total", m["exact_total"]),
        ("aggregate", m["aggregate"]),
    )


def _timings(m: Measurements) -> list[str]:
    rows: list[list[str]] = []
    for name, entry in _compared(m):
        rows.append(
            [
                f"{name}: {entry['what']}",
                _cell(entry["ours"]),
                _cell(entry["datasette"]),
                _cell(entry["duckdb"]),
                report.met_cell(bool(entry["agree"])),
                _load(entry.get("load_1min")),
            ]
        )
    colds = m["cold_totals"]
    for kind in ("by_scan", "by_statistics", "between_dates"):
        cold = colds[kind]
        rows.append(
            [
                f"cold_totals ({kind}): {cold['what']}",
                _cell(cold["ours"]),
                "",
                _cell(cold["duckdb"]),
                report.met_cell(bool(cold["agree"])),
                _load(cold.get("load_1min")),
            ]
        )
    rows += _variants(m)
    headers = ("measurement", "ours", "Datasette", "DuckDB floor", "results agree", "load")
    return [
        *report.table(headers, "lrrrcr", rows),
        "",
        *_datastore_table(m["datastore_search"]),
        "",
        *_export_table(m["csv_export"]),
        "",
    ]


def _datastore_table(searched: DatastoreSearch) -> list[str]:
    """CKAN's datastore_search beside `/rows`, the same question on the same server."""
    rows = [
        [
            f"{name}: {q['what']}",
            _cell(q["datastore_search"]),
            _cell(q["rows"]),
            f"{q['ratio']}×",
            report.met_cell(bool(q["agree"])),
        ]
        for name, q in (
            ("filtered_page", searched["filtered_page"]),
            ("deep_keyset_page", searched["deep_keyset_page"]),
            ("deep_offset_page", searched["deep_offset_page"]),
        )
    ]
    headers = ("question", "datastore_search", "/rows", "ratio", "results agree")
    load = _load(searched.get("load_1min"))
    return [
        f"CKAN `datastore_search` against `/rows`, same question (load {load}):",
        "",
        *report.table(headers, "lrrrc", rows),
    ]


def _variants(m: Measurements) -> list[list[str]]:
    """The rows for the variants of a measurement: other totals, other routes, cold pages."""
    fp, et, dk = m["filtered_page"], m["exact_total"], m["deep_keyset_page"]
    es = m["estimated_total"]
    lean = "filtered_page with total=none; Datasette without count (`_shape=array`)"
    return [
        _variant("filtered_page with total=exact", ours=_cell(fp["ours_exact_total"])),
        _variant(lean, ours=_cell(fp["ours_no_total"]), peer=_cell(fp["datasette_lean"])),
        _variant(
            "filtered_page, DuckDB page + count (what total=exact runs)",
            floor=_cell(fp["duckdb_page_and_count"]),
        ),
        _variant("exact_total via our /aggregate?count=*", ours=_cell(et["ours_aggregate"])),
        _variant(f"deep_keyset_page, cold: {dk['ours_cold']['note']}", ours=_cell(dk["ours_cold"])),
        _variant(
            f"deep_offset_page, cold: {m['cold_offset_pages']['note']}",
            ours=_cell(m["cold_offset_pages"]),
        ),
        _variant(
            f"{es['what']}: {es['estimate']:,} for {es['exact']:,} ({es['error_percent']} % off,"
            f" {'flagged' if es['flagged'] else 'NOT flagged'} total_exact: false)",
            ours=_cell(es["ours"]),
        ),
    ]


def _variant(what: str, *, ours: str = "", peer: str = "", floor: str = "") -> list[str]:
    """A row with some of the three sides, and neither agreement nor load."""
    return [what, ours, peer, floor, "", ""]


def _export_row(label: str, e: DownloadRun | CopyRun | NotMeasured | None) -> list[object]:
    if e is None:
        return [label, "not measured", "", "", "", ""]
    if e["measured"] is False:
        return [label, e["note"], "", "", "", ""]
    memory = f"{e['rss_before_mb']} → {e['peak_rss_mb']}" if "peak_rss_mb" in e else "—"
    complete = report.met_cell(bool(e["complete"]))
    size = f"{e['bytes'] / 1e6:.1f}"
    return [label, e["seconds"], f"{e['rows_per_second']:,}", size, complete, memory]


def _export_table(export: CsvExport) -> list[str]:
    exporters = (
        ("ours (after the other measurements)", export["ours"]),
        ("ours (fresh server)", export.get("ours_fresh_server")),
        ("Datasette `.csv?_stream=on`", export["datasette"]),
        ("DuckDB `COPY ... TO` (floor)", export["duckdb_copy"]),
    )
    rows = [_export_row(label, e) for label, e in exporters]
    headers = ("exporter", "seconds", "rows/s", "MB", "complete", "server RSS before → peak (MB)")
    return [
        f"CSV export of {export['what']} (one download each, read by"
        f" {export['datasette'].get('client', 'httpx')}; load {_load(export.get('load_1min'))}):",
        "",
        *report.table(headers, "lrrrcr", rows),
    ]


def _targets(r: ApiResults) -> list[str]:
    rows = r["rows"]
    scale = (
        ""
        if rows == TARGET_ROWS
        else f" **The targets are set for {TARGET_ROWS:,} rows; this run has {rows:,}.**"
    )
    verdicts = (
        (t["measurement"], t["target"], t["value"], report.met_cell(t["met"]), t["how"])
        for t in r["targets"]
    )
    headers = ("measurement", "target", "value", "met", "how")
    return [f"## Targets (issue 3){scale}", "", *report.table(headers, "llrcl", verdicts), ""]


def _setup(r: ApiResults) -> list[str]:
    setup = {
        "settings": r["settings"],
        "preparation": r["preparation"],
        "walk_to_deep_page": r["measurements"]["deep_keyset_page"]["walk"],
    }
    return ["## Set-up", "", "```json", json.dumps(setup, indent=1, ensure_ascii=False), "```", ""]
