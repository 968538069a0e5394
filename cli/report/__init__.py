"""`report --year YYYY`: the platform's own figures of a year, printed, and published.

figures   the rows: datasets (store history), use (usage_daily), requests (the register)
labels    the report's words, Chinese as the disclosure report prints them, and English
render    text in the report's shape, CSV, JSON
dataset   the figures as the dataset `platform-usage-YYYY`
command   the command: print, and with `--publish` publish

A package of its own because the figures join the store and the state database, which know
nothing of each other; the command line is the layer above both.
"""

from cli.report.command import report

__all__ = ["report"]
