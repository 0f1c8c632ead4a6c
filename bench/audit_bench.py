"""Audit: `koll verify` over 1,000,000 events, and the boards as of a moment over 100,000 events.

- verify: a temporary SQLite file filled in bulk with 1,000,000 small events carrying a valid
  chain, then ``audit.verify_chain`` over it, against the goal of 100,000 events/s; the limit
  beside it is SHA-256 over the same bytes with nothing else (no reading, no checking).
- as-of: a ledger of 100,000 events (50,000 reports over a year, by the real ledger), then the
  situation picture and measure board replayed for an arbitrary moment and for the end.
- verify of real events: that same ledger's 100,000 events (400–700 bytes each, as recorded),
  on its SQLite file and copied row for row, chain and all, into PostgreSQL.
"""

from __future__ import annotations

import hashlib
import random
import sqlite3
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.common import fresh_ledger, loaded, report, row, timed
from koll.ledger import audit
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor
from koll.ledger.audit import AsOfCache
from koll.ledger.queries.audit import as_of_boards
from koll.ledger.store import GENESIS, Store

ANNA = Actor("anna", "reporter", "sdf")
AUDITOR = Actor("revisor", "auditor", "staden")


def chained_ledger(path: Path, n: int) -> float:
    """Bulk-insert n small events with a valid chain; returns the SHA-256-only rate over them."""
    store = Store(f"sqlite:///{path}")
    store.create_schema()
    store.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    conn.execute("BEGIN")
    previous = GENESIS
    topic = "koll.ledger.domain.observation:Observation.PhotoAttached"
    aggregates = [f"{i:08d}-0000-4000-8000-000000000000" for i in range(1000)]
    start_us = 1_526_000_000_000_000
    batch = []
    sha256 = hashlib.sha256
    for i in range(1, n + 1):
        agg = aggregates[i % 1000]
        version = i // 1000 + 1
        occurred = start_us + i * 1_000_000
        state = b'{"sha256":"%d","media_type":"image/jpeg","by":{"user":"anna","role":"reporter","org":"sdf"}}' % i
        h = sha256(previous.encode())
        h.update(f"|{i}|{agg}|{version}|{topic}|{occurred}|".encode())
        h.update(state)
        previous = h.hexdigest()
        batch.append((i, agg, version, topic, state, occurred, previous))
        if len(batch) == 50_000:
            conn.executemany("INSERT INTO koll_events (id, originator_id, originator_version, topic, state, "
                             "occurred_us, chain_hash) VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
            batch = []
    if batch:
        conn.executemany("INSERT INTO koll_events VALUES (?, ?, ?, ?, ?, ?, ?)", batch)
    conn.execute("COMMIT")
    conn.close()
    # The limit: the hashing alone, over the same bytes.
    blob = b"x" * 100
    with timed() as elapsed:
        prev = GENESIS
        for i in range(200_000):
            h = sha256(prev.encode())
            h.update(b"|%d|00000000-0000-4000-8000-000000000000|1|topic|1526000000000000|" % i)
            h.update(blob)
            prev = h.hexdigest()
    return 200_000 / elapsed()


def verify_rows(directory: Path, n: int = 1_000_000) -> list[dict[str, Any]]:
    path = directory / "verify.sqlite"
    hash_only = chained_ledger(path, n)
    store = Store(f"sqlite:///{path}")
    report_ = audit.verify_chain(store)
    store.dispose()
    assert report_.ok and report_.events == n, report_
    rate = n / report_.seconds
    return [row("koll verify (1,000,000 events, SQLite)", rate, "events/s", "> 100,000 events/s",
                rate / 100_000, note=f"{report_.seconds:.1f} s in all; SHA-256 alone on this machine: "
                                      f"{hash_only:,.0f} links/s (verify at {rate / hash_only:.0%} of it)")]


def verify_real_rows(ledger: Any) -> list[dict[str, Any]]:
    """`koll verify` over the real events a ledger recorded: on its SQLite file, and on PostgreSQL
    with the very same rows (the chain does not depend on the back-end)."""
    import sqlalchemy as sa

    from koll.ledger.scratch import scratch_schema
    from koll.ledger.store import events_table
    from bench.cluster_bench import PG_URL

    with ledger.store.read() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(events_table).order_by(events_table.c.id))]
    n = len(rows)
    size = sum(len(r["state"]) for r in rows) / max(n, 1)
    out = []
    local = audit.verify_chain(ledger.store)
    assert local.ok and local.events == n, local
    out.append(row(f"koll verify ({n:,} real events, SQLite)", n / local.seconds, "events/s", "> 100,000 events/s",
                   n / local.seconds / 100_000, note=f"events as the ledger recorded them, {size:.0f} bytes "
                                                      "of state on average"))
    with scratch_schema(PG_URL, prefix="bench") as url:
        store = Store(url)
        store.create_schema()
        with store.write() as conn:
            for i in range(0, n, 10_000):
                conn.execute(events_table.insert(), rows[i:i + 10_000])
        remote = audit.verify_chain(store)
        store.dispose()
    assert remote.ok and remote.events == n, remote
    out.append(row(f"koll verify ({n:,} real events, PostgreSQL)", n / remote.seconds, "events/s",
                   "> 100,000 events/s", n / remote.seconds / 100_000,
                   note="the same rows copied into PostgreSQL on this machine (local socket), chain and all"))
    return out


