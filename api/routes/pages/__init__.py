"""The web catalogue: server-rendered HTML pages for researchers, Chinese first, English on request.

Pages load nothing from other hosts: one stylesheet and one small script from `/static/`,
charts as inline SVG. `/dataset/{slug}.{jsonld,ttl,rdf}` belong to the DCAT router, included
before this one. `view` holds what every page shares; `catalogue` the home page and the
searches, `dataset` a dataset's page, `series` an indicator series' page, `site` the rest
of a site (sitemap, robots, static).
"""

from fastapi import APIRouter

from api.routes.pages import catalogue, dataset, series, site
from api.routes.pages.view import data_refused

router = APIRouter(include_in_schema=False)
# The catalogue's `/dataset` before `/dataset/{slug}`, as they were declared in one module.
router.include_router(catalogue.router)
router.include_router(dataset.router)
router.include_router(series.router)
router.include_router(site.router)

__all__ = ["data_refused", "router"]
