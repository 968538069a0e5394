"""Settings as data: each field is an `OPENDATA_*` environment variable and a CLI option."""

from catalog.settings.perimeter import PerimeterSettings
from catalog.settings.service import Settings

__all__ = ["PerimeterSettings", "Settings"]
