"""SDMX-ML 2.1 structure messages: dataflows, data structure definitions, code lists and the
concept scheme of the indicator datasets (`catalog.sdmx.catalogue`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar
from xml.etree import ElementTree as ET

from catalog.sdmx.catalogue import (
    CONCEPT_SCHEME,
    CONCEPT_SCHEME_NAMES,
    CONCEPTS,
    DIMENSION_COLUMNS,
    Attribute,
    Flow,
    Structures,
)
from catalog.sdmx.codelists import Codelist
from catalog.sdmx.keys import AGENCY, DIMENSIONS, Wanted
from catalog.sdmx.markup import COM, MES, STR, Made, message, names, ref, serialise, sub, urn

T = TypeVar("T")


@dataclass(frozen=True)
class Selection:
    """The artefacts one structure message holds."""

    flows: tuple[Flow, ...] = ()
    structures: tuple[Flow, ...] = ()  # the DSD of each
    codelists: tuple[Codelist, ...] = ()
    concepts: bool = False

    @property
    def empty(self) -> bool:
        return not (self.flows or self.structures or self.codelists or self.concepts)


def structure_message(selection: Selection, structures: Structures, made: Made) -> bytes:
    root = message("Structure", AGENCY, made)
    body = sub(root, MES, "Structures")
    if selection.flows:
        flows = sub(body, STR, "Dataflows")
        for flow in selection.flows:
            _dataflow(flows, flow)
    if selection.codelists:
        lists = sub(body, STR, "Codelists")
        for codelist in selection.codelists:
            _codelist(lists, codelist)
    if selection.concepts:
        _concept_scheme(sub(body, STR, "Concepts"), structures.concepts_version)
    if selection.structures:
        parent = sub(body, STR, "DataStructures")
        for flow in selection.structures:
            _data_structure(parent, flow, structures)
    return serialise(root)


def _maintained(parent: ET.Element, kind: str, identifier: str, version: str) -> ET.Element:
    return sub(
        parent, STR, kind,
        id=identifier, urn=urn(kind, AGENCY, identifier, version),
        agencyID=AGENCY, version=version, isFinal="true",
    )  # fmt: skip


def _dataflow(parent: ET.Element, flow: Flow) -> None:
    element = _maintained(parent, "Dataflow", flow.id, flow.flow_version)
    annotation = sub(sub(element, COM, "Annotations"), COM, "Annotation")
    # A version id is no text in a language: the title (xs:string) holds it, not the
    # AnnotationText (an international string, English when untagged).
    sub(annotation, COM, "AnnotationTitle").text = flow.version
    sub(annotation, COM, "AnnotationType").text = "PUBLISHED_VERSION"
    names(element, flow.name_zh, flow.name_en)
    structure = sub(element, STR, "Structure")
    ref(structure, id=flow.id, version=flow.structure_version, agencyID=AGENCY)
    structure[-1].attrib.update({"package": "datastructure", "class": "DataStructure"})


def _codelist(parent: ET.Element, codelist: Codelist) -> None:
    element = _maintained(parent, "Codelist", codelist.id, codelist.version)
    names(element, codelist.name_zh, codelist.name_en)
    for code in codelist.codes:
        item = sub(element, STR, "Code", id=code.id)
        item.set("urn", urn("Code", AGENCY, codelist.id, codelist.version, code.id))
        names(item, code.name_zh or code.id, code.name_en or code.name_zh or code.id)
        names(item, code.description_zh, code.description_en, "Description")
        if code.parent:
            ref(sub(item, STR, "Parent"), id=code.parent)


def _concept_scheme(parent: ET.Element, version: str) -> None:
    element = _maintained(parent, "ConceptScheme", CONCEPT_SCHEME, version)
    names(element, *CONCEPT_SCHEME_NAMES)
    for concept, (zh, en) in CONCEPTS.items():
        item = sub(element, STR, "Concept", id=concept)
        item.set("urn", urn("Concept", AGENCY, CONCEPT_SCHEME, version, concept))
        names(item, zh, en)


def _concept(parent: ET.Element, concept: str, version: str) -> None:
    identity = sub(parent, STR, "ConceptIdentity")
    ref(
        identity, id=concept, maintainableParentID=CONCEPT_SCHEME,
        maintainableParentVersion=version, agencyID=AGENCY,
    )  # fmt: skip
    identity[-1].attrib.update({"package": "conceptscheme", "class": "Concept"})


def _enumerated(parent: ET.Element, codelist: str, version: str) -> None:
    enumeration = sub(sub(parent, STR, "LocalRepresentation"), STR, "Enumeration")
    ref(enumeration, id=codelist, version=version, agencyID=AGENCY)
    enumeration[-1].attrib.update({"package": "codelist", "class": "Codelist"})


def _text_format(parent: ET.Element, text_type: str) -> None:
    sub(sub(parent, STR, "LocalRepresentation"), STR, "TextFormat", textType=text_type)


def _component(
    parent: ET.Element, kind: str, flow: Flow, concept: str, concepts_version: str
) -> ET.Element:
    element = sub(parent, STR, kind, id=concept)
    element.set("urn", urn("DataStructure", AGENCY, flow.id, flow.structure_version, concept))
    _concept(element, concept, concepts_version)
    return element


def _data_structure(parent: ET.Element, flow: Flow, structures: Structures) -> None:
    element = _maintained(parent, "DataStructure", flow.id, flow.structure_version)
    names(element, flow.name_zh, flow.name_en)
    concepts = structures.concepts_version
    components = sub(element, STR, "DataStructureComponents")
    dimensions = sub(components, STR, "DimensionList", id="DimensionDescriptor")
    for position, dimension in enumerate(DIMENSIONS, start=1):
        item = _component(dimensions, "Dimension", flow, dimension, concepts)
        item.set("position", str(position))
        codelist = DIMENSION_COLUMNS[dimension][1]
        _enumerated(item, codelist, structures.codelist_version(codelist))
    time = _component(dimensions, "TimeDimension", flow, "TIME_PERIOD", concepts)
    time.set("position", str(len(DIMENSIONS) + 1))
    _text_format(time, "ObservationalTimePeriod")
    attributes = sub(components, STR, "AttributeList", id="AttributeDescriptor")
    for attribute in flow.attributes:
        _attribute(attributes, flow, attribute, structures)
    measures = sub(components, STR, "MeasureList", id="MeasureDescriptor")
    measure = _component(measures, "PrimaryMeasure", flow, "OBS_VALUE", concepts)
    _text_format(measure, "Decimal")


def _attribute(
    parent: ET.Element, flow: Flow, attribute: Attribute, structures: Structures
) -> None:
    item = _component(parent, "Attribute", flow, attribute.id, structures.concepts_version)
    item.set("assignmentStatus", "Mandatory" if attribute.mandatory else "Conditional")
    if attribute.codelist:
        _enumerated(item, attribute.codelist, structures.codelist_version(attribute.codelist))
    else:
        _text_format(item, "String")
    relationship = sub(sub(item, STR, "AttributeRelationship"), STR, "PrimaryMeasure")
    ref(relationship, id="OBS_VALUE")


def select(structures: Structures, resource: str, wanted: Wanted) -> Selection:
    """The artefacts of type `resource` that `wanted` names (by id and version)."""
    flows = sorted(structures.flows.items())
    if resource == "dataflow":
        return Selection(flows=tuple(f for i, f in flows if wanted.admits(i, f.flow_version)))
    if resource == "datastructure":
        return Selection(
            structures=tuple(f for i, f in flows if wanted.admits(i, f.structure_version))
        )
    if resource == "codelist":
        lists = sorted(structures.codelists.items())
        return Selection(codelists=tuple(c for i, c in lists if wanted.admits(i, c.version)))
    return Selection(concepts=wanted.admits(CONCEPT_SCHEME, structures.concepts_version))


def with_references(
    structures: Structures, resource: str, selection: Selection, references: str
) -> Selection:
    """`selection` with what `references` adds: children (a dataflow's DSD; a DSD's code
    lists and concept scheme), descendants (down to the code lists), parents (what uses
    an artefact), all (both ways); or only those of one type (`references=codelist`)."""
    related = _related(structures, resource, selection, references)
    return Selection(
        flows=_merged(selection.flows, related.flows),
        structures=_merged(selection.structures, related.structures),
        codelists=_merged(selection.codelists, related.codelists),
        concepts=selection.concepts or related.concepts,
    )


def _related(
    structures: Structures, resource: str, selection: Selection, references: str
) -> Selection:
    every_flow = tuple(f for _, f in sorted(structures.flows.items()))
    lists = tuple(c for _, c in sorted(structures.codelists.items()))
    used = bool(selection.structures or selection.flows)
    down = {
        "dataflow": Selection(structures=selection.flows, codelists=lists, concepts=used),
        "datastructure": Selection(codelists=lists, concepts=used),
    }.get(resource, Selection())
    children = {
        "dataflow": Selection(structures=selection.flows),
    }.get(resource, down)
    up = {
        "datastructure": Selection(flows=selection.structures),
        "codelist": Selection(structures=every_flow if selection.codelists else ()),
        "conceptscheme": Selection(structures=every_flow if selection.concepts else ()),
    }.get(resource, Selection())
    if references == "children":
        return children
    if references == "descendants":
        return down
    if references == "parents":
        return up
    if references == "parentsandsiblings":
        return Selection(
            up.flows, up.structures, lists if up.structures else (), bool(up.structures)
        )
    everything = Selection(
        _merged(down.flows, up.flows), _merged(down.structures, up.structures),
        _merged(down.codelists, up.codelists), down.concepts or up.concepts,
    )  # fmt: skip
    if references == "all":
        return everything
    return _only(everything, references)


def _only(selection: Selection, resource: str) -> Selection:
    if resource == "dataflow":
        return Selection(flows=selection.flows)
    if resource == "datastructure":
        return Selection(structures=selection.structures)
    if resource == "codelist":
        return Selection(codelists=selection.codelists)
    if resource == "conceptscheme":
        return Selection(concepts=selection.concepts)
    return Selection()


def _merged(first: tuple[T, ...], second: tuple[T, ...]) -> tuple[T, ...]:
    return first + tuple(item for item in second if item not in first)
