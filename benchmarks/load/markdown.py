"""The load benchmark's results as a Markdown page."""

from __future__ import annotations

import json

from benchmarks import report
from benchmarks.load.results import LoadResults
from benchmarks.load.summary import first_of_each, verdicts
from benchmarks.timing import Percentiles

VERDICTS = (
    "Verdicts: `ok` = the reference bytes; `truncated` = cut off or short of"
    " Content-Length; `wrong_bytes` = complete but other bytes; `refused` = 429/503;"
    " `held` = a stalled reader got its answer's head and kept it."
)

NO_TIMES = Percentiles(p50_ms=None, p99_ms=None, max_ms=None)


def markdown(r: LoadResults) -> str:
    return "\n".join([*_heading(r), *_targets(r), *_counts(r), *_by_kind(r), *_failures(r)])


def _heading(r: LoadResults) -> list[str]:
    p = r["plan"]
    loads = " → ".join(str(x) for x in r["machine"]["load_1min_before_after"])
    real = p["downloads_per_format"] - p["synthetic_downloads_per_format"]
    xlsx = "" if p["synthetic_xlsx"] else " (xlsx: none, it writes ~5k rows/s)"
    return [
        f"# Load benchmark: {p['downloads_per_format']} downloads per format, "
        f"{p['sql_queries']} SQL queries, {p['stalled_readers']} stalled readers",
        "",
        f"{report.code_line(r['code'])}; {r['machine']['cpus']} CPUs shared by the server,"
        f" this client and the publish (1-minute load average before → after the load: {loads})."
        f" Data: {r['data']}; the synthetic resource has {r['rows']:,} rows. The load took"
        f" {r['load_seconds']} s; {r['references']} reference downloads were made first.",
        "",
        f"Downloads per format: {real} over the real resources (zip: the real datasets),"
        f" {p['synthetic_downloads_per_format']} of the synthetic resource{xlsx}."
        " Every URL pins its version; SQL answers do not change with the publish.",
        "",
    ]


def _targets(r: LoadResults) -> list[str]:
    s = r["results"]
    rows = ((target, value, report.met_cell(met)) for target, value, met in verdicts(s))
    return [
        "## Targets (issue 10)",
        "",
        *report.table(("target", "value", "met"), "lrc", rows),
        "",
        f"Served with 200: {s['status_counts'].get('200', 0)} of {s['requests']}; the rest were"
        " refused with 429 or 503 and `Retry-After` (the targets above say nothing of how many"
        " were served: read this line beside them).",
    ]


def _counts(r: LoadResults) -> list[str]:
    s, p = r["results"], r["plan"]
    memory, health = s["memory"], s["healthz"]
    killed = (
        f"; **killed by this benchmark at {memory['killed_at_mb']} MB** (safety cap"
        f" {p['kill_rss_mb']} MB)"
        if memory["killed_at_mb"]
        else ""
    )
    failures = f" {health['failures']}" if health["failures"] else ""
    publish, after = r["publish"], r["after"]
    return [
        "",
        "## Counts",
        "",
        f"- requests: {s['requests']}; statuses: {s['status_counts']}",
        f"- 5xx except 503: {s['server_errors_5xx_except_503']}; 429: {s['refused_429']};"
        f" 503: {s['refused_503']}; without Retry-After: {s['refused_without_retry_after']}",
        f"- truncated bodies: {s['truncated_bodies']}; other bytes than the reference:"
        f" {s['wrong_bytes']}; client timeouts ({p['client_timeout_s']} s): {s['timeouts']};"
        f" connection errors: {s['connection_errors']}",
        f"- peak RSS {memory['peak_rss_mb']} MB ({memory['peak_source']}; at start"
        f" {memory['rss_at_start_mb']} MB) against a budget of {memory['budget_mb']} MB{killed}",
        f"- /healthz every 50 ms: {health['polls']} polls, {health['failed']} failed{failures};"
        f" p50 {health['p50_ms']} ms, p99 {health['p99_ms']} ms, max {health['max_ms']} ms",
        f"- publish of `{publish['dataset']}` at {publish['started_at_s']} s:"
        f" exit {publish['exit_code']} after {publish['seconds']} s; served"
        f" afterwards: `{after.get('served_current')}` (store: `{after.get('store_current')}`)",
        "",
    ]


def _by_kind(r: LoadResults) -> list[str]:
    s = r["results"]
    rows = []
    for kind, counts in s["by_kind"].items():
        timing = s["seconds_by_kind"].get(kind) or NO_TIMES
        times = (timing["p50_ms"], timing["p99_ms"], timing["max_ms"])
        seconds = (f"{(ms or 0) / 1000:.1f}" for ms in times)
        rows.append((kind, counts, " / ".join(seconds)))
    headers = ("kind (target)", "verdicts", "seconds p50 / p99 / max")
    return [*report.table(headers, "llr", rows), "", VERDICTS, ""]


def _failures(r: LoadResults) -> list[str]:
    logged = (
        (count, f"`{line.replace('|', '/')}`") for line, count in r["server_logged_errors"].items()
    )
    return [
        "## Exceptions in the server's log",
        "",
        *report.table(("count", "last line of the traceback"), "rl", logged),
        "",
        "## Failures, one of each kind and verdict",
        "",
        "```json",
        json.dumps(first_of_each(r["failures"]), indent=1, ensure_ascii=False),
        "```",
        "",
    ]
