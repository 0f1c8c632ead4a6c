"""Audit: a ledger nobody can quietly rewrite, the past as it stood, erasure that keeps the chain.

- ``verify_chain`` recomputes the hash chain straight from the stored rows (raw SQL and
  hashlib, no domain decoding) and names the first position that breaks; published digests
  (the ``koll_digests`` table and any kept outside the system) are checked on the way.
- ``publish_digest`` records the chain head (position, hash, Merkle root, time) on demand and
  at every meeting; ``merkle_proof`` shows that one event is inside a published digest.
- ``replay_until`` folds the ledger up to a moment into a scratch in-memory SQLite database
  with the very projection classes the live boards use (time travel).
- ``erase_observation`` destroys a report's key in the transaction that records the erasure.
- ``signed_bundle`` exports events, chain and digest signed with the installation's Ed25519 key.

See docs/decisions/0004-audit-digests-and-erasure.md for why digests are not events and why
erasure is an event on the observation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError, StoredEvent

from koll.ledger.domain.base import Actor, DomainError, NotAllowed
from koll.ledger.store import GENESIS, Store, chain_link, events_table, metadata, tracking_table

if TYPE_CHECKING:
    from koll.ledger.application import Ledger
    from koll.ledger.photos import PhotoStore

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

_COLUMNS = "id, originator_id, originator_version, topic, state, occurred_us, chain_hash"


def to_us(moment: datetime) -> int:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return int(moment.timestamp() * 1_000_000)


def from_us(us: int | None) -> str | None:
    return None if us is None else datetime.fromtimestamp(us / 1_000_000, timezone.utc).isoformat()


# ---------------------------------------------------------------------------------------------
# Reading the stored rows fast: the driver's own cursor, in pages by position.


def _pages(conn: sa.Connection, start_after: int = 0, stop: int | None = None, page: int = 50_000,
           columns: str = _COLUMNS) -> Iterator[list[tuple]]:
    """Rows of koll_events in position order, ``page`` at a time, through the raw DB-API cursor."""
    dbapi = conn.connection.dbapi_connection
    mark = "?" if conn.dialect.name == "sqlite" else "%s"
    bound = f" AND id <= {int(stop)}" if stop is not None else ""
    sql = f"SELECT {columns} FROM koll_events WHERE id > {mark}{bound} ORDER BY id LIMIT {int(page)}"
    cur = dbapi.cursor()
    try:
        last = start_after
        while True:
            cur.execute(sql, (last,))
            rows = cur.fetchall()
            if not rows:
                return
            yield rows
            last = rows[-1][0]
            if len(rows) < page:
                return
    finally:
        cur.close()


# ---------------------------------------------------------------------------------------------
# Verifying the chain.


@dataclass
class Digest:
    position: int
    chain_hash: str
    published_at: str | None = None
    reason: str | None = None
    merkle_root: str | None = None
    source: str = "ledger"


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

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


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
            return report(expected, f"a digest was published at position {d.position} but the ledger ends at "
                                    f"{expected - 1}: events were deleted from its end", (expected, d.position))
        return report(None, None)


# ---------------------------------------------------------------------------------------------
# Merkle tree over the chain hashes of positions 1..N (leaf = H(0x00‖hash), node = H(0x01‖l‖r),
# an odd node is carried up unchanged).


def _leaf(chain_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(chain_hash)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _chain_hashes(conn: sa.Connection, position: int) -> list[str]:
    out: list[str] = []
    for rows in _pages(conn, stop=position, page=100_000, columns="id, chain_hash"):
        out.extend(r[1] for r in rows)
    return out


def merkle_root(hashes: Sequence[str]) -> str:
    level = [_leaf(h) for h in hashes]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        level = [_node(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
    return level[0].hex()


def merkle_path(hashes: Sequence[str], index: int) -> list[dict[str, str]]:
    """Sibling hashes from the leaf at ``index`` (0-based) to the root."""
    level = [_leaf(h) for h in hashes]
    path = []
    while len(level) > 1:
        sibling = index ^ 1
        if sibling < len(level):
            path.append({"side": "left" if sibling < index else "right", "hash": level[sibling].hex()})
        level = [_node(level[i], level[i + 1]) if i + 1 < len(level) else level[i] for i in range(0, len(level), 2)]
        index //= 2
    return path


def root_from_path(chain_hash: str, path: Sequence[dict[str, str]]) -> str:
    node = _leaf(chain_hash)
    for step in path:
        other = bytes.fromhex(step["hash"])
        node = _node(other, node) if step["side"] == "left" else _node(node, other)
    return node.hex()


def chain_link_of(previous: str, row: dict[str, Any]) -> str:
    return chain_link(previous, row["position"], row["aggregate_id"], row["version"], row["topic"],
                      base64.b64decode(row["state_b64"]), row["occurred_us"])


def _event_rows(conn: sa.Connection, first: int, last: int) -> list[dict[str, Any]]:
    out = []
    for rows in _pages(conn, start_after=first - 1, stop=last, page=20_000):
        for event_id, originator, version, topic, state, occurred, chain_hash in rows:
            out.append({"position": event_id, "aggregate_id": originator, "version": version, "topic": topic,
                        "occurred_us": occurred, "at": from_us(occurred),
                        "state_b64": base64.b64encode(bytes(state)).decode("ascii"), "chain_hash": chain_hash})
    return out


# A bundle holds every event's stored state (the chain cannot be checked without it), so it is
# built in memory: a period keeps it to a size a laptop opens.
MAX_BUNDLE_EVENTS = 200_000


def refuse_hidden(conn: sa.Connection, viewer: Actor | None, first: int, last: int) -> None:
    """Raw events cannot be redacted and still verify: refuse a range holding any the viewer may not see."""
    if viewer is None or last < first:
        return
    from koll.ledger.projections.audit import audit_events as t
    from koll.ledger.queries.visibility import visible_levels

    hidden = conn.execute(sa.select(sa.func.count()).where(
        t.c.position.between(first, last), t.c.visibility.is_not(None),
        t.c.visibility.not_in(visible_levels(viewer)))).scalar() or 0
    if hidden:
        raise NotAllowed(f"positions {first}–{last} hold {hidden} restricted events that {viewer.role} in "
                         f"{viewer.org} may not see; choose another period, or ask an auditor of the police "
                         "or social services (IFO)", hidden=hidden)


def _hash_at(conn: sa.Connection, position: int) -> str:
    if position <= 0:
        return GENESIS
    found = conn.execute(sa.select(events_table.c.chain_hash).where(events_table.c.id == position)).scalar()
    if found is None:
        raise DomainError(f"no event at position {position}",
                          sv=f"ingen händelse på position {position}", field="position")
    return found


def merkle_proof(store: Store, position: int, digest: Digest | None = None,
                 viewer: Actor | None = None) -> dict[str, Any]:
    """Proof that the event at ``position`` is inside the digest (default: the latest published one
    at or after it): the event's row, the hash before it, and the path to the digest's Merkle root."""
    with store.read() as conn:
        if digest is None:
            found = [d for d in stored_digests(conn) if d.position >= position]
            if not found:
                raise DomainError(f"no digest has been published at or after position {position}",
                                  sv=f"ingen kontrollsumma har publicerats på eller efter position {position}", field="digest")
            digest = found[0]
        if not 1 <= position <= digest.position:
            raise DomainError(f"position {position} is not inside the digest at {digest.position}",
                              sv=f"position {position} ligger inte inom kontrollsumman vid {digest.position}", field="position")
        refuse_hidden(conn, viewer, position, position)
        hashes = _chain_hashes(conn, digest.position)
        event = _event_rows(conn, position, position)[0]
        previous = _hash_at(conn, position - 1)
    root = merkle_root(hashes)
    return {
        "position": position, "event": event, "previous_chain_hash": previous,
        "digest": asdict(digest), "tree_size": digest.position, "merkle_root": root,
        "matches_published_root": digest.merkle_root in (None, root),
        "path": merkle_path(hashes, position - 1),
        "how_to_check": "chain_hash = sha256(previous ‖ '|position|aggregate_id|version|topic|occurred_us|' ‖ state); "
                        "leaf = sha256(0x00 ‖ chain_hash); for each step node = sha256(0x01 ‖ left ‖ right); "
                        "the result must equal the digest's merkle_root",
    }


def check_proof(proof: dict[str, Any]) -> bool:
    """Recompute a proof: the event's chain hash from its content, then the root from the path."""
    event = proof["event"]
    if chain_link_of(proof["previous_chain_hash"], event) != event["chain_hash"]:
        return False
    expected_root = proof["digest"].get("merkle_root") or proof["merkle_root"]
    return root_from_path(event["chain_hash"], proof["path"]) == expected_root


