"""What a dataset's entry in the provincial register needs and no descriptor property gives:
the 信息资源代码 of 《政务信息资源目录编制指南（试行）》, the 共享属性 (sharing between
agencies), the conditions of 有条件开放, and codes of related resources held elsewhere; and the
checks of the two codes the register carries, the resource code and the provider's 统一社会信用代码.

Both codes are checked strictly, because a platform that imports a wrong code files the
resource under another department or another class without saying so:

- 统一社会信用代码 (GB 32100-2015): 18 characters from 0-9 and the capitals without I, O, S, V
  and Z; positions 3-8 a GB/T 2260 region code; the 18th a check character: with each of the
  first 17 worth its place in that alphabet and weighted 3^(i-1) mod 31, the check is worth
  (31 - sum mod 31) mod 31.
- 信息资源代码: 前段码 (the classification: 类 one digit, 1 基础 / 2 主题 / 3 部门; 项 two
  digits; 目 three digits; 细目 any further digits), `/`, 后段码 (the 顺序码, digits).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from catalog.store.model.tables import Strict

CREDIT_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_CREDIT_SHAPE = re.compile(rf"[{CREDIT_ALPHABET}]{{2}}[0-9]{{6}}[{CREDIT_ALPHABET}]{{10}}")
# 类 项 目 [细目] / 顺序码; lengths bounded so that a code stays a code, not a text.
RESOURCE_CODE = re.compile(r"([1-3])([0-9]{2})([0-9]{3})([0-9]{0,12})/([0-9]{1,12})")
RESOURCE_CLASSES = {"1": "基础信息资源", "2": "主题信息资源", "3": "部门信息资源"}


def credit_check_character(body: str) -> str:
    """The GB 32100 check character of the first 17 characters of a credit code."""
    total = sum(CREDIT_ALPHABET.index(c) * w for c, w in zip(body, CREDIT_WEIGHTS, strict=True))
    return CREDIT_ALPHABET[(31 - total % 31) % 31]


def credit_code_fault(code: str) -> str | None:
    """Why `code` is not a 统一社会信用代码 (GB 32100-2015), or None when it is one."""
    if len(code) != 18:
        return f"a 统一社会信用代码 has 18 characters, not {len(code)}"
    if not _CREDIT_SHAPE.fullmatch(code):
        return (
            "a 统一社会信用代码 is made of 0-9 and capitals other than I, O, S, V and Z, "
            "with digits in positions 3-8 (the region code)"
        )
    expected = credit_check_character(code[:17])
    if code[17] != expected:
        return f"check character is {code[17]!r}, GB 32100 gives {expected!r}: a typo?"
    return None


def resource_code_fault(code: str) -> str | None:
    """Why `code` is not a 信息资源代码 as the guide writes it, or None when it is one."""
    if RESOURCE_CODE.fullmatch(code):
        return None
    return (
        "a 信息资源代码 is 类 (1, 2 or 3), 项 (2 digits), 目 (3 digits), optional 细目 digits, "
        "`/`, then the 顺序码 (digits), e.g. 301001/000001"
    )


def _credit_code(code: str) -> str:
    fault = credit_code_fault(code)
    if fault is not None:
        raise ValueError(fault)
    return code


def _resource_code(code: str) -> str:
    fault = resource_code_fault(code)
    if fault is not None:
        raise ValueError(fault)
    return code


CreditCode = Annotated[str, AfterValidator(_credit_code)]
ResourceCode = Annotated[str, AfterValidator(_resource_code)]
SharingType = Literal["unconditional", "conditional", "none"]


class Sharing(Strict):
    """共享属性: 无条件共享 / 有条件共享 / 不予共享, with the conditions (or, for 不予共享, the
    basis in law or policy) that the guide asks for whenever sharing is not unconditional."""

    type: SharingType
    conditions: str | None = None
    method: str | None = None  # 共享方式, e.g. 接口 or 文件下载

    @model_validator(mode="after")
    def _conditions_stated(self) -> Sharing:
        if self.type != "unconditional" and not (self.conditions or "").strip():
            raise ValueError(f"sharing type `{self.type}` needs its `conditions`")
        return self


class Register(Strict):
    """The steward's declarations for the provincial register (docs/register.md)."""

    code: ResourceCode | None = None
    sharing: Sharing | None = None
    open_conditions: str | None = None  # 开放条件, for access_level `conditional`
    # 关联资源代码 of resources outside this catalogue (those inside are found by the register)
    related: list[ResourceCode] = Field(default_factory=list)
