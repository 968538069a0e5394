"""JSON read and written again keeps every number as printed (`loads_exact`, `dumps_exact`)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.sql import ExactNumber, JsonText, dumps_exact, finite_json, loads_exact

decimal_texts = st.from_regex(r"-?(0|[1-9][0-9]{0,30})\.[0-9]{1,12}", fullmatch=True)


@given(st.lists(decimal_texts, min_size=1, max_size=5))
def test_decimal_texts_are_written_back_digit_for_digit(texts: list[str]) -> None:
    text = "[" + ", ".join(texts) + "]"
    read = loads_exact(text)
    assert [Decimal(str(number)) for number in read] == [Decimal(t) for t in texts]
    assert dumps_exact(read) == text


@given(st.floats(allow_nan=False, allow_infinity=False), st.integers(), st.text())
def test_what_a_float_writes_back_is_written_as_json_writes_it(
    number: float, whole: int, label: str
) -> None:
    value = {"number": number, "whole": whole, "label": label, "list": [number, None, True]}
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    read = loads_exact(text)
    assert type(read["number"]) is float
    assert dumps_exact(read) == text
    assert dumps_exact(read, separators=(",", ":"), ensure_ascii=True) == json.dumps(
        value, separators=(",", ":")
    )


def test_the_figures_json_loses() -> None:
    text = '{"a": 211.50, "b": 12345678901234567890.12, "c": 68380.0000, "d": 0.1}'
    read = loads_exact(text)
    assert [str(v) for v in read.values()] == [
        "211.50",
        "12345678901234567890.12",
        "68380.0000",
        "0.1",
    ]
    assert isinstance(read["a"], ExactNumber) and read["a"] == Decimal("211.5")
    assert dumps_exact(read) == text


def test_a_value_holding_the_token_draws_another(monkeypatch: pytest.MonkeyPatch) -> None:
    tokens = iter([uuid.UUID(int=1), uuid.UUID(int=2)])
    monkeypatch.setattr(uuid, "uuid4", lambda: next(tokens))
    held = f"{uuid.UUID(int=1).hex}:0"
    assert dumps_exact([held, loads_exact("1.50")]) == f'["{held}", 1.50]'


def test_other_objects_are_still_refused() -> None:
    with pytest.raises(TypeError, match="Decimal is not JSON serializable"):
        dumps_exact([Decimal("1.5")])


values = st.one_of(
    st.text(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.none()
)


@given(st.lists(st.dictionaries(st.text(), values), max_size=4), st.booleans())
def test_json_text_is_spliced_in_as_written_or_escaped_to_ascii(
    records: list[dict[str, object]], ascii_only: bool
) -> None:
    # A page of records as DuckDB renders it (`datastore_search`): written in, never read.
    text = json.dumps(records, ensure_ascii=False, separators=(",", ":"))
    answer = {"a": "中", "records": JsonText(text), "b": ExactNumber("1.50")}
    written = dumps_exact(answer, ensure_ascii=ascii_only)
    assert json.loads(written) == {"a": "中", "records": records, "b": 1.5}
    assert written.endswith(', "b": 1.50}')
    if ascii_only:
        assert written.isascii()
    else:
        assert f'"records": {text},' in written


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.floats()
    | st.integers()
    | st.text()
    | st.sampled_from(["nan", "-inf", "Infinity", 'a"nan\\', "NaN inf"]),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


def _nulled(value: object) -> object:
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return None
    if isinstance(value, list):
        return [_nulled(v) for v in value]
    if isinstance(value, dict):
        return {k: _nulled(v) for k, v in value.items()}
    return value


@given(json_values)
def test_finite_json_makes_every_nan_and_infinity_null_and_keeps_strings(value: object) -> None:
    def refuse(constant: str) -> None:
        raise ValueError(constant)

    text = finite_json(json.dumps(value, ensure_ascii=False))
    assert json.loads(text, parse_constant=refuse) == _nulled(value)
    # DuckDB's spellings inside a JSON value, which Python's own parser refuses too.
    assert finite_json('[-nan,nan,inf,-inf,"-nan"]') == '[null,null,null,null,"-nan"]'
