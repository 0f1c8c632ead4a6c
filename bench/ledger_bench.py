"""The ledger against the physical limit measured beside it, in the same run on the same disk.

- single appends through the whole ledger vs raw SQLite insert-and-commit at the same durability;
- batch ingest of 10,000 observations;
- a projection rebuild of 100,000 events.
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import fresh_ledger, loaded, report, row, timed
from koll.ledger.domain.base import Actor

ANNA = Actor("anna", "reporter", "sdf")


def raw_sqlite_commits(directory: Path, n: int) -> float:
    """The limit: one INSERT of the report's JSON and one COMMIT each, WAL, synchronous=FULL."""
    path = directory / "raw.sqlite"
    path.unlink(missing_ok=True)
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("CREATE TABLE reports (id TEXT PRIMARY KEY, body TEXT NOT NULL)")
    rng = random.Random(1)
    bodies = [report(rng) for _ in range(n)]
    with timed() as elapsed:
        for b in bodies:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT INTO reports VALUES (?, ?)", (b["id"], json.dumps(b)))
            conn.execute("COMMIT")
    conn.close()
    return n / elapsed()


def ledger_single(directory: Path, n: int) -> float:
    ledger = fresh_ledger(directory, "single.sqlite")
    rng = random.Random(2)
    reports = [loaded(report(rng)) for _ in range(n)]
    with timed() as elapsed:
        for r in reports:
            ledger.file_observation(ANNA, r)
    ledger.store.dispose()
    return n / elapsed()


def batch_ingest(directory: Path, n: int, batch: int = 500, direct: bool = True) -> tuple[float, float, Any]:
    """(reports a second, CPU µs a report, the ledger). The CPU time (``time.process_time``) moves
    far less with the machine's load than the rate does; ``direct=False`` builds each report's
    aggregates, the path the batch path was before issue 17."""
    ledger = fresh_ledger(directory, f"batch-{n}-{direct}.sqlite")
    ledger.direct_events = direct
    rng = random.Random(3)
    reports = [loaded(report(rng)) for _ in range(n)]
    cpu = time.process_time()
    with timed() as elapsed:
        for i in range(0, n, batch):
            ledger.file_observations(ANNA, reports[i:i + batch])
    return n / elapsed(), (time.process_time() - cpu) / n * 1e6, ledger


def batch_ingest_postgresql(n: int, batch: int = 500) -> tuple[float, float]:
    from bench.cluster_bench import PG_URL
    from koll.ledger.application import Ledger
    from koll.ledger.scratch import scratch_schema
    from koll.ledger.store import Store

    rng = random.Random(3)
    reports = [loaded(report(rng)) for _ in range(n)]
    with scratch_schema(PG_URL, prefix="bench") as url:
        ledger = Ledger(Store(url))
        try:
            cpu = time.process_time()
            with timed() as elapsed:
                for i in range(0, n, batch):
                    ledger.file_observations(ANNA, reports[i:i + batch])
            return n / elapsed(), (time.process_time() - cpu) / n * 1e6
        finally:
            ledger.store.dispose()


def run() -> list[dict[str, Any]]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="koll-bench-") as tmp:
        d = Path(tmp)
        n = 2000
        raw = raw_sqlite_commits(d, n)
        single = ledger_single(d, n)
        rows.append(row("ledger.single_append", round(single), "reports/s", ">= 0.5 x raw SQLite commit rate",
                        single / raw, f"raw SQLite insert+commit (WAL, FULL) = {raw:.0f}/s; each report is "
                        "2 events + key + 3 read-model rows in one transaction"))
        rate, cpu, ledger = batch_ingest(d, 10_000)
        rows.append(row("ledger.batch_ingest_10k", round(rate), "reports/s", ">= 10,000/s", rate / 10_000,
                        f"batches of 500 as a phone's outbox sends them; CPU {cpu:.0f} µs a report"))
        pg_rate, pg_cpu = batch_ingest_postgresql(10_000)
        rows.append(row("ledger.batch_ingest_10k_postgresql", round(pg_rate), "reports/s", ">= 5,000/s",
                        pg_rate / 5_000, f"the same on the local PostgreSQL server; rows by COPY; CPU {pg_cpu:.0f} "
                        "µs a report in this process"))
        # 10,000 reports are 20,000 events; add more for a 100,000-event rebuild.
        rng = random.Random(4)
        more = [loaded(report(rng)) for _ in range(40_000)]
        for i in range(0, len(more), 500):
            ledger.file_observations(ANNA, more[i:i + 500])
        events = ledger.recorder.max_notification_id() or 0
        with timed() as elapsed:
            ledger.rebuild()
        rebuild = events / elapsed()
        rows.append(row("ledger.rebuild_100k", round(rebuild), "events/s", ">= 50,000/s", rebuild / 50_000,
                        f"{events} events into cases, observations and every other read model"))
        ledger.store.dispose()
    return rows


def ab_batch(n: int = 3000, rounds: int = 3) -> None:
    """Interleaved pairs, aggregates then direct events, in CPU µs a report (small sizes):
    ``python -m bench.ledger_bench ab [n] [rounds]``."""
    for r in range(rounds):
        for direct in (False, True):
            with tempfile.TemporaryDirectory(prefix="koll-bench-") as tmp:
                rate, cpu, ledger = batch_ingest(Path(tmp), n, direct=direct)
                ledger.store.dispose()
            print(f"round {r} {'direct events' if direct else 'aggregates   '}: {cpu:.0f} µs CPU a report, "
                  f"{rate:.0f} reports/s", flush=True)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["ab"]:
        ab_batch(*map(int, sys.argv[2:4]))
    else:
        for r in run():
            print(r)
