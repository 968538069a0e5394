"""What the footer statistics of a published Parquet file say about filters, per row group.

groups   GroupCounts: matching rows per row group, from the statistics where they
         decide the filters, counted by one scan of the other groups
rising   RisingColumns: the columns proved never to fall from row to row, whose range
         filters match a run of rows found by binary search
"""

from catalog.query.statistics.groups import Fetch, GroupCounts
from catalog.query.statistics.rising import RisingIndex, prove_rising

__all__ = ["Fetch", "GroupCounts", "RisingIndex", "prove_rising"]
