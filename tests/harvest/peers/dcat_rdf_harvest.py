"""DCATRDFHarvester's gather stage against our catalogue, without its database.

dcat_rdf_harvest.py BASE_URL PATH PROFILES  →  {"pages": [...], "guids": [...], "errors": [...]}

The loop is gather_stage's: the harvester's own `_get_content_and_type` fetches each page
(HEAD, then a streamed GET, size-capped), ckanext-dcat's RDFParser parses it with the media
type the server answered, `parser.next_page()` follows hydra, and the harvester's `_get_guid`
names each dataset. What needs PostgreSQL (HarvestObject rows, `model.Package.get` of the
source, `_gen_new_name`) is left out; gather errors are collected instead of saved.
"""

import hashlib
import json
import sys
from types import SimpleNamespace

from ckan.common import config
from ckanext.dcat.harvesters.rdf import DCATRDFHarvester
from ckanext.dcat.processors import RDFParser


def gather(base: str, path: str, profiles: str) -> dict:
    config["ckan.locale_default"] = "zh_Hans_CN"
    harvester = DCATRDFHarvester()
    errors: list[str] = []
    harvester._save_gather_error = lambda message, job: errors.append(message)
    job = SimpleNamespace(source=SimpleNamespace(url=base + path, config=None))
    pages, guids, titles = [], [], {}
    next_page_url, last_hash = job.source.url, None
    while next_page_url:
        content, rdf_format = harvester._get_content_and_type(next_page_url, job, 1)
        if not content:
            break
        digest = hashlib.md5(content.encode("utf8")).digest()
        if digest == last_hash:
            break
        last_hash = last_hash or digest
        pages.append({"url": next_page_url, "format": rdf_format})
        parser = RDFParser(profiles=profiles.split(","))
        parser.parse(content, _format=rdf_format)
        for dataset in parser.datasets():
            guid = harvester._get_guid(dataset, source_url=base)
            guids.append(guid)
            titles[guid] = dataset.get("title")
        next_page_url = parser.next_page()
    return {"pages": pages, "guids": guids, "titles": titles, "errors": errors}


if __name__ == "__main__":
    json.dump(gather(*sys.argv[1:]), sys.stdout, ensure_ascii=False)