# ---------------------------------------------------------------------------------------------
# Digests.


def publish_digest_in(conn: sa.Connection, reason: str, by: str | None = None) -> dict[str, Any]:
    """Record a digest of the chain's head in the caller's transaction (e.g. a meeting's)."""
    head = conn.execute(sa.select(events_table.c.id, events_table.c.chain_hash)
                        .order_by(events_table.c.id.desc()).limit(1)).first()
    position, chain_hash = (head[0], head[1]) if head else (0, GENESIS)
    root = merkle_root(_chain_hashes(conn, position)) if position else merkle_root([])
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    row = {"position": position, "chain_hash": chain_hash, "merkle_root": root, "published_at": now,
           "reason": reason[:200], "published_by": by}
    new_id = conn.execute(digests_table.insert().values(**row)).inserted_primary_key[0]
    return {"id": new_id, **row, "published_at": now.isoformat() + "Z"}


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


# ---------------------------------------------------------------------------------------------
# Time travel: the ledger replayed up to a moment into a scratch database.


class Scratch:
    """An in-memory SQLite database holding the read models as they stood at one moment."""

    def __init__(self, projector: Any) -> None:
        self.engine = sa.create_engine("sqlite://", poolclass=sa.pool.StaticPool,
                                       connect_args={"check_same_thread": False})
        self.lock = threading.Lock()
        tracking = sa.MetaData()
        tracking_table.to_metadata(tracking)
        with self.engine.begin() as conn:
            tracking.create_all(conn)
            for md in projector.metadatas:
                md.create_all(conn)
        self.projector = projector
        self.position = 0
        self.events = 0

    def dispose(self) -> None:
        self.engine.dispose()


