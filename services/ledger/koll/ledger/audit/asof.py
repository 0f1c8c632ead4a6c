"""Time travel: the ledger replayed up to a moment into a scratch database, with checkpoints."""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import StoredEvent

from koll.ledger.audit.rows import _hash_at
from koll.ledger.store import events_table, tracking_table

if TYPE_CHECKING:
    from koll.ledger.application import Ledger

log = logging.getLogger("koll.asof")


class Scratch:
    """A SQLite database holding the read models as they stood at one moment: in memory, or in
    ``path`` (the checkpoints made ahead, so a worker's memory does not grow by a board's size)."""

    def __init__(self, projector: Any, path: Path | None = None) -> None:
        self.engine = sa.create_engine(f"sqlite:///{path}" if path else "sqlite://", poolclass=sa.pool.StaticPool,
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
    _fold_migrations(ledger, scratch, last)
    return scratch


def _fold_migrations(ledger: Ledger, scratch: Scratch, last: int) -> None:
    """A migration recorded later says which area the older records belong to: a board as of a
    day before it still shows them in their area (with the area as first defined, when it was
    defined after that day too). What the records said is unchanged; only where they belong."""
    t = events_table
    with ledger.store.read() as conn:
        adoptions = conn.execute(sa.select(t.c.id, t.c.originator_id).where(
            t.c.id > last, t.c.topic.like("%Area.LedgerAdopted"))).all()
        if not adoptions:
            return
        wanted = conn.execute(sa.select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state).where(
            t.c.id > last, sa.or_(t.c.id.in_([a[0] for a in adoptions]),
                                  sa.and_(t.c.originator_id.in_(sorted({a[1] for a in adoptions})),
                                          t.c.originator_version == 1))).order_by(t.c.id)).all()
    batch = [(r[0], ledger.mapper.to_domain_event(StoredEvent(UUID(r[1]), r[2], r[3], bytes(r[4])))) for r in wanted]
    with scratch.engine.begin() as target:
        scratch.projector(target, batch)


