"""Who may act: users with their role and organisation."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.user import User
from koll.ledger.projections.base import RowProjection

metadata = sa.MetaData()

users = sa.Table(
    "rm_users",
    metadata,
    sa.Column("user_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(120), nullable=False, unique=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("org", sa.String(40), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("areas", sa.Text, nullable=False),  # JSON list of area codes; [] = every area
)


class UsersProjection(RowProjection):
    name = "users"
    metadata = metadata
    table = users
    key = "user_id"
    events = (User.Event,)

    def keys(self, event: Any) -> Iterable[str]:
        return (str(event.originator_id),) if isinstance(event, User.Event) else ()

    def creates(self, event: Any) -> bool:
        return isinstance(event, User.Registered)

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        if isinstance(event, User.Registered):
            return {"user_id": str(event.originator_id), "name": event.name, "role": event.role,
                    "org": event.org, "active": True, "areas": json.dumps(sorted(getattr(event, "areas", None) or []))}
        if row is None:
            return None
        if isinstance(event, User.Deactivated):
            return {**row, "active": False}
        if isinstance(event, User.RoleChanged):
            return {**row, "role": event.role, "org": event.org}
        return row