def board_projector() -> Any:
    """What the boards are made of: every default projection but the audit timeline itself."""
    from koll.ledger.application import default_projections
    from koll.ledger.projections.base import Projector

    return Projector([p for p in default_projections() if p.name != "audit"])


def replay_until(ledger: Ledger, at_us: int, batch_size: int = 5000, base: Scratch | None = None,
                 after_batch: Callable[[Scratch], None] | None = None, align: int | None = None) -> Scratch:
    """Fold every event recorded at or before ``at_us`` (the ledger's clock) into a scratch database;
    from ``base`` (a copy of a checkpoint) onwards when given."""
    scratch = base or Scratch(board_projector())
    to_domain = ledger.mapper.to_domain_event
    last = scratch.position
    with ledger.store.read() as conn:
        dbapi = conn.connection.dbapi_connection
        mark = "?" if conn.dialect.name == "sqlite" else "%s"
        sql = (f"SELECT id, originator_id, originator_version, topic, state FROM koll_events "
               f"WHERE id > {mark} AND occurred_us <= {mark} ORDER BY id LIMIT {mark}")
        cur = dbapi.cursor()
        try:
            while True:
                # Batches end on multiples of ``align`` so that checkpoints fall on round positions.
                size = min(batch_size, align - last % align) if align else batch_size
                cur.execute(sql, (last, at_us, size))
                rows = cur.fetchall()
                if not rows:
                    break
                batch = [(r[0], to_domain(StoredEvent(UUID(r[1]), r[2], r[3], bytes(r[4])))) for r in rows]
                with scratch.engine.begin() as target:
                    scratch.projector(target, batch)
                last = scratch.position = rows[-1][0]
                scratch.events += len(rows)
                if after_batch:
                    after_batch(scratch)
                if len(rows) < size:
                    break
        finally:
            cur.close()
    return scratch


