"""Who may see what: one policy that every read path asks (the API, the boards, exports, audit).

The rule is the vocabulary's (``koll.schema.vocabulary.can_see``): a record's visibility meets
the reader's role and organisation. A record's visibility is that of its category, held at
least as closely as its case (the projections fold a recategorisation into every row of the
case, so a read only ever compares one column). Reporters also see what they filed themselves.

The area is one more dimension: a reader granted some areas (``Actor.areas``; none granted:
every area) sees only rows of those areas, in ``clause`` and ``hidden`` alike, so a user of one
area sees nothing of another, not even how much is held from them there.

- ``Policy(actor).may_see(visibility)``: may this reader see a record held so?
- ``Policy(actor).clause(table)``: the same as SQL, for any table with a ``visibility`` column.
- ``Policy(actor).case_ref(case_id, visibility)``: the id, or a placeholder that names no id.
- ``Policy(actor).redact(conn, docs)``: every case reference in documents, resolved at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.schema import taxonomy, vocabulary

LEVELS = vocabulary.codes(vocabulary.VISIBILITIES)  # from the least to the most closely held

# What a reader who may not see a case sees in its place: never its id.
RESTRICTED_CASE = {"restricted": True, "sv": "ett ärende med begränsad åtkomst", "en": "a case with restricted access"}

# Keys that hold case ids in events, rows and documents (one id or a list of them).
CASE_REF_KEYS = frozenset({"case_id", "cases", "duplicate_of", "related_case"})

# Counts below this are told as "fewer than" on the shared picture: one report is a person.
SMALL_COUNT = 3

_CHUNK = 500


def looser_than(level: str) -> list[str]:
    """The visibilities held less closely than ``level``."""
    return list(LEVELS[:LEVELS.index(level)])


def is_placeholder(value: Any) -> bool:
    return isinstance(value, dict) and value.get("restricted") is True


@dataclass(frozen=True)
class Policy:
    """What one reader may see. ``actor`` None is the system itself (commands, rebuilds): everything."""

    actor: Actor | None
    levels: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        a = self.actor
        seen = LEVELS if a is None else tuple(v for v in LEVELS if vocabulary.can_see(a.role, a.org, v))
        object.__setattr__(self, "levels", seen)

    @property
    def sees_everything(self) -> bool:
        """Every visibility in every area: nothing to count as left out, nothing to redact."""
        granted = getattr(self.actor, "areas", None) if self.actor is not None else None
        return self.levels == LEVELS and not granted

    def may_see(self, visibility: str | None, reporter: str | None = None) -> bool:
        """A record held at ``visibility`` (None: not held at all), filed by ``reporter``."""
        if visibility is None or visibility in self.levels:
            return True
        return reporter is not None and self.actor is not None and reporter == self.actor.user

    def may_read_category(self, category: str) -> bool:
        return self.may_see(taxonomy.category(category).visibility)

    def clause(self, table: sa.Table, reporter_column: str | None = None) -> sa.ColumnElement[bool]:
        """Rows this reader may see; with ``reporter_column``, also the rows they filed themselves.
        A table whose visibility may be NULL (the audit timeline: measures, meetings) shows those."""
        col = table.c.visibility
        clause: sa.ColumnElement[bool] = col.in_(self.levels)
        if col.nullable:
            clause = sa.or_(col.is_(None), clause)
        if reporter_column is not None and self.actor is not None:
            clause = sa.or_(clause, table.c[reporter_column] == self.actor.user)
        return self._in_areas(table, clause)

    def areas_clause(self, table: sa.Table) -> sa.ColumnElement[bool] | None:
        """Rows of the areas this reader holds; None when they hold every area (or the table has
        no area). Rows of no area (recorded before areas, or users) are not theirs either."""
        granted = getattr(self.actor, "areas", None) if self.actor is not None else None
        if not granted or "area" not in table.c:
            return None
        return table.c.area.in_(sorted(granted))

    def may_see_area(self, area: str | None) -> bool:
        granted = getattr(self.actor, "areas", None) if self.actor is not None else None
        return not granted or area in granted

    def may_see_record(self, record: Any) -> bool:
        """A record (an aggregate) in an area this reader holds: its own area, or one it was
        explicitly linked to (a measure's ``areas``). The writes ask this before they decide."""
        areas = getattr(record, "areas", None)
        held = list(areas) if isinstance(areas, (list, tuple)) and areas else [getattr(record, "area", None)]
        return any(self.may_see_area(a) for a in held)

    def _in_areas(self, table: sa.Table, clause: sa.ColumnElement[bool]) -> sa.ColumnElement[bool]:
        held = self.areas_clause(table)
        return clause if held is None else sa.and_(held, clause)

    def hidden(self, table: sa.Table, reporter_column: str | None = None) -> sa.ColumnElement[bool]:
        """Rows held more closely than this reader may see (what a board says it leaves out)."""
        clause = table.c.visibility.not_in(self.levels)
        if reporter_column is not None and self.actor is not None:
            clause = sa.and_(clause, table.c[reporter_column] != self.actor.user)
        return self._in_areas(table, clause)

    # References to cases ------------------------------------------------------------------

    def case_ref(self, case_id: str, visibility: str | None) -> Any:
        """The case's id when this reader may see the case; else the placeholder (None: unknown case)."""
        return case_id if visibility is not None and self.may_see(visibility) else dict(RESTRICTED_CASE)

    def case_visibilities(self, conn: sa.Connection, ids: Iterable[str]) -> dict[str, str]:
        from koll.ledger.projections.situation import cases

        wanted = sorted({str(i) for i in ids if i})
        found: dict[str, str] = {}
        area = cases.c.area if "area" in cases.c else sa.literal(None)
        for i in range(0, len(wanted), _CHUNK):
            q = sa.select(cases.c.case_id, cases.c.visibility, area).where(cases.c.case_id.in_(wanted[i:i + _CHUNK]))
            # A case of an area the reader does not hold is as unknown to them as a restricted one.
            found.update({r[0]: r[1] for r in conn.execute(q) if self.may_see_area(r[2])})
        return found

    def redact(self, conn: sa.Connection, docs: Any, keys: frozenset[str] = CASE_REF_KEYS) -> Any:
        """Every case id under ``keys`` anywhere in ``docs`` (dicts and lists, nested) replaced by the
        placeholder when this reader may not see the case; changed in place and returned."""
        if self.sees_everything:
            return docs
        refs = list(_case_refs(docs, keys))
        if not refs:
            return docs
        held = self.case_visibilities(conn, (i for _, _, ids in refs for i in ids))
        for holder, key, _ids in refs:
            value = holder[key]
            if isinstance(value, list):
                holder[key] = [self.case_ref(v, held.get(str(v))) if isinstance(v, str) else v for v in value]
            else:
                holder[key] = self.case_ref(value, held.get(str(value)))
        return docs


def _case_refs(doc: Any, keys: frozenset[str]) -> Iterator[tuple[Any, Any, list[str]]]:
    """(holder, key, ids) for every case reference in a document."""
    if isinstance(doc, dict):
        for k, v in doc.items():
            if k in keys and isinstance(v, str) and v:
                yield doc, k, [v]
            elif k in keys and isinstance(v, dict):  # an audit change: {"before": id, "after": id}
                for side in ("before", "after"):
                    if isinstance(v.get(side), str) and v[side]:
                        yield v, side, [v[side]]
            elif k in keys and isinstance(v, list) and all(isinstance(x, str) for x in v) and v:
                yield doc, k, list(v)
            else:
                yield from _case_refs(v, keys)
    elif isinstance(doc, list):
        for v in doc:
            yield from _case_refs(v, keys)
