"""ckanext-dcat's RDFParser on one of our DCAT documents, as DCATRDFHarvester parses it.

dcat_parse.py BASE_URL PATH PROFILES FORMAT [LOCALE]  →  the CKAN dataset dicts it produces

PROFILES is comma-separated (`euro_dcat_ap_2,euro_dcat_ap_scheming`); LOCALE is the CKAN
site's `ckan.locale_default` (`zh_Hans_CN` for a Chinese platform; CKAN's `en` without it).
"""

import json
import sys
import urllib.request

from ckan.common import config
from ckanext.dcat.processors import RDFParser


def main(base: str, path: str, profiles: str, rdf_format: str, locale: str = "") -> None:
    if locale:
        config["ckan.locale_default"] = locale
    with urllib.request.urlopen(base + path, timeout=120) as answer:
        document = answer.read().decode("utf-8")
    parser = RDFParser(profiles=profiles.split(","))
    parser.parse(document, _format=rdf_format)
    json.dump(list(parser.datasets()), sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main(*sys.argv[1:])
