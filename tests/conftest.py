"""Fixtures on real parts: a SQLite file, the local PostgreSQL server, the Flask app over HTTP.

Every ledger test runs on both back-ends. With CI=true a PostgreSQL that does not answer is a
failure, never a skip. What tests import (helpers, clients, a valid report) is in helpers.py.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from helpers import BACKENDS, ROLE_USERS, Service, fresh_database_url
from koll.ledger.application import Ledger
from koll.ledger.config import Settings
from koll.ledger.server import Koll, create_app
from koll.ledger.store import Store


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database_url(request.param, tmp_path)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store(database_url)
    yield s
    s.dispose()


@pytest.fixture
def ledger(store: Store) -> Ledger:
    return Ledger(store)


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings.from_env({"KOLL_DATABASE_URL": database_url, "KOLL_BLOB_DIR": str(tmp_path / "blobs"),
                              "KOLL_VAR_DIR": str(tmp_path / "var"), "KOLL_SECRET_KEY": "test-secret"})


@pytest.fixture
def service(settings: Settings) -> Iterator[Service]:
    store = Store(settings.database_url)
    koll = Koll(settings=settings, store=store, ledger=Ledger(store))
    app = create_app(settings, koll=koll)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    tokens = {key: koll.ledger.add_user(name, role, org, password="hemligt")
              for key, (name, role, org) in ROLE_USERS.items()}
    served = Service(f"http://127.0.0.1:{server.server_port}", koll, tokens, app)
    try:
        yield served
    finally:
        served.close()
        server.shutdown()
        thread.join(timeout=5)
        store.dispose()
