"""What the people who run Koll look at: /readyz names the failing part, /metrics counts by route."""

from __future__ import annotations

import re
import socket
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server

from helpers import PG_URL, fresh_database_url, observation
from koll.ledger.application import Ledger
from koll.ledger.config import Settings
from koll.ledger.server import Koll, create_app
from koll.ledger.store import Store


class Cable:
    """A TCP relay between Koll and PostgreSQL that the test can cut, as a dead network would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.live: list[socket.socket] = []
        self.open = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.open:
                client.close()
                continue
            upstream = socket.create_connection(self.target)
            self.live += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self) -> None:
        self.open = False
        for s in self.live:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.live.clear()

    def mend(self) -> None:
        self.open = True


@pytest.fixture
def relayed(tmp_path: Path) -> Iterator[tuple[str, Cable]]:
    """A Koll whose PostgreSQL is reached through a cable the test can cut."""
    for url in fresh_database_url("postgres", tmp_path):
        cable = Cable("127.0.0.1", 5432)
        through = url.replace("@127.0.0.1:5432/", f"@127.0.0.1:{cable.port}/")
        assert through != url, "the test's PostgreSQL URL names 127.0.0.1:5432"
        settings = Settings.from_env({"KOLL_DATABASE_URL": through, "KOLL_BLOB_DIR": str(tmp_path / "blobs"),
                                      "KOLL_VAR_DIR": str(tmp_path / "var"), "KOLL_SECRET_KEY": "x"})
        store = Store(through)
        koll = Koll(settings=settings, store=store, ledger=Ledger(store))
        token = koll.ledger.add_user("rapportor", "reporter", "sdf")
        server = make_server("127.0.0.1", 0, create_app(settings, koll=koll), threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_port}", token, cable
        finally:
            cable.mend()
            server.shutdown()
            store.dispose()


@pytest.mark.postgres
def test_readyz_names_the_database_when_it_is_gone_and_requests_get_503_not_500(relayed):
    base, token, cable = relayed
    auth = {"Authorization": f"Bearer {token}"}
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    cable.cut()
    down = requests.get(f"{base}/readyz", timeout=20)
    assert down.status_code == 503, down.text
    assert down.json()["failing"] == ["database"] and down.headers["Retry-After"]
    for attempt in (requests.get(f"{base}/api/v1/cases", headers=auth, timeout=20),
                    requests.post(f"{base}/api/v1/observations", json=observation(), headers=auth, timeout=20)):
        assert attempt.status_code == 503, attempt.text
        assert attempt.headers["Content-Type"].startswith("application/problem+json")
        assert "database" in attempt.json()["detail"]
    cable.mend()
    assert requests.get(f"{base}/readyz", timeout=20).status_code == 200
    filed = requests.post(f"{base}/api/v1/observations", json=observation(), headers=auth, timeout=20)
    assert filed.status_code == 201, filed.text


@pytest.mark.postgres
def test_readyz_warns_when_postgresql_does_not_vacuum_and_stays_ready(relayed):
    base, _, _ = relayed
    store = Store(PG_URL)
    with store.engine.connect() as conn:
        server_has = conn.exec_driver_sql("SHOW autovacuum").scalar()
    store.dispose()
    ready = requests.get(f"{base}/readyz", timeout=10)
    assert ready.status_code == 200 and ready.json()["status"] == "ready"
    maintenance = ready.json()["parts"]["maintenance"]
    assert maintenance["autovacuum"] == server_has
    if server_has == "off":  # this machine's server: the warning a person running Koll must see
        assert maintenance["status"] == "warning" and "VACUUM ANALYZE" in maintenance["detail"]
    else:
        assert maintenance["status"] == "ok"


def _sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") or line.startswith(name + " "):
            got = dict(re.findall(r'(\w+)="([^"]*)"', line.split(" ")[0]))
            if all(got.get(k) == v for k, v in labels.items()):
                return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_count_requests_by_route_and_status_and_show_positions(service):
    reporter = service.client("reporter")
    for _ in range(3):
        assert reporter.post("/api/v1/observations", observation()).status_code == 201
    case_id = reporter.post("/api/v1/observations", observation()).json()["case_id"]
    assert service.client("operational").get(f"/api/v1/cases/{case_id}").status_code == 200
    assert reporter.get(f"/api/v1/cases/{uuid.uuid4()}").status_code == 404
    scrape = requests.get(service.base + "/metrics", timeout=10)
    assert scrape.status_code == 200 and scrape.headers["Content-Type"].startswith("text/plain")
    text = scrape.text
    assert _sample(text, "koll_http_requests_total", route="/api/v1/observations", method="POST", status="201") == 4
    # by route template, never by id: the 200 and the 404 are two series of one route
    assert _sample(text, "koll_http_requests_total", route="/api/v1/cases/<uuid:case_id>", status="200") == 1
    assert _sample(text, "koll_http_requests_total", route="/api/v1/cases/<uuid:case_id>", status="404") == 1
    assert case_id not in text
    assert _sample(text, "koll_http_request_duration_seconds_count", route="/api/v1/observations") == 4
    position = _sample(text, "koll_ledger_position")
    assert position is not None and position >= 8
    assert _sample(text, "koll_projection_position", projection="cases") == position
    assert _sample(text, "koll_database_up") == 1
