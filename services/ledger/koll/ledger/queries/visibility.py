"""The read side's short names for ``koll.ledger.policy``: the one policy decides, these ask it."""

from __future__ import annotations

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.policy import Policy


def visible_levels(actor: Actor) -> list[str]:
    return list(Policy(actor).levels)


def visible(table: sa.Table, actor: Actor, reporter_column: str | None = None) -> sa.ColumnElement[bool]:
    """Rows of a visibility the actor may see, in the areas they may see; reporters also see
    what they filed themselves."""
    return Policy(actor).clause(table, reporter_column)


def area_where(table: sa.Table, actor: Actor | None, args: dict | None = None) -> list[sa.ColumnElement[bool]]:
    """The area clauses of a list whose rows have no visibility of their own (walks, meetings):
    the areas the actor holds, as the policy says, and ``?area=CODE`` when asked."""
    where = []
    held = Policy(actor).areas_clause(table) if actor is not None else None
    if held is not None:
        where.append(held)
    if args and args.get("area"):
        where.append(table.c.area == args["area"])
    return where
