"""The replica benchmark: 1 and 2 workers behind nginx, over a folder store and an S3 store.

`stores` builds the catalogue into S3 (moto) and copies it into a folder; `balancer` starts
one configuration (replicas sharing a state database, nginx in front); `questions` holds the
two mixes and the check that every configuration answers alike; `drive` runs wrk and counts
every party's CPU; `results` and `markdown` report; `run` drives it and is its command line.
"""

from benchmarks.replicas.questions import disagreements
from benchmarks.replicas.run import main

__all__ = ["disagreements", "main"]
