"""What the tests share beyond fixtures: the PostgreSQL they use, a fresh database per test, the
API's client over HTTP, a user per role, a valid report. A real module (``from helpers import …``)
so no test depends on which ``conftest`` pytest loaded last.
"""

from __future__ import annotations

import getpass
import os
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa

from koll.ledger.application import Ledger
from koll.ledger.scratch import scratch_schema
from koll.ledger.server import Koll

PG_URL = os.environ.get("KOLL_TEST_POSTGRES_URL",
                        f"postgresql+psycopg://{getpass.getuser()}@127.0.0.1:5432/koll_test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _postgres_problem() -> str | None:
    try:
        engine = sa.create_engine(PG_URL)
        with engine.connect() as conn:
            conn.exec_driver_sql("select 1")
        engine.dispose()
        return None
    except Exception as e:  # noqa: BLE001 - any failure means "not reachable"
        return str(e).splitlines()[0]


def require_postgres() -> None:
    problem = _postgres_problem()
    if problem:
        message = f"PostgreSQL at {PG_URL} does not answer: {problem} (run infra/postgres/ensure)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def fresh_database_url(backend: str, tmp_path: Path) -> Iterator[str]:
    """A database nobody else uses: a new SQLite file, or a new PostgreSQL schema."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'koll.sqlite'}"
        return
    require_postgres()
    with scratch_schema(PG_URL) as url:
        yield url


@dataclass
class Client:
    """A user of the real API over HTTP."""

    base: str
    token: str | None = None
    session: requests.Session = field(default_factory=requests.Session)

    def _headers(self, extra: dict[str, str] | None) -> dict[str, str]:
        h = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        h.update(extra or {})
        return h

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.session.get(self.base + path, headers=self._headers(kw.pop("headers", None)), timeout=30, **kw)

    def post(self, path: str, json: Any = None, **kw: Any) -> requests.Response:
        return self.session.post(self.base + path, json=json, headers=self._headers(kw.pop("headers", None)),
                                 timeout=30, **kw)


@dataclass
class Service:
    """The Flask app served over real HTTP on a free port, with a user per role."""

    base: str
    koll: Koll
    tokens: dict[str, str]
    app: Any = None
    clients: list[Client] = field(default_factory=list)

    def client(self, role: str | None = "reporter") -> Client:
        made = Client(self.base, self.tokens.get(role) if role else None)
        self.clients.append(made)
        return made

    def close(self) -> None:
        """Closes the clients' connections (else each leaves an unclosed socket to the collector)."""
        for made in self.clients:
            made.session.close()

    @property
    def ledger(self) -> Ledger:
        return self.koll.ledger


ROLE_USERS = {
    "reporter": ("rapportor", "reporter", "sdf"),
    "operational": ("operativ", "operational", "sdf"),
    "strategic": ("strateg", "strategic", "staden"),
    "auditor": ("revisor", "auditor", "staden"),
    "admin": ("admin", "admin", "sdf"),
    "police": ("polis", "operational", "polisen"),
}


def last_november_evening() -> str:
    """19:30 on the latest 20 November before today: dark at the square, and always inside the
    year a report may be late by, whenever the tests run."""
    today = date.today()
    year = today.year if today > date(today.year, 11, 20) else today.year - 1
    return f"{year}-11-20T19:30:00+01:00"


def observation(**overrides: Any) -> dict[str, Any]:
    """A valid report from the metro entrance, as a phone would send it."""
    body: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "category": "REN-01",
        "observed_at": last_november_evening(),
        "location": {"lat": 59.3669, "lon": 17.8441, "accuracy_m": 8.0, "source": "gps"},
        "note": "Mycket skräp vid trappan",
        "attributes": {"tid_pa_dygnet": "kvall", "upplevd_trygghet": 2},
    }
    body.update(overrides)
    return body


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
