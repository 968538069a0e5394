"""Region name variants and header phrases: data, checked against the code lists they serve."""

from __future__ import annotations

import re

from curation import reference
from curation.codelists import alias_records, phrase_records

PRINTED_UNITS = {"億元": 10**8, "万元": 10**4}


def test_every_alias_names_a_known_region_once_and_is_no_official_name() -> None:
    known = {r.code for r in reference.regions()} | {c.code for c in reference.counties().values()}
    official = {r.name_zh for r in reference.regions()} | {r.name_en for r in reference.regions()}
    records = alias_records()
    assert {r["code"] for r in records} <= known
    assert not {r["alias"] for r in records} & official
    assert len({r["alias"] for r in records}) == len(records)


def test_the_forms_of_the_real_tables_are_aliases() -> None:
    aliases = {r["alias"]: r["code"] for r in alias_records()}
    japanese = {"遼寧": "210000", "山東": "370000", "広東": "440000", "江蘇": "320000",
                "黒竜江": "230000", "内モンゴル": "150000", "チベット": "540000"}  # fmt: skip
    english = {"Tibet": "540000", "Inner Mongolia Autonomous Region": "150000"}
    short = {"黔南州": "522700", "道真县": "520325"}  # the last from counties.csv
    for name, code in {**japanese, **english, **short}.items():
        assert aliases[name] == code, name


def test_alias_kinds_are_known() -> None:
    assert {a.kind for a in reference.region_aliases()} <= reference.ALIAS_KINDS
    assert all(re.fullmatch(r"\d{6}", a.code) for a in reference.region_aliases())


def test_printed_money_units_normalise_to_yuan_exactly() -> None:
    units = reference.units()
    for printed, factor in PRINTED_UNITS.items():
        assert (units[printed].unit, units[printed].factor) == ("元", factor)


def test_every_phrase_means_words_some_indicator_name_uses() -> None:
    names = [i.name_zh for i in reference.indicators().values()]
    for record in phrase_records():
        assert any(record["means"] in name for name in names), record["phrase"]
        assert record["phrase"] != record["means"]
