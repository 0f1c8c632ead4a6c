"""How a projection folds events into rows, the same way live, in a rebuild and in time travel.

Live, a batch is the few events one command appended; in a rebuild it is thousands. Either
way the rows the batch touches are loaded once, folded in memory and written back in bulk,
which is what lets a rebuild run at tens of thousands of events a second.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from contextvars import ContextVar
from datetime import UTC, datetime
from operator import itemgetter
from typing import Any

import sqlalchemy as sa
from koll.ledger.domain.area import Area
from koll.ledger.store import COPY_FROM, copy_rows, tracking_table

Batch = Sequence[tuple[int, Any]]
CHUNK = 500  # keys per IN (...) list, well under every back-end's parameter limit


def listed(name: str) -> sa.BindParameter:
    """A list parameter for ``column.in_(…)`` in a statement built once, at import.

    The append path runs a dozen statements a report: building each anew (``in_`` coercing the
    list) cost 120–200 µs of Python, several times the query itself; a statement built once and
    given its values costs about 50 µs, and SQLAlchemy still compiles it once per dialect."""
    return sa.bindparam(name, expanding=True)


def utc_naive(value: datetime | str | None) -> datetime | None:
    """Read models keep times as naive UTC so SQLite and PostgreSQL compare them alike."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)  # Python 3.11 reads a trailing Z itself
    if value.tzinfo is UTC:  # the events' own timestamps: no conversion to compute
        return value.replace(tzinfo=None)
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def _sqlite_time(value: datetime) -> str:
    """SQLAlchemy's own storage text for DateTime on SQLite (YYYY-MM-DD HH:MM:SS.ffffff), made
    by isoformat, four times as fast as strftime: a rebuild writes some 80,000 of them."""
    return value.isoformat(" ", "microseconds")


_compiled: dict[tuple[str, str], tuple[str, Callable[[dict[str, Any]], tuple], list[tuple[int, Callable]]]] = {}


def _prepared_insert(table: sa.Table, dialect: sa.Dialect):  # type: ignore[no-untyped-def]
    key = (table.name, dialect.name)
    if key not in _compiled:
        columns = [c.name for c in table.columns]
        fixes: list[tuple[int, Callable]] = []
        if dialect.name == "sqlite":
            for i, c in enumerate(table.columns):
                if isinstance(c.type, sa.DateTime):
                    fixes.append((i, _sqlite_time))
                elif isinstance(c.type, sa.Boolean):
                    fixes.append((i, int))
        _compiled[key] = (str(table.insert().compile(dialect=dialect)), itemgetter(*columns), fixes)
    return _compiled[key]


