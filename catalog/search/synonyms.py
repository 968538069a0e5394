"""Query words as the data writes them: the maintained synonym list and region names.

A researcher types `社保`, `医保`, `wages` or `贵阳失业率`; the datasets write 社会保险, 医疗保险,
wage, and hold 贵阳市 and 城镇登记失业率 as separate names. A query word is split where it
begins or ends with a region name the catalogue knows, and each word is expanded with the
synonym list `indicator-codes/synonyms` publishes (curated in
`curation/reference/search_synonyms.csv`): a word matches when any of its variants does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from catalog.search.selection import Predicate

# Variants one query word may expand into: each is a condition in every scan of the index.
MAX_VARIANTS = 6
# Suffixes a place name is typed without (贵阳 for 贵阳市); what is left must keep 2 characters.
PLACE_SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "地区", "省", "市", "州", "县", "区")


@dataclass(frozen=True)
class Lexicon:
    """The synonym list (term → the words it means) and the region names queries may join."""

    synonyms: tuple[tuple[str, tuple[str, ...]], ...] = ()
    places: tuple[str, ...] = ()

    @classmethod
    def of(cls, synonyms: Iterable[tuple[str, str]], places: Iterable[str] = ()) -> Lexicon:
        """From (term, means) rows — alternatives in `means` split by `/` — and place names."""
        pairs = {}
        for term, means in synonyms:
            words = tuple(w for w in (m.strip().lower() for m in means.split("/")) if w)
            if term.strip() and words:
                pairs[term.strip().lower()] = words
        # Longer terms first: 失业金 is expanded before a shorter term inside it.
        ordered = sorted(pairs.items(), key=lambda pair: (-len(pair[0]), pair[0]))
        return cls(tuple(ordered), _place_forms(places))

    def terms(self, words: Iterable[str]) -> list[tuple[str, ...]]:
        """Each query word (lowercased) split at place names, then with its variants."""
        return [self.variants(part) for word in words for part in self.split(word)]

    def is_place(self, variants: tuple[str, ...]) -> bool:
        """Whether a term (from `terms`) is a place name: it finds regions, not indicators."""
        return bool(variants) and variants[0] in self.places

    def split(self, word: str) -> list[str]:
        """`贵阳失业率` → [`贵阳`, `失业率`]: a known place name at the start or end of a word,
        the rest at least two characters (`贵阳市` stays whole)."""
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
