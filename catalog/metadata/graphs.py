"""The DCAT graphs and their serialisations, with rdflib imported on the first one built.

rdflib (with html5rdf, 70 modules, ~4.5 MB resident) serves only the DCAT answers; a server
that has not yet been asked for one keeps it unloaded. Each function here is the one of the
same name in `catalog.metadata.dcat` or `catalog.metadata.rdf`, which import rdflib.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from catalog.metadata.site import NO_NAMES, CatalogueInfo, PageInfo, RegionNames
from catalog.store import Package

if TYPE_CHECKING:
    from rdflib import Graph


def catalogue_graph(
    info: CatalogueInfo,
    packages: Sequence[Package],
    *,
    page: PageInfo | None = None,
    modified: str = "",
    issued: str = "",
    regions: RegionNames = NO_NAMES,
) -> Graph:
    """One page of the catalogue: the catalogue, its services, the page's datasets, paging."""
    from catalog.metadata import dcat

    return dcat.catalogue_graph(
        info, packages, page=page, modified=modified, issued=issued, regions=regions
    )


def dataset_graph(info: CatalogueInfo, package: Package, regions: RegionNames = NO_NAMES) -> Graph:
    """One dataset with its distributions."""
    from catalog.metadata import dcat

    return dcat.dataset_graph(info, package, regions)


def serialize_graph(graph: Graph, extension: str) -> bytes:
    """The graph as `ttl`, `n3`, `jsonld` or `rdf`/`xml` (RDF/XML), UTF-8, `@zh` first."""
    from catalog.metadata import rdf

    return rdf.serialize_graph(graph, extension)
