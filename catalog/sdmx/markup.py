"""What every SDMX-ML 2.1 message shares: namespaces, the header, names, references, URNs.

Written with the standard library's ElementTree (lxml is no dependency of the service). Text
and attribute values are escaped by it; nothing a caller sent is written into a message but
identifiers that matched SDMX's `IDType`, and the values an error message echoes, which
`xml_safe` rids of the characters XML 1.0 forbids (ElementTree writes them raw). A message
is a function of what it is made of: its header's `ID` and `Prepared` come from its ETag and
the publish time of what it reads, so an equal ETag means equal bytes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from xml.etree import ElementTree as ET

MES = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/message"
STR = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/structure"
COM = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/common"
GEN = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/generic"
SS = "http://www.sdmx.org/resources/sdmxml/schemas/v2_1/data/structurespecific"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PREFIXES = {"mes": MES, "str": STR, "com": COM, "gen": GEN, "ss": SS, "xsi": XSI}
for _prefix, _uri in PREFIXES.items():
    ET.register_namespace(_prefix, _uri)

# What XML 1.0's `Char` production leaves out.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# The SDMX information model's packages and classes, as URNs and references name them.
CLASSES = {
    "Dataflow": ("datastructure", "Dataflow"),
    "DataStructure": ("datastructure", "DataStructure"),
    "Codelist": ("codelist", "Codelist"),
    "ConceptScheme": ("conceptscheme", "ConceptScheme"),
    "Concept": ("conceptscheme", "Concept"),
    "Code": ("codelist", "Code"),
}


def q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def sub(parent: ET.Element, namespace: str, name: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, q(namespace, name), attributes)


def urn(kind: str, agency: str, identifier: str, version: str, item: str = "") -> str:
    package, cls = CLASSES[kind]
    tail = f".{item}" if item else ""
    return f"urn:sdmx:org.sdmx.infomodel.{package}.{cls}={agency}:{identifier}({version}){tail}"


def names(parent: ET.Element, zh: str, en: str, element: str = "Name") -> None:
    """`com:Name` (or `com:Description`) in Chinese and English, one when both are alike."""
    for lang, text in (("zh", zh), ("en", en)):
        if text and (lang == "zh" or text != zh):
            sub(parent, COM, element).text = text
            parent[-1].set(XML_LANG, lang)


def ref(parent: ET.Element, **attributes: str) -> ET.Element:
    """A `Ref`: SDMX-ML 2.1 declares it unqualified, in no namespace."""
    return ET.SubElement(parent, "Ref", attributes)


@dataclass(frozen=True)
class Made:
    """What a message's header says of it: an id (from its ETag) and when it was prepared
    (the latest publish of what it reads)."""

    tag: str
    prepared: datetime


def message(
    kind: str, sender: str, made: Made, *, structures: list[ET.Element] | None = None
) -> ET.Element:
    """The root of a `kind` message (Structure, GenericData, ...) with its header."""
    root = ET.Element(q(MES, kind))
    header = sub(root, MES, "Header")
    digits = "".join(c for c in made.tag if c in "0123456789abcdef")[:16]
    sub(header, MES, "ID").text = "IREF" + digits.upper()
    sub(header, MES, "Test").text = "false"
    prepared = made.prepared.astimezone(UTC)
    sub(header, MES, "Prepared").text = prepared.strftime("%Y-%m-%dT%H:%M:%S")
    sub(header, MES, "Sender", id=sender)
    for structure in structures or []:
        header.append(structure)
    return root


def serialise(root: ET.Element) -> bytes:
    text: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return text


def xml_safe(text: str) -> str:
    """`text` with every character XML 1.0 forbids (C0 controls but tab, newline and carriage
    return; lone surrogates; U+FFFE, U+FFFF) written as its Python escape (`\\x1b`, `\\ufffe`):
    an echoed path part can hold any of them, and ElementTree would write them raw."""
    return _FORBIDDEN.sub(lambda found: ascii(found[0])[1:-1], text)


def error_message(code: int, text: str) -> bytes:
    """An SDMX-ML 2.1 `Error` message: the standard code and an English text, made XML-safe
    here for every caller (the values it echoes are the caller's)."""
    root = ET.Element(q(MES, "Error"))
    error = sub(root, MES, "ErrorMessage", code=str(code))
    sub(error, COM, "Text").text = xml_safe(text)
    error[-1].set(XML_LANG, "en")
    return serialise(root)
