"""A value column's name, and the indicator of `indicator-codes` it is, from title and header.

Yearbook headers are short (`基金收入`, `2016`); the subject is in the title (`各地区生育保险
基本情况(2010年)` → `生育保险`). A column's name is its header, tightened (`#国 有` over
`单 位` is one label wrapped over two lines: `#国有单位`), or the title's subject when the
header is only a year. Its indicator is the one whose `name_zh` is the header or subject +
header, after the header's words are rewritten with `indicator-codes/phrases` (`同比名义增长`
→ `名义增长率`); spacing, `#` and ` / ` are ignored. No guess beyond that: a column without
such a match gets a new code, and the nearest indicator name is offered for review. So does
a column whose forms name two indicators, or one in another unit (`columns`): a wrong code
publishes a figure under the wrong indicator, a new one only asks the steward.
"""

from __future__ import annotations

import csv
import difflib
import re
import unicodedata
from pathlib import Path

from drafting.reference import Indicator

CJK = r"\u3040-\u30ff\u3400-\u9fff"
YEAR = re.compile(r"^(19|20)\d{2}$")
TITLE_YEAR = re.compile(r"[(（]?(19|20)\d{2}年?(度|末)?[)）]?")
TABLE_NUMBER = re.compile(r"^(表|附录|附表)?[A-Za-z]?\d+([-－—.．]\d+)*[A-Za-z]?(?![A-Za-z])")
REGION_WORDS = re.compile(r"^(各地区|分地区|按地区|各省|分省|各省份|各市[(（]州[)）]|各市州|各州市)"
                          r"(的|の)?")  # fmt: skip
TITLE_TAIL = re.compile(r"(基本情况|情况|主要指标|统计)$")


def tight(text: str) -> str:
    """Whitespace between CJK characters (and after `#`) removed: `#国 有` → `#国有`."""
    return re.sub(rf"(?<=[{CJK}#])\s+(?=[{CJK}])", "", text).strip()


def unwrapped(name: str) -> str:
    """The segments of one wrapped label joined back into it."""
    segments = name.split(" / ")
    joiner = "" if re.search(f"[{CJK}]", name) else " "
    return tight(joiner.join(segments))


def subject(title: str) -> str:
    """What a table is about, from its Chinese title: `附录1-7 职 工 平 均 工 资` → `职工平均工资`.
    The English title after it, the year, the table number and `各地区` are left out."""
    text = re.split(r"[A-Za-z]{3,}", "".join(title.split()))[0]
    text = TITLE_YEAR.sub("", text)
    text = TABLE_NUMBER.sub("", text)
    text = REGION_WORDS.sub("", text)
    return TITLE_TAIL.sub("", text)


def column_name(name_zh: str, topic: str, *, wrapped: bool) -> str:
    """The Chinese name of a column: its tightened header, or the subject for a year."""
    name = unwrapped(name_zh) if wrapped else " / ".join(tight(s) for s in name_zh.split(" / "))
    return topic if YEAR.match(name) and topic else name


def new_indicator_name(name_zh: str, topic: str) -> str:
    """A new indicator's name says what the title says it is about: `生育保险：基金收入`."""
    if not topic or _key(name_zh) in _key(topic) or _key(topic) in _key(name_zh):
        return topic if topic and _key(name_zh) in _key(topic) else name_zh
    return f"{topic}：{name_zh}"


def load_phrases(datasets: Path) -> dict[str, str]:
    path = datasets / "indicator-codes" / "data" / "phrases.csv"
    if not path.exists():
        return {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return {row["phrase"]: row["means"] for row in csv.DictReader(handle)}


def _key(text: str) -> str:
    """A name as compared: NFKC (full- and half-width brackets, digits and letters alike:
    `累计结余(含储备金)` is `累计结余（含储备金）`), without spacing, `#`, `/`, colons, `、`."""
    return re.sub(r"[\s#/:、]", "", unicodedata.normalize("NFKC", text))


def forms(name_zh: str, topic: str, phrases: dict[str, str]) -> list[str]:
    """The names an indicator of this column may have, most literal first. Every printed
    word is kept, in its order: a group label over a header (`工伤保险基金` over `基金收入`) is
    read with the words they share once (`工伤保险基金收入`), and the title's subject goes
    before the label or between group and header (`城镇职工` + `基本养老保险` + `参保人数`)."""
    keyed = {_key(phrase): _key(means) for phrase, means in phrases.items()}
    segments = [key for key in (_key(s) for s in name_zh.split(" / ")) if key]
    texts = ["".join(segments), _overlapped(segments)]
    texts += [_rewritten(text, keyed) for text in texts]
    topic = _key(topic)
    found = texts + [topic + t for t in texts] + [_overlapped([topic, t]) for t in texts]
    if topic and len(segments) > 1:
        inside = _overlapped([segments[0], topic, *segments[1:]])
        found += [inside, _rewritten(inside, keyed)]
    return list(dict.fromkeys(f for f in found if f))


def _overlapped(parts: list[str]) -> str:
    """Parts joined, the words one ends with and the next begins with written once (two
    characters at least: `工伤保险基金` + `基金收入` → `工伤保险基金收入`)."""
    joined = ""
    for part in parts:
        shared = max((n for n in range(2, min(len(joined), len(part)) + 1)
                      if joined.endswith(part[:n])), default=0)  # fmt: skip
        joined += part[shared:]
    return joined


def _rewritten(text: str, keyed: dict[str, str]) -> str:
    """`text` with each phrase, longest first, replaced once by what it means; a phrase
    already followed by the rest of its meaning (`名义增长` in `名义增长率`) is left alone."""
    if not keyed:
        return text
    pattern = re.compile("|".join(re.escape(p) for p in sorted(keyed, key=len, reverse=True)))

    def meaning(found: re.Match[str]) -> str:
        phrase, means = found.group(), keyed[found.group()]
        done = means.startswith(phrase) and text.startswith(means, found.start())
        return phrase if done else means

    return pattern.sub(meaning, text)


def named_indicators(candidates: list[str], indicators: list[Indicator]) -> list[Indicator]:
    """Every indicator one of the forms names, in the forms' order, each once."""
    by_name = {_key(i.name_zh): i for i in indicators}
    found = [by_name[f] for f in candidates if f in by_name]
    return list({i.code: i for i in found}.values())


def nearest_indicator(candidates: list[str], indicators: list[Indicator]) -> Indicator | None:
    """The indicator whose name is closest to one of the forms, to offer for review."""
    by_name = {_key(i.name_zh): i for i in indicators}
    for form in reversed(candidates):
        close = difflib.get_close_matches(form, list(by_name), n=1, cutoff=0.75)
        if close:
            return by_name[close[0]]
    return None
