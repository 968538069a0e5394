"""The local-folder store: the first implementation of `catalog.store.Store`.

`store` holds `FolderStore` (versions, documents, files, history, writing), `withdrawals`
the WITHDRAWN log, `layout` the folder's files and how they are written safely, `locks`
the per-dataset publish lock.
"""

from catalog.store.folder.layout import CURRENT, GENERATION, HISTORY, LOCK, WITHDRAWN
from catalog.store.folder.locks import adopt_lock, held_locks
from catalog.store.folder.store import FolderStore

__all__ = [
    "CURRENT",
    "GENERATION",
    "HISTORY",
    "LOCK",
    "WITHDRAWN",
    "FolderStore",
    "adopt_lock",
    "held_locks",
]
