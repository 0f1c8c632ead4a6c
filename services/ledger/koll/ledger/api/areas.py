"""Areas (områden): the definitions a district keeps, read by everyone who works in them and
changed by admins, part by part, with the version they decided on (If-Match)."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from flask import g, jsonify, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from koll.ledger.api.auth import OVERVIEW, READ, expected_version, requires
from koll.ledger.api.common import actor, ledger, reading
from koll.ledger.api.openapi import versioned
from koll.ledger.api.errors import Problem
from koll.ledger.projections.base import utc_naive
from koll.ledger.queries import areas as q
from koll.ledger.queries.meetings import CYCLE
from koll.schema.payloads import Day, Moment, StrictSchema
from koll.schema.areas import (
    AreaDefinitionSchema,
    AreaRevisionSchema,
    CategoriesSchema,
    OrganisationsSchema,
    PlacesSchema,
)

blp = Blueprint("areas", __name__, url_prefix="/api/v1", description="Areas (områden)")

ADMIN = ("admin",)


@blp.before_app_request
def _areas_known() -> None:
    """Before any write is validated (a report, a walk, a board's form), the areas defined since
    this process started – through the API, by another instance or `koll area import` – have their
    places, organisations and local categories known to the validators (one small cached query)."""
    if request.method in ("POST", "PUT", "PATCH"):
        g.koll_areas = ledger().area_views()


def areas_read() -> list[Any] | None:
    """The areas this request read before its body was validated: a report it files is placed
    among these (``file_observations(areas=…)``), not asked of the database again."""
    return g.get("koll_areas")


class AreaBriefSchema(Schema):
    code = fields.String()
    name = fields.Dict()
    time_zone = fields.String()
    version = fields.Integer()
    bbox = fields.List(fields.Float())
    places = fields.Integer()
    organisations = fields.Integer()
    categories = fields.Integer()
    adopted = fields.List(fields.Dict())


class AreaListSchema(Schema):
    areas = fields.List(fields.Nested(AreaBriefSchema))


class ImportedSchema(Schema):
    code = fields.String()
    created = fields.Boolean()
    changed = fields.List(fields.String())
    version = fields.Integer()


@blp.route("/areas")
@requires(*READ)
@blp.response(200, AreaListSchema)
def list_areas():  # type: ignore[no-untyped-def]
    """The areas the caller may see."""
    with reading() as conn:
        return {"areas": q.list_areas(conn, actor())}


@blp.route("/areas", methods=["POST"])
@requires(*ADMIN)
@blp.arguments(AreaDefinitionSchema)
@blp.response(200, ImportedSchema)
def import_area(definition: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Defines an area, or records what differs from the definition recorded (nothing, for the
    same definition again): the API's `koll area import`."""
    return ledger().import_area(actor(), definition)


def _definition(code: str):  # type: ignore[no-untyped-def]
    with reading() as conn:
        found = q.area_definition(conn, actor(), code)
    if found is None:
        raise Problem(404, f"no area '{code}'")
    resp = jsonify(found[0])
    resp.headers["ETag"] = f'"{found[1]}"'
    return resp


class OverviewQuerySchema(StrictSchema):
    since = Moment(metadata={"description": "what counts as new; three weeks ago when left out"})
    as_of = Day(metadata={"description": "the day late is judged on; today when left out"})


class OverviewRowSchema(Schema):
    area = fields.String()
    name = fields.Dict()
    open_cases = fields.Integer()
    new_cases = fields.Integer()
    restricted_not_shown = fields.Integer()
    active_measures = fields.Integer()
    late_measures = fields.Integer()
    last_meeting = fields.String(allow_none=True)
    next_meeting = fields.String(allow_none=True)
    escalations_waiting = fields.Integer()
    principles = fields.Dict(metadata={"description": "the four principles of the area's own portfolio, "
                                                      "as /measures/portfolio gives them"})


class OverviewSchema(Schema):
    since = fields.String()
    as_of = fields.String()
    areas = fields.List(fields.Nested(OverviewRowSchema))


@blp.route("/areas/overview")
@requires(*OVERVIEW)
@blp.arguments(OverviewQuerySchema, location="query")
@blp.response(200, OverviewSchema)
def overview(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The strategic view across areas: one row an area, side by side."""
    since = args.get("since") or (datetime.now(timezone.utc) - CYCLE)
    day = args.get("as_of") or datetime.now(timezone.utc).date()
    with reading() as conn:
        rows = q.overview(conn, actor(), utc_naive(since), day)
    return {"since": since.isoformat(), "as_of": day.isoformat(), "areas": rows}


@blp.route("/areas/<string:code>")
@requires(*READ)
@blp.response(200, AreaDefinitionSchema, description="The definition, as `koll area export` writes it; "
                                                       "ETag is its version")
def get_area(code: str):  # type: ignore[no-untyped-def]
    return _definition(code)


@blp.route("/areas/<string:code>/revise", methods=["POST"])
@requires(*ADMIN)
@versioned
@blp.arguments(AreaRevisionSchema)
@blp.doc(parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"}}])
def revise_area(changes: dict[str, Any], code: str):  # type: ignore[no-untyped-def]
    _known(code)
    ledger().revise_area(actor(), code, expected_version(), changes)
    return _definition(code)


def _section(section: str, schema: type):  # type: ignore[no-untyped-def]
    @blp.route(f"/areas/<string:code>/{section}", methods=["POST"], endpoint=f"set_{section}")
    @requires(*ADMIN)
    @versioned
    @blp.arguments(schema)
    @blp.doc(operationId=f"setArea{section.title()}",
             parameters=[{"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"}}])
    def set_section(body: dict[str, Any], code: str):  # type: ignore[no-untyped-def]
        _known(code)
        ledger().set_area_section(actor(), code, expected_version(), section, body[section])
        return _definition(code)

    return set_section


def _known(code: str) -> None:
    with reading() as conn:
        if q.area_definition(conn, actor(), code) is None:
            raise Problem(404, f"no area '{code}'")


set_places = _section("places", PlacesSchema)
set_organisations = _section("organisations", OrganisationsSchema)
set_categories = _section("categories", CategoriesSchema)
