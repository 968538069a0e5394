"""Pages of rows: a filtered first page, a deep page by keyset cursor and by offset, and a
deep filtered page by offset."""

from __future__ import annotations

import time

from benchmarks import hotline
from benchmarks.api.results import DeepPages, FilteredOffsetPage, FilteredPage, Walk
from benchmarks.api.rig import DATASETTE_PAGE, DEPTH, FILTER_SQL, PAGE, WALK_PAGE, Rig
from benchmarks.timing import Params, Timing, summary, time_sqls
from catalog.query import Cursor


def filtered_page(rig: Rig) -> FilteredPage:
    """The first page of a two-column filter, with each kind of total, against both peers."""
    page: dict[str, str | int] = {**rig.filters, "limit": PAGE}
    ours, mine = rig.ours_rows(page)
    exact, _ = rig.ours_rows({**page, "total": "exact"})
    bare, _ = rig.ours_rows({**page, "total": "none"})
    peer, theirs = rig.peer_table({**rig.filters, "_size": PAGE, **DATASETTE_PAGE})
    lean, _ = rig.peer_table({**rig.filters, "_size": PAGE, "_shape": "array"})
    page_sql = f"SELECT * FROM {{table}} WHERE {FILTER_SQL} ORDER BY id LIMIT {PAGE}"
    floor, found = rig.floor(page_sql)
    both = time_sqls(
        rig.con,
        rig.plan,
        [
            (page_sql.format(table=rig.source), ()),
            (f"SELECT count(*) FROM {rig.source} WHERE {FILTER_SQL}", ()),
        ],
    )
    ids = [[r["id"] for r in mine.json()["rows"]], [r["id"] for r in theirs.json()["rows"]]]
    return {
        "what": f"rows where {FILTER_SQL}, sorted by id, first {PAGE}",
        "ours": {
            **ours,
            "total": mine.json()["total"],
            "total_exact": mine.json()["total_exact"],
            "note": "default total=auto: estimated past OPENDATA_EXACT_TOTAL_ROWS",
        },
        "ours_exact_total": {**exact, "note": "total=exact"},
        "ours_no_total": {**bare, "note": "total=none"},
        "datasette": {**peer, "note": "_shape=objects: rows and filtered_table_rows_count"},
        "datasette_lean": {**lean, "note": "_shape=array: rows only, no count"},
        "duckdb": floor,
        "duckdb_page_and_count": both,
        "agree": ids[0] == ids[1] == [row[0] for row in found],
    }


def walk_to_depth(rig: Rig) -> tuple[str | None, Walk]:
    """Follow our cursors, `WALK_PAGE` ids a page, to row `depth`: its cursor and the walk."""
    started = time.perf_counter()
    cursor, pages = None, 0
    params: Params = {"fields": "id", "limit": WALK_PAGE}
    while pages * WALK_PAGE < rig.depth:
        answer = rig.client.get(f"{rig.base}/rows", params=params).raise_for_status().json()
        cursor, pages = answer["next"], pages + 1
        params = {"fields": "id", "limit": WALK_PAGE, "next": cursor}
    seconds = round(time.perf_counter() - started, 2)
    return cursor, Walk(pages=pages, page_rows=WALK_PAGE, seconds=seconds)


def deep_pages(rig: Rig) -> DeepPages:
    """The page after row `depth` by cursor (walked to), by offset, and by SQL floors."""
    cursor, walk = walk_to_depth(rig)
    keyset, mine = rig.ours_rows({"limit": PAGE, "next": cursor})
    cold = cold_keyset_pages(rig, mine.json()["version"])
    cold_offsets = cold_offset_pages(rig)
    offset, by_offset = rig.ours_rows({"limit": PAGE, "offset": rig.depth})
    peer_keyset, peer_offset, theirs = peer_deep_pages(rig)
    floor_keyset, found = rig.floor(
        f"SELECT * FROM {{table}} WHERE id > {rig.depth} ORDER BY id LIMIT {PAGE}"
    )
    floor_offset, _ = rig.floor(
        f"SELECT * FROM {{table}} ORDER BY id LIMIT {PAGE} OFFSET {rig.depth}"
    )
    expected = list(range(rig.depth + 1, rig.depth + PAGE + 1))
    pages = [
        [r["id"] for r in mine.json()["rows"]],
        [r["id"] for r in by_offset.json()["rows"]],
        theirs,
        [row[0] for row in found],
    ]
    agree = all(ids == expected for ids in pages)
    what = f"rows {rig.depth + 1:,}–{rig.depth + PAGE:,} of {rig.rows:,} sorted by id"
    return {
        "deep_keyset_page": {
            "what": what + " by keyset cursor",
            "walk": walk,
            "ours": keyset,
            "ours_cold": cold,
            "datasette": peer_keyset,
            "duckdb": floor_keyset,
            "agree": agree,
        },
        "cold_offset_pages": cold_offsets,
        "deep_offset_page": {
            "what": what + " by offset",
            "ours": offset,
            "datasette": peer_offset,
            "duckdb": floor_offset,
            "agree": agree,
        },
    }


