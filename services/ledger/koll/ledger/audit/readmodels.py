"""The read models checked against the ledger: the live tables compared with a rebuild.

The chain proves the events; the boards are read from the read-model tables, which anyone with
the database can change without touching an event. Folding the whole ledger again, with the
very projections the live tables were made by, into a scratch database and comparing the two
row by row names the first difference (table, key, column): a board that was edited, or a
projection that is not the pure fold of the events it should be.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from koll.ledger.audit.asof import Scratch
from koll.ledger.store import tracking_table

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


@dataclass
class Difference:
    table: str
    key: str
    column: str | None  # None: the whole row is missing on one side
    live: Any
    rebuilt: Any

    def describe(self) -> str:
        if self.column is None:
            side = "is missing from the live table" if self.live is None else "is in the live table but not in a rebuild"
            return f"{self.table}: the row {self.key} {side}"
        return (f"{self.table}: row {self.key}, column {self.column}: live {self.live!r}, "
                f"rebuilt from the ledger {self.rebuilt!r}")

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "live": repr(self.live), "rebuilt": repr(self.rebuilt), "text": self.describe()}


@dataclass
class ReadModelReport:
    ok: bool
    position: int
    tables: int
    rows: int
    difference: Difference | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "position": self.position, "tables": self.tables, "rows": self.rows,
                "difference": self.difference.as_dict() if self.difference else None}


def _rows(conn: sa.Connection, table: sa.Table) -> Iterator[tuple[tuple, dict[str, Any]]]:
    keys = list(table.primary_key.columns)
    for r in conn.execute(sa.select(table)):
        m = r._mapping
        yield tuple(m[c.name] for c in keys), dict(m)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    return a == b


def compare_read_models(ledger: Ledger, progress: Callable[[int, int], None] | None = None,
                        batch_size: int = 5000) -> ReadModelReport:
    """Fold the ledger up to where the live read models stand into a scratch database, then compare
    every read-model table, row by row in key order; stop at the first difference."""
    projector = type(ledger.projector)(ledger.projector.projections)
    scratch = Scratch(projector)
    try:
        with ledger.store.read() as live:
            positions = {r[0]: r[1] for r in live.execute(sa.select(tracking_table.c.projection,
                                                                      tracking_table.c.position))}
            upto = min((positions.get(p.name, 0) for p in projector.projections), default=0)
            done = 0
            while done < upto:
                notes = ledger.recorder.select_notifications(done, min(batch_size, upto - done),
                                                             stop=upto, inclusive_of_start=False)
                if not notes:
                    break
                batch = [(n.id, ledger.mapper.to_domain_event(n)) for n in notes]
                with scratch.engine.begin() as target:
                    projector(target, batch)
                done = notes[-1].id
                if progress:
                    progress(done, upto)
            tables = rows = 0
            with scratch.engine.connect() as rebuilt:
                for md in projector.metadatas:
                    for table in md.sorted_tables:
                        tables += 1
                        difference, n = _compare_table(live, rebuilt, table)
                        rows += n
                        if difference:
                            return ReadModelReport(False, upto, tables, rows, difference)
            return ReadModelReport(True, upto, tables, rows)
    finally:
        scratch.dispose()


def _compare_table(live: sa.Connection, rebuilt: sa.Connection, table: sa.Table) -> tuple[Difference | None, int]:
    # Keys sorted here, not by the database: PostgreSQL's collation and SQLite's bytes disagree.
    a, b = dict(_rows(live, table)), dict(_rows(rebuilt, table))
    for key in sorted(a.keys() | b.keys(), key=lambda k: tuple(str(v) for v in k)):
        if key not in a:
            return Difference(table.name, _key(key), None, None, b[key]), len(a)
        if key not in b:
            return Difference(table.name, _key(key), None, a[key], None), len(a)
        for column in table.columns:
            x, y = a[key][column.name], b[key][column.name]
            if not _same(x, y):
                return Difference(table.name, _key(key), column.name, x, y), len(a)
    return None, len(a)


def _key(values: tuple) -> str:
    return ", ".join(str(v) for v in values)
