"""The object-storage store: the second implementation of `catalog.store.Store`.

`store` holds `S3Store` (the layout and the reads), `publishing` the commit by conditional
write and the local lock, `journal` CURRENT, HISTORY and WITHDRAWN, `pointers` what a
serving replica remembers of them per generation, `ranges` the files read in place by
byte ranges (the query engine's), `copies` the local copies of the files handed out whole
(downloads), `objects` the boto3 client, `location` the `s3://` location
and the settings from the environment. docs/s3.md says how to run it.
"""

from catalog.store.s3.location import S3Location, S3Options
from catalog.store.s3.store import S3Store

__all__ = ["S3Location", "S3Options", "S3Store"]
