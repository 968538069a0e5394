"""Flags read from the transcriber's notes and the source kinds (see datasets/README.md)."""

from __future__ import annotations

from collections.abc import Iterable

# note fragment (case-sensitive) -> flag; the source notes are the transcriber's annotations.
NOTE_FLAGS: list[tuple[str, str]] = [
    ("revised figure", "revised"),
    ("AS PRINTED", "as_printed_typo"),
    ("likely translation typo", "suspected_typo"),
    ("rounded", "rounded"),
    ("unit error on page", "unit_error_on_page"),
    ("English translation", "translation"),
    ("Korean-language", "translation"),
    ("preliminary", "preliminary"),
    ("scope may differ", "scope_uncertain"),
    ("cutoff probably", "scope_uncertain"),
    ("exact reference date not stated", "scope_uncertain"),
    ("not population", "scope_uncertain"),
    ("DISAGREES", "conflict_noted"),
    ("CONFLICT", "conflict_noted"),
    ("machine-paraphrased", "garbled"),
    ("value garbled", "garbled"),
    ("not in stored excerpt", "partial_table"),
    ("cut off in stored excerpt", "partial_table"),
    ("only top-3", "partial_table"),
    ("sample counts", "unscaled_sample"),
    ("duplicate of stats.gov.cn", "mirror"),
    ("'Ganxu' typo", "label_typo"),
    ("digits concatenated", "digits_split"),
    ("region label missing", "region_inferred"),
    ("date not stated", "undated"),
    ("first tier only", "partial_table"),
    ("middle tier is missing", "partial_table"),
]
# source-kind fragment -> flag
KIND_FLAGS: list[tuple[str, str]] = [
    ("_english", "translation"),
    ("_korean", "translation"),
    ("news_english", "translation"),
    ("_garbled", "garbled"),
]


def flags_from(note: str, kinds: Iterable[str]) -> set[str]:
    """The flags a row's note and its source kinds imply."""
    flags = {flag for fragment, flag in NOTE_FLAGS if fragment in note}
    for kind in kinds:
        flags |= {flag for fragment, flag in KIND_FLAGS if fragment in kind}
    return flags
