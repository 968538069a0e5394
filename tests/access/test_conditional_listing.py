"""A conditional dataset is listed on every catalogue surface, its metadata, conditions and
data dictionary public; DCAT and data.json give no URL that downloads it."""

from __future__ import annotations

import pytest
from rdflib import RDFS, Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS

from tests.access.conftest import CONDITIONS, CONDITIONS_EN, SECRET, Site, has_secret

pytestmark = pytest.mark.slow

RESTRICTED = URIRef("http://publications.europa.eu/resource/authority/access-right/RESTRICTED")


def test_the_web_list_and_page_show_it_with_its_conditions_and_dictionary(site: Site) -> None:
    with site.client() as client:
        listed = client.get("/dataset")
        page = client.get(f"/dataset/{SECRET}")
        english = client.get(f"/dataset/{SECRET}", params={"lang": "en"})
    assert f"/dataset/{SECRET}" in listed.text
    assert "有条件开放" in page.text and CONDITIONS in page.text
    assert "avg_wage" in page.text  # the data dictionary
    assert CONDITIONS_EN in english.text
    assert not has_secret(page.text + english.text)


def test_ckan_lists_searches_and_shows_it_with_its_conditions(site: Site) -> None:
    with site.client() as client:
        names = client.get("/api/3/action/package_list").json()["result"]
        found = client.get("/api/3/action/package_search", params={"q": "name:secret-wages"})
        shown = client.get("/api/3/action/package_show", params={"id": SECRET}).json()
        info = client.post(
            "/api/3/action/datastore_info",
            json={"id": shown["result"]["resources"][0]["id"]},
        ).json()
    assert SECRET in names
    assert found.json()["result"]["count"] == 1
    extras = {e["key"]: e["value"] for e in shown["result"]["extras"]}
    assert extras["access_level"] == "conditional"
    assert extras["access_conditions"] == CONDITIONS
    assert extras["access_conditions_en"] == CONDITIONS_EN
    assert [f["id"] for f in info["result"]["fields"]][:2] == ["region_code", "year"]
    assert not has_secret(str(shown) + str(info))


def test_dcat_marks_it_restricted_with_the_conditions_and_no_download_url(site: Site) -> None:
    with site.client() as client:
        text = client.get(f"/dataset/{SECRET}.ttl").text
        catalogue = client.get("/catalog.ttl").text
    graph = Graph().parse(data=text, format="turtle")
    dataset = URIRef(f"{site.url}/dataset/{SECRET}")
    assert (dataset, DCTERMS.accessRights, RESTRICTED) in graph
    distributions = list(graph.objects(dataset, DCAT.distribution))
    assert distributions
    for distribution in distributions:
        assert list(graph.objects(distribution, DCAT.downloadURL)) == []
        assert list(graph.objects(distribution, DCAT.accessURL)) == [dataset]
        rights = next(graph.objects(distribution, DCTERMS.rights))
        labels = {str(label) for label in graph.objects(rights, RDFS.label)}
        assert labels == {CONDITIONS, CONDITIONS_EN}
    assert f"/dataset/{SECRET}" in catalogue
    assert f"/api/v1/datasets/{SECRET}/resources/wages.csv" not in catalogue


def test_data_json_gives_the_page_as_access_url_and_the_conditions_as_rights(site: Site) -> None:
    with site.client() as client:
        document = client.get("/data.json").json()
    entry = next(d for d in document["dataset"] if d["identifier"].endswith(f"/{SECRET}"))
    assert entry["accessLevel"] == "restricted public"
    assert CONDITIONS in entry["rights"] and len(entry["rights"]) <= 255
    for distribution in entry["distribution"]:
        assert "downloadURL" not in distribution
        assert distribution["accessURL"].endswith(f"/dataset/{SECRET}")


def test_the_register_and_the_sitemap_list_it(site: Site) -> None:
    with site.client() as client:
        register = client.get("/catalog/register.json").json()
        sitemap = client.get("/sitemap.xml").text
        parts = [client.get(url).text for url in _sitemap_parts(sitemap)]
    entry = next(r for r in register["resources"] if SECRET in str(r))
    assert entry["open_type"] == "有条件开放" and entry["open_conditions"] == CONDITIONS
    assert any(f"/dataset/{SECRET}<" in part for part in [sitemap, *parts])


def _sitemap_parts(index: str) -> list[str]:
    return [
        line.split("<loc>")[1].split("</loc>")[0].split("127.0.0.1", 1)[1].split("/", 1)[1]
        for line in index.splitlines()
        if "<loc>" in line and "sitemap-" in line
    ]
