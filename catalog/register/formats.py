"""信息资源格式 of the register: each form a dataset is offered in, as the type (格式分类) and
sub-type (格式类型) of 《政务信息资源目录编制指南（试行）》.

The guide's types, in its order: 电子文件 (OFD, wps, xml, txt, doc, docx, html, pdf, ppt …),
电子表格 (et, xls, xlsx …), 数据库 (Dbase, Access, Oracle, SQL Server, DB2, MySQL …), 图形图像,
流媒体, 自描述格式 (XML, JSON …), 服务接口 (OpenAPI …), 其他. Every table of every dataset is
offered in each catalogued download format (as DCAT lists them) and through the REST API:

- CSV → 电子表格/csv: the guide does not list CSV; a CSV file holds a table's rows and
  columns, the content of a spreadsheet, and spreadsheet programs (et, Excel) open it as one,
  whereas 电子文件 are documents (txt there is running text, not a table).
- XLSX → 电子表格/xlsx, as the guide lists it.
- JSON → 自描述格式/JSON, as the guide lists it.
- Parquet → 其他/Parquet: a columnar file, not a database (the guide's 数据库 names database
  systems a resource is held in and shared from, which a downloaded file is not), nor a
  spreadsheet or a self-describing text.
- the REST API `/api/v1` (described by OpenAPI at `/openapi.json`) → 服务接口/OpenAPI.
"""

from __future__ import annotations

from catalog.query import CATALOGUED

# The guide's format types in its order: the register lists a dataset's forms in this order.
TYPES = ("电子文件", "电子表格", "数据库", "图形图像", "流媒体", "自描述格式", "服务接口", "其他")
# Download format (its extension) → (type, sub-type), the sub-type written as the guide writes
# that type's examples (file extensions in lower case for 电子表格, names for the others).
DOWNLOAD_FORMATS: dict[str, tuple[str, str]] = {
    "csv": ("电子表格", "csv"),
    "xlsx": ("电子表格", "xlsx"),
    "json": ("自描述格式", "JSON"),
    "parquet": ("其他", "Parquet"),
}
SERVICE = ("服务接口", "OpenAPI")


def catalogue_formats() -> tuple[tuple[str, str], ...]:
    """(type, sub-type) of every form a dataset is offered in, in the guide's order of types;
    KeyError when a catalogued download format has no place in the guide's classification (a
    new format must be given one here, not left out)."""
    found = [DOWNLOAD_FORMATS[f.extension] for f in CATALOGUED] + [SERVICE]
    return tuple(sorted(found, key=lambda pair: TYPES.index(pair[0])))
