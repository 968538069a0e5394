"""`schema`: the descriptor's JSON Schema, for editors and other tools to check against."""

from __future__ import annotations

import typer

from catalog.store import descriptor_schema_text


def schema() -> None:
    """Print the JSON Schema of datapackage.yaml (docs/datapackage.schema.json; the server
    serves it at /schemas/datapackage.json)."""
    # Plain output, not the rich console: it would wrap long lines and break the JSON.
    typer.echo(descriptor_schema_text(), nl=False)
