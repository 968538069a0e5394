"""Settings are data: each one is described in code and listed in the README."""

from __future__ import annotations

from catalog.settings import Settings
from tests.conftest import REPO


def test_settings_every_field_has_a_description() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, name


def test_settings_every_field_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in Settings.model_fields:
        assert f"OPENDATA_{name.upper()}" in readme, name
