"""CKAN benchmark: the Action API against the same work done in DuckDB directly.

1. Catalogue: `package_search` (q, fq and 4 facets) and `package_list` over N synthetic
   published descriptors (default 100,000), over HTTP from a real uvicorn, against the same
   selection run on the catalogue index's DuckDB table (the floor; the target is within 3×).
   The server's index is loaded from the descriptors once (`CatalogueIndex.load`), as a store
   of 100,000 folders would load it, and not re-scanned during the run.
2. DataStore: `datastore_search` with filters and an exact total over the synthetic 12333
   hotline table (default 10,000,000 rows, scripts/bench_data.py), against the v1 rows
   endpoint with the same filters (the target is within 2×).

Writes `bench-results/ckan.json` and `bench-results/ckan.md`. Synthetic data only.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_data as data
import bench_servers as servers
from bench_timing import Plan, repeat, time_get

from catalog.search.index import catalogue_uuid

ORGANIZATIONS = 40
THEMES = ("employment", "wages", "social-insurance", "labour-relations", "talent")
SEARCH = {
    "q": "养老",
    "fq": "organization:org-05 +metadata_modified:[2024-01-01T00:00:00Z TO *]",
    "facet.field": json.dumps(["organization", "groups", "tags", "license_id"]),
    "rows": 20,
}


def synthetic(number: int) -> dict[str, Any]:
    """A published descriptor of synthetic data (metadata only)."""
    published = datetime(2023, 1, 1, tzinfo=UTC) + timedelta(minutes=number * 7)
    topic = ("养老保险", "失业保险", "工伤保险", "就业", "工资")[number % 5]
    return {
        "name": f"synthetic-{number:06d}",
        "title": f"合成数据 {topic} {number}",
        "title_en": f"Synthetic data {number}",
        "description": f"合成测试数据：{topic}，编号 {number}。",
        "description_en": "Synthetic data for the benchmark.",
        "keywords": ["合成", topic, f"批次{number % 50}"],
        "keywords_en": ["synthetic"],
        "licenses": [{"name": "CC-BY-4.0"}],
        "organization": {"name": f"org-{number % ORGANIZATIONS:02d}", "title": f"单位 {number}"},
        "themes": [THEMES[number % len(THEMES)]],
        "frequency": "annual",
        "access_level": "unconditional",
        "issued": "2023-01-01",
        "version": f"v{number}",
        "build": {"published": published.strftime("%Y-%m-%dT%H:%M:%S.%fZ")},
        "resources": [
            {
                "name": "values",
                "path": "values.parquet",
                "rows": number,
                "schema": {"fields": [{"name": "value", "type": "integer"}]},
            }
        ],
    }


def serve_catalogue(count: int, port: int) -> None:
    """Run in a child process: the app with `count` synthetic descriptors indexed."""
    import uvicorn

    from api.app import create_app
    from catalog.settings import Settings

    with tempfile.TemporaryDirectory() as store:
        app = create_app(Settings(store=Path(store), port=port))
        index = app.state.index
        index.load([synthetic(n) for n in range(count)])
        index.refresh_seconds = float("inf")
        index._checked = time.monotonic()
        uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def bench_catalogue(count: int, plan: Plan, out: Path) -> dict[str, Any]:
    from catalog.ckan.actions import CkanActions, _search_params
    from catalog.search.index import CatalogueIndex
    from catalog.store.folder import Store

    index = CatalogueIndex(Store(out / "none"))
    started = time.perf_counter()
    index.load([synthetic(n) for n in range(count)])
    load_seconds = time.perf_counter() - started
    index.refresh_seconds = float("inf")
    index._checked = time.monotonic()
    actions = CkanActions(index, base_url="http://bench")
    selection = actions._selection(_search_params(dict(SEARCH)))
    floor_search, found = repeat(plan, lambda: index.select(selection))
    con = index._con
    floor_list, names = repeat(
        plan, lambda: con.execute("SELECT slug FROM datasets ORDER BY slug").fetchall()
    )
    port = servers.free_port()
    command = [sys.executable, __file__, "serve-catalogue", str(count), str(port)]
    log = out / "ckan-catalogue-server.log"
    with (
        servers.running("ours", command, port, "/healthz", log, timeout=600) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        search, answer = time_get(client, plan, "/api/3/action/package_search", SEARCH)
        listing, names_answer = time_get(client, plan, "/api/3/action/package_list")
    result = answer.json()["result"]
    assert result["count"] == found.count > 0, (result["count"], found.count)
    assert len(names_answer.json()["result"]) == len(names) == count
    return {
        "datasets": count,
        "index_load_seconds": round(load_seconds, 2),
        "package_search": {"ours": search, "duckdb": floor_search, "count": found.count},
        "package_list": {"ours": listing, "duckdb": floor_list},
    }


def bench_datastore(rows: int, plan: Plan, out: Path, work: Path) -> dict[str, Any]:
    datasets, store = work / "datasets", work / "store"
    started = time.perf_counter()
    data.write_dataset(datasets, rows)
    published = data.publish(datasets, store, 122_880)
    prepare_seconds = time.perf_counter() - started
    resource_id = catalogue_uuid("resource", f"{data.SLUG}/{data.RESOURCE}")
    filters = {"prefecture": data.FILTER_PREFECTURE, "topic": data.FILTER_TOPIC}
    port = servers.free_port()
    log = out / "ckan-datastore-server.log"
    env = {"OPENDATA_QUERY_TIMEOUT_SECONDS": "30", "OPENDATA_EXACT_TOTAL_SECONDS": "30"}
    with (
        servers.ours(store, datasets, port, log, env) as server,
        httpx.Client(base_url=server.url, timeout=120) as client,
    ):
        search, answer = time_get(
            client,
            plan,
            "/api/3/action/datastore_search",
            {"resource_id": resource_id, "filters": json.dumps(filters), "limit": 100},
        )
        rows_url = f"/api/v1/datasets/{data.SLUG}/resources/{data.RESOURCE}/rows"
        v1, v1_answer = time_get(client, plan, rows_url, {**filters, "limit": 100})
    total = answer.json()["result"]["total"]
    v1_body = v1_answer.json()
    assert total == v1_body.get("total"), (total, v1_body.get("total"))
    return {
        "rows": published.rows,
        "prepare_seconds": round(prepare_seconds, 1),
        "total": total,
        "datastore_search": search,
        "v1_rows": v1,
    }


def markdown(results: dict[str, Any]) -> str:
    lines = ["# CKAN benchmark (synthetic data)", "", "| operation | ours p50 ms | floor p50 ms"
             " | ratio | target |", "| --- | ---: | ---: | ---: | --- |"]  # fmt: skip
    catalogue = results.get("catalogue")
    if catalogue:
        for name in ("package_search", "package_list"):
            ours, floor = catalogue[name]["ours"]["p50_ms"], catalogue[name]["duckdb"]["p50_ms"]
            lines.append(
                f"| {name} ({catalogue['datasets']:,} datasets) vs DuckDB | {ours} | {floor}"
                f" | {ours / floor:.1f}× | ≤ 3× |"
            )
    store = results.get("datastore")
    if store:
        ours, floor = store["datastore_search"]["p50_ms"], store["v1_rows"]["p50_ms"]
        lines.append(
            f"| datastore_search, filters + exact total ({store['rows']:,} rows) vs v1 rows"
            f" | {ours} | {floor} | {ours / floor:.1f}× | ≤ 2× |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "serve-catalogue":
        serve_catalogue(int(sys.argv[2]), int(sys.argv[3]))
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=Path("bench-results"))
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--skip-datastore", action="store_true")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    plan = Plan(warmup=3, repeat=args.repeat, budget=20.0)
    results: dict[str, Any] = {"catalogue": bench_catalogue(args.datasets, plan, args.out)}
    if not args.skip_datastore:
        with tempfile.TemporaryDirectory(prefix="bench-ckan-") as work:
            results["datastore"] = bench_datastore(args.rows, plan, args.out, Path(work))
    (args.out / "ckan.json").write_text(json.dumps(results, indent=1, ensure_ascii=False))
    table = markdown(results)
    (args.out / "ckan.md").write_text(table, encoding="utf-8")
    print(table)


if __name__ == "__main__":
    main()
