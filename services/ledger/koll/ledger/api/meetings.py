"""Meetings (möten) of the operational and strategic groups, decisions and the report-back."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from flask_smorest import Blueprint

from koll.ledger.api.auth import GOVERN, MEETINGS, expected_version, requires
from koll.ledger.api.common import actor, ledger, reading
from koll.ledger.api.openapi import versioned
from koll.ledger.api.errors import Problem
from koll.ledger.history import plain
from koll.ledger.policy import Policy
from koll.ledger.history import describe
from koll.ledger.queries import meetings as q
from koll.schema.payloads_measures import (AttendanceSchema, DecisionSchema, HoldSchema, MeetingQuerySchema,
                                           MeetingSchema, RecordedSchema)

blp = Blueprint("meetings", __name__, url_prefix="/api/v1", description="Meetings (möten) and report-back")


@blp.route("/meetings", methods=["POST"])
@requires(*GOVERN)
@blp.arguments(MeetingSchema)
@blp.response(201, RecordedSchema)
@blp.alt_response(200, schema=RecordedSchema, description="Already recorded: the same answer as the first time")
def schedule(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    recorded = ledger().schedule_meeting(actor(), body)
    return {"id": recorded.id}, (201 if recorded.created else 200)


@blp.route("/meetings")
@requires(*MEETINGS)
@blp.arguments(MeetingQuerySchema, location="query")
def list_meetings(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    with reading() as conn:
        return {"meetings": plain(q.list_meetings(conn, args, actor()))}


@blp.route("/meetings/<uuid:meeting_id>")
@requires(*MEETINGS)
def get_meeting(meeting_id: UUID):  # type: ignore[no-untyped-def]
    return _meeting_response(meeting_id)


def _meeting_response(meeting_id: UUID, status: int = 200) -> Response:
    with reading() as conn:
        found = q.get_meeting(conn, actor(), str(meeting_id))
        if found is None:
            raise Problem(404, f"no meeting with id {meeting_id}")
        found["history"] = Policy(actor()).redact(conn, [describe(e) for e in ledger().history(meeting_id)])
    resp = jsonify(plain(found))
    resp.status_code = status
    resp.headers["ETag"] = f'"{found["version"]}"'
    return resp


@blp.route("/meetings/<uuid:meeting_id>/decisions", methods=["POST"])
@requires(*GOVERN)
@blp.arguments(DecisionSchema)
def decide(body: dict[str, Any], meeting_id: UUID):  # type: ignore[no-untyped-def]
    """A decision, naming the measures and cases it touches; idempotent on its id (no If-Match:
    decisions are appended, they do not overwrite one another)."""
    recorded = ledger().record_decision(actor(), meeting_id, body)
    return _meeting_response(meeting_id, 201 if recorded.created else 200)


@blp.route("/meetings/<uuid:meeting_id>/attendance", methods=["POST"])
@requires(*GOVERN)
@versioned
@blp.arguments(AttendanceSchema)
def attendance(body: dict[str, Any], meeting_id: UUID):  # type: ignore[no-untyped-def]
    """Who came, by organisation (a count and any names); replaces what was recorded. If-Match required."""
    ledger().record_attendance(actor(), meeting_id, expected_version(), body["attendance"])
    return _meeting_response(meeting_id)


@blp.route("/meetings/<uuid:meeting_id>/held", methods=["POST"])
@requires(*GOVERN)
@versioned
@blp.arguments(HoldSchema)
def held(body: dict[str, Any], meeting_id: UUID):  # type: ignore[no-untyped-def]
    """The meeting is held and its record closed, with the conclusions; If-Match required."""
    return _hold(body, meeting_id)


@blp.route("/meetings/<uuid:meeting_id>/close", methods=["POST"])
@requires(*GOVERN)
@versioned
@blp.arguments(HoldSchema)
def close(body: dict[str, Any], meeting_id: UUID):  # type: ignore[no-untyped-def]
    """The same step as ``held``, under the name the boards use."""
    return _hold(body, meeting_id)


def _hold(body: dict[str, Any], meeting_id: UUID) -> Response:
    ledger().hold_meeting(actor(), meeting_id, expected_version(), body.get("conclusions"), body.get("attendees"))
    return _meeting_response(meeting_id)


@blp.route("/meetings/<uuid:meeting_id>/report-back")
@requires(*MEETINGS)
def report_back(meeting_id: UUID):  # type: ignore[no-untyped-def]
    """For the period since the group's previous meeting: goals reached and deviations, success
    factors, support needed, conclusions; measures started, done, late; the situation's change."""
    with reading() as conn:
        found = q.report_back(conn, actor(), str(meeting_id))
    if found is None:
        raise Problem(404, f"no meeting with id {meeting_id}")
    return plain(found)
