"""Names a package exports but imports only when first asked for.

The server imports `validation` for a few light types (the report document, the layout
model, name checks) yet never validates: importing every reader, check and the DuckDB-backed
package validation up front cost it 41 modules and ~12 MB of resident memory. A package lists
where each exported name lives; its module `__getattr__` imports that home on first use and
keeps the value, so the next lookup is an ordinary attribute. Type checkers read the same
names from the package's `if TYPE_CHECKING:` imports.
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
from collections.abc import Mapping, Sequence
from importlib.machinery import ModuleSpec


def exported(package: str, homes: Mapping[str, str], name: str) -> object:
    """The value of `package.name`, imported from the module `homes[name]` and kept."""
    home = homes.get(name)
    if home is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value: object = getattr(importlib.import_module(home), name)
    setattr(sys.modules[package], name, value)
    return value


class Refusal(importlib.abc.MetaPathFinder):
    """Refuses the named modules (a package with all of its own) as if they were not
    installed, while it is on `sys.meta_path`: how a process keeps out what a library would
    import only to offer a conversion or a service the process never uses (pyarrow imports
    numpy, pandas on its first array built from Python values, and its S3 filesystem)."""

    def __init__(self, *packages: str) -> None:
        self.packages = frozenset(packages)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: object = None
    ) -> ModuleSpec | None:
        parts = fullname.split(".")
        if any(".".join(parts[:end]) in self.packages for end in range(1, len(parts) + 1)):
            raise ModuleNotFoundError(f"{fullname} is not loaded by this process", name=fullname)
        return None