def bulk_insert(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    """INSERT many rows straight through the driver.

    SQLAlchemy's per-row parameter processing cost more than folding the events in a rebuild;
    the statement is compiled by SQLAlchemy once, and values are stored exactly as it stores
    them, so rows read back the same whichever way they were written.
    """
    sql, getter, fixes = _prepared_insert(table, conn.dialect)
    params = []
    for r in rows:
        values = list(getter(r))
        for i, fix in fixes:
            if values[i] is not None:
                values[i] = fix(values[i])
        params.append(tuple(values))
    if conn.dialect.name == "postgresql" and len(params) >= COPY_FROM:
        copy_rows(conn, table, params)
        return
    if conn.dialect.name != "sqlite":
        names = [c.name for c in table.columns]
        params = [dict(zip(names, v, strict=True)) for v in params]
    conn.exec_driver_sql(sql, params)


# What the projections folded in the batch being applied, by projection and key, for those after
# them in the same call: a case's visibility, a report's case. Asked of the database, it was two
# or three queries on every append for rows the batch had just written. Set by Projector only.
_folded: ContextVar[dict[str, dict[str, Any]] | None] = ContextVar("koll_folded", default=None)


def recalled(projection: str, keys: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """(the remembered column of the keys ``projection`` folded in this batch – None where it holds
    no row –, the other keys, to be asked of the database)."""
    memo = (_folded.get() or {}).get(projection, {})
    wanted = set(keys)  # read once: ``keys`` may be an iterator
    known = {k: memo[k] for k in wanted if k in memo}
    return known, sorted(wanted - known.keys())


class Projection:
    """A read model. Subclasses own their tables and fold events into them."""

    name: str = ""
    metadata: sa.MetaData

    def apply(self, conn: sa.Connection, batch: Batch) -> None:
        raise NotImplementedError

    def clear(self, conn: sa.Connection) -> None:
        for table in reversed(self.metadata.sorted_tables):
            conn.execute(table.delete())


class RowProjection(Projection):
    """One table, one row per key: ``fold`` turns (row or None, event) into the new row or None."""

    table: sa.Table
    key: str
    remember: str | None = None  # a column later projections of the batch may ask for (``recalled``)
    # The event classes ``keys`` can answer for: the others are passed over without asking it
    # (eleven projections each calling ``keys`` on every event was a fifth of a rebuild).
    events: tuple[type, ...] = ()

    def keys(self, event: Any) -> Iterable[str]:
        raise NotImplementedError

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        raise NotImplementedError

    def creates(self, event: Any) -> bool:
        """True for an event that makes its row from nothing: no need to look for an old one."""
        return False

    def apply(self, conn: sa.Connection, batch: Batch) -> None:
        if "area" in self.table.c:
            # The migration: rows recorded before areas existed become the adopting area's, at
            # the migration's place in the ledger (live, in a rebuild and in time travel alike).
            start = 0
            for i, (_nid, event) in enumerate(batch):
                if isinstance(event, Area.LedgerAdopted):
                    self._apply_rows(conn, batch[start:i])
                    conn.execute(self.table.update().where(self.table.c.area.is_(None)).values(area=event.area))
                    start = i + 1
            batch = batch[start:] if start else batch
        self._apply_rows(conn, batch)

    @functools.cached_property
    def _statements(self) -> tuple[sa.Select, sa.Delete]:
        """The rows of some keys, and their removal: built once (``listed``)."""
        key_col = self.table.c[self.key]
        return (sa.select(self.table).where(key_col.in_(listed("keys"))),
                self.table.delete().where(key_col.in_(listed("keys"))))

    def _apply_rows(self, conn: sa.Connection, batch: Batch) -> None:
        touched: list[tuple[Any, list[str]]] = []
        wanted: set[str] = set()
        born: set[str] = set()  # keys whose first event in this batch creates the row
        kinds = self.events
        for _nid, event in batch:
            if kinds and not isinstance(event, kinds):
                continue
            keys = list(self.keys(event))
            if keys:
                touched.append((event, keys))
                if self.creates(event):
                    born.update(k for k in keys if k not in wanted)
                wanted.update(keys)
        if not touched:
            return
        select_rows, delete_rows = self._statements
        rows: dict[str, dict[str, Any] | None] = {}
        ordered = sorted(wanted - born)
        for i in range(0, len(ordered), CHUNK):
            for r in conn.execute(select_rows, {"keys": ordered[i:i + CHUNK]}):
                rows[r._mapping[self.key]] = dict(r._mapping)
        existed = set(rows)
        for event, keys in touched:
            for k in keys:
                rows[k] = self.fold(rows.get(k), event)
        for i in range(0, len(ordered), CHUNK):
            chunk = [k for k in ordered[i:i + CHUNK] if k in existed]
            if chunk:
                conn.execute(delete_rows, {"keys": chunk})
        fresh = [r for r in rows.values() if r is not None]
        if fresh:
            bulk_insert(conn, self.table, fresh)
        memo = _folded.get()
        if self.remember and memo is not None:
            column = self.remember
            memo.setdefault(self.name, {}).update({k: r[column] if r else None for k, r in rows.items()})


_POSITIONS = sa.select(tracking_table.c.projection, tracking_table.c.position)
_MOVE = (tracking_table.update().where(tracking_table.c.projection.in_(listed("names")))
         .values(position=sa.bindparam("last")))

# Reads the events after one position up to another, in the caller's transaction: (conn, after, upto).
Loader = Callable[[sa.Connection, int, int], Batch]


class Projector:
    """Runs every projection over a batch and moves each one's position, in the caller's transaction.

    With ``load`` (the ledger's own projector) a projection only ever moves forward without a
    hole: when its position is behind the batch (the read models were just cleared for a rebuild,
    or a projection is new), the events in between are read and applied first, so no write,
    whenever it lands, can skip an event. Without it the caller chooses the events (time travel
    folds those that had happened by a moment, which need not be a prefix of the ledger).
    """

    def __init__(self, projections: Sequence[Projection], load: Loader | None = None) -> None:
        self.projections = list(projections)
        self.load = load

    @property
    def metadatas(self) -> list[sa.MetaData]:
        seen: list[sa.MetaData] = []
        for p in self.projections:
            if all(p.metadata is not m for m in seen):
                seen.append(p.metadata)
        return seen

    def __call__(self, conn: sa.Connection, batch: Batch) -> None:
        if not batch:
            return
        memo = _folded.set({})
        try:
            self._apply(conn, batch)
        finally:
            _folded.reset(memo)

    def _apply(self, conn: sa.Connection, batch: Batch) -> None:
        positions = self.positions(conn)
        first = batch[0][0]
        behind = min((positions.get(p.name, 0) for p in self.projections), default=first - 1)
        if self.load is not None and behind < first - 1:
            batch = [*self.load(conn, behind, first - 1), *batch]
        last = batch[-1][0]
        moved: list[str] = []
        for p in self.projections:
            done = positions.get(p.name, 0)
            todo = [item for item in batch if item[0] > done]
            if todo:
                p.apply(conn, todo)
                moved.append(p.name)
        known = [name for name in moved if name in positions]
        if known:  # one statement for all, on the hot path
            conn.execute(_MOVE, {"names": known, "last": last})
        new = [{"projection": name, "position": last} for name in moved if name not in positions]
        if new:
            conn.execute(tracking_table.insert(), new)

    def positions(self, conn: sa.Connection) -> dict[str, int]:
        return {r[0]: r[1] for r in conn.execute(_POSITIONS)}

    def clear(self, conn: sa.Connection) -> None:
        for p in self.projections:
            p.clear(conn)
        conn.execute(tracking_table.delete())
