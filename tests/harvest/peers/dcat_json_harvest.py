"""DCATJSONHarvester's gather stage against our data.json, without its database.

dcat_json_harvest.py BASE_URL PATH  →  {"pages": n, "guids": [...], "datasets": [...]}

The loop is gather_stage's: `_get_content_and_type(url, job, page)` fetches page 1 as the
source URL and then `?page=2`, … until a 404, an empty or a repeated page; the harvester's
`_get_guids_and_datasets` splits each page into datasets, and `_get_package_dict` (the
import stage's conversion, ckanext-dcat's `dcat_to_ckan`) turns each into a CKAN dict.
HarvestObject rows, which need PostgreSQL, are left out.
"""

import json
import sys
from types import SimpleNamespace

import requests
from ckanext.dcat.harvesters import DCATJSONHarvester


def gather(base: str, path: str) -> dict:
    harvester = DCATJSONHarvester()
    errors: list[str] = []
    harvester._save_gather_error = lambda message, job: errors.append(message)
    job = SimpleNamespace(source=SimpleNamespace(url=base + path, config=None))
    guids, datasets, previous, page = [], [], [], 1
    while True:
        try:
            content, _ = harvester._get_content_and_type(job.source.url, job, page)
        except requests.exceptions.HTTPError as error:
            if error.response.status_code == 404 and page > 1:
                break
            raise
        if not content:
            break
        batch = []
        for guid, as_string in harvester._get_guids_and_datasets(content):
            batch.append(guid)
            if guid not in previous:
                guids.append(guid)
                dataset, _ = harvester._get_package_dict(SimpleNamespace(content=as_string))
                datasets.append(dataset)
        if not batch or sorted(batch) == sorted(previous):
            break
        previous, page = batch, page + 1
    return {"pages": page, "guids": guids, "datasets": datasets, "errors": errors}


if __name__ == "__main__":
    json.dump(gather(*sys.argv[1:]), sys.stdout, ensure_ascii=False)
