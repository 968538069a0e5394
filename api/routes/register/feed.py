"""`/catalog/register.{csv,xlsx,json}`: the provincial platform's register of the whole
catalogue (`catalog.register`, docs/register.md).

The body is a function of the current versions of the datasets: it is made once per state of
the catalogue and kept (one body per format), so that asking again costs a comparison, and
served with a strong ETag (304 on revalidation) and a minute's `Cache-Control`, since the
next publish may change it.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Request, Response

from api.caching import CURRENT_MAX_AGE
from api.deps import IndexDep
from api.openapi import (
    REFUSED,
    TAGGED,
    TEXT,
    Responses,
    bodies,
    example,
    problem_responses,
    responses,
)
from api.routes.documents import get_and_head, tagged
from catalog.register import (
    catalogue_register,
    data_units,
    register_csv,
    register_json,
    register_xlsx,
)
from catalog.store import OneAtATime, Package, Store

router = APIRouter(tags=["metadata"])

Extension = Literal["csv", "xlsx", "json"]
MEDIA_TYPES: dict[str, str] = {
    "csv": "text/csv; charset=utf-8; header=present",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json; charset=utf-8",
}
EPOCH = datetime(1980, 1, 1, tzinfo=UTC)
EXAMPLE_ENTRY = {
    "name": "最低工资标准（贵州及全国各省）",
    "code": "",
    "provider": "贵州省人力资源和社会保障厅",
    "provider_code": "",
    "format_types": ["电子表格", "电子表格", "自描述格式", "服务接口", "其他"],
    "format_subtypes": ["csv", "xlsx", "JSON", "OpenAPI", "Parquet"],
    "open_type": "无条件开放",
    "items": [{"table": "guizhou_standards", "name": "行政区划代码", "data_type": "字符型C"}],
    "notes": ["信息资源代码未声明", "提供方统一社会信用代码未声明", "共享属性未声明"],
    "undeclared": [
        "code",
        "classification",
        "provider_code",
        "sharing_type",
        "sharing_conditions",
        "sharing_method",
    ],
}
CACHED: Responses = {
    200: {
        "headers": {
            "ETag": {"description": "Strong validator of the register.", "schema": TEXT},
            "Cache-Control": {"description": f"`{CURRENT_MAX_AGE}`.", "schema": TEXT},
        }
    }
}


@get_and_head(
    router,
    "/catalog/register.{extension}",
    summary="The provincial register of the whole catalogue (政务信息资源目录)",
    description="Every published dataset as a 信息资源 with the elements of "
    "《政务信息资源目录编制指南（试行）》 and GB/T 21063.3, and its 信息项 (the fields of its "
    "tables). CSV and XLSX: one row per 信息项, the resource's columns repeated; JSON: one "
    "object per resource with `items` nested. Elements the steward has not declared are "
    "empty, said in `notes` (备注) and listed by key in `undeclared` (未声明元素).",
    response_class=Response,
    responses=responses(
        bodies(
            {
                "text/csv": "信息资源名称,信息资源代码,...\r\n",
                "application/json": {"resources": [EXAMPLE_ENTRY]},
                MEDIA_TYPES["xlsx"]: "",
            },
            {
                "application/json": {"type": "object"},
                MEDIA_TYPES["xlsx"]: {"type": "string", "format": "binary"},
            },
        ),
        CACHED,
        TAGGED,
        problem_responses(*REFUSED, 404),
    ),
)
def register(
    request: Request,
    extension: Annotated[Extension, Path(openapi_examples=example("csv"))],
    index: IndexDep,
) -> Response:
    bodies: RegisterBodies = request.app.state.register_bodies
    body = bodies.body(extension, list(index.packages().values()), index.store)
    headers = {"Cache-Control": CURRENT_MAX_AGE}
    if extension != "json":
        headers["Content-Disposition"] = f'attachment; filename="register.{extension}"'
    return tagged(request, body, MEDIA_TYPES[extension], headers)


class RegisterBodies:
    """The last body made per format, with the state of the catalogue it was made from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: dict[str, tuple[tuple[tuple[str, str, str], ...], bytes]] = {}
        # One build per format at a time: after a publish, thirty requests arriving together
        # wait for one build instead of making thirty (1.5 s each, every core busy).
        self._building = {extension: OneAtATime() for extension in MEDIA_TYPES}

    def body(self, extension: str, packages: list[Package], store: Store) -> bytes:
        state = tuple(sorted((p.name, p.version or "", p.published()) for p in packages))
        found = self._current(extension, state)
        if found is not None:
            return found
        return self._building[extension](lambda: self._build(extension, state, packages, store))

    def _build(
        self,
        extension: str,
        state: tuple[tuple[str, str, str], ...],
        packages: list[Package],
        store: Store,
    ) -> bytes:
        found = self._current(extension, state)  # made while this request waited
        if found is not None:
            return found
        made = _render(extension, packages, store)
        with self._lock:
            self._kept[extension] = (state, made)
        return made

    def _current(self, extension: str, state: tuple[tuple[str, str, str], ...]) -> bytes | None:
        with self._lock:
            found = self._kept.get(extension)
        return found[1] if found is not None and found[0] == state else None


def _render(extension: str, packages: list[Package], store: Store) -> bytes:
    # 计量单位 of the long tables' `value` columns is stated by their data, read per version.
    units = {p.name: data_units(store, p) for p in packages}
    entries = catalogue_register(packages, units)
    if extension == "csv":
        return register_csv(entries)
    if extension == "xlsx":
        moments = [m for m in (p.modified_at() for p in packages) if m is not None]
        return register_xlsx(entries, max(moments, default=EPOCH))
    document = {
        "standard": "《政务信息资源目录编制指南（试行）》; GB/T 21063.3-2007",
        "count": len(entries),
        "resources": register_json(entries),
    }
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
