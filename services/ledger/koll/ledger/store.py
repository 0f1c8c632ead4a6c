"""Where the ledger lives: one database (SQLite file or PostgreSQL) for events and read models.

The recorder is ours rather than the library's so that three things happen in the one
transaction that appends events: each event is chained by hash to the one before it, the
read models are brought up to date (exactly once, read-your-writes), and any rows that
belong with the events (a report's erasure key) are written. Writers are serialised
(SQLite: BEGIN IMMEDIATE; PostgreSQL: an EXCLUSIVE table lock that still lets readers read),
which is what makes the notification ids gapless and the chain well defined.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import (
    AggregateRecorder,
    ApplicationRecorder,
    IntegrityError,
    Notification,
    StoredEvent,
    Subscription,
)

metadata = sa.MetaData()

events_table = sa.Table(
    "koll_events",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("originator_id", sa.String(36), nullable=False),
    sa.Column("originator_version", sa.Integer, nullable=False),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("state", sa.LargeBinary, nullable=False),
    # When the event happened by the ledger's clock, in microseconds since the epoch:
    # copied out of the event so that "as of" questions need not parse every event.
    sa.Column("occurred_us", sa.BigInteger, nullable=True),
    sa.Column("chain_hash", sa.String(64), nullable=False),
    sa.UniqueConstraint("originator_id", "originator_version", name="koll_events_aggregate_version"),
    sa.Index("koll_events_occurred", "occurred_us"),
)

snapshots_table = sa.Table(
    "koll_snapshots",
    metadata,
    sa.Column("originator_id", sa.String(36), primary_key=True),
    sa.Column("originator_version", sa.Integer, primary_key=True),
    sa.Column("topic", sa.Text, nullable=False),
    sa.Column("state", sa.LargeBinary, nullable=False),
)

tracking_table = sa.Table(
    "koll_tracking",
    metadata,
    sa.Column("projection", sa.String(64), primary_key=True),
    sa.Column("position", sa.BigInteger, nullable=False),
)

# Facts about the schema kept beside the ledger (the read models' shapes); its version is Alembic's
# alembic_version (see koll.ledger.migrations).
schema_table = sa.Table(
    "koll_schema",
    metadata,
    sa.Column("key", sa.String(120), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

GENESIS = "0" * 64


def chain_link(previous: str, event_id: int, originator_id: str, version: int, topic: str,
               state: bytes, occurred_us: int | None) -> str:
    """The hash that ties an event to everything recorded before it."""
    h = hashlib.sha256()
    h.update(previous.encode())
    h.update(f"|{event_id}|{originator_id}|{version}|{topic}|{occurred_us}|".encode())
    h.update(state)
    return h.hexdigest()


def make_engine(url: str) -> sa.Engine:
    """An engine with the ledger's durability and write serialisation for either back-end."""
    if url.startswith("sqlite"):
        engine = sa.create_engine(url, connect_args={"timeout": 60, "check_same_thread": False},
                                  pool_size=8, max_overflow=16)

        @sa.event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we say BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")
            cur.execute("PRAGMA busy_timeout=60000")
            cur.close()

        @sa.event.listens_for(engine, "begin")
        def _sqlite_begin(conn: sa.Connection) -> None:
            # Writers take the lock up front so two writers never deadlock upgrading a read.
            if conn.get_execution_options().get("koll_read"):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # A database that has gone away is found within seconds, not after the kernel's TCP timeout.
    # No server-side prepared statements (psycopg prepares a query after its fifth run): a plan
    # prepared while a read model was small is kept as it grows, and the batch path's IN-list
    # look-ups then scan the whole table; ingest fell from ~650 to ~230 reports/s by 25,000
    # reports (docs/performance-notes.md). Planning each statement anew costs far less.
    return sa.create_engine(url, pool_size=8, max_overflow=16, pool_pre_ping=True,
                            connect_args={"connect_timeout": 5, "prepare_threshold": None})


