"""The two codes the register carries, checked as their standards say: the provider's
统一社会信用代码 (GB 32100-2015, its 18th character a check) and the 信息资源代码 of
《政务信息资源目录编制指南（试行）》 (类 项 目 [细目] / 顺序码)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from catalog.store import (
    credit_check_character,
    credit_code_fault,
    descriptor_faults,
    resource_code_fault,
)
from tests.conftest import descriptor

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# The example code printed in GB 32100-2015 itself.
STANDARD_EXAMPLE = "91350100M000100Y43"


def a_body(draw_chars: str, region: str) -> str:
    """17 characters shaped as GB 32100 lays them out: 2 codes, a region, 9 of the subject."""
    return draw_chars[:2] + region + draw_chars[2:11]


@given(
    st.text(alphabet=ALPHABET, min_size=11, max_size=11),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
)
def test_credit_code_with_its_check_character_is_valid(chars: str, region: str) -> None:
    body = a_body(chars, region)
    assert credit_code_fault(body + credit_check_character(body)) is None


@given(
    st.text(alphabet=ALPHABET, min_size=11, max_size=11),
    st.from_regex(r"[0-9]{6}", fullmatch=True),
    st.sampled_from(ALPHABET),
)
def test_credit_code_with_any_other_check_character_is_refused(
    chars: str, region: str, other: str
) -> None:
    body = a_body(chars, region)
    right = credit_check_character(body)
    if other != right:
        fault = credit_code_fault(body + other)
        assert fault is not None and f"GB 32100 gives {right!r}" in fault


def test_credit_code_of_the_standard_is_valid_and_one_typo_is_caught() -> None:
    assert credit_code_fault(STANDARD_EXAMPLE) is None
    # Every single-character substitution in the first 17 positions changes the check.
    rng = random.Random(32100)
    for position in range(17):
        replaced = rng.choice([c for c in ALPHABET if c != STANDARD_EXAMPLE[position]])
        if 2 <= position <= 7 and not replaced.isdigit():
            continue
        typo = STANDARD_EXAMPLE[:position] + replaced + STANDARD_EXAMPLE[position + 1 :]
        assert credit_code_fault(typo) is not None, typo


@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("91350100M000100Y4", "18 characters, not 17"),
        ("91350100M000100Y433", "18 characters, not 19"),
        ("91350100M000100I43", "capitals other than I, O, S, V and Z"),  # I is not used
        ("913501A0M000100Y43", "digits in positions 3-8"),  # the region code
        ("91350100m000100y43", "capitals"),
    ],
)
def test_credit_code_of_the_wrong_shape_is_refused(code: str, says: str) -> None:
    fault = credit_code_fault(code)
    assert fault is not None and says in fault


@pytest.mark.parametrize("code", ["301001/000001", "2050010001/1", "101001/000000000001"])
def test_resource_code_in_the_guides_form_is_valid(code: str) -> None:
    assert resource_code_fault(code) is None


@pytest.mark.parametrize(
    "code",
    ["401001/000001", "30100/000001", "301001000001", "301001/", "3O1001/000001", "301001/0001 "],
)
def test_resource_code_not_in_the_guides_form_is_refused(code: str) -> None:
    assert resource_code_fault(code) is not None


def test_descriptor_with_an_unknown_register_key_is_an_error_naming_it() -> None:
    document = descriptor("x-test", [], register={"code": "301001/000001", "sharin": {}})
    assert descriptor_faults(document) == {
        "register.sharin": "unknown key (did you mean `sharing`?)"
    }


def test_descriptor_with_bad_codes_names_each_place() -> None:
    document = descriptor(
        "x-test",
        [],
        register={"code": "1/1", "related": ["301001/000001", "x"], "sharing": {"type": "none"}},
    )
    document["organization"]["credit_code"] = STANDARD_EXAMPLE[:17] + "4"
    faults = descriptor_faults(document)
    assert sorted(faults) == [
        "organization.credit_code",
        "register.code",
        "register.related[1]",
        "register.sharing",
    ]
    assert "GB 32100 gives '3'" in faults["organization.credit_code"]
    assert faults["register.sharing"] == "sharing type `none` needs its `conditions`"
