"""CKAN's wire: the Action API (`actions`, with `writes` and the request's data dict in
`data`) and the DataStore dump (`datastore`). Answers are written by `api.errors.ckan`."""

from fastapi import APIRouter

from api.routes.ckan import actions, datastore
from api.routes.ckan.actions import api_root, install
from api.routes.ckan.data import bounded_json

router = APIRouter()
router.include_router(actions.router)
router.include_router(datastore.router)

__all__ = ["api_root", "bounded_json", "install", "router"]