class AsOfCache:
    """Recent scratch databases by (events at or before the moment, last such position, moment),
    and checkpoints: copies of the replayed read models every ``interval`` positions, kept in files.

    "As of" starts from the nearest checkpoint within the longest prefix of the ledger that lies
    wholly at or before the moment (all of it up to the moment when the clock only moved forward,
    which is how a ledger is written) and replays only the rest, leaving out what happened after
    the moment. Either way the result is the same fold of the same events by the same projections.

    With ``directory`` (the server's var/asof) the checkpoints are shared by every worker and kept
    across restarts, so only the first replay a deployment ever makes through a stretch of the
    ledger is slow; without it they live in a private temporary directory for the process. They
    are kept per ledger and per shape of the board tables (a new Koll whose tables differ starts
    afresh), and each is checked against the chain's hash at its position before it is used.
    """

    def __init__(self, size: int = 4, interval: int = 10_000, directory: Path | None = None,
                 keep: int = 24) -> None:
        self.size = size
        self.interval = interval
        self.keep = keep  # checkpoints at most: each is a copy of the boards, and they stay on disk
        self._items: OrderedDict[tuple[int, int, int], Scratch] = OrderedDict()
        self._lock = threading.Lock()
        self._base = directory
        self._dir: Path | None = None
        self._tmp: Any = None  # the TemporaryDirectory behind _base when none was given

    def _checkpoint_dir(self, ledger: Ledger) -> Path:
        if self._dir is None:
            if self._base is None:
                import tempfile

                # Private to this user (0700) and removed when the cache goes or the process ends.
                self._tmp = tempfile.TemporaryDirectory(prefix="koll-asof-")
                self._base = Path(self._tmp.name)
            self._dir = self._base / _checkpoint_kind(ledger)
            self._dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        return self._dir

    def checkpoints(self, ledger: Ledger) -> dict[int, tuple[Path, str]]:
        """position → (file, the chain's hash at that position when it was made)."""
        found: dict[int, tuple[Path, str]] = {}
        for path in self._checkpoint_dir(ledger).glob("*.sqlite"):
            position, _, head = path.stem.partition("-")
            if position.isdigit() and head:
                found[int(position)] = (path, head)
        return found

    def spacing(self, upto: int) -> int:
        """``interval``, doubled until at most ``keep`` checkpoints fit up to ``upto``: a longer
        ledger keeps them further apart (a longer replay) rather than more of them."""
        spacing = self.interval
        while upto // spacing > self.keep:
            spacing *= 2
        return spacing

    def _save(self, ledger: Ledger, scratch: Scratch) -> None:
        position = scratch.position
        known = self.checkpoints(ledger)
        spacing = self.spacing(max([position, *known]))  # the widest yet: older moments add none between
        if position % spacing or position in known:
            return
        for partial in self._checkpoint_dir(ledger).glob(".*.sqlite.*"):  # left by a worker killed mid-copy
            try:
                if partial.stat().st_mtime < time.time() - 3600:
                    partial.unlink()
            except OSError:
                pass
        for old, (path, _) in known.items():  # those off the wider spacing go
            if old % spacing:
                path.unlink(missing_ok=True)
        with ledger.store.read() as conn:
            head = _hash_at(conn, position)
        import os
        import sqlite3

        path = self._checkpoint_dir(ledger) / f"{position}-{head}.sqlite"
        partial = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        raw = scratch.engine.raw_connection()
        try:
            target = sqlite3.connect(partial)
            raw.driver_connection.backup(target)
            target.close()
            os.replace(partial, path)  # whole or not at all: another worker may be reading the name
        finally:
            raw.close()
            partial.unlink(missing_ok=True)

    def _from_checkpoint(self, ledger: Ledger, last: int) -> Scratch | None:
        import sqlite3

        known = self.checkpoints(ledger)
        for position in sorted((p for p in known if p <= last), reverse=True):
            path, head = known[position]
            with ledger.store.read() as conn:
                still = conn.execute(sa.select(events_table.c.chain_hash)
                                     .where(events_table.c.id == position)).scalar()
            if still != head:  # the ledger was restored and written on differently since: not ours
                path.unlink(missing_ok=True)
                continue
            scratch = Scratch(board_projector())
            raw = scratch.engine.raw_connection()
            try:
                # Read-only: a file another worker removed meanwhile must not come back empty.
                source = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
                try:
                    source.backup(raw.driver_connection)
                finally:
                    source.close()
                whole = raw.driver_connection.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name = 'koll_tracking'").fetchone()[0]
            except sqlite3.Error:
                whole = 0
            finally:
                raw.close()
            if not whole:  # gone or broken: an older one, or a replay from nothing
                scratch.dispose()
                continue
            scratch.position = scratch.events = position
            return scratch
        return None

    def get(self, ledger: Ledger, at_us: int) -> Scratch:
        t = events_table
        with ledger.store.read() as conn:
            n, last = conn.execute(sa.select(sa.func.count(), sa.func.max(t.c.id)).where(t.c.occurred_us <= at_us)).one()
            last = last or 0
            # The longest prefix of the ledger wholly at or before the moment: all of it up to the
            # moment when the clock only moved forward (n == last: positions are 1, 2, 3 …). When it
            # was set back (or two servers' commits crossed), events after the prefix may still be
            # in. Either way a checkpoint within the prefix is the moment's own start, and only the
            # rest is replayed, leaving out what came after ``at``.
            whole = last if n == last else (conn.execute(
                sa.select(sa.func.min(t.c.id)).where(t.c.occurred_us > at_us)).scalar() or last + 1) - 1
        key = (n, last, at_us)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
            base = self._from_checkpoint(ledger, whole)
            # Saved only within the prefix: past it the scratch lacks the events after ``at``.
            scratch = replay_until(ledger, at_us, base=base, align=self.interval,
                                   after_batch=lambda s: self._save(ledger, s) if s.position <= whole else None)
            self._items[key] = scratch
            while len(self._items) > self.size:
                # Not disposed: a request may still be reading it; it goes when its last reader does.
                self._items.popitem(last=False)
        return scratch


    def prepare(self, ledger: Ledger, most: int | None = 50_000) -> int | None:
        """Make the newest checkpoint due, folding from the newest one before it in a file (not in
        memory), so that the first request for a moment finds it made; the position made, or None
        when none was due, the clock is not monotonic there, another process is making it, or more
        than ``most`` events would have to be folded (``koll checkpoints`` folds any number)."""
        with ledger.store.read() as conn:
            head = conn.execute(sa.select(sa.func.max(events_table.c.id))).scalar() or 0
            target = head - head % self.spacing(head)
            known = self.checkpoints(ledger)
            if target <= 0 or target in known:
                return None
            at_us = conn.execute(sa.select(events_table.c.occurred_us).where(events_table.c.id == target)).scalar()
            n, last = conn.execute(sa.select(sa.func.count(), sa.func.max(events_table.c.id))
                                   .where(events_table.c.occurred_us <= at_us)).one()
            below = max((p for p, (_, h) in known.items() if p <= target and _hash_at(conn, p) == h), default=0)
        if at_us is None or n != last or (most is not None and target - below > most):
            return None
        import fcntl
        import os
        import shutil

        folder = self._checkpoint_dir(ledger)
        fd = os.open(folder / ".making", os.O_RDWR | os.O_CREAT, 0o600)
        work = folder / f".making.{os.getpid()}.sqlite.work"
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return None  # another worker is at it
            work.unlink(missing_ok=True)
            if below:
                shutil.copyfile(known[below][0], work)
            scratch = Scratch(board_projector(), path=work)
            scratch.position = scratch.events = below
            try:
                with scratch.engine.connect() as conn:  # thrown away if the machine stops
                    conn.exec_driver_sql("PRAGMA synchronous=OFF")
                replay_until(ledger, at_us, base=scratch, after_batch=lambda s: self._save(ledger, s),
                             align=self.interval)
            finally:
                scratch.dispose()
            return target if target in self.checkpoints(ledger) else None
        finally:
            work.unlink(missing_ok=True)
            os.close(fd)


