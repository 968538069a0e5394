"""Text helpers of the pages: safe Markdown, highlighted words, snippets, sizes, links."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from html import escape
from typing import TYPE_CHECKING, Any

from catalog.store import is_safe_url

if TYPE_CHECKING:
    from markdown_it import MarkdownIt


def markdown_html(text: str) -> str:
    """Markdown as HTML with raw HTML escaped and unsafe link schemes refused."""
    return str(_markdown().render(text or ""))


@functools.cache
def _markdown() -> MarkdownIt:
    """The Markdown reader, made at the first page that renders a description: markdown-it
    (69 modules) is not in the memory of a server that has drawn no page."""
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})


def terms(q: str) -> list[str]:
    return [t for t in q.lower().split() if t]


def highlight(text: str, words: Iterable[str]) -> str:
    """`text` escaped, each case-insensitive occurrence of a word wrapped in `<mark>`."""
    words = sorted({w for w in words if w}, key=len, reverse=True)
    if not words:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(escape(text[last:]))
    return "".join(out)


def snippet(text: str, words: Iterable[str], width: int = 90) -> str:
    """About `width` characters of plain `text` around the first word found (or its start)."""
    plain = re.sub(r"[*_`#>\[\]]", "", text or "")
    plain = re.sub(r"\s+", " ", plain).strip()
    lowered = plain.lower()
    hits = [i for w in words if (i := lowered.find(w)) >= 0]
    start = max(0, min(hits) - width // 3) if hits else 0
    excerpt = plain[start : start + width]
    return ("…" if start else "") + excerpt + ("…" if start + width < len(plain) else "")


def safe_link(value: Any) -> str:
    """`value` if a page may link to it (http(s) or mailto), else "" (shown as plain text).

    Checked again at render time: data published before links were checked on the way in
    may hold `javascript:` or `data:` URLs.
    """
    return str(value) if is_safe_url(value) else ""


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    value = float(size)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} B"
