"""ckanext-dcat's `dcat_dataset_show` called with the `ckanapi` command line, its result parsed
by ckanext-dcat 2.4's own RDFParser: a harvester ends with package_show's values."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.harvest.conftest import Harvest
from tests.harvest.test_dcat_values import LOCALE, assert_dataset, ckan_packages, region_names

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# `format` as given to the action (none: RDF/XML, ckanext-dcat's default) → rdflib's parser.
FORMATS = {"": "xml", "ttl": "turtle", "jsonld": "json-ld", "n3": "n3"}


def ckanapi_action(server: str, action: str, *arguments: str) -> object:
    """`ckanapi action ACTION KEY=VALUE ... -r SERVER`: its printed result."""
    done = subprocess.run(
        [str(BIN / "ckanapi"), "action", action, *arguments, "-r", server],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(done.stdout)


@pytest.mark.parametrize("rdf_format", list(FORMATS))
@pytest.mark.parametrize("profiles", ["euro_dcat_ap_2", "euro_dcat_ap_3"])
def test_dcat_dataset_show_by_ckanapi_parses_to_package_shows_values(
    harvest: Harvest, real_server: str, tmp_path: Path, rdf_format: str, profiles: str
) -> None:
    name = "national-hrss-bulletin"
    arguments = [f"id={name}", f"profiles={profiles}"]
    if rdf_format:
        arguments.append(f"format={rdf_format}")
    document = ckanapi_action(real_server, "dcat_dataset_show", *arguments)
    assert isinstance(document, str)
    saved = tmp_path / "dataset.rdf"
    saved.write_text(document, encoding="utf-8")
    (parsed,) = harvest("dcat_parse_file", str(saved), profiles, FORMATS[rdf_format], LOCALE)
    assert_dataset(parsed, ckan_packages(real_server)[name], region_names(real_server))
