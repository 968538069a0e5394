"""How `opendata serve` stops: drained for a load balancer, then finished, then exit 0.

On SIGTERM (or SIGINT) `/readyz` answers 503 at once; the server keeps accepting for
`shutdown_drain_seconds` (0 by default) so that a load balancer polling `/readyz` stops
sending, then stops accepting; answers already running (a download read slowly) finish, for
at most `shutdown_grace_seconds`, and the process exits 0. A second signal stops accepting at
once; a third cuts the running answers off.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import FrameType

import uvicorn


class DrainingServer(uvicorn.Server):
    """uvicorn's server with a drain before it stops accepting, and a clean exit status."""

    def __init__(
        self, config: uvicorn.Config, on_signal: Callable[[], None], drain_seconds: float
    ) -> None:
        super().__init__(config)
        self.on_signal = on_signal
        self.drain_seconds = drain_seconds
        self.drain_until: float | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # Not uvicorn's: it raises the signal again once the server has stopped, so a
        # graceful stop would end with status 143 instead of 0.
        if self.drain_until is None:
            self.on_signal()
            self.drain_until = time.monotonic() + self.drain_seconds
            self.should_exit = self.drain_seconds == 0
        elif not self.should_exit:
            self.should_exit = True
        else:
            self.force_exit = True

    async def on_tick(self, counter: int) -> bool:
        if self.drain_until is not None and time.monotonic() >= self.drain_until:
            self.should_exit = True
        return await super().on_tick(counter)
