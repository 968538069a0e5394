"""The law of a data request: the reply deadline in working days, and the grounds of a denial.

The deadline. 《贵州省政府数据共享开放条例》 (2020, chapter 4, 政府数据开放) has the data
provider answer an application for 有条件开放 data at once, or within 15 working days of
receiving it (extendable once, by at most 15, with the head of the provider's consent and
notice to the applicant). 《中华人民共和国政府信息公开条例》 (2019) art. 33 gives 20 working days
(extendable by at most 20) for applications for government information in general. The
provincial rule is the one written for this kind of application, so 15 is the default
(`request_reply_working_days`). Working days here are Monday to Friday in China Standard Time:
the public holidays and the weekend days worked in their place (调休) are announced each year
by the State Council and are not known offline, so a deadline that spans a holiday is earlier
than the statutory one: the steward answers sooner, never later.

The grounds. A denial names one of `GROUNDS`: the exemptions of the 信息公开条例 (art. 14: state
secrets, disclosure barred by law, danger to national, public or economic security or social
stability; art. 15: trade secrets and personal privacy of third parties; art. 16: internal and
process information), the answers of its art. 36 that refuse (not held, not this agency's,
a repeated application, an application that cannot be read), and the provincial regulation's
own (art. 4: a purpose that is not lawful, or not proper, necessary and proportionate).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, timezone

# China Standard Time has had no daylight saving since 1991.
CHINA = timezone(timedelta(hours=8), "CST")
STATUTORY_WORKING_DAYS = 15
MAX_WORKING_DAYS = 60


@dataclass(frozen=True)
class Ground:
    """A legal ground of a denial: its code, how it reads, and where the law says it."""

    code: str
    zh: str
    en: str
    basis: str


GROUNDS: dict[str, Ground] = {
    ground.code: ground
    for ground in (
        Ground("state-secret", "属于国家秘密", "classified as a state secret",
               "《政府信息公开条例》第十四条"),
        Ground("barred-by-law", "法律、行政法规禁止公开", "disclosure barred by law",
               "《政府信息公开条例》第十四条"),
        Ground("security-or-stability", "公开后可能危及国家安全、公共安全、经济安全、社会稳定",
               "would endanger national, public or economic security or social stability",
               "《政府信息公开条例》第十四条；《贵州省政府数据共享开放条例》第四条"),
        Ground("third-party-rights", "涉及商业秘密、个人信息或隐私",
               "holds trade secrets, personal information or privacy of others",
               "《政府信息公开条例》第十五条；《贵州省政府数据共享开放条例》第四条"),
        Ground("internal-or-process", "属于内部事务信息或过程性信息",
               "internal affairs or process information",
               "《政府信息公开条例》第十六条"),
        Ground("purpose-not-lawful", "申请用途不合法或不符合正当、必要、适度原则",
               "the purpose is not lawful, proper, necessary and proportionate",
               "《贵州省政府数据共享开放条例》第四条"),
        Ground("not-held", "本机关不掌握所申请的数据", "this agency does not hold the data",
               "《政府信息公开条例》第三十六条第（四）项"),
        Ground("not-this-agency", "不属于本机关负责开放", "another agency opens these data",
               "《政府信息公开条例》第三十六条第（五）项"),
        Ground("repeated", "重复申请", "a repeated application",
               "《政府信息公开条例》第三十六条第（六）项"),
        Ground("unclear", "申请内容不明确，经告知未补正",
               "the application is unclear and was not completed",
               "《政府信息公开条例》第三十条"),
    )
}  # fmt: skip


def ground(code: str) -> Ground:
    """The ground of `code`; ValueError lists the codes when it is none of them."""
    found = GROUNDS.get(code)
    if found is None:
        raise ValueError(f"unknown denial ground {code!r}; one of {', '.join(GROUNDS)}")
    return found


def reply_due(received: datetime, working_days: int) -> datetime:
    """The end (23:59:59 China time) of the `working_days`-th working day after the day
    `received` falls on there; Saturdays and Sundays are not counted (public holidays are not
    known offline, see the module)."""
    day = received.astimezone(CHINA).date()
    left = working_days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return datetime.combine(day, time(23, 59, 59), CHINA).astimezone(UTC)


def day_start(moment: datetime) -> datetime:
    """Midnight China time of the day `moment` falls on: the daily limits count from it."""
    day = moment.astimezone(CHINA).date()
    return datetime.combine(day, time(0), CHINA).astimezone(UTC)
