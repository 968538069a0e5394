"""Flags a warning check gives its rows, written into the typed table's ``flags`` field."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa
import pyarrow.compute as pc

from validation.checks.domain import FLAGS_FIELD


def joined(existing: str | None, added: list[str]) -> str:
    """``existing`` (``;``-joined, as the source gave it) with ``added`` after it, each flag
    once, in a stable order: the source's flags first, then the checks' in their order."""
    flags = [flag for flag in (existing or "").split(";") if flag]
    for flag in added:
        if flag not in flags:
            flags.append(flag)
    return ";".join(flags)


def flag_rows(table: pa.Table, flags: Mapping[int, list[str]]) -> pa.Table:
    """``table`` (with its ``_row`` numbers) with ``flags`` appended to its rows' flags field.

    Only the flagged rows are touched; the column keeps its type and every other value.
    """
    if not flags:
        return table
    rows = table.column("_row").combine_chunks()
    mask = pc.is_in(rows, value_set=pa.array(sorted(flags), rows.type))
    column = table.column(FLAGS_FIELD).combine_chunks()
    # `replace_with_mask` fills the masked places in order: the filtered values are in it too.
    replacements = [
        joined(existing, flags[row])
        for row, existing in zip(
            [row for row in rows.filter(mask).to_pylist() if row is not None],
            column.filter(mask).to_pylist(),
            strict=True,
        )
    ]
    updated = pc.replace_with_mask(column, mask, pa.array(replacements, column.type))
    index = table.schema.get_field_index(FLAGS_FIELD)
    return table.set_column(index, table.schema.field(index), updated)