def peer_deep_pages(rig: Rig) -> tuple[Timing, Timing, list[int]]:
    """Datasette's deep page by its keyset token and by SQL offset; the keyset page's ids."""
    first_page = rig.client.get(f"{rig.table}.json", params={"_size": PAGE}).json()
    token_is_id = str(first_page.get("next")) == str(first_page["rows"][-1][0])
    keyset, theirs = rig.peer_table({"_next": rig.depth, "_size": PAGE, **DATASETTE_PAGE})
    offset, _ = rig.peer_sql(
        f"select * from {hotline.RESOURCE} order by id limit {PAGE} offset {rig.depth}"
    )
    confirmed = "" if token_is_id else " — NOT confirmed on page 1"
    keyset["note"] = (
        f"_next=<last id> (Datasette's own token for an integer-key table{confirmed});"
        " count from inspect"
    )
    offset["note"] = (
        "?sql=... limit/offset (tables have no _offset in Datasette 0.65; _next is keyset)"
    )
    return keyset, offset, [r["id"] for r in theirs.json()["rows"]]


def cold_keyset_pages(rig: Rig, version: str) -> Timing:
    """Deep pages each in a row group no request has read: no kept group to answer from.

    The cursors are made here, as the API makes them (the page after id N), at depths
    more than a row group apart, so every request is the first to its group and is
    answered from the file (a group is kept from its fifth request on).
    """
    spacing = rig.rows // 50
    depths = [rig.depth + i * spacing for i in range(-12, 13)]
    samples = []
    for depth in (d for d in depths if 0 < d < rig.rows - PAGE):
        token = Cursor(version, "id", (str(depth),)).encode()
        begun = time.perf_counter()
        answer = rig.client.get(f"{rig.base}/rows", params={"limit": PAGE, "next": token})
        samples.append((time.perf_counter() - begun) * 1000)
        first = answer.raise_for_status().json()["rows"][0]["id"]
        if first != depth + 1:
            raise RuntimeError(f"the page after id {depth} began at id {first}")
    timing = summary(samples, 0)
    timing["note"] = (
        f"{len(samples)} pages, each the first to its row group (depths"
        f" {spacing:,} rows apart): answered from the file"
    )
    return timing


def filtered_offset_page(rig: Rig) -> FilteredOffsetPage:
    """A page deep into the filter's matches, by offset: ours, Datasette's SQL, DuckDB's."""
    matches = rig.con.execute(f"SELECT count(*) FROM {rig.source} WHERE {FILTER_SQL}").fetchall()
    offset = int(matches[0][0] * DEPTH)
    ours, mine = rig.ours_rows({**rig.filters, "limit": PAGE, "offset": offset})
    sql = f"SELECT * FROM {{table}} WHERE {FILTER_SQL} ORDER BY id LIMIT {PAGE} OFFSET {offset}"
    peer, theirs = rig.peer_sql(sql.format(table=hotline.RESOURCE))
    floor, found = rig.floor(sql)
    pages = [
        [r["id"] for r in mine.json()["rows"]],
        [r["id"] for r in theirs.json()],
        [row[0] for row in found],
    ]
    return {
        "what": f"rows where {FILTER_SQL}, sorted by id, {PAGE} from match {offset:,} by offset",
        "ours": ours,
        "datasette": {**peer, "note": "?sql=... limit/offset"},
        "duckdb": floor,
        "agree": pages[0] == pages[1] == pages[2] and len(pages[0]) == PAGE,
    }


def cold_offset_pages(rig: Rig) -> Timing:
    """Deep pages by offset, 7 rows past `cold_keyset_pages`' depths: each the second
    request to its row group (the keyset page there was the first), which no request has
    made the server keep. Located from the footer, then read from that group alone."""
    spacing = rig.rows // 50
    depths = [rig.depth + i * spacing + 7 for i in range(-12, 13)]
    samples = []
    for depth in (d for d in depths if 0 < d < rig.rows - PAGE):
        begun = time.perf_counter()
        answer = rig.client.get(f"{rig.base}/rows", params={"limit": PAGE, "offset": depth})
        samples.append((time.perf_counter() - begun) * 1000)
        first = answer.raise_for_status().json()["rows"][0]["id"]
        if first != depth + 1:
            raise RuntimeError(f"the page at offset {depth} began at id {first}")
    timing = summary(samples, 0)
    timing["note"] = (
        f"{len(samples)} pages by offset, each the second request to its row group (after"
        f" the cold keyset page there; depths {spacing:,} rows apart)"
    )
    return timing
