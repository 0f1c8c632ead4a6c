"""Meetings and their decisions, as the report-back and the meeting pages read them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.meeting import Meeting
from koll.ledger.projections.base import RowProjection, utc_naive
from koll.ledger.projections.measures import metadata

meetings = sa.Table(
    "rm_meetings",
    metadata,
    sa.Column("meeting_id", sa.String(36), primary_key=True),
    sa.Column("area", sa.String(40)),  # NULL only before a ledger's migration to areas
    sa.Column("group_code", sa.String(12), nullable=False),
    sa.Column("date", sa.String(10), nullable=False),
    sa.Column("title", sa.Text),
    sa.Column("attendees", sa.Text, nullable=False),
    sa.Column("status", sa.String(10), nullable=False),
    sa.Column("conclusions", sa.Text),
    sa.Column("decisions", sa.Integer, nullable=False),
    sa.Column("scheduled_at", sa.DateTime, nullable=False),
    sa.Column("held_at", sa.DateTime),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("rm_meetings_group_date", "group_code", "date"),
)

decisions = sa.Table(
    "rm_meeting_decisions",
    metadata,
    sa.Column("decision_key", sa.String(80), primary_key=True),  # meeting:decision, ids are the client's
    sa.Column("decision_id", sa.String(36), nullable=False),
    sa.Column("meeting_id", sa.String(36), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("measures", sa.Text, nullable=False),
    sa.Column("cases", sa.Text, nullable=False),
    sa.Column("by_user", sa.String(120), nullable=False),
    sa.Column("decided_at", sa.DateTime, nullable=False),
    sa.Index("rm_meeting_decisions_meeting", "meeting_id"),
)

# The strategic group's answers to escalations: an escalation without a row here is still open.
answers = sa.Table(
    "rm_escalation_answers",
    metadata,
    sa.Column("escalation_id", sa.String(48), primary_key=True),
    sa.Column("measure_id", sa.String(36), nullable=False),
    sa.Column("meeting_id", sa.String(36), nullable=False),
    sa.Column("decision_id", sa.String(36), nullable=False),
    sa.Column("outcome", sa.String(12), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("answered_at", sa.DateTime, nullable=False),
    sa.Index("rm_escalation_answers_at", "answered_at"),
)


class MeetingsProjection(RowProjection):
    name = "meetings"
    metadata = metadata
    table = meetings
    key = "meeting_id"
    events = (Meeting.Event,)

    def keys(self, event: Any) -> Iterable[str]:
        return (str(event.originator_id),) if isinstance(event, Meeting.Event) else ()

    def creates(self, event: Any) -> bool:
        return isinstance(event, Meeting.Scheduled)

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        at = utc_naive(event.timestamp)
        if isinstance(event, Meeting.Scheduled):
            return {"meeting_id": str(event.originator_id), "area": getattr(event, "area", None),
                    "group_code": event.group, "date": event.date,
                    "title": event.title, "attendees": json.dumps(event.attendees, ensure_ascii=False),
                    "status": "planned", "conclusions": None, "decisions": 0, "scheduled_at": at, "held_at": None,
                    "version": event.originator_version}
        if row is None:
            return None
        row = dict(row, version=event.originator_version)
        if isinstance(event, Meeting.DecisionRecorded):
            row["decisions"] += 1
        elif isinstance(event, Meeting.AttendanceRecorded):
            row["attendees"] = json.dumps(event.attendance, ensure_ascii=False)
        elif isinstance(event, Meeting.Held):
            row.update(status="held", held_at=at, conclusions=event.conclusions,
                       attendees=json.dumps(event.attendees, ensure_ascii=False))
        return row


class DecisionsProjection(RowProjection):
    name = "meeting_decisions"
    metadata = metadata
    table = decisions
    key = "decision_key"
    events = (Meeting.DecisionRecorded,)

    def keys(self, event: Any) -> Iterable[str]:
        return (f"{event.originator_id}:{event.decision_id}",) if isinstance(event, Meeting.DecisionRecorded) else ()

    def creates(self, event: Any) -> bool:
        return True

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        return {"decision_key": f"{event.originator_id}:{event.decision_id}", "decision_id": event.decision_id, "meeting_id": str(event.originator_id), "text": event.text,
                "measures": json.dumps(event.measures), "cases": json.dumps(event.cases),
                "by_user": event.by["user"], "decided_at": utc_naive(event.timestamp)}


class EscalationAnswersProjection(RowProjection):
    name = "escalation_answers"
    metadata = metadata
    table = answers
    key = "escalation_id"
    events = (Meeting.DecisionRecorded,)

    def keys(self, event: Any) -> Iterable[str]:
        answer = getattr(event, "answer", None) if isinstance(event, Meeting.DecisionRecorded) else None
        return (answer["escalation"],) if answer else ()

    def creates(self, event: Any) -> bool:
        return True

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        return {"escalation_id": event.answer["escalation"], "measure_id": event.answer["measure"],
                "meeting_id": str(event.originator_id), "decision_id": event.decision_id,
                "outcome": event.answer["outcome"], "text": event.text, "answered_at": utc_naive(event.timestamp)}
