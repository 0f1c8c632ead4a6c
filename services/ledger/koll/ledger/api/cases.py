"""Cases (ärenden): the list, the nearby ones, one with its history, and the decisions on it."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import Schema

from koll.ledger.api.auth import DECIDE, READ, expected_version, requires
from koll.ledger.api.common import actor, ledger, reading
from koll.ledger.api.openapi import versioned
from koll.ledger.api.errors import Problem
from koll.ledger.history import describe
from koll.ledger.policy import Policy
from koll.ledger.usecases.cases import decide
from koll.ledger.queries import cases as q
from koll.schema.payloads import (
    AssignSchema,
    CaseQuerySchema,
    CaseSchema,
    CaseStatusSchema,
    DuplicateSchema,
    NearbyQuerySchema,
    ReopenSchema,
    ResolveSchema,
    TriageSchema,
)

blp = Blueprint("cases", __name__, url_prefix="/api/v1", description="Cases (ärenden)")


class CaseListSchema(Schema):
    from marshmallow import fields

    cases = fields.List(fields.Nested(CaseSchema))


@blp.route("/cases")
@requires(*READ)
@blp.arguments(CaseQuerySchema, location="query")
@blp.response(200, CaseListSchema)
def list_cases(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    with reading() as conn:
        return {"cases": q.list_cases(conn, actor(), args)}


@blp.route("/cases/nearby")
@requires(*READ)
@blp.arguments(NearbyQuerySchema, location="query")
@blp.response(200, CaseListSchema)
def nearby(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Open cases near a point, nearest first: what a phone offers as "same as this"."""
    with reading() as conn:
        return {"cases": q.nearby(conn, actor(), args["lat"], args["lon"], args["radius_m"], args.get("group"))}


@blp.route("/cases/<uuid:case_id>")
@requires(*READ)
def get_case(case_id: UUID):  # type: ignore[no-untyped-def]
    return _case_response(case_id)


def _case_response(case_id: UUID, status: int = 200) -> Response:
    with reading() as conn:
        found = q.get_case(conn, actor(), str(case_id))
        if found is None:
            raise Problem(404, f"no case with id {case_id}")
        found["observations_list"] = q.case_observations(conn, actor(), str(case_id))
        found["history"] = Policy(actor()).redact(conn, [describe(e) for e in ledger().history(case_id)])
    for o in found["observations_list"]:
        o.pop("note_sealed", None)
    resp = jsonify(CaseSchema().dump(found) | {"observations_list": found["observations_list"],
                                               "history": found["history"]})
    resp.status_code = status
    resp.headers["ETag"] = f'"{found["version"]}"'
    return resp


def _decide(case_id: UUID, action: str, body: dict[str, Any]) -> Response:
    who = actor()
    case = decide(ledger(), case_id, expected_version(), [(action, body)], who)
    if not Policy(who).may_see(case.visibility):
        # Recategorised as restricted by this very decision: recorded, and no longer the caller's to see.
        return jsonify({"id": str(case.id), "version": case.version, "status": case.status,
                        "visibility": case.visibility,
                        "detail": "recorded; the case is now restricted and visible only to the police and IFO"})
    return _case_response(case_id)


@blp.route("/cases/<uuid:case_id>/triage", methods=["POST"])
@requires(*DECIDE)
@versioned
@blp.arguments(TriageSchema)
def triage(body: dict[str, Any], case_id: UUID):  # type: ignore[no-untyped-def]
    return _decide(case_id, "triage", body)


@blp.route("/cases/<uuid:case_id>/assign", methods=["POST"])
@requires(*DECIDE)
@versioned
@blp.arguments(AssignSchema)
def assign(body: dict[str, Any], case_id: UUID):  # type: ignore[no-untyped-def]
    return _decide(case_id, "assign", body)


@blp.route("/cases/<uuid:case_id>/status", methods=["POST"])
@requires(*DECIDE)
@versioned
@blp.arguments(CaseStatusSchema)
def status(body: dict[str, Any], case_id: UUID):  # type: ignore[no-untyped-def]
    return _decide(case_id, "status", body)


@blp.route("/cases/<uuid:case_id>/resolve", methods=["POST"])
@requires(*DECIDE)
@versioned
@blp.arguments(ResolveSchema)
def resolve(body: dict[str, Any], case_id: UUID):  # type: ignore[no-untyped-def]
    return _decide(case_id, "resolve", body)


@blp.route("/cases/<uuid:case_id>/reopen", methods=["POST"])
@requires(*DECIDE)
@versioned
@blp.arguments(ReopenSchema)
def reopen(body: dict[str, Any], case_id: UUID):  # type: ignore[no-untyped-def]
    return _decide(case_id, "reopen", body)


@blp.route("/cases/<uuid:case_id>/duplicate", methods=["POST"])
@requires(*DECIDE)
@versioned
@blp.arguments(DuplicateSchema)
def duplicate(body: dict[str, Any], case_id: UUID):  # type: ignore[no-untyped-def]
    return _decide(case_id, "duplicate", body)
