"""What the footer statistics of a published Parquet file say about filters, per row group.

groups   GroupCounts: matching rows per row group, from the statistics where they
         decide the filters, counted by one scan of the other groups
"""

from catalog.query.statistics.groups import Fetch, GroupCounts

__all__ = ["Fetch", "GroupCounts"]
