"""How Koll is served: every worker takes its share of the requests, also from clients that would
keep their connections open (nginx's pool, a phone flushing its outbox, a load test)."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests

from helpers import free_port

KOLL = str(Path(sys.executable).parent / "koll")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_clients_that_keep_their_connections_are_served_by_every_worker(tmp_path):
    env = {**os.environ, "KOLL_VAR_DIR": str(tmp_path / "var"), "KOLL_PORT": str(free_port())}
    for name in ("KOLL_DATABASE_URL", "KOLL_BLOB_DIR", "KOLL_ENV"):
        env.pop(name, None)
    port = int(env["KOLL_PORT"])
    server = subprocess.Popen([KOLL, "serve", "--workers", "2"], env=env, cwd=tmp_path, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.time() + 60
        workers: list[int] = []
        while time.time() < deadline and len(workers) < 2:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            except requests.RequestException:
                pass
            workers = [int(p) for c in Path(f"/proc/{server.pid}/task").glob("*/children") for p in c.read_text().split()]
            time.sleep(0.2)
        assert len(workers) == 2, "koll serve --workers 2 did not start two workers"
        before = {w: cpu_seconds(w) for w in workers}
        answers: list[tuple[int, str | None]] = []

        def client() -> None:  # one connection, kept for as long as the server allows
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            for _ in range(150):
                conn.request("GET", "/healthz")
                response = conn.getresponse()
                response.read()
                answers.append((response.status, response.getheader("Connection")))
                if response.getheader("Connection") == "close":
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.close()

        clients = [threading.Thread(target=client) for _ in range(8)]
        for c in clients:  # all at once, as a load test or a proxy's pool opens them
            c.start()
        for c in clients:
            c.join(timeout=120)
        used = {w: cpu_seconds(w) - before[w] for w in workers}
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    assert len(answers) == 1200 and all(status == 200 for status, _ in answers)
    # Each response closes its connection, so the next request is taken by whichever worker is free.
    assert all(connection == "close" for _, connection in answers)
    total = sum(used.values())
    assert total > 0 and min(used.values()) / total > 0.2, f"one worker did the work: {used}"
