"""Measures (insatser): the board, the portfolio, one measure with its history, and decisions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import Response, jsonify
from flask_smorest import Blueprint
from marshmallow import Schema

from koll.ledger.api.auth import DECIDE, GOVERN, READ, expected_version, requires
from koll.ledger.api.common import actor, ledger, reading
from koll.ledger.api.openapi import versioned
from koll.ledger.api.errors import Problem
from koll.ledger.domain.base import Actor
from koll.ledger.domain.measure import Measure
from koll.ledger.history import plain
from koll.ledger.policy import Policy
from koll.ledger.history import describe
from koll.ledger.queries import measures as q
from koll.schema.payloads_measures import (
    AssignMeasureSchema,
    CompleteSchema,
    DecideMeasureSchema,
    EscalateSchema,
    IndicatorSchema,
    IndicatorValueSchema,
    LinkAreaSchema,
    LinkCaseSchema,
    MeasureQuerySchema,
    MeasureSchema,
    OperationsSchema,
    PortfolioQuerySchema,
    ProgressSchema,
    ReasonSchema,
    RevisePlanSchema,
    RecordedSchema,
    StartMeasureSchema,
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
        return plain(q.portfolio(conn, args.get("as_of")))


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


Decision = Callable[[Measure, Actor, dict[str, Any]], None]


def _command(name: str, schema: type[Schema], roles: tuple[str, ...], decision: Decision, doc: str) -> None:
    """One decision endpoint: If-Match names the version decided on (428 missing, 412 stale)."""

    def command(body: dict[str, Any], measure_id: UUID):  # type: ignore[no-untyped-def]
        who = actor()
        ledger().decide_measure(measure_id, expected_version(), lambda m: decision(m, who, body))
        return _measure_response(measure_id)

    command.__doc__ = doc
    command.__name__ = f"measure_{name.replace('-', '_')}"
    blp.route(f"/measures/<uuid:measure_id>/{name}", methods=["POST"])(
        requires(*roles)(versioned(blp.arguments(schema)(command))))


_command("revise", RevisePlanSchema, DECIDE, lambda m, by, b: m.revise(by, b),
         "Change columns of the plan (what, start, end, goal, resources, indicators, owner, sorting …); "
         "only what really changes is recorded.")
_command("decide", DecideMeasureSchema, DECIDE,
         lambda m, by, b: m.decide(by, note=b.get("note"), meeting_id=str(b["meeting_id"]) if b.get("meeting_id") else None),
         "Take the measure off the gross list: decided.")
_command("assign", AssignMeasureSchema, DECIDE,
         lambda m, by, b: m.assign(by, org=b["org"], person=b.get("person"), partners=b.get("partners")),
         "Owner organisation and person; partners are the other organisations in it.")
_command("start", StartMeasureSchema, DECIDE,
         lambda m, by, b: m.start_work(by, note=b.get("note"), on=b["on"].isoformat() if b.get("on") else None),
         "Start work (or resume a paused measure).")
_command("progress", ProgressSchema, DECIDE,
         lambda m, by, b: m.report_progress(by, achieved=b.get("achieved"), note=b.get("note")),
         "What has been achieved so far (Vad har vi uppnått?).")
_command("pause", ReasonSchema, DECIDE, lambda m, by, b: m.pause(by, reason=b["reason"]), "Pause, saying why.")
_command("complete", CompleteSchema, DECIDE,
         lambda m, by, b: m.complete(by, outcome=b["outcome"], achieved=b.get("achieved"),
                                     deviation_reason=b.get("deviation_reason"),
                                     success_factors=b.get("success_factors")),
         "Done: the goal reached fully, partly or not, and why any deviation.")
_command("cancel", ReasonSchema, DECIDE, lambda m, by, b: m.cancel(by, reason=b["reason"]), "Cancel, saying why.")
_command("escalate", EscalateSchema, GOVERN,
         lambda m, by, b: m.escalate(by, support_needed=b["support_needed"], note=b.get("note")),
         "Escalate to the strategic group with the support needed.")
_command("operations", OperationsSchema, DECIDE,
         lambda m, by, b: m.move_to_operations(by, org=b.get("org"), note=b.get("note")),
         "Move into ordinary operations (ordinarie drift).")
_command("indicators", IndicatorSchema, DECIDE, lambda m, by, b: m.define_indicator(by, b),
         "Add a success indicator (baseline, target, unit, direction; by hand or computed).")
_command("indicator-value", IndicatorValueSchema, DECIDE,
         lambda m, by, b: m.record_indicator_value(by, indicator=b["indicator"], value=b["value"],
                                                   measured_on=b["measured_on"].isoformat(), source=b.get("source"),
                                                   note=b.get("note")),
         "A value measured by hand: a safety survey, a police assessment.")


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
