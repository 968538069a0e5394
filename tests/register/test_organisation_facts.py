"""An organisation's facts are one thing per organisation (issue 14, fix14c): stated by one of
its datasets (synthetic), they are every dataset's in package_show, organization_show, DCAT
and the register; two datasets stating them differently cannot be published."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import rdflib
import yaml
from rdflib.namespace import DCTERMS

from catalog.errors import DescriptorError
from catalog.store import FolderStore, Publisher, credit_check_character
from tests.conftest import write_regions, write_wages
from tests.harvest.conftest import PEERS, harvest_python
from tests.servers import serving

BODY = "12520000MB7654321"  # synthetic: a 机构编制 unit in Guizhou
CREDIT_CODE = BODY + credit_check_character(BODY)
OTHER_BODY = "12520000MB1111111"
OTHER_CODE = OTHER_BODY + credit_check_character(OTHER_BODY)


def state(folder: Path, issued: str | None = None, **facts: str) -> None:
    """The dataset in `folder` states these facts of its organisation (and its `issued`)."""
    path = folder / "datapackage.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    document["organization"].update(facts)
    document["issued"] = issued or document["issued"]
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """regions-test states nothing; wages-test, issued two months later, the code."""
    folder = tmp_path_factory.mktemp("organisation")
    datasets, root = folder / "datasets", folder / "store"
    write_regions(datasets)
    state(write_wages(datasets), "2026-03-01", credit_code=CREDIT_CODE)
    publisher = Publisher(FolderStore(root), datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        publisher.build(source)
    assert publisher.broken == {}
    with serving(root) as running:
        yield running.url


def action(server: str, name: str, **data: Any) -> Any:
    answer = httpx.post(f"{server}/api/3/action/{name}", json=data, timeout=30)
    assert answer.status_code == 200, answer.text
    return answer.json()["result"]


def extras(package: dict[str, Any]) -> dict[str, str]:
    return {extra["key"]: extra["value"] for extra in package["extras"]}


def test_a_fact_one_dataset_states_is_every_datasets(server: str) -> None:
    for slug in ("regions-test", "wages-test"):
        assert extras(action(server, "package_show", id=slug))["publisher_credit_code"] == (
            CREDIT_CODE
        )
    resources = httpx.get(f"{server}/catalog/register.json", timeout=30).json()["resources"]
    assert {r["dataset"]: r["provider_code"] for r in resources} == {
        "regions-test": CREDIT_CODE,
        "wages-test": CREDIT_CODE,
    }
    assert all("credit_code" not in r["undeclared"] for r in resources)


def test_the_dcat_publisher_of_each_dataset_says_what_the_catalogue_says(server: str) -> None:
    for path in ("/dataset/regions-test.ttl", "/catalog.ttl"):
        graph = rdflib.Graph().parse(data=httpx.get(server + path, timeout=30).text, format="ttl")
        publisher = rdflib.URIRef(f"{server}/organization/test-org")
        assert set(graph.objects(publisher, DCTERMS.identifier)) == {rdflib.Literal(CREDIT_CODE)}
    jsonld = httpx.get(f"{server}/api/v1/datasets/regions-test/schemaorg", timeout=30).json()
    assert CREDIT_CODE in str(jsonld)


def test_ckanext_dcat_reads_the_same_publisher_from_every_document(server: str) -> None:
    """ckanext-dcat's RDFParser (DCAT-AP 2, harvest venv): every dataset of the catalogue
    feed and of its own document has the organisation's code (issue 14: only one had)."""
    for path in ("/catalog.ttl?rows=200", "/dataset/regions-test.ttl", "/dataset/wages-test.ttl"):
        asked = [server, path, "euro_dcat_ap_2", "turtle", "zh_Hans_CN"]
        done = subprocess.run(
            [str(harvest_python()), str(PEERS / "dcat_parse.py"), *asked],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
            env={**os.environ, "PYTHONPATH": ""},
        )
        assert done.returncode == 0, done.stderr[-4000:]
        parsed = json.loads(done.stdout)
        codes = {d["title"]: extras(d).get("publisher_identifier") for d in parsed}
        assert codes and set(codes.values()) == {CREDIT_CODE}, (path, codes)


def test_package_show_dates_the_organization_as_organization_show(server: str) -> None:
    shown = action(server, "organization_show", id="test-org")
    wages = action(server, "package_show", id="wages-test")
    regions = action(server, "package_show", id="regions-test")
    assert wages["metadata_created"] > regions["metadata_created"]
    assert wages["organization"]["created"] == shown["created"] == regions["metadata_created"]
    assert wages["organization"] == regions["organization"]


@pytest.mark.parametrize(
    ("fact", "regions_value", "wages_value"),
    [
        ("credit_code", CREDIT_CODE, OTHER_CODE),
        ("title", "测试单位", "另一个单位"),
        ("title_en", "Test unit", "Another unit"),
    ],
)
def test_two_datasets_stating_an_organisation_differently_is_refused(
    tmp_path: Path, fact: str, regions_value: str, wages_value: str
) -> None:
    datasets = tmp_path / "datasets"
    state(write_regions(datasets), **{fact: regions_value})
    state(write_wages(datasets), **{fact: wages_value})
    publisher = Publisher(FolderStore(tmp_path / "store"), datasets)
    for source in publisher.sources().values():
        with pytest.raises(DescriptorError) as refused:
            publisher.build(source)
        message = str(refused.value)
        assert f"`organization.{fact}`" in message
        assert "'regions-test'" in message and "'wages-test'" in message
        assert repr(regions_value) in message and repr(wages_value) in message
    assert FolderStore(tmp_path / "store").slugs() == []


def test_the_same_facts_stated_twice_or_once_are_accepted(tmp_path: Path) -> None:
    datasets = tmp_path / "datasets"
    state(write_regions(datasets), credit_code=CREDIT_CODE)
    state(write_wages(datasets), credit_code=CREDIT_CODE, title="测试单位")
    publisher = Publisher(FolderStore(tmp_path / "store"), datasets)
    for source in publisher.plan(list(publisher.sources().values())):
        assert publisher.build(source).created
