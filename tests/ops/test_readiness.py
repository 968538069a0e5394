"""`/readyz`: ready only when the store, the state database and the catalogue index answer;
503 naming the part otherwise, while `/healthz` stays 200 (the process is alive)."""

from __future__ import annotations

import shutil
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from api.routes.health import REUSE_SECONDS
from catalog.search import CatalogueIndex
from catalog.settings import Settings
from catalog.store import Package
from tests.ops.running import on_a_thread
from tests.servers import serving

pytestmark = pytest.mark.slow


def test_readyz_is_200_on_a_server_that_serves(real_server: str) -> None:
    answer = httpx.get(real_server + "/readyz", timeout=10)
    assert answer.status_code == 200
    assert answer.json() == {"status": "ready"}
    assert answer.headers["cache-control"] == "no-store"


def test_readyz_is_never_rate_limited(real_store: Path, tmp_path: Path) -> None:
    # Every bucket a single token deep: /readyz and /healthz belong to none of them.
    tight = {f"OPENDATA_RATE_{kind}_BURST": "1" for kind in ("SQL", "EXPORTS", "SEARCH")}
    env = {**tight, "OPENDATA_STATE": str(tmp_path / "state")}
    with serving(real_store, env=env) as server, httpx.Client(base_url=server.url) as client:
        statuses = {client.get(path).status_code for path in ["/readyz", "/healthz"] * 40}
    assert statuses == {200}


def ready(url: str) -> None:
    """Wait until `url` is ready, and past the time its ready answer is given again."""
    deadline = time.monotonic() + 60
    while httpx.get(url + "/readyz", timeout=10).status_code != 200:
        assert time.monotonic() < deadline, "never ready"
        time.sleep(0.2)
    time.sleep(REUSE_SECONDS)


class GatedIndex(CatalogueIndex):
    """The real index, whose loads wait until the test opens the gate (a slow store)."""

    gate = threading.Event()

    def packages(self) -> dict[str, Package]:
        self.gate.wait(timeout=60)
        return super().packages()


def test_readyz_is_503_until_the_catalogue_index_is_loaded(
    real_store: Path, tmp_path: Path
) -> None:
    from api import create_app

    app: Any = create_app(Settings(store=real_store, state=tmp_path / "state"))
    app.state.index = GatedIndex(app.state.store)
    with on_a_thread(app) as url:
        waiting = httpx.get(url + "/readyz", timeout=10)
        alive = httpx.get(url + "/healthz", timeout=10)
        GatedIndex.gate.set()
        ready = httpx.get(url + "/readyz", timeout=10)
    assert waiting.status_code == 503
    assert waiting.headers["content-type"] == "application/problem+json"
    assert waiting.json()["not_ready"] == ["index"]
    assert waiting.json()["detail"] == "the catalogue index is not loaded yet"
    assert alive.status_code == 200
    assert ready.status_code == 200


def test_readyz_is_503_when_the_state_database_is_gone_and_healthz_stays_200(
    real_store: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with serving(real_store, env={"OPENDATA_STATE": str(state)}) as server:
        assert httpx.get(server.url + "/readyz", timeout=10).status_code == 200
        moved = shutil.move(state, tmp_path / "elsewhere")  # the volume went away
        time.sleep(REUSE_SECONDS)  # a ready answer is given again for that long
        gone = httpx.get(server.url + "/readyz", timeout=10)
        alive = httpx.get(server.url + "/healthz", timeout=10)
        shutil.move(moved, state)
        back = httpx.get(server.url + "/readyz", timeout=10)
    assert gone.status_code == 503
    assert gone.json()["not_ready"] == ["database"]
    assert gone.json()["detail"] == "the state database did not answer a read"
    assert str(tmp_path) not in gone.text and "sqlite" not in gone.text.lower()
    assert alive.status_code == 200
    assert back.status_code == 200


def test_readyz_is_503_when_the_state_database_file_is_unreadable(
    real_store: Path, tmp_path: Path
) -> None:
    state = tmp_path / "state"
    with serving(real_store, env={"OPENDATA_STATE": str(state)}) as server:
        ready(server.url)  # the index loaded: only the database is then not ready
        # Replaced by something that is not SQLite, its write-ahead log gone with it (the
        # tests run as root, whom a chmod does not stop).
        for name in ("opendata.sqlite-wal", "opendata.sqlite-shm", "opendata.sqlite"):
            (state / name).unlink()
        (state / "opendata.sqlite").write_bytes(b"\0not a database\0" * 4096)
        answer = httpx.get(server.url + "/readyz", timeout=10)
        alive = httpx.get(server.url + "/healthz", timeout=10)
    assert answer.status_code == 503
    assert answer.json()["not_ready"] == ["database"]
    assert alive.status_code == 200


def test_readyz_is_503_when_the_store_folder_is_gone(tmp_path: Path, real_store: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(real_store, store, symlinks=True)
    with serving(store, env={"OPENDATA_STATE": str(tmp_path / "state")}) as server:
        moved = shutil.move(store, tmp_path / "unmounted")
        answer = httpx.get(server.url + "/readyz", timeout=10)
        shutil.move(moved, store)
        back = httpx.get(server.url + "/readyz", timeout=10)
    assert answer.status_code == 503
    assert answer.json()["not_ready"] == ["store"]
    assert str(tmp_path) not in answer.text
    assert back.status_code == 200


def test_readyz_probes_during_a_slow_check_get_its_last_answer(
    real_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Found by 100 clients at once: a probe arriving while another's check still ran was
    # answered 503 at once, so a busy replica looked unready to its load balancer.
    import api.routes.health
    from api import create_app

    checked = api.routes.health.check_database

    def slow(engine: Any) -> None:
        time.sleep(0.5)
        checked(engine)

    app: Any = create_app(Settings(store=real_store, state=tmp_path / "state"))
    # A check's limit wide enough for a loaded machine: the probes wait for its answer.
    monkeypatch.setattr(api.routes.health, "CHECK_SECONDS", 10.0)
    with on_a_thread(app) as url:
        assert httpx.get(url + "/readyz", timeout=30).status_code == 200
        monkeypatch.setattr(api.routes.health, "check_database", slow)
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(lambda _: httpx.get(url + "/readyz", timeout=30), range(40)))
    assert {answer.status_code for answer in statuses} == {200}
