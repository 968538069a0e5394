"""The names a descriptor gives that become part of a path, a URL or a SQL view: one
definition, read by validation (`opendata validate`) and by the store (`catalog.store`).

Always used with `fullmatch`: `match` with `$` accepts a trailing newline. Neither pattern
admits a separator, a NUL, a newline or a name made of dots, so no name can leave the folder
it names something in; 100 characters keep every path well inside the file system's limits.
"""

from __future__ import annotations

import re

# A dataset's slug: its folder, its URLs, its CKAN name. Stable forever.
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")
# A resource's name: its file, its URL segment, part of its SQL view name.
RESOURCE_NAME = re.compile(r"[a-z0-9][a-z0-9_]{0,99}")


def is_slug(value: object) -> bool:
    return isinstance(value, str) and SLUG.fullmatch(value) is not None


def is_resource_name(value: object) -> bool:
    return isinstance(value, str) and RESOURCE_NAME.fullmatch(value) is not None
