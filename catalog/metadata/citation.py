"""Citation text of a published dataset: GB/T 7714—2015 and APA 7th edition.

GB/T 7714—2015 cites a data set as an online resource of type `DS`:
`主要责任者. 题名[DS/OL]. 版本. (更新或修改日期)[引用日期]. 获取和访问路径.` — place and
publisher may be left out for online resources, as the standard's own examples do.

APA 7 cites a data set as `Author. (Year). Title (Version v) [Data set]. Publisher. URL`,
the publisher left out when it is the author; a title not in English is followed by its
English translation in square brackets.

A series (one indicator in one region, compiled across datasets) is cited as a data set of the
catalogue, with the date it was read (it changes as datasets are republished), and names every
dataset it was read from with that dataset's version; each of those has its own citation too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from catalog.store import Package


@dataclass(frozen=True)
class Citation:
    gbt7714: str
    apa: str


def cite(package: Package, url: str, accessed: date, catalogue: str = "") -> Citation:
    """Both citations of `package`, whose page is `url`, as read on `accessed`."""
    return Citation(gbt7714=gbt7714(package, url, accessed), apa=apa(package, url, catalogue))


# APA dates name the month in English whatever the server's locale.
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


@dataclass(frozen=True)
class SeriesCited:
    """What a series citation names: the series (zh and en), its page and its datasets."""

    title_zh: str
    title_en: str
    url: str
    datasets: list[Package]  # each dataset read, at the version read


def cite_series(cited: SeriesCited, accessed: date, publisher: str, publisher_en: str) -> Citation:
    """Both citations of a series read on `accessed` from the catalogue of `publisher`; APA
    dates it by the latest publish time of the versions read, as a dataset is dated."""
    published = [day for p in cited.datasets if (day := _day(p.modified()))]
    year = max(published)[:4] if published else "n.d."
    zh = "；".join(f"{p.title or p.name}，版本 {p.version}" for p in cited.datasets)
    en = "; ".join(
        f"{p.title_en or p.title or p.name} (Version {p.version})" for p in cited.datasets
    )
    author = publisher or "佚名"
    read = accessed.isoformat()
    read_from = f" 数据集：{zh}." if zh else ""
    gbt = f"{_end(author)} {cited.title_zh}[DS/OL].{read_from} [{read}]. {cited.url}."
    day = f"{MONTHS[accessed.month - 1]} {accessed.day}, {accessed.year}"
    apa = (
        f"{_end(publisher_en or publisher or 'Anonymous')} ({year}). {cited.title_en}"
        f" [Data set{f'; compiled from {en}' if en else ''}]. Retrieved {day}, from {cited.url}"
    )
    return Citation(gbt7714=gbt, apa=apa)


def gbt7714(package: Package, url: str, accessed: date) -> str:
    title = package.title or package.name
    parts = [f"{_end(_author(package, '佚名'))} {title}[DS/OL]."]
    if package.version:
        parts.append(f"版本 {package.version}.")
    modified = _day(package.modified())
    stamp = f"({modified})" if modified else ""
    parts.append(f"{stamp}[{accessed.isoformat()}].")
    parts.append(f"{url}.")
    return " ".join(parts)


def apa(package: Package, url: str, catalogue: str = "") -> str:
    author = _author(package, "Anonymous")
    year = (_day(package.modified()) or "n.d.")[:4]
    title = package.title or package.name
    if package.title_en and package.title_en != title:
        title = f"{title} [{package.title_en}]"
    described = f" (Version {package.version})" if package.version else ""
    publisher = f" {_end(catalogue)}" if catalogue and catalogue != author else ""
    return f"{_end(author)} ({year}). {title}{described} [Data set].{publisher} {url}"


def _author(package: Package, anonymous: str) -> str:
    organization = package.organization
    return (organization and (organization.title or organization.name)) or anonymous


def _end(text: str) -> str:
    """`text` closed by a full stop unless it already ends in punctuation."""
    text = text.strip()
    return text if text.endswith((".", "。", "?", "!")) else f"{text}."


def _day(text: str) -> str:
    """The `YYYY-MM-DD` part of a date or timestamp text; empty when there is none."""
    text = text.strip()
    return text[:10] if len(text) >= 10 and text[4] == "-" and text[7] == "-" else ""
