"""A rebuild beside the live read models, swapped in whole.

The boards go on reading the live tables, and live appends go on updating them, while the whole
ledger is folded into fresh ones: a scratch SQLite file beside the database, or a schema beside
the live one on PostgreSQL. At the end the appenders wait a moment. In one transaction the fresh
tables replace the live ones and the events recorded meanwhile are folded in on top, so a reader
sees the old boards or the new, never a half-built one, and a phone filing during a rebuild is
not made to fold the ledger inside its own request (what clearing the live tables led to).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from koll.ledger.projections.base import Projector
from koll.ledger.store import Store, events_table, make_engine, tracking_table

if TYPE_CHECKING:
    from koll.ledger.application import Ledger

Progress = Callable[[int, int], None]


class RebuildRunning(RuntimeError):
    """Another rebuild of the same ledger is under way."""


class FreshTables:
    """Where the fresh read models are built, and how they replace the live ones."""

    def __init__(self, store: Store, metadatas: list[sa.MetaData]) -> None:
        self.store = store
        self.metadatas = metadatas
        self.tables = [t for md in metadatas for t in md.sorted_tables]
        self.engine: sa.Engine | None = None

    def create(self) -> sa.Engine:
        """Takes the rebuild's lock (RebuildRunning when another has it) and makes empty tables."""
        engine = self._open()
        with engine.begin() as conn:
            tracking = sa.MetaData()
            tracking_table.to_metadata(tracking)
            tracking.create_all(conn)
            for md in self.metadatas:
                md.create_all(conn)
        self.engine = engine
        return engine

    def _open(self) -> sa.Engine:
        raise NotImplementedError

    @contextmanager
    def swapping(self) -> Iterator[sa.Connection]:
        """The live write transaction in which the fresh tables have replaced the live ones."""
        raise NotImplementedError
        yield  # pragma: no cover

    def discard(self) -> None:
        """Removes what was built and lets the next rebuild in; nothing when this one was refused
        (what is there is the running rebuild's)."""
        if not self._held():
            return
        if self.engine is not None:
            self.engine.dispose()
        self._remove_and_release()

    def _held(self) -> bool:
        raise NotImplementedError

    def _remove_and_release(self) -> None:
        raise NotImplementedError


class FreshFile(FreshTables):
    """SQLite: a scratch file beside the database, copied in under the writer lock."""

    def __init__(self, store: Store, metadatas: list[sa.MetaData]) -> None:
        super().__init__(store, metadatas)
        path = store.sqlite_path
        if path is None:
            raise ValueError("an in-memory SQLite ledger has nowhere to build beside it")
        self.path = Path(f"{path}.rebuild")
        self._lock_fd: int | None = None

    def _open(self) -> sa.Engine:
        self._lock_fd = os.open(f"{self.path}.lock", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(self._lock_fd)
            self._lock_fd = None
            raise RebuildRunning(f"a rebuild of this ledger is already running ({self.path})") from None
        self.path.unlink(missing_ok=True)  # a rebuild that was stopped half-way
        engine = sa.create_engine(f"sqlite:///{self.path}", poolclass=sa.pool.NullPool)

        @sa.event.listens_for(engine, "connect")
        def _scratch(dbapi_conn: Any, _record: Any) -> None:
            # Thrown away if the machine stops: only the copy into the ledger needs to be durable,
            # and that is the ledger's own transaction.
            dbapi_conn.execute("PRAGMA journal_mode=OFF")
            dbapi_conn.execute("PRAGMA synchronous=OFF")
        return engine

    @contextmanager
    def swapping(self) -> Iterator[sa.Connection]:
        assert self.engine is not None
        self.engine.dispose()  # every write to the file is done: the live connection reads it
        with self.store.write(attach={"fresh": str(self.path)}) as conn:
            for table in [tracking_table, *self.tables]:
                columns = ", ".join(f'"{c.name}"' for c in table.columns)
                conn.exec_driver_sql(f'DELETE FROM main."{table.name}"')
                conn.exec_driver_sql(f'INSERT INTO main."{table.name}" ({columns}) '
                                     f'SELECT {columns} FROM fresh."{table.name}"')
            yield conn

    def _held(self) -> bool:
        return self._lock_fd is not None

    def _remove_and_release(self) -> None:
        assert self._lock_fd is not None
        self.path.unlink(missing_ok=True)
        os.close(self._lock_fd)  # releases the lock
        self._lock_fd = None


REBUILD_LOCK = 72113  # pg_advisory_lock key: one rebuild of a ledger at a time (72112 is migrations)
SWAP_LOCK_WAIT_MS = 500  # under PostgreSQL's deadlock_timeout of 1 s
SWAP_TRIES = 40


class SwapBusy(RuntimeError):
    """The read models were held by readers for longer than the swap waits; try again."""


class FreshSchema(FreshTables):
    """PostgreSQL: a schema beside the live one; its tables are moved into the live schema."""

    def __init__(self, store: Store, metadatas: list[sa.MetaData]) -> None:
        super().__init__(store, metadatas)
        self._holder: sa.Connection | None = None
        self.live = ""
        self.schema = ""

    def _open(self) -> sa.Engine:
        holder = self.store.engine.connect()
        # Per live schema: several ledgers in one database each rebuild on their own.
        if not holder.exec_driver_sql(f"SELECT pg_try_advisory_lock({REBUILD_LOCK}, hashtext(current_schema()))"
                                      ).scalar():
            holder.close()
            raise RebuildRunning("a rebuild of this ledger is already running")
        holder.commit()
        self._holder = holder
        self.live = holder.exec_driver_sql("SELECT current_schema()").scalar() or "public"
        holder.commit()
        # A short name derived from the live one, never the live one itself (which is dropped and
        # made anew below): "<live>_rebuild" cut to PostgreSQL's 63 bytes could be.
        self.schema = f"koll_rebuild_{hashlib.sha256(self.live.encode()).hexdigest()[:16]}"
        if self.schema == self.live:
            raise RebuildRunning(f"the live schema is named {self.live!r}: rebuild it under another name")
        quote = self.store.engine.dialect.identifier_preparer.quote
        with self.store.engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {quote(self.schema)} CASCADE")
            conn.exec_driver_sql(f"CREATE SCHEMA {quote(self.schema)}")
        engine = make_engine(self.store.url)
        search_path = quote(self.schema)

        @sa.event.listens_for(engine, "connect")
        def _fresh(dbapi_conn: Any, _record: Any) -> None:
            with dbapi_conn.cursor() as cur:
                cur.execute(f"SET search_path TO {search_path}")
            dbapi_conn.commit()
        return engine

    @contextmanager
    def swapping(self) -> Iterator[sa.Connection]:
        assert self.engine is not None
        self.engine.dispose()
        quote = self.store.engine.dialect.identifier_preparer.quote
        live, fresh = quote(self.live), quote(self.schema)
        with self.store.write() as conn:
            self.store.lock_ledger(conn)  # appenders first: they wait for us before any read model
            # Then every read model at once, giving up before PostgreSQL's deadlock check (1 s) would
            # pick a victim: a board reading rm_cases then rm_areas holds one while wanting the
            # other. The caller tries again; the reader only waited.
            conn.exec_driver_sql(f"SET LOCAL lock_timeout = '{SWAP_LOCK_WAIT_MS}ms'")
            try:
                conn.exec_driver_sql("LOCK TABLE " + ", ".join(f"{live}.{quote(t.name)}" for t in self.tables)
                                     + " IN ACCESS EXCLUSIVE MODE")
            except sa.exc.OperationalError as e:
                if getattr(e.orig, "sqlstate", None) == "55P03":  # lock_not_available
                    raise SwapBusy("readers held the read models") from e
                raise
            conn.exec_driver_sql("SET LOCAL lock_timeout = 0")
            for table in self.tables:  # indexes and owned sequences move with their table
                name = quote(table.name)
                conn.exec_driver_sql(f"DROP TABLE {live}.{name}")
                conn.exec_driver_sql(f"ALTER TABLE {fresh}.{name} SET SCHEMA {live}")
            name = quote(tracking_table.name)
            conn.exec_driver_sql(f"DELETE FROM {live}.{name}")
            conn.exec_driver_sql(f"INSERT INTO {live}.{name} SELECT * FROM {fresh}.{name}")
            conn.exec_driver_sql(f"DROP SCHEMA {fresh} CASCADE")
            yield conn

    def _held(self) -> bool:
        return self._holder is not None

    def _remove_and_release(self) -> None:
        assert self._holder is not None
        if self.schema:
            with self.store.engine.begin() as conn:
                conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS "
                                     f"{self.store.engine.dialect.identifier_preparer.quote(self.schema)} CASCADE")
        self._holder.exec_driver_sql(f"SELECT pg_advisory_unlock({REBUILD_LOCK}, hashtext(current_schema()))")
        self._holder.close()
        self._holder = None


