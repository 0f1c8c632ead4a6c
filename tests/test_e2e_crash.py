"""End to end: the real `koll serve` (gunicorn) killed mid-ingest loses nothing it acknowledged,
and a phone that sends everything again gets each report recorded exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
import requests

from helpers import BACKENDS, free_port, fresh_database_url, observation

KOLL = str(Path(sys.executable).parent / "koll")


def start(env: dict[str, str], port: int) -> subprocess.Popen:
    # Its errors go to a file, never a pipe nobody drains (a full pipe would stall the server).
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([KOLL, "serve", "--workers", "2"], env={**env, "KOLL_PORT": str(port)},
                                stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                    return proc
            except requests.RequestException:
                time.sleep(0.2)
        proc.kill()
        errors.seek(0)
        raise RuntimeError(errors.read().decode() or "koll serve did not start")


@pytest.fixture(params=BACKENDS)
def koll_env(request, tmp_path):
    for url in fresh_database_url(request.param, tmp_path):
        yield {**os.environ, "KOLL_DATABASE_URL": url, "KOLL_VAR_DIR": str(tmp_path / "var"),
               "KOLL_SECRET_KEY": "crash-test"}


def test_a_killed_server_loses_nothing_it_acknowledged(koll_env):
    token = subprocess.run([KOLL, "user", "add", "kim", "--role", "reporter", "--org", "sdf"], env=koll_env,
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    port = free_port()
    server = start(koll_env, port)
    url = f"http://127.0.0.1:{port}/api/v1/observations"
    headers = {"Authorization": f"Bearer {token}"}
    reports = [observation() for _ in range(400)]
    acknowledged: set[str] = set()
    lock = threading.Lock()

    def phone(chunk: list[dict]) -> None:
        session = requests.Session()
        for body in chunk:
            try:
                r = session.post(url, json=body, headers=headers, timeout=5)
            except requests.RequestException:
                continue  # the server died under us: not acknowledged, the phone keeps it
            if r.status_code in (200, 201):
                with lock:
                    acknowledged.add(body["id"])

    phones = [threading.Thread(target=phone, args=(reports[i::8],)) for i in range(8)]
    for p in phones:
        p.start()
    while len(acknowledged) < 60:
        time.sleep(0.01)
    os.killpg(server.pid, signal.SIGKILL)  # the machine loses power, as far as Koll can tell
    for p in phones:
        p.join()
    server.wait()
    assert 60 <= len(acknowledged) < len(reports), "the kill should land mid-ingest"

    port = free_port()
    server = start(koll_env, port)
    try:
        url = f"http://127.0.0.1:{port}/api/v1/observations"
        statuses = {}
        for body in reports:  # the phone sends its whole outbox again
            r = requests.post(url, json=body, headers=headers, timeout=10)
            statuses[body["id"]] = r.status_code
        assert all(statuses[i] == 200 for i in acknowledged), "an acknowledged report was lost"
        assert set(statuses.values()) <= {200, 201}
        mine = requests.get(f"http://127.0.0.1:{port}/api/v1/observations/mine?limit=1000", headers=headers, timeout=10)
        ids = [o["id"] for o in mine.json()["observations"]]
        assert sorted(ids) == sorted(b["id"] for b in reports)  # each exactly once
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
