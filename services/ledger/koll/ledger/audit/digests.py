"""Digests: statements about the chain's head (position, hash, Merkle root, time), kept beside the ledger."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from koll.ledger.audit.merkle import Frontier
from koll.ledger.audit.rows import _pages
from koll.ledger.domain.base import Actor
from koll.ledger.store import GENESIS, Store, events_table, metadata

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


# Beside the ledger, not in it: a digest is a statement about the chain (see the decision).
digests_table = sa.Table(
    "koll_digests",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("chain_hash", sa.String(64), nullable=False),
    sa.Column("merkle_root", sa.String(64), nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=False),
    sa.Column("reason", sa.String(200), nullable=False),
    sa.Column("published_by", sa.String(120)),
)


@dataclass
class Digest:
    position: int
    chain_hash: str
    published_at: str | None = None
    reason: str | None = None
    merkle_root: str | None = None
    source: str = "ledger"


def load_digests(source: Any, label: str = "file") -> list[Digest]:
    """Digests kept outside the system: a list of digests, {"digests": [...]}, or a signed bundle
    (whose events each name their chain hash, which pins a change to the very event)."""
    if isinstance(source, (str, Path)):
        source = json.loads(Path(source).read_text())
    items: Iterable[Any]
    if isinstance(source, dict) and "bundle" in source:
        source = source["bundle"]
    if isinstance(source, dict) and "events" in source:
        items = [*source["events"], *([source["digest"]] if source.get("digest") else [])]
    elif isinstance(source, dict) and "digests" in source:
        items = source["digests"]
    elif isinstance(source, dict):
        items = [source]
    else:
        items = source
    out = []
    for d in items:
        out.append(Digest(position=int(d["position"]), chain_hash=str(d["chain_hash"]),
                          published_at=d.get("published_at") or d.get("at"), reason=d.get("reason"),
                          merkle_root=d.get("merkle_root"), source=label))
    return out


def stored_digests(conn: sa.Connection) -> list[Digest]:
    t = digests_table
    return [Digest(position=r.position, chain_hash=r.chain_hash, published_at=r.published_at.isoformat() + "Z",
                   reason=r.reason, merkle_root=r.merkle_root)
            for r in conn.execute(sa.select(t).order_by(t.c.position, t.c.id))]


def head_digest(conn: sa.Connection) -> dict[str, Any]:
    """The chain's head as the caller's transaction sees it: position, hash, Merkle root."""
    head = conn.execute(sa.select(events_table.c.id, events_table.c.chain_hash)
                        .order_by(events_table.c.id.desc()).limit(1)).first()
    position, chain_hash = (head[0], head[1]) if head else (0, GENESIS)
    return {"position": position, "chain_hash": chain_hash, "merkle_root": chain_root(conn, position)}


# The Merkle frontier at the last position a digest was made at, per database: the next digest
# reads and hashes only the events since (recomputing the whole tree every 1,000 events took the
# publisher longer than the appends it vouched for once the ledger held some 100,000 events).
_frontiers: dict[str, tuple[int, str, Frontier]] = {}
_frontiers_lock = threading.Lock()


def chain_root(conn: sa.Connection, position: int) -> str:
    """The Merkle root over the chain hashes of positions 1..``position``, as ``merkle_root``
    computes it, from the frontier kept for this database when it still holds the same chain
    (the hash at its position unchanged: a restored or new ledger starts over)."""
    key = conn.engine.url.render_as_string(hide_password=False)
    with _frontiers_lock:
        kept = _frontiers.get(key)
    at, frontier = 0, Frontier()
    if kept is not None and 0 < kept[0] <= position:
        same = conn.execute(sa.select(events_table.c.chain_hash).where(events_table.c.id == kept[0])).scalar()
        if same == kept[1]:
            at, frontier = kept[0], kept[2].copy()
    last_hash = kept[1] if at else GENESIS
    for rows in _pages(conn, start_after=at, stop=position, page=100_000, columns="id, chain_hash"):
        frontier.extend([r[1] for r in rows])
        at, last_hash = rows[-1][0], rows[-1][1]
    if at:
        with _frontiers_lock:
            if key not in _frontiers or _frontiers[key][0] <= at:
                _frontiers[key] = (at, last_hash, frontier.copy())
    return frontier.root()


def record_digest(conn: sa.Connection, head: dict[str, Any], reason: str, by: str | None = None) -> dict[str, Any]:
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    row = {**head, "published_at": now, "reason": reason[:200], "published_by": by}
    new_id = conn.execute(digests_table.insert().values(**row)).inserted_primary_key[0]
    return {"id": new_id, **row, "published_at": now.isoformat() + "Z"}


def publish_digest_in(conn: sa.Connection, reason: str, by: str | None = None) -> dict[str, Any]:
    """Record a digest of the chain's head in the caller's transaction (e.g. a meeting's)."""
    return record_digest(conn, head_digest(conn), reason, by)


def publish_digest(ledger: Ledger, reason: str, by: Actor | None = None) -> dict[str, Any]:
    """Publish the chain head now (on demand, and at every meeting held)."""
    with ledger.store.write() as conn:
        ledger.store.lock_ledger(conn)  # the head cannot move while it is read
        return publish_digest_in(conn, reason, by.user if by else None)


def list_digests(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        t = digests_table
        return [{"id": r.id, "position": r.position, "chain_hash": r.chain_hash, "merkle_root": r.merkle_root,
                 "published_at": r.published_at.isoformat() + "Z", "reason": r.reason, "published_by": r.published_by}
                for r in conn.execute(sa.select(t).order_by(t.c.id))]


# Meetings: the chain's head is published whenever a meeting is held, in the same transaction.
MEETING_EVENTS = frozenset({"Meeting.Held", "Meeting.Closed"})


def digest_at_meetings(conn: sa.Connection, batch: Sequence[tuple[int, Any]]) -> None:
    """In-transaction hook (LedgerRecorder.in_transaction): a digest at every meeting held."""
    for _position, event in batch:
        if type(event).__qualname__ in MEETING_EVENTS:
            by = getattr(event, "by", None) or {}
            publish_digest_in(conn, f"meeting {event.originator_id} held", by.get("user"))

