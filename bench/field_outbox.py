"""Field app benchmarks: flushing an outbox of 1,000 queued reports to a local service, and
the app's cold start (process start to the first frame, headless).

    .venv/bin/python bench/field_outbox.py

``run()`` returns [{"name","value","unit","goal","note"}] for bench/run.py. The physical limit
printed beside the flush is the same 1,000 reports posted as one raw batch by ``requests``
(no outbox, no SQLite) in the same run: the outbox's own overhead is the difference.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
N = 1000
FLUSH_GOAL_S = 5.0
COLD_START_GOAL_S = 3.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Service:
    def __init__(self, tmp: Path):
        self.port = _free_port()
        self.env = {**os.environ, "KOLL_DATABASE_URL": f"sqlite:///{tmp / 'koll.sqlite'}",
                    "KOLL_BLOB_DIR": str(tmp / "blobs"), "KOLL_VAR_DIR": str(tmp / "var"), "KOLL_HOST": "127.0.0.1",
                    "KOLL_PORT": str(self.port)}
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(tmp / "serve.log", "ab")
        self.proc = subprocess.Popen([str(BIN / "koll"), "serve"], env=self.env, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("koll serve did not start")
            time.sleep(0.1)

    def token(self) -> str:
        out = subprocess.run([str(BIN / "koll"), "user", "add", f"bench{time.time_ns()}", "--role", "reporter",
                              "--org", "sdf"], env=self.env, capture_output=True, text=True, check=True)
        return out.stdout.strip().splitlines()[-1].strip()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _bodies(n: int) -> list[dict]:
    from koll.field.report import Location, ReportForm

    out = []
    for i in range(n):
        f = ReportForm()
        f.choose_category("REN-01" if i % 3 else "UPP-02")
        f.location = Location.of_place("torget")
        f.note = f"bänk {i}"
        body = f.body()
        if body["category"] == "REN-01":  # photo required: bench the photo-free kinds only
            f.choose_category("REN-05")
            body = f.body()
        out.append(body)
    return out


def bench_flush(service: _Service, tmp: Path) -> tuple[float, float]:
    from koll.field.outbox import Outbox
    from koll.field.sync import ApiClient, Syncer

    token = service.token()
    outbox = Outbox(tmp / "phone")
    ids = outbox.queue_many(_bodies(N))
    t0 = time.perf_counter()
    res = Syncer(outbox, ApiClient(service.url, token), batch_size=250).flush(timeout=120)
    flush_s = time.perf_counter() - t0
    assert res.sent == N and outbox.counts()["sent"] == N, (res, outbox.counts())
    assert len(ids) == N
    # Same run, the limit: the same number of fresh reports in two raw 500-report requests.
    raw = [json.dumps(b) for b in _bodies(N)]
    token2 = service.token()
    t0 = time.perf_counter()
    for i in range(0, N, 500):
        r = requests.post(f"{service.url}/api/v1/observations/batch",
                          data='{"observations":[' + ",".join(raw[i:i + 500]) + "]}",
                          headers={"Authorization": f"Bearer {token2}", "Content-Type": "application/json"},
                          timeout=120)
        assert r.status_code == 200, r.text
    raw_s = time.perf_counter() - t0
    return flush_s, raw_s


def bench_cold_start(tmp: Path) -> float:
    """The real app, headless: process start to the first frame (tests/field/drive.py)."""
    out = tmp / "cold.json"
    data = tmp / "cold-phone"
    cmd = [sys.executable, str(ROOT / "tests" / "field" / "drive.py"), "idle", "--data-dir", str(data),
           "--out", str(out), "--watchdog", "60"]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "tests" / "field")}
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True, timeout=90, check=True)
        wall = time.perf_counter() - t0
        measured = json.loads(out.read_text()).get("cold_start_s", wall)
        best = min(best, measured)
    return best


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="koll-field-bench-"))
    service = _Service(tmp)
    try:
        flush_s, raw_s = bench_flush(service, tmp)
    finally:
        service.stop()
    cold_s = bench_cold_start(tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    return [
        {"name": "field.flush_1000", "value": round(flush_s, 3), "unit": "s", "goal": f"< {FLUSH_GOAL_S} s",
         "ratio": flush_s / FLUSH_GOAL_S,
         "note": f"outbox → /observations/batch in batches of 250; raw 2×500 POST of the same on this "
                 f"machine {raw_s:.2f} s (ratio to raw {flush_s / raw_s:.2f})"},
        {"name": "field.cold_start", "value": round(cold_s, 3), "unit": "s", "goal": f"< {COLD_START_GOAL_S} s",
         "ratio": cold_s / COLD_START_GOAL_S,
         "note": "process start to first frame, headless SDL2/Mesa, best of 3"},
    ]


def main() -> int:
    for r in run():
        print(f"{r['name']}: {r['value']:.2f} {r['unit']} (goal {r['goal']}, ratio {r['ratio']:.2f})  – {r['note']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
