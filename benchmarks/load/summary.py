"""The load benchmark's counts, and its verdicts against issue 10's targets."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from benchmarks.load.outcomes import Outcome, Reference
from benchmarks.load.results import ByKind, Failure, Healthz, Memory, Samples, Summary
from benchmarks.timing import percentiles


def summarize(
    outcomes: list[Outcome],
    references: dict[str, Reference],
    samples: Samples,
    budget_mb: int,
) -> Summary:
    """Every count the report shows, from the outcomes and the monitor's samples."""
    statuses = Counter(str(o.status) for o in outcomes)
    server_errors = sum(1 for o in outcomes if o.status and o.status >= 500 and o.status != 503)
    return Summary(
        requests=len(outcomes),
        status_counts=dict(sorted(statuses.items())),
        server_errors_5xx_except_503=server_errors,
        refused_429=statuses.get("429", 0),
        refused_503=statuses.get("503", 0),
        refused_without_retry_after=sum(
            1 for o in outcomes if o.status in (429, 503) and not o.retry_after
        ),
        truncated_bodies=_count(outcomes, "truncated"),
        wrong_bytes=_count(outcomes, "wrong_bytes"),
        timeouts=_count(outcomes, "timeout"),
        connection_errors=_count(outcomes, "connection_error"),
        etag_conflicts=etag_conflicts(outcomes, references),
        **by_kind(outcomes),
        memory=memory(samples, budget_mb),
        healthz=healthz(samples["health"]),
    )


def _count(outcomes: list[Outcome], verdict: str) -> int:
    return sum(1 for o in outcomes if o.verdict == verdict)


def by_kind(outcomes: list[Outcome]) -> ByKind:
    """Verdicts and timings for each kind of request and its target (real or synthetic)."""
    verdicts: dict[str, Counter[str]] = {}
    timings: dict[str, list[float]] = {}
    for o in outcomes:
        verdicts.setdefault(f"{o.kind} ({o.target})", Counter())[o.verdict] += 1
        timings.setdefault(f"{o.kind} ({o.target})", []).append(o.seconds * 1000)
    return ByKind(
        by_kind={kind: dict(sorted(c.items())) for kind, c in sorted(verdicts.items())},
        seconds_by_kind={kind: percentiles(ms) for kind, ms in sorted(timings.items())},
    )


def memory(samples: Samples, budget_mb: int) -> Memory:
    rss_mb = [kb / 1024 for _, kb in samples["rss"]]
    peak = samples["hwm_kb"] / 1024 if samples["hwm_kb"] else max(rss_mb, default=0.0)
    killed = samples["killed_at_kb"]
    return Memory(
        budget_mb=budget_mb,
        peak_rss_mb=round(peak, 1),
        peak_source="VmHWM" if samples["hwm_kb"] else "sampled RSS",
        rss_at_start_mb=round(rss_mb[0], 1) if rss_mb else None,
        under_budget=peak < budget_mb,
        killed_at_mb=round(killed[0] / 1024, 1) if killed else None,
    )


def healthz(health: list[tuple[float, float | None, str]]) -> Healthz:
    answered = [ms for _, ms, status in health if ms is not None and status == "200"]
    return Healthz(
        polls=len(health),
        answered_200=len(answered),
        failed=len(health) - len(answered),
        failures=dict(Counter(status for _, _, status in health if status != "200")),
        **percentiles(answered),
    )


def etag_conflicts(outcomes: list[Outcome], references: dict[str, Reference]) -> int:
    """ETags seen with more than one whole body: equal ETag must mean equal bytes."""
    bodies: dict[str, set[str]] = {}
    for r in references.values():
        if r.etag:
            bodies.setdefault(r.etag, set()).add(r.sha256)
    for o in outcomes:
        if o.verdict in ("ok", "wrong_bytes") and o.etag and o.sha256:
            bodies.setdefault(o.etag, set()).add(o.sha256)
    return sum(1 for hashes in bodies.values() if len(hashes) > 1)


def verdicts(s: Summary) -> list[tuple[str, str, bool]]:
    """The issue's targets for the load run, from its counts: (target, value, met)."""
    memory, health = s["memory"], s["healthz"]
    p99 = health["p99_ms"]
    return [
        ("0 responses 5xx (503 counted apart)", str(s["server_errors_5xx_except_503"]),
         s["server_errors_5xx_except_503"] == 0),
        ("0 truncated bodies", str(s["truncated_bodies"]), s["truncated_bodies"] == 0),
        ("0 wrong bodies behind a 200", str(s["wrong_bytes"]), s["wrong_bytes"] == 0),
        ("every 429/503 has Retry-After", str(s["refused_without_retry_after"]),
         s["refused_without_retry_after"] == 0),
        ("equal ETag, equal bytes", str(s["etag_conflicts"]), s["etag_conflicts"] == 0),
        (f"peak RSS under the budget ({memory['budget_mb']} MB)", f"{memory['peak_rss_mb']} MB",
         bool(memory["under_budget"]) and memory["killed_at_mb"] is None),
        ("/healthz p99 under 100 ms", f"{p99} ms", p99 is not None and p99 < 100),
        ("/healthz always answered", str(health["failed"]), health["failed"] == 0),
    ]  # fmt: skip


def logged_errors(log: Path) -> dict[str, int]:
    """The exceptions the server logged, by their last traceback line (paths cut off)."""
    found: Counter[str] = Counter()
    for line in log.read_text(errors="replace").splitlines():
        head = line.split(":", 1)[0]
        if head.endswith(("Error", "Exception", "Interrupt")) and " " not in head:
            found[re.sub(r"\d+(\.\d+)?", "N", line)[:160]] += 1
    return dict(found.most_common(15))


def failure(o: Outcome) -> Failure:
    """The outcome's fields, in their order, but for the tail of its body."""
    return Failure(
        kind=o.kind,
        target=o.target,
        status=o.status,
        verdict=o.verdict,
        seconds=o.seconds,
        size=o.size,
        note=o.note,
        retry_after=o.retry_after,
        etag=o.etag,
        sha256=o.sha256,
        body_head=o.body_head,
    )


def first_of_each(failures: list[Failure]) -> list[Failure]:
    seen: dict[tuple[str, str, str], Failure] = {}
    for f in failures:
        seen.setdefault((f["kind"], f["target"], f["verdict"]), f)
    return list(seen.values())
