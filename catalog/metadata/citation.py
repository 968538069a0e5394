"""Citation text of a published dataset: GB/T 7714—2015 and APA 7th edition.

GB/T 7714—2015 cites a data set as an online resource of type `DS`:
`主要责任者. 题名[DS/OL]. 版本. (更新或修改日期)[引用日期]. 获取和访问路径.` — place and
publisher may be left out for online resources, as the standard's own examples do.

APA 7 cites a data set as `Author. (Year). Title (Version v) [Data set]. Publisher. URL`,
the publisher left out when it is the author; a title not in English is followed by its
English translation in square brackets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any


@dataclass(frozen=True)
class Citation:
    gbt7714: str
    apa: str


def cite(descriptor: dict[str, Any], url: str, accessed: date, catalogue: str = "") -> Citation:
    """Both citations of `descriptor`, whose page is `url`, as read on `accessed`."""
    return Citation(gbt7714=gbt7714(descriptor, url, accessed), apa=apa(descriptor, url, catalogue))


def gbt7714(descriptor: dict[str, Any], url: str, accessed: date) -> str:
    organization = descriptor.get("organization") or {}
    author = str(organization.get("title") or organization.get("name") or "佚名")
    title = str(descriptor.get("title") or descriptor.get("name", ""))
    parts = [f"{_end(author)} {title}[DS/OL]."]
    version = str(descriptor.get("version") or "")
    if version:
        parts.append(f"版本 {version}.")
    modified = _day(descriptor.get("build", {}).get("published")) or _day(descriptor.get("issued"))
    stamp = f"({modified})" if modified else ""
    parts.append(f"{stamp}[{accessed.isoformat()}].")
    parts.append(f"{url}.")
    return " ".join(parts)


def apa(descriptor: dict[str, Any], url: str, catalogue: str = "") -> str:
    organization = descriptor.get("organization") or {}
    author = str(organization.get("title") or organization.get("name") or "Anonymous")
    year = (_day(descriptor.get("build", {}).get("published")) or "n.d.")[:4]
    title = str(descriptor.get("title") or descriptor.get("name", ""))
    english = str(descriptor.get("title_en") or "")
    if english and english != title:
        title = f"{title} [{english}]"
    version = str(descriptor.get("version") or "")
    described = f" (Version {version})" if version else ""
    publisher = f" {_end(catalogue)}" if catalogue and catalogue != author else ""
    return f"{_end(author)} ({year}). {title}{described} [Data set].{publisher} {url}"


def _end(text: str) -> str:
    """`text` closed by a full stop unless it already ends in punctuation."""
    text = text.strip()
    return text if text.endswith((".", "。", "?", "!")) else f"{text}."


def _day(value: Any) -> str:
    """The `YYYY-MM-DD` part of a date or timestamp text; empty when there is none."""
    text = str(value or "").strip()
    return text[:10] if len(text) >= 10 and text[4] == "-" and text[7] == "-" else ""