def check_durability(engine: sa.Engine) -> None:
    """Refuse to run a ledger that could lose an acknowledged event on a crash."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
            if sync != 2:
                raise RuntimeError(f"SQLite synchronous={sync}, the ledger needs FULL (2)")
        elif engine.dialect.name == "postgresql":
            for setting in ("synchronous_commit", "fsync"):
                value = conn.exec_driver_sql(f"SHOW {setting}").scalar()
                if value not in ("on", "remote_apply", "remote_write"):
                    raise RuntimeError(f"PostgreSQL {setting}={value}, the ledger needs it on")


class _WriterQueue:
    """Writers to one SQLite file wait their turn in line instead of polling.

    SQLite lets one writer in at a time and makes the others retry on a timer (busy_timeout),
    which under load wastes most of the wait and gives long tails. A blocking file lock (for
    other processes, e.g. gunicorn workers) behind a thread lock (for this process's threads)
    hands the turn over the moment it is free. PostgreSQL queues writers itself: no-op there.
    """

    def __init__(self, url: str) -> None:
        self.path: str | None = None  # the database file
        self._path: str | None = None
        if url.startswith("sqlite:///") and ":memory:" not in url:
            self.path = url[len("sqlite:///"):].split("?")[0]
            self._path = self.path + ".writelock"
        self._thread_lock = threading.Lock()
        self._fd: int | None = None

    def __enter__(self) -> None:
        if self._path is None:
            return
        self._thread_lock.acquire()
        try:
            if self._fd is None:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except BaseException:
            self._thread_lock.release()
            raise

    def __exit__(self, *exc: object) -> None:
        if self._path is None:
            return
        fcntl.flock(self._fd, fcntl.LOCK_UN)  # type: ignore[arg-type]
        self._thread_lock.release()


COPY_FROM = 100  # rows; fewer are not worth a COPY's own round trips


def copy_rows(conn: sa.Connection, table: sa.Table, params: list[tuple]) -> None:
    """Rows (values in the table's column order, as the driver takes them) into a PostgreSQL table
    by COPY: executemany sends and parses one INSERT a row, which was most of a batch's database
    time there. A broken key is an IntegrityError as an INSERT's would be (a retry racing its
    original is told apart by it)."""
    quote = conn.dialect.identifier_preparer
    columns = ", ".join(quote.quote(c.name) for c in table.columns)
    sql = f"COPY {quote.format_table(table)} ({columns}) FROM STDIN"
    try:
        with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(sql) as copy:  # type: ignore[union-attr]
            for values in params:
                copy.write_row(values)
    except conn.dialect.loaded_dbapi.Error as e:
        # As SQLAlchemy would have raised it: IntegrityError, OperationalError (a lost server: 503) …
        raise sa.exc.DBAPIError.instance(sql, None, e, conn.dialect.loaded_dbapi.Error) from e


def insert_rows(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT these rows; by COPY on PostgreSQL when there are many."""
    if conn.dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        copy_rows(conn, table, [tuple(r[c.name] for c in table.columns) for r in rows])
    elif rows:
        conn.execute(table.insert(), rows)


# A hook that runs inside the appending transaction: (connection, [(notification id, domain event)]).
InTransaction = Callable[[sa.Connection, list[tuple[int, Any]]], None]


class Store:
    """The database: engine, schema and the transactions everything else runs in."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.dialect = self.engine.dialect.name
        self._writer = _WriterQueue(url)
        self.closed = False  # set by dispose(): threads working on this store stop

    def create_schema(self, extra: Sequence[sa.MetaData] = ()) -> bool:
        """Migrate the ledger's tables to this Koll's schema revision and make the read models
        (``extra``); True when the read models changed shape and must be folded again from the
        ledger. Refuses (SchemaTooNew) a database written by a newer Koll."""
        from koll.ledger.migrations import reshape_read_models, upgrade

        with self.write() as conn:
            if self.dialect == "postgresql":  # one instance migrates, the others wait and find it done
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(72112)")
            upgrade(conn, metadata)
            rebuild = reshape_read_models(conn, extra) if extra else False
            for md in extra:
                md.create_all(conn)
        return rebuild

    @property
    def sqlite_path(self) -> str | None:
        """The SQLite file, None for PostgreSQL or an in-memory database."""
        return self._writer.path

    @contextmanager
    def write(self, attach: dict[str, str] | None = None) -> Iterator[sa.Connection]:
        """A write transaction; commits on success, rolls back on any error. ``attach`` (SQLite):
        other database files the transaction reads too, by schema name."""
        with self._writer, self.engine.connect() as conn:
            dbapi = conn.connection.dbapi_connection if attach else None
            for name, path in (attach or {}).items():  # before BEGIN: SQLite refuses it inside one
                dbapi.execute(f"ATTACH DATABASE ? AS {name}", (path,))  # type: ignore[union-attr]
            try:
                with conn.begin():
                    yield conn
            finally:
                for name in attach or {}:
                    dbapi.execute(f"DETACH DATABASE {name}")  # type: ignore[union-attr]

    @contextmanager
    def read(self) -> Iterator[sa.Connection]:
        """A read transaction: one consistent view, never blocks writers."""
        with self.engine.connect() as conn:
            conn = conn.execution_options(koll_read=True)
            with conn.begin():
                yield conn

    def lock_ledger(self, conn: sa.Connection) -> None:
        """Serialise appenders (SQLite already did, with BEGIN IMMEDIATE)."""
        if self.dialect == "postgresql":
            conn.exec_driver_sql("LOCK TABLE koll_events IN EXCLUSIVE MODE")

    def dispose(self) -> None:
        self.closed = True
        self.engine.dispose()


@dataclass
class AppendResult:
    ids: list[int]


def _timestamp_us(domain_event: Any) -> int | None:
    ts = getattr(domain_event, "timestamp", None)
    if ts is None:
        return None
    return int(ts.timestamp() * 1_000_000)


def select_aggregate(store: Store, t: sa.Table, originator_id: UUID | str, gt: int | None, lte: int | None,
                     desc: bool, limit: int | None) -> list[StoredEvent]:
    """One aggregate's events (or snapshots) by version, as the library asks for them."""
    q = sa.select(t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state).where(
        t.c.originator_id == str(originator_id))
    if gt is not None:
        q = q.where(t.c.originator_version > gt)
    if lte is not None:
        q = q.where(t.c.originator_version <= lte)
    q = q.order_by(t.c.originator_version.desc() if desc else t.c.originator_version)
    if limit is not None:
        q = q.limit(limit)
    with store.read() as conn:
        return [StoredEvent(UUID(r[0]), r[1], r[2], bytes(r[3])) for r in conn.execute(q)]


# The chain's last link, read by every append: built once (projections.base.listed says why).
_CHAIN_HEAD = sa.select(events_table.c.id, events_table.c.chain_hash).order_by(events_table.c.id.desc()).limit(1)


class LedgerRecorder(ApplicationRecorder):
    """The library's recorder interface over our tables, with the chain and the hooks."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.in_transaction: list[InTransaction] = []
        # Run after the commit with the last position appended; they must not raise (they are
        # told, not asked: e.g. the digest publisher is woken and does its work on its own thread).
        self.after_commit: list[Callable[[int], None]] = []

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        domain_events: Sequence[Any] = kwargs.get("appended") or [None] * len(stored_events)
        side_writes: Sequence[Callable[[sa.Connection], None]] = kwargs.get("side_writes") or ()
        try:
            with self.store.write() as conn:
                self.store.lock_ledger(conn)
                last = conn.execute(_CHAIN_HEAD).first()
                last_id, previous = (last[0], last[1]) if last else (0, GENESIS)
                rows = []
                ids = []
                for offset, (stored, domain_event) in enumerate(zip(stored_events, domain_events, strict=True)):
                    event_id = last_id + offset + 1
                    occurred = _timestamp_us(domain_event)
                    originator = str(stored.originator_id)
                    previous = chain_link(previous, event_id, originator, stored.originator_version,
                                          stored.topic, stored.state, occurred)
                    rows.append({
                        "id": event_id, "originator_id": originator,
                        "originator_version": stored.originator_version, "topic": stored.topic,
                        "state": stored.state, "occurred_us": occurred, "chain_hash": previous,
                    })
                    ids.append(event_id)
                insert_rows(conn, events_table, rows)
                for write in side_writes:
                    write(conn)
                if rows and domain_events[0] is not None:
                    batch = list(zip(ids, domain_events, strict=True))
                    for hook in self.in_transaction:
                        hook(conn, batch)
        except sa.exc.IntegrityError as e:
            raise IntegrityError(str(e.orig)) from e
        if ids:
            for told in self.after_commit:
                told(ids[-1])
        return ids

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        return select_aggregate(self.store, events_table, originator_id, gt, lte, desc, limit)

    def select_notifications(self, start: int | None, limit: int, stop: int | None = None,
                             topics: Sequence[str] = (), *, inclusive_of_start: bool = True) -> Sequence[Notification]:
        t = events_table
        q = sa.select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)
        if start is not None:
            q = q.where(t.c.id >= start if inclusive_of_start else t.c.id > start)
        if stop is not None:
            q = q.where(t.c.id <= stop)
        if topics:
            q = q.where(t.c.topic.in_(list(topics)))
        q = q.order_by(t.c.id).limit(limit)
        with self.store.read() as conn:
            return [Notification(id=r[0], originator_id=UUID(r[1]), originator_version=r[2], topic=r[3],
                                 state=bytes(r[4])) for r in conn.execute(q)]

    def max_notification_id(self) -> int | None:
        with self.store.read() as conn:
            return conn.execute(sa.select(sa.func.max(events_table.c.id))).scalar()

    def subscribe(self, gt: int | None = None, topics: Sequence[str] = ()) -> Subscription[ApplicationRecorder]:
        raise NotImplementedError("Koll projects inside the appending transaction; nothing subscribes")


class SnapshotRecorder(AggregateRecorder):
    """Snapshots are a cache of aggregate state: outside the chain, safe to delete."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        rows = [{"originator_id": str(s.originator_id), "originator_version": s.originator_version,
                 "topic": s.topic, "state": s.state} for s in stored_events]
        try:
            with self.store.write() as conn:
                conn.execute(snapshots_table.insert(), rows)
        except sa.exc.IntegrityError:
            pass  # the same snapshot taken twice is the same snapshot
        return None

    def select_events(self, originator_id: UUID | str, *, gt: int | None = None, lte: int | None = None,
                      desc: bool = False, limit: int | None = None) -> Sequence[StoredEvent]:
        return select_aggregate(self.store, snapshots_table, originator_id, gt, lte, desc, limit)
