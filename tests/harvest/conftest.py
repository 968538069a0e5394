"""The harvesters a cloud data platform runs, run unchanged against a real server of ours.

CKAN 2.12, ckanext-dcat and ckanext-harvest pin their own dependencies exactly, so they live in
a venv of their own (scripts/setup-harvest). Each script in peers/ runs there in a subprocess,
reads our server over HTTP as the harvester does, and prints what the harvester ended with as
JSON; the tests assert on those values.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
PEERS = Path(__file__).parent / "peers"

Harvest = Callable[..., Any]


def harvest_python() -> Path:
    """The harvesters' venv's python: HARVEST_VENV, or scripts/setup-harvest's .venv-harvest."""
    venv = Path(os.environ.get("HARVEST_VENV") or REPO / ".venv-harvest")
    python = venv / "bin" / "python"
    if not python.is_file():
        pytest.fail(f"no harvesters' venv at {venv}: run scripts/setup-harvest (scripts/test does)")
    return python


@pytest.fixture(scope="session")
def harvest(real_server: str) -> Harvest:
    """Run peers/<script>.py in the harvesters' venv against `real_server`; its JSON output."""
    python = harvest_python()

    def run(script: str, *args: str) -> Any:
        done = subprocess.run(
            [str(python), str(PEERS / f"{script}.py"), real_server, *args],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
            # The peers import nothing of ours: only the harvesters' own packages.
            env={**os.environ, "PYTHONPATH": ""},
        )
        assert done.returncode == 0, f"{script} {args} failed:\n{done.stderr[-4000:]}"
        return json.loads(done.stdout)

    return run
