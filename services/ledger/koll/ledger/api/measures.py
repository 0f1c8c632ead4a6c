"""Measures (insatser): the board, the portfolio, one measure with its history, and decisions."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import Schema

from koll.ledger.api.auth import DECIDE, GOVERN, READ, expected_version, requires
from koll.ledger.api.common import actor, ledger, reading
from koll.ledger.api.openapi import versioned
from koll.ledger.api.errors import Problem
from koll.ledger.history import plain
from koll.ledger.policy import Policy
from koll.ledger.history import describe
from koll.ledger.queries import measures as q
from koll.ledger.usecases.measures import DECISIONS, Decision
from koll.schema.payloads_measures import (
    LinkAreaSchema,
    LinkCaseSchema,
    MeasureQuerySchema,
    MeasureSchema,
    PortfolioQuerySchema,
    RecordedSchema,
)

blp = Blueprint("measures", __name__, url_prefix="/api/v1", description="Measures (insatser)")


@blp.route("/measures", methods=["POST"])
@requires(*DECIDE)
@blp.arguments(MeasureSchema)
@blp.response(201, RecordedSchema)
@blp.alt_response(200, schema=RecordedSchema, description="Already recorded: the same answer as the first time")
def propose(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    """A new measure on the gross list (status idea); the id is the client's."""
    recorded = ledger().propose_measure(actor(), body)
    return {"id": recorded.id}, (201 if recorded.created else 200)


@blp.route("/measures")
@requires(*READ)
@blp.arguments(MeasureQuerySchema, location="query")
def board(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The measure board: filtered measures, counts by each facet, late ones flagged, indicator trends."""
    with reading() as conn:
        return plain(q.board(conn, actor(), args))


@blp.route("/measures/portfolio")
@requires(*READ)
@blp.arguments(PortfolioQuerySchema, location="query")
def portfolio(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The four principles (critical mass, endurance, many kinds, across boundaries) and what each
    organisation already does."""
    with reading() as conn:
        return plain(q.portfolio(conn, actor(), args.get("as_of")))


@blp.route("/measures/<uuid:measure_id>")
@requires(*READ)
def get_measure(measure_id: UUID):  # type: ignore[no-untyped-def]
    return _measure_response(measure_id)


def _measure_response(measure_id: UUID) -> Response:
    with reading() as conn:
        found = q.get_measure(conn, str(measure_id), actor())
        if found is None:
            raise Problem(404, f"no measure with id {measure_id}")
        found["history"] = Policy(actor()).redact(conn, [describe(e) for e in ledger().history(measure_id)])
    resp = jsonify(plain(found))
    resp.headers["ETag"] = f'"{found["version"]}"'
    return resp




def _command(name: str, schema: type[Schema], roles: tuple[str, ...], decision: Decision, doc: str) -> None:
    """One decision endpoint: If-Match names the version decided on (428 missing, 412 stale)."""

    def command(body: dict[str, Any], measure_id: UUID):  # type: ignore[no-untyped-def]
        who = actor()
        ledger().decide_measure(measure_id, expected_version(), lambda m: decision(m, who, body), by=who)
        return _measure_response(measure_id)

    command.__doc__ = doc
    command.__name__ = f"measure_{name.replace('-', '_')}"
    blp.route(f"/measures/<uuid:measure_id>/{name}", methods=["POST"])(
        requires(*roles)(versioned(blp.arguments(schema)(command))))


_DOCS = {
    "revise": "Change columns of the plan (what, start, end, goal, resources, indicators, owner, sorting …); only what really changes is recorded.",
    "decide": "Take the measure off the gross list: decided.",
    "assign": "Owner organisation and person; partners are the other organisations in it.",
    "start": "Start work (or resume a paused measure).",
    "progress": "What has been achieved so far (Vad har vi uppnått?).",
    "pause": "Pause, saying why.",
    "complete": "Done: the goal reached fully, partly or not, and why any deviation.",
    "cancel": "Cancel, saying why.",
    "escalate": "Escalate to the strategic group with the support needed.",
    "operations": "Move into ordinary operations (ordinarie drift).",
    "indicators": "Add a success indicator (baseline and its period, target, unit, direction; by hand or computed).",
    "indicator-revise": "Change an indicator's baseline (value and period), target, name, unit or direction.",
    "indicator-value": "A value measured by hand: a safety survey, a police assessment.",
    "unlink-case": "Unlink a case the measure turned out not to address.",
}
for _name, (_schema, _decision) in DECISIONS.items():
    _command(_name, _schema, GOVERN if _name == "escalate" else DECIDE, _decision, _DOCS[_name])


@blp.route("/measures/<uuid:measure_id>/link-case", methods=["POST"])
@requires(*DECIDE)
@versioned
@blp.arguments(LinkCaseSchema)
def link_case(body: dict[str, Any], measure_id: UUID):  # type: ignore[no-untyped-def]
    """Link a case (ärende) the measure addresses."""
    ledger().link_case_to_measure(actor(), measure_id, expected_version(), body["case_id"])
    return _measure_response(measure_id)


@blp.route("/measures/<uuid:measure_id>/link-area", methods=["POST"])
@requires(*GOVERN)
@versioned
@blp.arguments(LinkAreaSchema)
def link_area(body: dict[str, Any], measure_id: UUID):  # type: ignore[no-untyped-def]
    """Let the measure span another area too (the strategic group's long-term work): the only
    way a measure reaches beyond its own area."""
    ledger().link_area_to_measure(actor(), measure_id, expected_version(), body["area"])
    return _measure_response(measure_id)
