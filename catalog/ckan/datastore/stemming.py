"""The Snowball English (Porter2) stemmer: what PostgreSQL's `english` text search config
(`english_stem`) reduces a word to, so `q=wages` finds `wage` as CKAN's DataStore does.

Written from the algorithm's published description (snowballstem.org, "The English stemming
algorithm"); no stemmer is installed here. `stem` takes one lowercase word.
"""

from __future__ import annotations

VOWELS = frozenset("aeiouy")
DOUBLES = ("bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt")
LI_ENDINGS = frozenset("cdeghkmnrt")
EXCEPTIONS = {
    "skis": "ski", "skies": "sky", "dying": "die", "lying": "lie", "tying": "tie",
    "idly": "idl", "gently": "gentl", "ugly": "ugli", "early": "earli", "only": "onli",
    "singly": "singl", "sky": "sky", "news": "news", "howe": "howe", "atlas": "atlas",
    "cosmos": "cosmos", "bias": "bias", "andes": "andes",
}  # fmt: skip
AFTER_STEP_1A = frozenset(
    ("inning", "outing", "canning", "herring", "earring", "proceed", "exceed", "succeed")
)
STEP_2 = (
    ("ization", "ize"), ("ational", "ate"), ("fulness", "ful"), ("ousness", "ous"),
    ("iveness", "ive"), ("tional", "tion"), ("biliti", "ble"), ("lessli", "less"),
    ("entli", "ent"), ("ation", "ate"), ("alism", "al"), ("aliti", "al"), ("ousli", "ous"),
    ("iviti", "ive"), ("fulli", "ful"), ("enci", "ence"), ("anci", "ance"), ("abli", "able"),
    ("izer", "ize"), ("ator", "ate"), ("alli", "al"), ("bli", "ble"), ("ogi", "og"), ("li", ""),
)  # fmt: skip
STEP_3 = (
    ("ational", "ate"), ("tional", "tion"), ("alize", "al"), ("icate", "ic"), ("iciti", "ic"),
    ("ative", ""), ("ical", "ic"), ("ness", ""), ("ful", ""),
)  # fmt: skip
STEP_4 = (
    "ement", "ance", "ence", "able", "ible", "ment", "ant", "ent", "ism", "ate", "iti", "ous",
    "ive", "ize", "ion", "al", "er", "ic",
)  # fmt: skip


def stem(word: str) -> str:
    """`word`'s English stem (`wages` → `wage`, `running` → `run`, `generously` → `generous`)."""
    word = word.lstrip("'")
    if len(word) <= 2:
        return word
    if word in EXCEPTIONS:
        return EXCEPTIONS[word]
    word = _mark_consonant_y(word)
    r1, r2 = _regions(word)
    word = _step_1a(_step_0(word))
    if word in AFTER_STEP_1A:
        return word
    word = _step_1c(_step_1b(word, r1))
    word = _step_5(_step_4(_step_3(_step_2(word, r1), r1, r2), r2), r1, r2)
    return word.replace("Y", "y")


def _vowel(word: str, at: int) -> bool:
    return word[at] in VOWELS


def _mark_consonant_y(word: str) -> str:
    """A `y` at the start or after a vowel is a consonant: written `Y`."""
    letters = list(word)
    for at, letter in enumerate(letters):
        if letter == "y" and (at == 0 or letters[at - 1] in VOWELS):
            letters[at] = "Y"
    return "".join(letters)


def _regions(word: str) -> tuple[int, int]:
    """Where R1 and R2 start: after the first non-vowel that follows a vowel."""
    special = next((p for p in ("gener", "commun", "arsen") if word.startswith(p)), None)
    r1 = len(special) if special else _region_after(word, 0)
    return r1, _region_after(word, r1)


def _region_after(word: str, start: int) -> int:
    for at in range(start + 1, len(word)):
        if not _vowel(word, at) and _vowel(word, at - 1):
            return at + 1
    return len(word)


def _short_syllable_end(word: str) -> bool:
    """Whether `word` ends in a short syllable."""
    if len(word) == 2:
        return _vowel(word, 0) and not _vowel(word, 1)
    return (
        len(word) >= 3
        and not _vowel(word, -3)
        and _vowel(word, -2)
        and not _vowel(word, -1)
        and word[-1] not in "wxY"
    )


def _short(word: str) -> bool:
    return _short_syllable_end(word) and _regions(word)[0] >= len(word)


def _has_vowel(text: str) -> bool:
    return any(letter in VOWELS for letter in text)


def _step_0(word: str) -> str:
    for suffix in ("'s'", "'s", "'"):
        if word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def _step_1a(word: str) -> str:
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith(("ied", "ies")):
        return word[:-2] if len(word) > 4 else word[:-1]
    if word.endswith(("us", "ss")):
        return word
    if word.endswith("s") and _has_vowel(word[:-2]):
        return word[:-1]
    return word


def _step_1b(word: str, r1: int) -> str:
    for suffix in ("eedly", "eed"):
        if word.endswith(suffix):
            return word[: -len(suffix)] + "ee" if len(word) - len(suffix) >= r1 else word
    for suffix in ("ingly", "edly", "ing", "ed"):
        if word.endswith(suffix):
            stemmed = word[: -len(suffix)]
            return _after_1b(stemmed) if _has_vowel(stemmed) else word
    return word


def _after_1b(word: str) -> str:
    if word.endswith(("at", "bl", "iz")):
        return word + "e"
    if word.endswith(DOUBLES):
        return word[:-1]
    return word + "e" if _short(word) else word


def _step_1c(word: str) -> str:
    if len(word) > 2 and word[-1] in "yY" and not _vowel(word, -2):
        return word[:-1] + "i"
    return word


def _step_2(word: str, r1: int) -> str:
    for suffix, replacement in STEP_2:
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) < r1:
                return word
            if suffix == "ogi" and not base.endswith("l"):
                return word
            if suffix == "li" and (not base or base[-1] not in LI_ENDINGS):
                return word
            return base + replacement
    return word


def _step_3(word: str, r1: int, r2: int) -> str:
    for suffix, replacement in STEP_3:
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) < r1 or (suffix == "ative" and len(base) < r2):
                return word
            return base + replacement
    return word


def _step_4(word: str, r2: int) -> str:
    for suffix in STEP_4:
        if word.endswith(suffix):
            base = word[: -len(suffix)]
            if len(base) < r2 or (suffix == "ion" and not base.endswith(("s", "t"))):
                return word
            return base
    return word


def _step_5(word: str, r1: int, r2: int) -> str:
    if word.endswith("e"):
        base = word[:-1]
        if len(base) >= r2 or (len(base) >= r1 and not _short_syllable_end(base)):
            return base
    elif word.endswith("ll") and len(word) - 1 >= r2:
        return word[:-1]
    return word
