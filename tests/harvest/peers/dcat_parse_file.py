"""ckanext-dcat's RDFParser on a DCAT document saved to a file (what an action returned).

dcat_parse_file.py BASE_URL FILE PROFILES FORMAT [LOCALE]  →  the CKAN dataset dicts it produces

BASE_URL is unused (every peer is given it first); PROFILES and LOCALE as in dcat_parse.py.
"""

import json
import sys
from pathlib import Path

from ckan.common import config
from ckanext.dcat.processors import RDFParser


def main(_base: str, path: str, profiles: str, rdf_format: str, locale: str = "") -> None:
    if locale:
        config["ckan.locale_default"] = locale
    document = Path(path).read_text(encoding="utf-8")
    parser = RDFParser(profiles=profiles.split(","))
    parser.parse(document, _format=rdf_format)
    json.dump(list(parser.datasets()), sys.stdout, ensure_ascii=False, default=str)


if __name__ == "__main__":
    main(*sys.argv[1:])