def fresh_tables(store: Store, metadatas: list[sa.MetaData]) -> FreshTables:
    return FreshSchema(store, metadatas) if store.dialect == "postgresql" else FreshFile(store, metadatas)


def rebuild_beside(ledger: Ledger, progress: Progress | None = None, batch_size: int = 5000,
                   before_swap: Callable[[], None] | None = None) -> int:
    """Fold the whole ledger into fresh read models and swap them in; returns the events folded.
    ``before_swap`` runs once the fresh tables have caught up (the tests record a report there)."""
    fresh = fresh_tables(ledger.store, ledger.projector.metadatas)
    try:
        engine = fresh.create()
        projector = Projector(ledger.projector.projections)  # fed the ledger in order: no loader
        done = 0
        # Until a pass finds (almost) nothing new: what is left is folded under the swap's lock.
        while True:
            head = ledger.recorder.max_notification_id() or 0
            folded = fold(ledger, engine.begin, projector, done, head, batch_size, progress)
            done = head
            if folded <= batch_size:
                break
        if before_swap:
            before_swap()
        for attempt in range(SWAP_TRIES):
            try:
                with fresh.swapping() as conn:
                    tail = ledger._events_between(conn, done, _head(conn))
                    if tail:
                        ledger.projector(conn, tail)
                break
            except SwapBusy:
                if attempt == SWAP_TRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
        if progress:
            progress(done + len(tail), done + len(tail))
        return done + len(tail)
    finally:
        fresh.discard()


def fold(ledger: Ledger, transaction: Callable[[], AbstractContextManager[sa.Connection]], projector: Projector,
         after: int, upto: int, batch_size: int, progress: Progress | None) -> int:
    """Fold the events after..upto into ``projector``'s tables, a batch per ``transaction()``; returns
    the events folded: a catch-up and a rebuild alike."""
    folded = 0
    start = after
    while start < upto:
        notes = ledger.recorder.select_notifications(start, batch_size, stop=upto, inclusive_of_start=False)
        if not notes:
            break
        batch = [(n.id, ledger.mapper.to_domain_event(n)) for n in notes]
        with transaction() as conn:
            projector(conn, batch)
        start = notes[-1].id
        folded += len(notes)
        if progress:
            progress(start, upto)
    return folded


def _head(conn: sa.Connection) -> int:
    return conn.execute(sa.select(sa.func.max(events_table.c.id))).scalar() or 0

