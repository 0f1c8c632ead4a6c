"""Which records a user may see: the taxonomy's visibility meets the user's role and organisation."""

from __future__ import annotations

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.schema import vocabulary


def visible_levels(actor: Actor) -> list[str]:
    return [v for v in vocabulary.codes(vocabulary.VISIBILITIES) if vocabulary.can_see(actor.role, actor.org, v)]


def visible(table: sa.Table, actor: Actor, reporter_column: str | None = None) -> sa.ColumnElement[bool]:
    """Rows of a visibility the actor may see, in the areas they may see; reporters also see
    what they filed themselves."""
    clause = table.c.visibility.in_(visible_levels(actor))
    if reporter_column is not None:
        clause = sa.or_(clause, table.c[reporter_column] == actor.user)
    area = in_areas(table, actor)
    return clause if area is None else sa.and_(area, clause)


def area_where(table: sa.Table, actor: Actor | None, args: dict | None = None) -> list[sa.ColumnElement[bool]]:
    """The area clauses of a list: the areas the actor holds, and ``?area=CODE`` when asked."""
    where = []
    held = in_areas(table, actor) if actor is not None else None
    if held is not None:
        where.append(held)
    if args and args.get("area"):
        where.append(table.c.area == args["area"])
    return where


def in_areas(table: sa.Table, actor: Actor) -> sa.ColumnElement[bool] | None:
    """Rows of the areas the actor holds (None: every area, for a user granted no area in
    particular); a user of one area sees nothing of another."""
    if not actor.areas or "area" not in table.c:
        return None
    return table.c.area.in_(sorted(actor.areas))
