"""Verifying the chain: every link recomputed straight from the stored rows (raw SQL and hashlib, no
domain decoding), stopping at the first position that breaks; digests are checked on the way."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import sqlalchemy as sa

from koll.ledger.audit.digests import Digest, stored_digests
from koll.ledger.audit.rows import _pages
from koll.ledger.store import GENESIS, Store, events_table


@dataclass
class VerifyReport:
    ok: bool
    events: int
    head_position: int
    head_hash: str
    first_bad_position: int | None = None
    reason: str | None = None
    # For a digest that no longer matches: the change lies in positions window[0]..window[1].
    window: tuple[int, int] | None = None
    digests_checked: int = 0
    seconds: float = 0.0
    events_per_second: float = 0.0
    # Digests kept outside the database (the file): how many, the last position one vouches for,
    # and how many events after it no outside digest covers yet.
    outside_digests: int = 0
    outside_position: int = 0
    not_covered: int = 0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_chain(store: Store, digests: Sequence[Digest] = (), include_stored: bool = True,
                 page: int = 50_000, progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """Recompute every link from the stored rows; stop at the first break.

    Breaks found: a position missing or out of order (deleted or inserted rows), a row whose
    content no longer gives its stored hash (changed, reordered, forged), and a digest whose
    hash differs from the recomputed chain at its position (the chain was rewritten and
    re-hashed after the digest was published).
    """
    started = time.perf_counter()
    sha256 = hashlib.sha256
    with store.read() as conn:
        wanted = list(digests)
        if include_stored:
            wanted += stored_digests(conn)
        end = conn.execute(sa.select(sa.func.max(events_table.c.id))).scalar() or 0
        by_position: dict[int, list[Digest]] = {}
        for d in wanted:
            by_position.setdefault(d.position, []).append(d)
        checked = 0
        good_digest = 0  # the last position a digest vouched for
        previous = GENESIS
        expected = 1
        count = 0

        def report(bad: int | None, reason: str | None, window: tuple[int, int] | None = None) -> VerifyReport:
            seconds = time.perf_counter() - started
            return VerifyReport(ok=bad is None, events=count, head_position=expected - 1, head_hash=previous,
                                first_bad_position=bad, reason=reason, window=window, digests_checked=checked,
                                seconds=round(seconds, 3), events_per_second=round(count / seconds) if seconds else 0)

        for rows in _pages(conn, page=page):
            for event_id, originator, version, topic, state, occurred, stored_hash in rows:
                if event_id != expected:
                    if event_id > expected:
                        return report(expected, f"position {expected} is missing: the next stored event is "
                                                f"{event_id} (an event was deleted or positions renumbered)")
                    return report(event_id, f"position {event_id} appears out of order")
                h = sha256(previous.encode())
                h.update(f"|{event_id}|{originator}|{version}|{topic}|{occurred}|".encode())
                h.update(state)
                computed = h.hexdigest()
                if computed != stored_hash:
                    return report(event_id, f"event {event_id} does not match its chain hash: its content, its "
                                            "place in the order or the hash itself was changed")
                previous = computed
                count += 1
                expected += 1
                if event_id in by_position:
                    for d in by_position.pop(event_id):
                        checked += 1
                        if d.chain_hash != computed:
                            return report(good_digest + 1,
                                          f"the digest published at position {event_id}"
                                          f"{' on ' + d.published_at if d.published_at else ''} ({d.source}) no "
                                          f"longer matches: an event at positions {good_digest + 1}–{event_id} was "
                                          f"changed, deleted or inserted and the chain re-hashed after it",
                                          (good_digest + 1, event_id))
                    good_digest = event_id
            if progress:
                progress(expected - 1, end)
        beyond = sorted(p for p in by_position if p >= expected)
        if beyond:
            d = by_position[beyond[0]][0]
            return report(expected, f"a digest was published at position {d.position}"
                                    f"{' on ' + d.published_at if d.published_at else ''} ({d.source}) but the "
                                    f"ledger ends at {expected - 1}: events were deleted from its end",
                          (expected, d.position))
        return report(None, None)

