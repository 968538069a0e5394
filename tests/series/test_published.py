"""Every series the server shows, compared with a plain scan of the published Parquet.

The scan here knows nothing of `catalog.series`: it reads every current Parquet file of the
store that has the indicator columns, and groups its rows by hand. Against it, for every
indicator × region of every indicator dataset, `/api/v1/series` must show each printed value
once, with every source and dataset that prints it; and where one curated dataset alone
prints a series, its preferred figures and reasons must be that dataset's own.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import httpx
import pytest

from catalog.store import resource_file
from tests.servers import open_test_store

COLUMNS = ("indicator_code", "region_code", "period", "value", "unit", "source_id")
Scan = dict[tuple[str, str], list[dict[str, Any]]]


def scan(store_root: Path) -> Scan:
    """(indicator, region) → every row of every current indicator table, with its dataset."""
    store = open_test_store(store_root)
    found: Scan = defaultdict(list)
    for slug in store.slugs():
        version = store.current(slug)
        assert version
        tables = sorted(resource_file(r.name) for r in store.package(slug, version).resources)
        present = [name for name in tables if store.has_file(slug, version, name)]
        for path in (store.local_path(slug, version, name) for name in present):
            names = [row[0] for row in duckdb.sql(f"DESCRIBE FROM '{path}'").fetchall()]
            if not set(COLUMNS) <= set(names):
                continue
            reason = "reason" if "reason" in names else "NULL"
            also = "also_source_ids" if "also_source_ids" in names else "NULL"
            rows = duckdb.sql(
                f"SELECT {', '.join(COLUMNS)}, {reason}, {also} FROM '{path}'"
                " WHERE year IS NOT NULL"
            ).fetchall()
            for *values, why, agreeing in rows:
                row = dict(zip(COLUMNS, values, strict=True))
                row.update(slug=slug, table=path.stem, reason=why)
                row["sources"] = {row["source_id"], *filter(None, (agreeing or "").split(";"))}
                found[(row["indicator_code"], row["region_code"])].append(row)
    return found


@pytest.fixture(scope="module")
def scanned(real_store: Path) -> Scan:
    return scan(real_store)


def groups(answer: dict[str, Any]) -> list[dict[str, Any]]:
    """Every value shown for every period: the preferred one and the alternatives."""
    shown = []
    for point in answer["points"]:
        for group in [point, *point["alternatives"]]:
            shown.append({**group, "period": point["period"]})
    return shown


def value(text: Any) -> Decimal | None:
    return None if text in (None, "") else Decimal(str(text)).normalize()


def test_the_store_has_series_printed_by_several_datasets(scanned: Scan) -> None:
    """The comparison below is meaningful: real series cross datasets."""
    several = [key for key, rows in scanned.items() if len({r["slug"] for r in rows}) > 1]
    assert len(scanned) > 1000 and len(several) >= 20


def test_every_series_shows_each_printed_value_once_with_all_who_print_it(
    scanned: Scan, real_server: str
) -> None:
    with httpx.Client(base_url=real_server, timeout=30) as client:
        for (indicator, region), rows in sorted(scanned.items()):
            response = client.get(
                "/api/v1/series", params={"indicator": indicator, "region": region}
            )
            assert response.status_code == 200, (indicator, region, response.text)
            expected: dict[tuple[Any, ...], tuple[set[str], set[str]]] = defaultdict(
                lambda: (set(), set())
            )
            for row in rows:
                sources, slugs = expected[(row["period"], value(row["value"]), row["unit"])]
                sources.update(row["sources"])
                slugs.add(row["slug"])
            shown = {
                (g["period"], value(g["value_text"]), g["unit"]): (
                    {g["source_id"], *g["also_source_ids"]},
                    set(g["datasets"]),
                )
                for g in groups(response.json())
            }
            # An unreadable value agrees with nothing, and the scan's None keys merge them.
            readable = {key: seen for key, seen in shown.items() if key[1] is not None}
            assert readable == {k: v for k, v in expected.items() if k[1] is not None}, (
                indicator,
                region,
            )


def curated(store_root: Path) -> set[str]:
    """The datasets curation resolved itself: they publish their alternatives."""
    store = open_test_store(store_root)
    return {
        slug
        for slug in store.slugs()
        if store.has_file(slug, store.current(slug) or "", "alternatives.parquet")
    }


def test_a_curated_dataset_alone_gets_its_own_preferred_figures_and_reasons(
    scanned: Scan, real_server: str, real_store: Path
) -> None:
    compared = 0
    # Asked once: on the S3 store each asking reads every dataset's CURRENT from the bucket.
    resolved = curated(real_store)
    with httpx.Client(base_url=real_server, timeout=30) as client:
        for (indicator, region), rows in sorted(scanned.items()):
            slugs = {r["slug"] for r in rows}
            if len(slugs) > 1 or not slugs <= resolved:
                continue
            answer = client.get(
                "/api/v1/series", params={"indicator": indicator, "region": region}
            ).json()
            preferred = {
                (p["period"], value(p["value_text"]), p["source_id"]) for p in answer["points"]
            }
            published = {
                (r["period"], value(r["value"]), r["source_id"])
                for r in rows
                if r["table"] == "observations"
            }
            assert preferred == published, (indicator, region)
            reasons = sorted(
                (p["period"], a["source_id"], a["reason"])
                for p in answer["points"]
                for a in p["alternatives"]
            )
            kept = {(r["period"], r["source_id"], r["reason"]) for r in rows if r["reason"]}
            assert set(reasons) <= kept, (indicator, region)
            compared += 1
    assert compared >= 900  # the bulletins, the indicators, the yearbook, the report
