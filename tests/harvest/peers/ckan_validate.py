"""CKAN's own package create schema on each dataset as package_search gives it: what
CKANHarvester's import stage (`HarvesterBase._create_or_update_package`) validates.

ckan_validate.py BASE_URL  →  {name: {"errors": …, "tags": […], "license_id": …}} as JSON

The validators that look in CKAN's database (the owner organization, whether the name or id is
taken, authorisation) have no database here and are passed over; every other one runs as CKAN
runs it.
"""

import json
import sys
import urllib.request

from ckan.lib.navl.dictization_functions import Invalid, validate
from ckan.lib.navl.validators import ignore, ignore_missing, unicode_safe
from ckan.logic.schema import default_create_package_schema
from ckan.logic.validators import tag_length_validator, tag_name_validator

NEEDS_DATABASE = {
    "owner_org_validator",
    "package_id_does_not_exist",
    "package_name_validator",
    "resource_id_does_not_exist",
    "vocabulary_id_exists",
    "ignore_not_package_admin",
    "ignore_not_sysadmin",
    "empty_if_not_sysadmin",
    "datasets_with_no_organization_cannot_be_private",
}


def passed_over(value, context):
    return value


def without_database(schema):
    for key, value in schema.items():
        if isinstance(value, dict):
            without_database(value)
        else:
            schema[key] = [
                passed_over if getattr(v, "__name__", "") in NEEDS_DATABASE else v for v in value
            ]
    return schema


def harvester_schema():
    schema = default_create_package_schema()
    schema["id"] = [ignore_missing, unicode_safe]  # as _create_or_update_package sets them
    schema["__junk"] = [ignore]
    return without_database(schema)


def main(base: str) -> None:
    url = base + "/api/3/action/package_search?rows=1000"
    with urllib.request.urlopen(url, timeout=120) as answer:
        packages = json.load(answer)["result"]["results"]
    context = {"model": None, "session": None, "user": "harvest", "ignore_auth": True}
    found = {}
    for package in packages:
        data, errors = validate(package, harvester_schema(), dict(context))
        tags = [tag["name"] for tag in data.get("tags", [])]
        # The two tag validators once more, one tag at a time: their own verdict on each.
        refused = []
        for tag in tags:
            try:
                tag_name_validator(tag_length_validator(tag, {}), {})
            except Invalid as exc:
                refused.append(f"{tag}: {exc}")
        found[package["name"]] = {
            "errors": errors,
            "refused_tags": refused,
            "tags": tags,
            "license_id": data.get("license_id"),
            "version": data.get("version"),
            "resource_formats": [r.get("format") for r in data.get("resources", [])],
        }
    json.dump(found, sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main(*sys.argv[1:])
