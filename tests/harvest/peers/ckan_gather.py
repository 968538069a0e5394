"""CKANHarvester's gather stage, unchanged, on a harvest source with the given config.

ckan_gather.py BASE_URL CONFIG_JSON [LAST_JOB_STARTED]  →  {"fq": […], "names": […]} as JSON

gather_stage builds its `fq` from the config (`organizations_filter_include`, …) and pages
package_search with `_search_for_datasets`; with LAST_JOB_STARTED (ISO time of a previous
error-free job) it asks only for what changed since, as on a second run. The two calls that
need CKAN's database — the last error-free job and saving each HarvestObject — are stood in
for; what the harvester would store is each saved object's package dict.
"""

import datetime
import json
import sys
import types

from ckanext.harvest.harvesters import ckanharvester
from ckanext.harvest.harvesters.ckanharvester import CKANHarvester

SAVED = []


class HarvestObject:
    """Stands in for the model: records what gather_stage saves."""

    def __init__(self, guid, job, content):
        self.id = guid
        self.content = content

    def save(self):
        SAVED.append(json.loads(self.content))


def main(base: str, config: str, last_started: str = "") -> None:
    ckanharvester.HarvestObject = HarvestObject
    harvester = CKANHarvester()
    previous = None
    if last_started:
        previous = types.SimpleNamespace(
            gather_started=datetime.datetime.fromisoformat(last_started)
        )
    harvester.last_error_free_job = lambda job: previous
    errors, searched = [], []
    harvester._save_gather_error = lambda message, job: errors.append(message)
    search = harvester._search_for_datasets

    def recorded(url, fq_terms=None):
        searched.append(list(fq_terms or []))
        return search(url, fq_terms)

    harvester._search_for_datasets = recorded
    job = types.SimpleNamespace(source=types.SimpleNamespace(url=base + "/", config=config))
    ids = harvester.gather_stage(job)
    names = [package["name"] for package in SAVED]
    result = {"ids": ids, "names": names, "fq": searched, "errors": errors}
    json.dump(result, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(*sys.argv[1:])
