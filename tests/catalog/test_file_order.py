"""An unsorted export streams a scan in the file's order, checked as it comes (`in_file_order`).

DuckDB keeps a scan's order itself; the check stands between a change of that and a download
that would deliver rows misplaced. The batches here are made by hand to break the order.
"""

from __future__ import annotations

import pyarrow as pa
import pytest

from catalog.errors import QueryFailed
from catalog.query import in_file_order


def batch(places: list[int]) -> pa.RecordBatch:
    return pa.record_batch({"v": [str(p) for p in places], "place": pa.array(places, pa.int64())})


def test_rising_places_pass_with_or_without_their_column() -> None:
    stream = [batch([0, 1, 2]), batch([]), batch([5]), batch([9, 40])]
    kept = list(in_file_order(iter(stream), keep=True))
    assert kept == stream
    dropped = list(in_file_order(iter(stream), keep=False))
    assert [b.schema.names for b in dropped] == [["v"]] * 4
    assert [v for b in dropped for v in b.column(0).to_pylist()] == ["0", "1", "2", "5", "9", "40"]


@pytest.mark.parametrize(
    "stream",
    [
        [batch([0, 1, 2]), batch([1, 3])],  # a batch that starts before the last one ended
        [batch([0, 1, 2]), batch([2, 3])],  # a row twice
        [batch([0, 2, 1])],  # a fall inside a batch
        [batch([4, 5]), batch([]), batch([0])],  # after an empty batch
    ],
)
def test_a_place_out_of_order_stops_the_export(stream: list[pa.RecordBatch]) -> None:
    read: list[pa.RecordBatch] = []
    with pytest.raises(QueryFailed, match="out of the file's order"):
        for found in in_file_order(iter(stream), keep=False):
            read.append(found)
    # What came before the misplaced batch went out; the misplaced one never does.
    assert len(read) == len(stream) - 1
