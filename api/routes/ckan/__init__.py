"""CKAN's wire: the Action API (`actions`, with `writes` and the request's data dict in
`data`) and the DataStore dump (`datastore`). Answers are written by `api.errors.ckan`.

`router` holds the API's root and version paths and the dump, after the HTML pages (a
browser asking for `/api` gets the API page); `action_router` the two action paths, which
the app includes early, as no other route takes them."""

from fastapi import APIRouter

from api.routes.ckan import actions, datastore
from api.routes.ckan.actions import action_router, api_root, install
from api.routes.ckan.data import bounded_json

router = APIRouter()
router.include_router(actions.router)
router.include_router(datastore.router)

__all__ = ["action_router", "api_root", "bounded_json", "install", "router"]
