"""The situation picture (lägesbild): counts, the map as GeoJSON, and trends."""

from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context
from flask_smorest import Blueprint
from marshmallow import fields, validate

from koll.ledger.exports import geojson_text
from koll.ledger.api.auth import READ, requires
from koll.ledger.api.common import actor, reading
from koll.ledger.queries import situation as q
from koll.schema.payloads import CaseQuerySchema, Moment, StrictSchema

blp = Blueprint("situation", __name__, url_prefix="/api/v1", description="Lägesbild")


class TrendQuerySchema(StrictSchema):
    weeks = fields.Integer(load_default=12, validate=validate.Range(1, 260))
    until = Moment()
    group = fields.String()
    place = fields.String()
    area = fields.String()


@blp.route("/situation")
@requires(*READ)
@blp.arguments(CaseQuerySchema, location="query")
def situation(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    with reading() as conn:
        return q.counts(conn, actor(), args)


class MapQuerySchema(CaseQuerySchema):
    """The list's filters; without ``limit`` every point the reader may see, streamed."""

    limit = fields.Integer(load_default=None, validate=validate.Range(1, 100_000),
                           metadata={"description": "at most this many points, oldest first (with offset)"})


@blp.route("/situation/map")
@requires(*READ)
@blp.arguments(MapQuerySchema, location="query")
def situation_map(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    who = actor()

    def body():  # type: ignore[no-untyped-def]
        with reading() as conn:  # one consistent view, held while the answer streams
            yield from geojson_text(q.features(conn, who, args))

    return Response(stream_with_context(body()), mimetype="application/geo+json")


@blp.route("/situation/trends")
@requires(*READ)
@blp.arguments(TrendQuerySchema, location="query")
def situation_trends(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    with reading() as conn:
        return q.trends(conn, actor(), args["weeks"], args.get("until"), args.get("group"), args.get("place"),
                        args.get("area"))
