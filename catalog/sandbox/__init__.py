"""User SQL run in worker processes capped in memory, over views of the current files only."""

from catalog.sandbox.messages import explain
from catalog.sandbox.pool import RETRY_AFTER, Sandbox
from catalog.sandbox.protocol import id_view
from catalog.sandbox.rules import ViewWithheld

__all__ = [
    "RETRY_AFTER",
    "Sandbox",
    "ViewWithheld",
    "explain",
    "id_view",
]
