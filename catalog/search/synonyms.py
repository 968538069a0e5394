"""Query words as the data writes them: the maintained synonym list and region names.

A researcher types `社保`, `医保`, `wages` or `贵阳失业率`; the datasets write 社会保险, 医疗保险,
wage, and hold 贵阳市 and 城镇登记失业率 as separate names. Each word is expanded with the
synonym list `indicator-codes/synonyms` publishes (curated in
`curation/reference/search_synonyms.csv`): a word matches when any of its variants does.

A Chinese query has no spaces, so a word the catalogue's names do not hold whole is cut into
parts, left to right, each the longest the names hold (or a place name, or a year):
`2010年贵州生育保险基金收入` → `2010`, `贵州`, `生育保险基金收入`; `城镇职工养老保险` →
`城镇职工`, `养老保险` (the names write 城镇职工基本养老保险). A word the names hold whole stays
whole, and a word that cannot be cut so stays whole too (it then finds what it finds).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from catalog.search.selection import Predicate

# Variants one query word may expand into: each is a condition in every scan of the index.
MAX_VARIANTS = 6
# Suffixes a place name is typed without (贵阳 for 贵阳市); what is left must keep 2 characters.
PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "州", "县", "区")
# A year inside a Chinese word (`2010年…`, `…2010`): its own term, a period, not text.
YEAR = re.compile(r"(1[89]|20)\d\d(?!\d)年?")
# Longer words are not cut: each part tried is a scan of the names text.
MAX_CUT = 24
# Characters a cut word may drop between its parts: they join words, they name nothing.
JOINERS = frozenset("的和与及之年")
# The names text cut words are measured against (`Lexicon.of`): bounded, however large the
# catalogue; past it, later names no longer guide the cutting.
MAX_NAMES_TEXT = 2_000_000


@dataclass(frozen=True)
class Lexicon:
    """The synonym list (term → the words it means) and the region names queries may join."""

    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    places: tuple[str, ...] = ()
    # The catalogue's names, lowercased, one per line: what a part of a cut word must be in.
    names: str = ""

    @classmethod
    def of(
        cls,
        synonyms: Iterable[tuple[str, str]],
        places: Iterable[str] = (),
        names: Iterable[str] = (),
    ) -> Lexicon:
        """From (term, means) rows — alternatives in `means` split by `/` —, place names, and
        the names words are cut by (indicators, titles, keywords, fields)."""
        pairs = {}
        for term, means in synonyms:
            words = tuple(w for w in (m.strip().lower() for m in means.split("/")) if w)
            if term.strip() and words:
                pairs[term.strip().lower()] = words
        # Longer terms first: 失业金 is expanded before a shorter term inside it.
        ordered = sorted(pairs.items(), key=lambda pair: (-len(pair[0]), pair[0]))
        text = "\n".join(dict.fromkeys(n.strip().lower() for n in names if n.strip()))
        return cls(tuple(ordered), _place_forms(places), text[:MAX_NAMES_TEXT])

    def terms(self, words: Iterable[str]) -> list[tuple[str, ...]]:
        """Each query word (lowercased) split at place names, then with its variants."""
        return [self.variants(part) for word in words for part in self.split(word)]

    def is_place(self, variants: tuple[str, ...]) -> bool:
        """Whether a term (from `terms`) is a place name: it finds regions, not indicators."""
        return bool(variants) and variants[0] in self.places

    def split(self, word: str) -> list[str]:
        """A word cut into the parts the names hold (see the module's docstring), or else
        split at a place name at its start or end (`贵阳失业率` → [`贵阳`, `失业率`])."""
        if word in self.places or word.isascii() or len(word) > MAX_CUT or self._holds(word):
            return [word]
        return self._cut(word) or self._split_at_place(word)

    def _holds(self, text: str) -> bool:
        """Whether the names hold `text`, or one of its synonyms' meanings."""
        return any(variant in self.names for variant in self.variants(text))

    def _cut(self, word: str) -> list[str]:
        """`word` as places, years and the longest parts the names hold; [] when some
        character belongs to none of them."""
        parts: list[str] = []
        at = 0
        while at < len(word):
            if year := YEAR.match(word, at):
                parts.append(year[0].rstrip("年"))
                at = year.end()
                continue
            part = self._longest_part(word, at)
            if not part and word[at] in JOINERS:
                at += 1
                continue
            if not part:
                return []
            parts.append(part)
            at += len(part)
        return parts

    def _longest_part(self, word: str, at: int) -> str:
        """The longest place name or held part (two characters at least) at `at`; a place
        name wins a tie (`全国` in `全国城镇登记失业率`)."""
        place = next((p for p in self.places if word.startswith(p, at)), "")
        end = at + 2
        while end <= len(word) and self._holds(word[at:end]):
            end += 1
        held = word[at : end - 1] if end - 1 > at + 1 else ""
        return place if len(place) >= len(held) else held

    def _split_at_place(self, word: str) -> list[str]:
        if word in self.places:
            return [word]
        for place in self.places:
            rest = len(word) - len(place)
            if rest >= 2 and word.startswith(place):
                return [place, word[len(place) :]]
            if rest >= 2 and word.endswith(place):
                return [word[:rest], place]
        return [word]

    def variants(self, word: str) -> tuple[str, ...]:
        """The word, then the word with each synonym term in it replaced by what it means."""
        found = [word]
        for term, means in self.synonyms:
            if term in word:
                found.extend(word.replace(term, meant) for meant in means)
        return tuple(dict.fromkeys(found))[:MAX_VARIANTS]


def _place_forms(names: Iterable[str]) -> tuple[str, ...]:
    """Region names and their forms without a suffix, longest first (Chinese ones only: an
    English word is already its own word in a query)."""
    forms = set()
    for name in names:
        name = "".join(name.split()).lower()
        if len(name) < 2 or name.isascii():
            continue
        forms.add(name)
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                forms.add(name[: -len(suffix)])
    return tuple(sorted(forms, key=lambda form: (-len(form), form)))


def any_contains(expr: str, variants: tuple[str, ...]) -> Predicate:
    """True where the text `expr` contains any of `variants` (a query word and its synonyms)."""
    sql = " OR ".join(f"contains({expr}, ?)" for _ in variants)
    return Predicate(f"({sql or 'false'})", list(variants))


def matching(texts: Iterable[tuple[str, str]], terms: list[tuple[str, ...]]) -> list[str]:
    """The keys of `texts` (key, lowercased text) matching the most of `terms`, at least one."""
    counted = [
        (sum(any(v in text for v in variants) for variants in terms), key) for key, text in texts
    ]
    best = max((count for count, _ in counted), default=0)
    return [key for count, key in counted if best and count == best]


def is_year(variants: tuple[str, ...]) -> bool:
    """Whether a term is a year (`2010`, or `2010年` cut from a word): a period the rows may
    hold, not a word of a name (2010年人口普查… is no answer to `2010 失业保险参保人数`)."""
    return bool(variants) and YEAR.fullmatch(variants[0]) is not None and variants[0].isdigit()
