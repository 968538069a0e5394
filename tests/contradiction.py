"""A dataset whose source contradicts itself, from real figures.

China Statistical Yearbook 2009, table 22-42 (via ../shared/sources/
provincial_social_insurance_yearbook.csv): urban employee pension participants, 2008, in
万人. 北京 prints 757.2 participants but 577.0 contributing workers + 180.1 retirees = 757.1;
广东 prints 2444.3 but 2171.2 + 273.0 = 2444.2. 天津 and 河北 add up. The flags column starts
with flags a transcriber gave (`rounded`, `revised`), which a warning check must keep.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import descriptor, write_dataset

SLUG = "pension-contradiction"
SOURCE = "http://www.stats.gov.cn/tjsj/ndsj/2009/html/W2242e.htm"
FIGURES = [
    ("110000", "北京", "757.2", "577.0", "180.1"),
    ("120000", "天津", "376.5", "247.2", "129.3"),
    ("130000", "河北", "862.5", "639.8", "222.7"),
    ("440000", "广东", "2444.3", "2171.2", "273.0"),
]
ITEMS = ("participants", "contributing_workers", "retirees")
# The transcriber's own flags on some rows (the first column's row number in the file).
GIVEN_FLAGS = {("110000", "participants"): "rounded", ("120000", "participants"): "revised"}
# The rows of the participants (totals) that disagree with their parts: 北京, 广东.
CONTRADICTED_ROWS = [2, 11]
FLAG = "contradicted"

FIELDS = [
    {"name": "year", "type": "integer"},
    {"name": "region_code", "type": "string"},
    {"name": "region_name", "type": "string"},
    {"name": "indicator", "type": "string"},
    {"name": "value", "type": "number", "unit": "万人"},
    {"name": "flags", "type": "string"},
]


def csv_text() -> str:
    lines = ["year,region_code,region_name,indicator,value,flags"]
    for code, name, *values in FIGURES:
        for item, value in zip(ITEMS, values, strict=True):
            flags = GIVEN_FLAGS.get((code, item), "")
            lines.append(f"2008,{code},{name},{item},{value},{flags}")
    return "\n".join(lines) + "\n"


def check(severity: str | None = "warning", flag: str | None = FLAG) -> dict[str, Any]:
    """Participants = contributing workers + retirees, to the printed 0.1 (a half step)."""
    declared: dict[str, Any] = {
        "name": "participants-add-up",
        "type": "components",
        "resource": "pension",
        "value": "value",
        "key": "indicator",
        "total": "participants",
        "parts": ["contributing_workers", "retirees"],
        "match_on": ["year", "region_code"],
        "tolerance": 0.05,
    }
    if severity is not None:
        declared["severity"] = severity
    if flag is not None:
        declared["flag"] = flag
    return declared


def package(**check_options: Any) -> dict[str, Any]:
    resource = {
        "name": "pension",
        "path": "data/pension.csv",
        "format": "csv",
        "schema": {"fields": FIELDS, "primaryKey": ["year", "region_code", "indicator"]},
    }
    return descriptor(
        SLUG,
        [resource],
        sources=[{"title": "China Statistical Yearbook 2009, table 22-42", "path": SOURCE}],
        temporal={"start": "2008", "end": "2008"},
        checks=[check(**check_options)],
    )


def write_contradiction(root: Path, **check_options: Any) -> Path:
    """The dataset folder `root/SLUG`, its check declared with `check_options`."""
    return write_dataset(root, SLUG, {"pension.csv": csv_text()}, package(**check_options))
