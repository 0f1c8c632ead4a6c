"""HTTP ingest under gunicorn with 32 concurrent clients (wrk), Koll's whole path against a bare
Flask endpoint inserting the same JSON into SQLite at the same durability, in the same run.

Also: the peak resident memory of a Koll worker with 100,000 events in the ledger.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from bench.common import fresh_ledger, loaded, report, row
from koll.ledger.domain.base import Actor
from koll.ledger.serving import KEEPALIVE_S

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
DURATION_S = int(os.environ.get("KOLL_BENCH_SECONDS", "15"))
CONNECTIONS = 32

WRK_SCRIPT = r"""
local template = [[%s]]
local token = "%s"
local counter = 0
local function uuid4()
  local t = "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx"
  return (t:gsub("[xy]", function(c)
    local v = (c == "x") and math.random(0, 15) or math.random(8, 11)
    return string.format("%%x", v)
  end))
end
math.randomseed(os.time() + math.floor(os.clock() * 1000000))
request = function()
  local body = template:gsub("__ID__", uuid4())
  return wrk.format("POST", "/api/v1/observations",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, timeout: float = 60) -> None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            if requests.get(url, timeout=1).status_code < 500:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def run_wrk(port: int, token: str, workdir: Path, connections: int = CONNECTIONS) -> dict[str, Any]:
    body = report(random.Random(9))
    body["id"] = "__ID__"
    script = workdir / f"post-{port}.lua"
    script.write_text(WRK_SCRIPT % (json.dumps(body), token))
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{DURATION_S}s", "--latency", "-s", str(script),
                          f"http://127.0.0.1:{port}/api/v1/observations"], capture_output=True, text=True,
                         check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    return {"rps": rps, "p99_ms": float(p99.group(1)) * scale, "non2xx": int(errors.group(1)) if errors else 0,
            "socket_errors": socket_errors.group(1) if socket_errors else "none", "raw": out}


def gunicorn(app: str, port: int, env: dict[str, str], worker: str = "gthread") -> subprocess.Popen:
    # Threads only for gthread: gunicorn silently turns "-k sync --threads n" into gthread, which
    # made the "sync" floor 16 threads fighting over SQLite's write lock in the busy handler.
    # Koll as it is served (koll.ledger.serving.gunicorn_options): 8 threads, no keep-alive.
    threads = ["--threads", "8", "--keep-alive", str(KEEPALIVE_S)] if worker == "gthread" else []
    return subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", "2", "-k", worker, *threads, "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", app], cwd=ROOT, env={**os.environ, **env}, start_new_session=True)


def bare_database(path: Path) -> None:
    """The floor's file in WAL mode before any worker opens it: two workers racing to switch the
    journal mode fail with "database is locked"."""
    import sqlite3

    c = sqlite3.connect(path, isolation_level=None)
    c.execute("PRAGMA journal_mode=WAL")
    c.execute("CREATE TABLE IF NOT EXISTS reports (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
    c.close()


def stop(proc: subprocess.Popen) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def worker_peak_rss_mb(master: subprocess.Popen) -> float:
    peaks = []
    for child in Path(f"/proc/{master.pid}/task").glob("*/children"):
        for pid in child.read_text().split():
            status = Path(f"/proc/{pid}/status").read_text()
            peaks.append(int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024)
    return max(peaks) if peaks else float("nan")


def run() -> list[dict[str, Any]]:
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is not installed (infra/system-deps installs it)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="koll-http-") as tmp:
        d = Path(tmp)
        # The limit: bare Flask + SQLite under the same gunicorn.
        port = free_port()
        bare_database(d / "bare.sqlite")
        bare = gunicorn("bench.bare_app:app", port, {"BARE_DB": str(d / "bare.sqlite")}, worker="sync")
        try:
            wait_up(f"http://127.0.0.1:{port}/nothing")
            limit = run_wrk(port, "none", d)
        finally:
            stop(bare)
        # Koll with 100,000 events in its ledger already.
        ledger = fresh_ledger(d, "koll.sqlite")
        token = ledger.add_user("bench", "reporter", "sdf")
        rng = random.Random(5)
        reports = [loaded(report(rng)) for _ in range(50_000)]
        for i in range(0, len(reports), 500):
            ledger.file_observations(Actor("bench", "reporter", "sdf"), reports[i:i + 500])
        events_before = ledger.recorder.max_notification_id()
        ledger.store.dispose()
        port = free_port()
        env = {"KOLL_DATABASE_URL": f"sqlite:///{d / 'koll.sqlite'}", "KOLL_VAR_DIR": str(d / "var"),
               "KOLL_SECRET_KEY": "bench"}
        koll = gunicorn("koll.ledger.serving:wsgi_app()", port, env)
        try:
            wait_up(f"http://127.0.0.1:{port}/healthz")
            measured = run_wrk(port, token, d)
            # The boards read too: the whole map and the situation over 100,000 events, in each worker.
            auth = {"Authorization": f"Bearer {token}"}
            for path in ("/api/v1/situation/map", "/api/v1/situation", "/api/v1/cases?limit=1000") * 2:
                requests.get(f"http://127.0.0.1:{port}{path}", headers=auth, timeout=120).raise_for_status()
            rss = worker_peak_rss_mb(koll)
        finally:
            stop(koll)
        ratio = measured["rps"] / limit["rps"]
        rows.append(row("http.ingest_rps", round(measured["rps"]), "req/s", ">= 0.5 x bare endpoint", ratio,
                        f"bare Flask+SQLite = {limit['rps']:.0f} req/s (p99 {limit['p99_ms']:.1f} ms); "
                        f"{CONNECTIONS} connections, {DURATION_S} s, gunicorn 2 workers (bare: really sync, one request at a time each; Koll: gthread, 8 threads each); "
                        "both close the connection after each response; "
                        f"non-2xx {measured['non2xx']}, socket errors {measured['socket_errors']}"))
        rows.append(row("http.ingest_p99", measured["p99_ms"], "ms", "< 50 ms", measured["p99_ms"] / 50,
                        f"ledger held {events_before} events before the run"))
        errors = measured["non2xx"] + sum(int(n) for n in re.findall(r"\d+", measured["socket_errors"]))
        rows.append(row("http.ingest_errors", errors, "responses", "0", None,
                        "non-2xx responses and socket errors (connect, read, write, timeout) under the load"))
        rows.append(row("http.worker_peak_rss", round(rss, 1), "MB", "< 150 MB", rss / 150,
                        f"peak resident memory of a worker, {events_before}+ events in the ledger, after the "
                        "load and after reading the whole map and the situation twice"))
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
