"""The load benchmark: many clients at once against one real server, a publish in the middle.

`plan` builds the store and the requests; `outcomes` sends one request and judges its
answer; `monitor` watches the server from its own process; `summary` counts and judges the
run against issue 10's targets; `markdown` renders it; `run` drives it; `options` is its
command line.
"""

from benchmarks.load.run import main

__all__ = ["main"]
