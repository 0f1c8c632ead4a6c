"""Where the write path serialises, measured: the hash chain's lock, and what it caps.

Every append takes one lock on the whole ledger (PostgreSQL: LOCK TABLE koll_events IN
EXCLUSIVE MODE; SQLite: BEGIN IMMEDIATE) from reading the chain's last hash until the commit is
durable, in every instance at once. So 1 / (time the lock is held per append) is a ceiling on
appends per second for the whole deployment, however many instances share the database; group
commit (group_commit.py) puts many reports into one append under load and lifts the ceiling in
reports per second by that batch size.

Measured here on one PostgreSQL: the hold time per append (one writer at a time, so a hold
counts only its own work: of one report, and of ten as group commit gathers them), and HTTP ingest through one and through two gunicorn
instances (2 workers x 8 threads each) on one schema, with the same client load (wrk).
"""

from __future__ import annotations

import getpass
import os
import random
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from bench.common import loaded, report, row
from bench.http_bench import DURATION_S, free_port, gunicorn, run_wrk, stop, wait_up
from koll.ledger.application import Ledger
from koll.ledger.domain.base import Actor
from koll.ledger.scratch import scratch_schema
from koll.ledger.store import Store

PG_URL = os.environ.get("KOLL_TEST_POSTGRES_URL",
                        f"postgresql+psycopg://{getpass.getuser()}@127.0.0.1:5432/koll_test")
SINGLE_APPENDS = 200
GROUP = 10  # reports in one append, as group commit gathers them under load
GROUP_APPENDS = 40
CONNECTIONS = 32  # in all, split over the instances' wrk runs
AREAS = 180  # a city's areas (docs/deploying.md)


def pg_schema():  # type: ignore[no-untyped-def]
    return scratch_schema(PG_URL, prefix="bench")


def lock_holds(url: str, batch: int, appends: int) -> list[float]:
    """Seconds the ledger lock was held by each of ``appends`` appends of ``batch`` reports, one
    writer at a time (so no other thread's work is counted in a hold)."""
    store = Store(url)
    ledger = Ledger(store)
    holds: list[float] = []
    taken: list[float] = []
    lock, insert = store.lock_ledger, ledger.recorder.insert_events

    def timed_lock(conn: sa.Connection) -> None:
        lock(conn)
        taken.append(time.perf_counter())

    def timed_insert(stored_events: Any, **kwargs: Any) -> Any:
        ids = insert(stored_events, **kwargs)  # returns once committed: the lock is released
        holds.append(time.perf_counter() - taken.pop())
        return ids

    store.lock_ledger = timed_lock  # type: ignore[method-assign]
    ledger.recorder.insert_events = timed_insert  # type: ignore[method-assign]
    by = Actor("bench", "reporter", "sdf")
    rng = random.Random(batch)
    holds.clear()
    for _ in range(appends):
        ledger.file_observations(by, [loaded(report(rng)) for _ in range(batch)])
    store.dispose()
    return holds


def instances_rps(url: str, count: int, token: str, workdir: Path) -> dict[str, float]:
    """Reports per second through ``count`` instances, the same wrk load split over them."""
    env = {"KOLL_DATABASE_URL": url, "KOLL_SECRET_KEY": "bench", "KOLL_VAR_DIR": str(workdir / "var")}
    ports = [free_port() for _ in range(count)]
    procs = [gunicorn("koll.ledger.serving:wsgi_app()", port, env) for port in ports]
    results: list[dict[str, Any]] = []
    try:
        for port in ports:
            wait_up(f"http://127.0.0.1:{port}/healthz")
        runs = 2  # two wrk clients in both cases, so the client side costs the same
        targets = [ports[i % count] for i in range(runs)]
        threads = [threading.Thread(target=lambda p=p: results.append(run_wrk(p, token, workdir, CONNECTIONS // runs)))
                   for p in targets]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        for proc in procs:
            stop(proc)
    return {"rps": sum(r["rps"] for r in results), "p99_ms": max(r["p99_ms"] for r in results),
            "errors": sum(r["non2xx"] for r in results)}


def run() -> list[dict[str, Any]]:
    subprocess.run(["wrk", "--version"], capture_output=True)  # FileNotFoundError names wrk if missing
    rows = []
    with pg_schema() as url:
        single = lock_holds(url, 1, SINGLE_APPENDS)
        grouped = lock_holds(url, GROUP, GROUP_APPENDS)
    hold1, hold_g = statistics.median(single), statistics.median(grouped)
    ceiling_single, ceiling_grouped = 1 / hold1, GROUP / hold_g
    rows.append(row("cluster.lock_hold_per_append", hold1 * 1000, "ms", "< 5 ms", hold1 * 1000 / 5,
                    f"PostgreSQL, median of {SINGLE_APPENDS} appends of one report (p90 "
                    f"{sorted(single)[int(0.9 * len(single))] * 1000:.1f} ms), held from the chain's lock to the durable "
                    f"commit, read models included; an append of {GROUP} reports (group commit) holds it "
                    f"{hold_g * 1000:.1f} ms"))
    rows.append(row("cluster.chain_ceiling", round(ceiling_grouped), "reports/s", ">= 100 reports/s",
                    ceiling_grouped / 100,
                    f"for the whole deployment, however many instances: {ceiling_single:.0f} appends/s of one report, "
                    f"{ceiling_grouped:.0f} reports/s when group commit gathers {GROUP}; {AREAS} areas at 50 reports a "
                    f"day each average {AREAS * 50 / 86400:.2f} reports/s"))
    with tempfile.TemporaryDirectory(prefix="koll-cluster-") as tmp, pg_schema() as url:
        store = Store(url)
        token = Ledger(store).add_user("bench", "reporter", "sdf")
        store.dispose()
        one = instances_rps(url, 1, token, Path(tmp))
        two = instances_rps(url, 2, token, Path(tmp))
    rows.append(row("cluster.one_instance_rps", round(one["rps"]), "req/s", "<= chain ceiling",
                    one["rps"] / ceiling_grouped,
                    f"HTTP ingest, one gunicorn instance (2 workers x 8 threads) on PostgreSQL, {CONNECTIONS} "
                    f"connections, {DURATION_S} s; p99 {one['p99_ms']:.0f} ms; non-2xx {one['errors']}; ratio: of the "
                    "chain ceiling"))
    rows.append(row("cluster.two_instances_rps", round(two["rps"]), "req/s", ">= one instance", two["rps"] / one["rps"],
                    f"two instances on one schema, the same load; p99 {two['p99_ms']:.0f} ms; non-2xx {two['errors']}; "
                    f"ratio: two / one; {two['rps'] / ceiling_grouped:.2f} of the chain ceiling"))
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
