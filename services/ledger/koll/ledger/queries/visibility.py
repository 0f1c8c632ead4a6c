"""The read side's short names for ``koll.ledger.policy``: the one policy decides, these ask it."""

from __future__ import annotations

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.policy import Policy


def visible_levels(actor: Actor) -> list[str]:
    return list(Policy(actor).levels)


def visible(table: sa.Table, actor: Actor, reporter_column: str | None = None) -> sa.ColumnElement[bool]:
    """Rows of a visibility the actor may see; reporters also see what they filed themselves."""
    return Policy(actor).clause(table, reporter_column)