class AsOfCache:
    """Recent scratch databases by (events at or before the moment, last such position, moment),
    and checkpoints: copies of the replayed read models every ``interval`` positions, kept in files.

    When the events up to a moment are a prefix of the ledger (the clock only moved forward, which
    is how a ledger is written), "as of" starts from the nearest checkpoint at or below that
    position and replays only the rest; otherwise it replays from nothing. Either way the result
    is the same fold of the same events by the same projections.
    """

    def __init__(self, size: int = 4, interval: int = 10_000, directory: Path | None = None) -> None:
        self.size = size
        self.interval = interval
        self._items: OrderedDict[tuple[int, int, int], Scratch] = OrderedDict()
        self._lock = threading.Lock()
        self._dir = directory
        self._tmp: Any = None  # the TemporaryDirectory behind _dir when none was given
        self._checkpoints: dict[int, tuple[Path, int]] = {}  # position → (file, chain hash check)

    def _checkpoint_dir(self) -> Path:
        if self._dir is None:
            import tempfile

            # Private to this user (0700) and removed when the cache goes or the process ends.
            self._tmp = tempfile.TemporaryDirectory(prefix="koll-asof-")
            self._dir = Path(self._tmp.name)
        return self._dir

    def _save(self, ledger: Ledger, scratch: Scratch) -> None:
        position = scratch.position
        if position % self.interval or position in self._checkpoints:
            return
        path = self._checkpoint_dir() / f"{position}.sqlite"
        import sqlite3

        raw = scratch.engine.raw_connection()
        try:
            target = sqlite3.connect(path)
            raw.driver_connection.backup(target)
            target.close()
        finally:
            raw.close()
        with ledger.store.read() as conn:
            head = _hash_at(conn, position)
        self._checkpoints[position] = (path, head)

    def _from_checkpoint(self, ledger: Ledger, last: int) -> Scratch | None:
        import sqlite3

        for position in sorted((p for p in self._checkpoints if p <= last), reverse=True):
            path, head = self._checkpoints[position]
            with ledger.store.read() as conn:
                still = conn.execute(sa.select(events_table.c.chain_hash)
                                     .where(events_table.c.id == position)).scalar()
            if still != head:  # the ledger was replaced or rewritten: forget every checkpoint
                self._checkpoints.clear()
                return None
            scratch = Scratch(board_projector())
            raw = scratch.engine.raw_connection()
            try:
                source = sqlite3.connect(path)
                source.backup(raw.driver_connection)
                source.close()
            finally:
                raw.close()
            scratch.position = scratch.events = position
            return scratch
        return None

    def get(self, ledger: Ledger, at_us: int) -> Scratch:
        with ledger.store.read() as conn:
            n, last = conn.execute(sa.select(sa.func.count(), sa.func.max(events_table.c.id))
                                   .where(events_table.c.occurred_us <= at_us)).one()
        last = last or 0
        key = (n, last, at_us)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            prefix = n == last
            base = self._from_checkpoint(ledger, last) if prefix else None
            scratch = replay_until(ledger, at_us, base=base,
                                   after_batch=(lambda s: self._save(ledger, s)) if prefix else None,
                                   align=self.interval if prefix else None)
            self._items[key] = scratch
            while len(self._items) > self.size:
                # Not disposed: a request may still be reading it; it goes when its last reader does.
                self._items.popitem(last=False)
        return scratch


# ---------------------------------------------------------------------------------------------
# Erasure.


def _erase(ledger: Ledger, by: Actor, subject_id: UUID, reason: str, load: Callable[[UUID], Any],
           erased: Callable[[Any], bool]) -> tuple[Any, bool, bool]:
    """Record the aggregate's erasure and destroy its key in one transaction; repeating it finishes
    what a crash left undone. (aggregate, was it erased already, was a key destroyed now)."""
    if not reason or not reason.strip():
        raise DomainError("an erasure needs a reason", sv="en radering behöver ett skäl", field="reason")
    destroyed: list[bool] = []
    for _attempt in range(3):
        aggregate = load(subject_id)
        if erased(aggregate):
            with ledger.store.write() as conn:
                destroyed.append(ledger.vault.destroy(conn, str(subject_id)))
            return aggregate, True, any(destroyed)
        aggregate.erase(by=by.as_dict(), reason=reason.strip())
        try:
            ledger.save(aggregate, side_writes=[
                lambda conn: destroyed.append(ledger.vault.destroy(conn, str(subject_id)))])
            return aggregate, False, any(destroyed)
        except IntegrityError:
            destroyed.clear()  # someone appended to it meanwhile: load again
    raise DomainError("it kept changing while it was erased; try again",
                      sv="den ändrades medan den raderades; försök igen", field="id")


def erase_observation(ledger: Ledger, by: Actor, observation_id: UUID, reason: str,
                      photo_store: PhotoStore | None = None) -> dict[str, Any]:
    """Make a report's personal data unreadable: its note (sealed with its key) and its photos."""
    observation, already, destroyed = _erase(ledger, by, observation_id, reason, ledger.observation,
                                             lambda o: bool(getattr(o, "erased", False)))
    photos = list(getattr(observation, "photos", []))
    removed = sum(photo_store.delete(sha) for sha in photos) if photo_store is not None else 0
    return {"id": str(observation_id), "erased": True, "already_erased": already,
            "key_destroyed": destroyed, "photos": len(photos), "photo_files_deleted": removed}


