"""Safety walks as the boards list them: plan, progress, and how many findings each brought."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.observation import Observation
from koll.ledger.domain.walk import Walk
from koll.ledger.projections.base import RowProjection, utc_naive
from koll.schema import taxonomy

metadata = sa.MetaData()

walks = sa.Table(
    "rm_walks",
    metadata,
    sa.Column("walk_id", sa.String(36), primary_key=True),
    sa.Column("area", sa.String(40)),  # NULL only before a ledger's migration to areas
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("planned_at", sa.DateTime, nullable=False),
    sa.Column("route", sa.Text, nullable=False),  # JSON list of place codes
    sa.Column("light", sa.String(12), nullable=False),
    sa.Column("organisations", sa.Text, nullable=False),  # JSON list of organisation codes
    # Sealed with the walk's own key: erasing the key erases this copy too.
    sa.Column("participants_sealed", sa.Text),
    sa.Column("participant_counts", sa.Text, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("started_at", sa.DateTime),
    sa.Column("ended_at", sa.DateTime),
    sa.Column("dark_at_start", sa.Boolean),
    sa.Column("summary_sealed", sa.Text),
    sa.Column("findings", sa.Integer, nullable=False),
    sa.Column("positive", sa.Integer, nullable=False),
    sa.Column("planned_by", sa.String(120), nullable=False),
    sa.Column("planned_by_org", sa.String(40), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("join_code", sa.String(8)),
    sa.Index("rm_walks_planned", "planned_at"),
    sa.Index("rm_walks_join_code", "join_code"),
)


class WalksProjection(RowProjection):
    name = "walks"
    metadata = metadata
    table = walks
    key = "walk_id"
    events = (Walk.Event, Observation.Recorded)

    def keys(self, event: Any) -> Iterable[str]:
        if isinstance(event, Walk.Event):
            return (str(event.originator_id),)
        if isinstance(event, Observation.Recorded) and event.walk_id:
            return (event.walk_id,)
        return ()

    def creates(self, event: Any) -> bool:
        return isinstance(event, Walk.Planned)

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        if isinstance(event, Walk.Planned):
            return {
                "walk_id": str(event.originator_id), "area": getattr(event, "area", None), "title": event.title,
                "planned_at": utc_naive(event.planned_at), "route": json.dumps(event.route),
                "light": event.light, "organisations": json.dumps(event.organisations),
                "participants_sealed": event.participants,
                "participant_counts": json.dumps(event.participant_counts, sort_keys=True),
                "status": "planned", "started_at": None, "ended_at": None, "dark_at_start": None,
                "summary_sealed": None, "findings": 0, "positive": 0, "planned_by": event.by["user"],
                "planned_by_org": event.by["org"], "version": event.originator_version,
                "join_code": getattr(event, "join_code", None),
            }
        if row is None:
            return None
        row = dict(row)
        if isinstance(event, Observation.Recorded):
            row["findings"] += 1
            if taxonomy.category(event.category).positive:
                row["positive"] += 1
            return row
        row["version"] = event.originator_version
        if isinstance(event, Walk.Started):
            row.update(status="started", started_at=utc_naive(event.at), dark_at_start=event.dark)
        elif isinstance(event, Walk.Ended):
            row.update(status="ended", ended_at=utc_naive(event.at), summary_sealed=event.summary)
        return row
