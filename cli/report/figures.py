"""A year of the platform's own figures, as rows: what the report prints and what is published.

Three sections, as the open-data part of the annual government-information-disclosure report
counts (by kind, by outcome, by channel): the datasets (published, updated, withdrawn in the
year, and open at its end by 开放属性) from the store's version history; the use (downloads,
API calls, page views per dataset and channel) from the state database's `usage_daily`; the
data requests (依申请) from its `requests`. They meet here, above both: the store and the
state database know nothing of each other.

Every figure is one `Figure`; `dataset` is a slug, `OTHER` (use concerning no one dataset)
or `ALL` (a total), `breakdown` a channel, a 开放属性, a legal ground or `ALL`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass
from datetime import date, datetime, time
from typing import Any

from catalog.errors import OpenDataError
from catalog.state import (
    CHINA,
    GROUNDS,
    OTHER,
    USAGE_CHANNELS,
    USAGE_KINDS,
    RequestFigures,
    RequestStore,
    State,
    UsageLog,
    request_figures,
)
from catalog.store import Change, Store, changes_since
from cli.report.labels import INDICATORS, breakdown_labels

ALL = "_all"
# The figures' own datasets (`cli.report.dataset`) are not counted among the datasets: the
# report published would otherwise change the report.
FIGURES_PREFIX = "platform-usage-"
ACCESS_LEVELS = ("unconditional", "conditional")


@dataclass(frozen=True)
class Figure:
    """One figure of the year: a row of the report and of the published dataset."""

    year: int
    section: str
    indicator_code: str
    indicator_zh: str
    indicator_en: str
    dataset: str
    breakdown: str
    breakdown_zh: str
    breakdown_en: str
    value: float
    value_decimals: int
    unit: str

    def row(self) -> dict[str, Any]:
        """As the CSV and JSON have it: integers printed as integers."""
        found = asdict(self)
        found["value"] = (
            round(self.value, self.value_decimals) if self.value_decimals else int(self.value)
        )
        return found


def figure(
    year: int,
    code: str,
    value: float,
    *,
    dataset: str = ALL,
    breakdown: str = ALL,
    decimals: int = 0,
) -> Figure:
    label = INDICATORS[code]
    zh, en = breakdown_labels(breakdown)
    return Figure(
        year, label.section, code, label.zh, label.en, dataset, breakdown, zh, en,
        float(value), decimals, label.unit,
    )  # fmt: skip


def year_figures(
    store: Store, state: State, year: int, now: datetime, reply_days: int
) -> list[Figure]:
    """Every figure of `year` as of `now` (a year not over counts up to `now`)."""
    requests = RequestStore(state.database, clock=lambda: now, reply_days=reply_days)
    return [
        *dataset_figures(store, year, now),
        *usage_figures(UsageLog(state.database), year),
        *requests_figures(request_figures(requests.all(), year, now)),
    ]


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The start of `year` and of the next, China time."""
    return (
        datetime.combine(date(year, 1, 1), time(0), CHINA),
        datetime.combine(date(year + 1, 1, 1), time(0), CHINA),
    )


def dataset_figures(store: Store, year: int, now: datetime) -> list[Figure]:
    start, end = year_bounds(year)
    changes = [c for c in changes_since(store) if not c.dataset.startswith(FIGURES_PREFIX)]
    within = [c for c in changes if start <= _instant(c.time) < end]
    kinds = Counter(c.kind for c in within)
    datasets = {kind: {c.dataset for c in within if c.kind == kind} for kind in kinds}
    access = _open_at(store, changes, min(end, now))
    return [
        figure(year, "datasets_published", len(datasets.get("published", ()))),
        figure(year, "datasets_updated", len(datasets.get("updated", ()))),
        figure(year, "dataset_updates", kinds["updated"]),
        figure(year, "datasets_withdrawn", len(datasets.get("withdrawn", ()))),
        figure(year, "datasets_open", sum(access.values())),
        *(figure(year, "datasets_open", access[level], breakdown=level) for level in access),
    ]


def _open_at(store: Store, changes: list[Change], moment: datetime) -> dict[str, int]:
    """Datasets served at `moment`, by 开放属性 of the version then served."""
    served: dict[str, str | None] = {}
    for change in changes:
        if _instant(change.time) < moment:
            served[change.dataset] = None if change.kind == "withdrawn" else change.version
    levels: Counter[str] = Counter({level: 0 for level in ACCESS_LEVELS})
    for slug, version in sorted(served.items()):
        if version is None:
            continue
        try:
            level = store.package(slug, version).access_level or "unconditional"
        except (OpenDataError, OSError, ValueError):
            continue  # that version was withdrawn since: no longer readable
        levels[str(level)] += 1
    return dict(levels)


def usage_figures(log: UsageLog, year: int) -> list[Figure]:
    counts: Counter[tuple[str, str, str]] = Counter()
    for key, count in log.between(f"{year}-01-01", f"{year}-12-31").items():
        counts[key.kind, key.dataset, key.channel] += count
    found: list[Figure] = []
    for kind in USAGE_KINDS:
        code = INDICATOR_OF_KIND[kind]
        of_kind = {(d, c): n for (k, d, c), n in counts.items() if k == kind}
        found.append(figure(year, code, sum(of_kind.values())))
        for channel in USAGE_CHANNELS:
            total = sum(n for (_d, c), n in of_kind.items() if c == channel)
            found.append(figure(year, code, total, breakdown=channel))
        for dataset in sorted({d for d, _c in of_kind}, key=lambda d: (d == OTHER, d)):
            mine = {c: n for (d, c), n in of_kind.items() if d == dataset}
            found.append(figure(year, code, sum(mine.values()), dataset=dataset))
            found += [
                figure(year, code, mine[c], dataset=dataset, breakdown=c)
                for c in USAGE_CHANNELS
                if c in mine
            ]
    return found


INDICATOR_OF_KIND = {"download": "downloads", "api_call": "api_calls", "page_view": "page_views"}


def requests_figures(found: RequestFigures) -> list[Figure]:
    year = found.year
    rows = [
        figure(year, "requests_received", found.received),
        figure(year, "requests_carried_in", found.carried_in),
        figure(year, "requests_granted", found.granted),
        figure(year, "requests_denied", found.denied_total),
        *(
            figure(year, "requests_denied", found.denied.get(code, 0), breakdown=code)
            for code in [*GROUNDS, *sorted(set(found.denied) - set(GROUNDS))]
        ),
        figure(year, "requests_withdrawn", found.withdrawn),
        figure(year, "requests_extended", found.extended),
        figure(year, "requests_answered_late", found.answered_late),
        figure(year, "requests_overdue", found.overdue),
        figure(year, "requests_carried_out", found.carried_out),
    ]
    if found.median_reply_working_days is not None:
        median = found.median_reply_working_days
        rows.append(figure(year, "reply_working_days_median", median, decimals=1))
    return rows


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)