def erase_walk_people(ledger: Ledger, by: Actor, walk_id: UUID, reason: str) -> dict[str, Any]:
    """Make a safety walk's walkers' names and its summary unreadable; its findings, route, light and
    the count of walkers by kind stay, and so does the protocol."""
    _walk, already, destroyed = _erase(ledger, by, walk_id, reason, ledger.walk,
                                       lambda w: bool(getattr(w, "people_erased", False)))
    return {"id": str(walk_id), "erased": True, "already_erased": already, "key_destroyed": destroyed}


# ---------------------------------------------------------------------------------------------
# Signing: one Ed25519 key pair per installation.


def signing_key(var_dir: Path | None = None) -> Any:
    """The installation's private key: KOLL_SIGNING_KEY (a PEM file), else <var>/signing-key.pem,
    made on first use and readable by the owner only."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    configured = os.environ.get("KOLL_SIGNING_KEY")
    path = Path(configured) if configured else Path(var_dir or os.environ.get("KOLL_VAR_DIR", "var")) / "signing-key.pem"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)
    return serialization.load_pem_private_key(path.read_bytes(), password=None)


def public_key_info(key: Any) -> dict[str, str]:
    from cryptography.hazmat.primitives import serialization

    raw = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    pem = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return {"algorithm": "Ed25519", "public_key": base64.b64encode(raw).decode("ascii"),
            "fingerprint": hashlib.sha256(raw).hexdigest(), "pem": pem.decode("ascii")}


def canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_bundle(ledger: Ledger, key: Any, start: datetime | None, end: datetime | None,
                  timeline: list[dict[str, Any]], viewer: Actor | None = None) -> dict[str, Any]:
    """Events of a period with their stored state and chain hashes, the hash before the first,
    the head as a digest, and the audit timeline; signed over its canonical JSON."""
    with ledger.store.read() as conn:
        e = events_table
        q_first = sa.select(sa.func.min(e.c.id))
        q_last = sa.select(sa.func.max(e.c.id))
        if start is not None:
            q_first = q_first.where(e.c.occurred_us >= to_us(start))
        if end is not None:
            q_last = q_last.where(e.c.occurred_us <= to_us(end))
        first = conn.execute(q_first).scalar()
        last = conn.execute(q_last).scalar()
        if first is None or last is None or last < first:
            first, last = (last or 0) + 1, last or 0
        if last - first + 1 > MAX_BUNDLE_EVENTS:
            raise DomainError(f"the period holds {last - first + 1:,} events, more than the {MAX_BUNDLE_EVENTS:,} "
                              "one bundle carries: choose a shorter period (from, to)", field="from")
        refuse_hidden(conn, viewer, first, last)
        events = _event_rows(conn, first, last) if last >= first else []
        previous = _hash_at(conn, first - 1) if first > 1 else GENESIS
        head = conn.execute(sa.select(e.c.id, e.c.chain_hash).order_by(e.c.id.desc()).limit(1)).first()
        published = [asdict(d) for d in stored_digests(conn) if first <= d.position <= last]
    body = {
        "format": "koll-audit-bundle/1",
        "generated_at": datetime.now(timezone.utc).isoformat(),
        "period": {"from": start.isoformat() if start else None, "to": end.isoformat() if end else None},
        "first_position": first, "last_position": last,
        "previous_chain_hash": previous,
        "events": events,
        "digest": {"position": last, "chain_hash": events[-1]["chain_hash"] if events else previous},
        "ledger_head": {"position": head[0], "chain_hash": head[1]} if head else {"position": 0, "chain_hash": GENESIS},
        "published_digests": published,
        "timeline": timeline,
        "chain_rule": "chain_hash[n] = sha256(chain_hash[n-1] ‖ '|' n '|' aggregate_id '|' version '|' topic '|' "
                      "occurred_us '|' ‖ state) as hex; chain_hash[0] = 64 zeros",
    }
    signature = key.sign(canonical(body))
    info = public_key_info(key)
    return {"bundle": body, "signature": base64.b64encode(signature).decode("ascii"),
            "public_key": info["public_key"], "public_key_fingerprint": info["fingerprint"], "algorithm": "Ed25519"}


# Meetings: the chain's head is published whenever a meeting is held, in the same transaction.
MEETING_EVENTS = frozenset({"Meeting.Held", "Meeting.Closed"})


def digest_at_meetings(conn: sa.Connection, batch: Sequence[tuple[int, Any]]) -> None:
    """In-transaction hook (LedgerRecorder.in_transaction): a digest at every meeting held."""
    for _position, event in batch:
        if type(event).__qualname__ in MEETING_EVENTS:
            by = getattr(event, "by", None) or {}
            publish_digest_in(conn, f"meeting {event.originator_id} held", by.get("user"))
