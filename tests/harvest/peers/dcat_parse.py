"""ckanext-dcat's RDFParser on one of our DCAT documents, as DCATRDFHarvester parses it.

dcat_parse.py BASE_URL PATH PROFILE FORMAT  →  the CKAN dataset dicts it produces, as JSON
"""

import json
import sys
import urllib.request

from ckanext.dcat.processors import RDFParser


def main(base: str, path: str, profile: str, rdf_format: str) -> None:
    with urllib.request.urlopen(base + path, timeout=120) as answer:
        document = answer.read().decode("utf-8")
    parser = RDFParser(profiles=[profile])
    parser.parse(document, _format=rdf_format)
    json.dump(list(parser.datasets()), sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main(*sys.argv[1:])