def as_of_rows(directory: Path, reports: int = 50_000) -> list[dict[str, Any]]:
    ledger = fresh_ledger(directory, "asof.sqlite")
    rng = random.Random(11)
    start = (datetime.now(timezone.utc) - timedelta(days=360)).replace(microsecond=0)
    step = timedelta(days=350) / reports
    with timed() as fill:
        for i in range(0, reports, 1000):
            with clock.frozen_at(start + step * i):
                ledger.file_observations(ANNA, [loaded(report(rng, at=start + step * i)) for _ in range(1000)])
    events = ledger.recorder.max_notification_id()
    shared = directory / "asof"
    cache = AsOfCache(interval=10_000, directory=shared)
    with timed() as at_end_timed:  # nothing recorded since: the live tables, no replay
        at_end = as_of_boards(ledger, start + timedelta(days=355), AUDITOR, cache=cache)
    with timed() as ahead:  # what the server's thread does once for a ledger that never had checkpoints
        cache.prepare(ledger, most=None)  # `koll checkpoints`
    arbitrary = start + step * int(reports * 0.73) + step / 3
    with timed() as warm:  # another worker's first request: the checkpoints are in var/asof
        at_mid = as_of_boards(ledger, arbitrary, AUDITOR, cache=AsOfCache(interval=10_000, directory=shared))
    with timed() as bare:
        as_of_boards(ledger, arbitrary, AUDITOR)  # no cache, no checkpoints: the whole replay
    # A stretch recorded with the clock set back: at a moment inside it, the events that had happened
    # are not a prefix of the ledger (those recorded after it, with earlier times, are in).
    back = start + step * int(reports * 0.5)
    with clock.frozen_at(back):
        ledger.file_observations(ANNA, [loaded(report(rng, at=back)) for _ in range(500)])
    with timed() as skewed:  # another worker's first request, from the checkpoints in var/asof
        at_skew = as_of_boards(ledger, back + step / 3, AUDITOR, cache=AsOfCache(interval=10_000, directory=shared))
    assert at_skew["position"] > events and at_skew["events"] < at_skew["position"]
    assert at_end["events"] == events and at_mid["situation"]["cases"] > 0
    kept = cache.checkpoints(ledger)
    disk = sum(path.stat().st_size for path, _ in kept.values()) / 1e6
    verified = verify_real_rows(ledger)
    ledger.store.dispose()
    what = "replayed into in-memory SQLite by the live projections, then the live queries (situation, map, measure board)"
    return [
        row(f"as-of boards at an arbitrary moment, first request, from a checkpoint ({at_mid['events']:,} of "
            f"{events:,} events)", warm(), "s", "< 1 s", warm() / 1.0,
            note=f"{what}; a worker's first request, from the read models the server checkpointed ahead every "
                 f"10,000 positions in var/asof; replays at most 10,000 events; {len(kept)} checkpoints, "
                 f"{disk:.0f} MB on disk"),
        row(f"as-of boards at an arbitrary moment, full replay ({at_mid['events']:,} events)", bare(), "s",
            "< 1 s", bare() / 1.0, note="no checkpoints (a moment whose events are not a prefix of the ledger): "
                                        "decoding and folding every event in Python"),
        row(f"as-of boards at a moment whose events are not a prefix, first request, from a checkpoint "
            f"({at_skew['events']:,} of {at_skew['position']:,} events)", skewed(), "s", "< 1 s", skewed() / 1.0,
            note="1,000 events recorded last with the clock set back half a year: at a moment among them, "
                 "the events before it are not a prefix of the ledger; the replay starts from the checkpoint "
                 "within the prefix that is, and leaves out what came after the moment"),
        row(f"as-of checkpoints made ahead, once for a ledger that never had them ({events:,} events)", ahead(),
            "s", "", None, note="`koll checkpoints`, in a file; afterwards the server's thread folds a fraction "
                                "of a second each time the ledger passes another 10,000 events; no request waits"),
        row(f"as-of boards at a moment with nothing recorded since ({events:,} events)", at_end_timed(), "s",
            "< 1 s", at_end_timed() / 1.0, note="read from the live read models in one snapshot: the replay would be them"),
        *verified,
    ]


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        return verify_rows(Path(tmp)) + as_of_rows(Path(tmp))


if __name__ == "__main__":
    for r in run():
        print(r)
