"""CKAN's action paths are tried early (right after `/rows`), and that changes no answer: no
other route of the app takes `/api/3/action/{name}` or `/api/action/{name}`, so none is
hidden by them; the routes before them cost every action call (~0.3 ms past ~90 routes)."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Match

from api import create_app
from api.routes.ckan import action_router
from catalog.settings import Settings
from tests.servers import store_location

PATHS = [
    "/api/3/action/datastore_search",
    "/api/action/package_show",
    "/api/3/action/help_show",
    "/api/action/x.y",
]


def test_only_the_action_routes_take_the_action_paths(tmp_path: Path) -> None:
    app = create_app(Settings(store=store_location(tmp_path / "store"), datasets=tmp_path / "none"))
    routes = list(app.router.routes)
    for path in PATHS:
        for method in ("GET", "POST"):
            scope = {"type": "http", "path": path, "method": method, "root_path": ""}
            scope |= {"headers": [], "query_string": b""}
            taking = [i for i, route in enumerate(routes) if route.matches(scope)[0] != Match.NONE]
            assert len(taking) == 1, (path, method, taking)
            assert taking[0] <= 6, "tried among the first routes, not after every page"
    assert len(action_router.routes) == 4  # the two paths, by GET and by POST
