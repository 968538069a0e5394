"""The API benchmark's verdicts against issue 3's targets.

The targets are judged on the p50s of one run. They are set for 10M rows; at any other size
the verdicts are reported all the same and labelled with the size.
"""

from __future__ import annotations

from typing import Any

TARGET_ROWS = 10_000_000


def _p50(measurement: dict[str, Any], who: str) -> float:
    return float(measurement[who]["p50_ms"])


def _verdict(
    name: str, target: str, value: float | None, met: bool | None, how: str
) -> dict[str, Any]:
    return {"measurement": name, "target": target, "value": value, "met": met, "how": how}


def targets(m: dict[str, Any]) -> list[dict[str, Any]]:
    """Each target's value and whether it was met, from the measurements `m`."""
    found = []
    for name in ("filtered_page", "deep_keyset_page"):
        found += _page_targets(name, m[name])
    for name in ("aggregate", "exact_total"):
        found.append(_whole_table_target(name, m[name]))
    cursor, offset = _p50(m["deep_keyset_page"], "ours"), _p50(m["deep_offset_page"], "ours")
    found.append(
        _verdict(
            "deep_keyset_page",
            "cursor ≥ 50× faster than offset (ours)",
            round(offset / cursor, 1),
            offset / cursor >= 50,
            f"offset {offset} ms / cursor {cursor} ms",
        )
    )
    return found + _export_targets(m["csv_export"])


def _page_targets(name: str, measured: dict[str, Any]) -> list[dict[str, Any]]:
    """A page: within twice DuckDB's time (plus 3 ms of HTTP), and faster than Datasette."""
    ours, floor, peer = (_p50(measured, who) for who in ("ours", "duckdb", "datasette"))
    bound = 2 * floor + 3
    return [
        _verdict(
            name,
            "HTTP p50 ≤ 2 × DuckDB p50 + 3 ms",
            round(ours / floor, 2),
            ours <= bound,
            f"ours {ours} ms vs bound {bound:.1f} ms (DuckDB {floor} ms); value = ours/DuckDB",
        ),
        _verdict(
            name,
            "faster than Datasette",
            round(peer / ours, 2),
            ours < peer,
            f"Datasette {peer} ms / ours {ours} ms",
        ),
    ]


def _whole_table_target(name: str, measured: dict[str, Any]) -> dict[str, Any]:
    """A count or an aggregate: five times Datasette's speed, with the same (exact) answer."""
    ours, peer = _p50(measured, "ours"), _p50(measured, "datasette")
    exact = name != "exact_total" or measured["ours"].get("total_exact") is True
    return _verdict(
        name,
        "≥ 5× faster than Datasette",
        round(peer / ours, 2),
        peer / ours >= 5 and exact and bool(measured["agree"]),
        f"Datasette {peer} ms / ours {ours} ms" + ("" if exact else "; our total was NOT exact"),
    )


def _export_targets(export: dict[str, Any]) -> list[dict[str, Any]]:
    ours, floor = export["ours"], export["duckdb_copy"]
    rate = "≥ 50 % of DuckDB COPY rate"
    if not ours.get("measured"):
        why = ours.get("note", "not measured")
        return [
            _verdict("csv_export", rate, None, None, why),
            _verdict("csv_export", "peak RSS ≤ 300 MB", None, None, why),
        ]
    share = ours["rows_per_second"] / floor["rows_per_second"]
    found = [
        _verdict(
            "csv_export",
            rate,
            round(share, 2),
            share >= 0.5 and bool(ours["complete"]),
            f"ours {ours['rows_per_second']:,} rows/s vs DuckDB {floor['rows_per_second']:,}"
            + ("" if ours["complete"] else "; our export was INCOMPLETE"),
        )
    ]
    for key, which in (
        ("ours", "server after the other measurements"),
        ("ours_fresh_server", "fresh server"),
    ):
        e = export.get(key) or {}
        if not e.get("measured"):
            continue
        found.append(
            _verdict(
                "csv_export",
                f"peak RSS ≤ 300 MB ({which})",
                e["peak_rss_mb"],
                e["peak_rss_mb"] <= 300,
                f"{e['rss_before_mb']} MB before, +{e['rss_increase_mb']} MB during the"
                f" export ({e['peak_source']})",
            )
        )
    return found