class CheckpointMaker:
    """Makes the as-of checkpoints ahead of the first request that needs them: in its own thread,
    once at start and whenever a commit passes a checkpoint's position. A fold from the one before
    costs a fraction of a second, in a file. A long ledger that never had any is not folded in a
    worker (it would take a core and a board's worth of memory from the requests for minutes):
    ``koll checkpoints`` does that once, or the first request through each stretch as before."""

    def __init__(self, ledger: Ledger, cache: AsOfCache) -> None:
        self.ledger = ledger
        self.cache = cache
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._seen = 0
        self.made: list[int] = []

    def appended(self, last: int) -> None:
        """After every commit: cheap, never raises, never waits."""
        if last // self.cache.interval > self._seen // self.cache.interval:
            self._seen = last
            self._wake.set()

    def start(self) -> None:
        self._wake.set()  # once at start: the ledger may have grown while no server ran
        self._thread = threading.Thread(target=self._run, name="koll-asof-checkpoints", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        store = self.ledger.store
        while not store.closed:
            self._wake.wait(timeout=1.0)
            if store.closed or not self._wake.is_set():
                continue
            self._wake.clear()
            try:
                made = self.cache.prepare(self.ledger)
                if made:
                    self.made.append(made)
            except Exception:  # noqa: BLE001 - a cache: the requests replay without it
                if not store.closed:
                    log.exception("could not make the as-of checkpoints; requests replay without them")


def _checkpoint_kind(ledger: Ledger) -> str:
    """Which checkpoints fit this ledger and this Koll: the ledger's id, the board tables' shapes
    and the code that folds them."""
    from koll.ledger.migrations import fingerprint, ledger_id

    with ledger.store.read() as conn:
        ledger_name = ledger_id(conn) or "unnamed"
    shapes = sorted(fingerprint(t) for md in board_projector().metadatas for t in md.sorted_tables)
    return f"{ledger_name}-{hashlib.sha256(('|'.join(shapes) + _fold_code()).encode()).hexdigest()[:16]}"


def _fold_code() -> str:
    """The source of what folds the events into the boards (the projections, the domain's events):
    a Koll that folds differently, even into tables of the same shape, starts new checkpoints."""
    import koll.ledger.domain as domain
    import koll.ledger.projections as projections

    h = hashlib.sha256()
    for package in (projections, domain):
        for path in sorted(Path(package.__file__).parent.glob("*.py")):
            h.update(path.name.encode())
            h.update(path.read_bytes())
    return h.hexdigest()
