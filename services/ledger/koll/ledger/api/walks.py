"""Safety walks (trygghetsvandringar): plan, start, end, and the protocol for those responsible."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Response, jsonify, render_template
from flask_smorest import Blueprint

from koll.ledger.api.auth import FILE, READ, expected_version, requires
from koll.ledger.api.common import actor, ledger, reading
from koll.ledger.api.openapi import versioned
from koll.ledger.api.errors import Problem
from koll.ledger.domain.daylight import STOCKHOLM
from koll.ledger.domain.walk import JOIN_ALPHABET, JOIN_LENGTH, is_join_code
from koll.ledger.exports import to_csv
from koll.ledger.kml import MIMETYPE as KML, walk_kml
from koll.ledger.queries import walks as q
from koll.schema import glossary, taxonomy
from koll.schema.payloads_walks import (
    LIGHT,
    PARTICIPANT_KINDS,
    ProtocolSchema,
    ProtocolQuerySchema,
    WalkCreatedSchema,
    WalkEndSchema,
    WalkListSchema,
    WalkPlanSchema,
    WalkQuerySchema,
    WalkSchema,
)
from koll.schema.vocabulary import CASE_STATUSES, label

blp = Blueprint("walks", __name__, url_prefix="/api/v1", description="Safety walks (trygghetsvandringar)")

BAD_JOIN_CODE = {"sv": f"en kod har {JOIN_LENGTH} tecken: bokstäver och siffror utom 0, O, 1 och I",
                 "en": f"a code has {JOIN_LENGTH} characters: letters and digits except 0, O, 1 and I"}

PROTOCOL_COLUMNS = ("organisation", "organisation_sv", "positive", "category", "category_sv", "place", "place_sv",
                    "observed_at", "time_of_day", "dark", "lat", "lon", "note", "case_id", "case_status",
                    "photos", "observation_id")


@blp.route("/walks", methods=["POST"])
@requires(*FILE)
@blp.arguments(WalkPlanSchema)
@blp.response(201, WalkCreatedSchema)
@blp.alt_response(200, schema=WalkCreatedSchema, description="Already planned: the same answer as the first time")
def plan_walk(plan: dict[str, Any]):  # type: ignore[no-untyped-def]
    planned = ledger().plan_walk(actor(), plan)
    return {"id": planned.id, "join_code": planned.join_code}, (201 if planned.created else 200)


@blp.route("/walks")
@requires(*READ)
@blp.arguments(WalkQuerySchema, location="query")
@blp.response(200, WalkListSchema)
def list_walks(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    with reading() as conn:
        return {"walks": q.list_walks(conn, actor(), args)}


@blp.route("/walks/<uuid:walk_id>")
@requires(*READ)
@blp.response(200, WalkSchema)
def get_walk(walk_id: UUID):  # type: ignore[no-untyped-def]
    return _walk_response(walk_id)


@blp.route("/walks/join/<string:code>")
@requires(*READ)
@blp.response(200, WalkSchema)
def join_walk(code: str):  # type: ignore[no-untyped-def]
    """The walk a short join code names (read out by the leader, or in the walk's QR code), while
    it is planned or under way. Spaces, dashes and lower case are forgiven."""
    wanted = "".join(ch for ch in code.upper() if ch not in " -")
    if not is_join_code(wanted):
        raise Problem(422, f"'{code}' is not a join code: {JOIN_LENGTH} of {JOIN_ALPHABET}",
                      errors={"code": [BAD_JOIN_CODE]})
    with reading() as conn:
        walk_id = q.walk_id_by_code(conn, wanted, actor())
    if walk_id is None:
        raise Problem(404, f"no walk with join code {wanted}")
    return _walk_response(UUID(walk_id))


def _walk_response(walk_id: UUID) -> Response:
    with reading() as conn:
        found = q.get_walk(conn, actor(), str(walk_id), ledger().vault)
    if found is None:
        raise Problem(404, f"no walk with id {walk_id}")
    resp = jsonify(WalkSchema().dump(found))
    resp.headers["ETag"] = f'"{found["version"]}"'
    return resp


@blp.route("/walks/<uuid:walk_id>/start", methods=["POST"])
@requires(*FILE)
@versioned
@blp.response(200, WalkSchema)
def start_walk(walk_id: UUID):  # type: ignore[no-untyped-def]
    ledger().start_walk(actor(), walk_id, expected_version())
    return _walk_response(walk_id)


@blp.route("/walks/<uuid:walk_id>/end", methods=["POST"])
@requires(*FILE)
@versioned
@blp.arguments(WalkEndSchema)
@blp.response(200, WalkSchema)
def end_walk(body: dict[str, Any], walk_id: UUID):  # type: ignore[no-untyped-def]
    ledger().end_walk(actor(), walk_id, expected_version(), summary=body.get("summary"))
    return _walk_response(walk_id)


@blp.route("/walks/<uuid:walk_id>/protocol")
@requires(*READ)
@blp.arguments(ProtocolQuerySchema, location="query")
@blp.response(200, ProtocolSchema)
def protocol(args: dict[str, Any], walk_id: UUID):  # type: ignore[no-untyped-def]
    """Findings grouped by the organisation responsible for each; positive notes apart.
    ``?format=csv`` or ``html`` for the spreadsheet and the printable page."""
    return _protocol(walk_id, args["format"])


@blp.route("/walks/<uuid:walk_id>/protocol.csv")
@requires(*READ)
def protocol_csv(walk_id: UUID):  # type: ignore[no-untyped-def]
    return _protocol(walk_id, "csv")


@blp.route("/walks/<uuid:walk_id>/protocol.kml")
@requires(*READ)
def protocol_kml(walk_id: UUID):  # type: ignore[no-untyped-def]
    """The route and the findings as KML (Google Earth, QGIS)."""
    return _protocol(walk_id, "kml")


@blp.route("/walks/<uuid:walk_id>/protocol.html")
@requires(*READ)
def protocol_html(walk_id: UUID):  # type: ignore[no-untyped-def]
    return _protocol(walk_id, "html")


def _protocol(walk_id: UUID, fmt: str) -> Response:
    with reading() as conn:
        doc = q.protocol(conn, actor(), str(walk_id), ledger().vault)
    if doc is None:
        raise Problem(404, f"no walk with id {walk_id}")
    if fmt == "csv":
        return Response(to_csv(q.protocol_rows(doc), PROTOCOL_COLUMNS), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="vandring-{walk_id}.csv"'})
    if fmt == "kml":
        return Response(walk_kml(doc), mimetype=KML,
                        headers={"Content-Disposition": f'attachment; filename="vandring-{walk_id}.kml"'})
    if fmt == "html":
        return Response(render_template("walk_protocol.html", doc=doc, names=_names()), mimetype="text/html")
    return jsonify(ProtocolSchema().dump(doc))


def _names() -> dict[str, Any]:
    """Swedish labels for the printable page."""
    return {
        "org": lambda code: taxonomy.organisation(code).sv,
        "place": lambda code: taxonomy.place(code).sv,
        "light": lambda code: label(LIGHT, code),
        "kind": lambda code: label(PARTICIPANT_KINDS, code) if code else "",
        "status": lambda code: label(CASE_STATUSES, code),
        "at": lambda moment, fmt: moment.astimezone(STOCKHOLM).strftime(fmt),  # the square's own clock
        "count": glossary.count,  # "1 iakttagelse", "3 iakttagelser"
    }
