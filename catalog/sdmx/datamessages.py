"""SDMX-ML 2.1 data messages of one dataflow's observations: GenericData and
StructureSpecificData, with the observations grouped in series by every dimension but the
one at the observation level (`dimensionAtObservation`: TIME_PERIOD by default, any other
dimension, or AllDimensions for a flat list)."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from xml.etree import ElementTree as ET

from catalog.sdmx.catalogue import Flow
from catalog.sdmx.keys import AGENCY, DIMENSIONS
from catalog.sdmx.markup import COM, GEN, MES, SS, XSI, Made, message, q, ref, serialise, sub, urn
from catalog.sdmx.observations import Observation

TIME = "TIME_PERIOD"
ALL_DIMENSIONS = "AllDimensions"
EVERY_DIMENSION = (*DIMENSIONS, TIME)


def _values(observation: Observation) -> dict[str, str]:
    return dict(zip(EVERY_DIMENSION, (*observation.key, observation.time), strict=True))


def _header_structure(flow: Flow, at: str, *, specific: bool) -> ET.Element:
    """The header's `mes:Structure`: which DSD the data set follows, observed at `at`."""
    element = ET.Element(q(MES, "Structure"), structureID=flow.id, dimensionAtObservation=at)
    if specific:
        element.set("namespace", urn("DataStructure", AGENCY, flow.id, flow.structure_version))
    ref(sub(element, COM, "Structure"), agencyID=AGENCY, id=flow.id, version=flow.structure_version)
    return element


def _series(
    observations: list[Observation], at: str
) -> Iterable[tuple[dict[str, str], list[Observation]]]:
    """(series key, its observations): the key holds every dimension but `at`."""
    if at == ALL_DIMENSIONS:
        yield {}, observations
        return
    others = [d for d in EVERY_DIMENSION if d != at]

    def series_of(observation: Observation) -> tuple[str, ...]:
        values = _values(observation)
        return tuple(values[d] for d in others)

    ordered = sorted(observations, key=lambda o: (series_of(o), _values(o)[at]))
    for key, members in groupby(ordered, key=series_of):
        yield dict(zip(others, key, strict=True)), list(members)


def generic_data(
    flow: Flow, observations: list[Observation], at: str, detail: str, made: Made
) -> bytes:
    header = _header_structure(flow, at, specific=False)
    root = message("GenericData", AGENCY, made, structures=[header])
    data_set = sub(root, MES, "DataSet", structureRef=flow.id)
    for key, members in _series(observations, at):
        parent = data_set
        if at != ALL_DIMENSIONS:
            parent = sub(data_set, GEN, "Series")
            _generic_values(sub(parent, GEN, "SeriesKey"), key.items())
        if detail == "serieskeysonly":
            continue
        for observation in members if detail != "nodata" else []:
            _generic_observation(parent, observation, at, detail)
    return serialise(root)


def _generic_values(parent: ET.Element, values: Iterable[tuple[str, str]]) -> None:
    for identifier, value in values:
        sub(parent, GEN, "Value", id=identifier, value=value)


def _generic_observation(
    parent: ET.Element, observation: Observation, at: str, detail: str
) -> None:
    element = sub(parent, GEN, "Obs")
    values = _values(observation)
    if at == ALL_DIMENSIONS:
        _generic_values(sub(element, GEN, "ObsKey"), values.items())
    else:
        sub(element, GEN, "ObsDimension", value=values[at])
    if observation.value is not None:
        sub(element, GEN, "ObsValue", value=observation.value)
    if observation.attributes and detail != "dataonly":
        _generic_values(sub(element, GEN, "Attributes"), observation.attributes)


def structure_specific_data(
    flow: Flow, observations: list[Observation], at: str, detail: str, made: Made
) -> bytes:
    header = _header_structure(flow, at, specific=True)
    root = message("StructureSpecificData", AGENCY, made, structures=[header])
    # The data set's type is declared in the DSD's own namespace (prefix ns1).
    namespace = urn("DataStructure", AGENCY, flow.id, flow.structure_version)
    root.set("xmlns:ns1", namespace)
    data_set = sub(root, MES, "DataSet")
    data_set.set(q(SS, "dataScope"), "DataStructure")
    data_set.set(q(SS, "structureRef"), flow.id)
    data_set.set(q(XSI, "type"), "ns1:DataSetType")
    for key, members in _series(observations, at):
        parent = data_set
        if at != ALL_DIMENSIONS:
            parent = ET.SubElement(data_set, "Series", key)
        if detail in ("serieskeysonly", "nodata"):
            continue
        for observation in members:
            values = _values(observation)
            cells = {at: values[at]} if at != ALL_DIMENSIONS else values
            if observation.value is not None:
                cells["OBS_VALUE"] = observation.value
            if detail != "dataonly":
                cells.update(observation.attributes)
            ET.SubElement(parent, "Obs", cells)
    return serialise(root)
