"""`/api/v1/webhooks`: admins register receivers and read what was delivered to them."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import sqlalchemy as sa
from flask_smorest import Blueprint
from marshmallow import Schema, ValidationError, fields, validate

from koll.ledger.api.auth import requires
from koll.ledger.api.common import actor, koll, reading
from koll.ledger.api.errors import Problem
from koll.ledger.api.json_provider import iso
from koll.ledger.webhooks.outbox import deliveries, receivers, utcnow
from koll.schema import taxonomy
from koll.schema.messages import msg
from koll.schema.payloads import StrictSchema

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1", description="Webhooks (other systems hear of events)")

ADMIN = ("admin",)


_EVENT_TYPE = re.compile(r"^[A-Z][A-Za-z]+\.(\*|[A-Z][A-Za-z]+)$")


def _event_type(value: str) -> None:
    if not _EVENT_TYPE.match(value):
        raise ValidationError(msg("event_type"))


class FiltersSchema(StrictSchema):
    areas = fields.List(fields.String(validate=validate.Length(1, 40)), load_default=list)
    organisations = fields.List(fields.String(validate=validate.OneOf(
        [o.code for o in taxonomy.ORGANISATIONS])), load_default=list)
    categories = fields.List(fields.String(validate=validate.OneOf(
        [c.code for c in taxonomy.CATEGORIES])), load_default=list)
    event_types = fields.List(fields.String(validate=_event_type), load_default=list)


class WebhookInSchema(StrictSchema):
    url = fields.Url(required=True, schemes={"http", "https"}, require_tld=False,
                     validate=validate.Length(max=2000))
    secret = fields.String(required=True, validate=validate.Length(16, 200),
                           metadata={"description": "shared secret for Koll-Signature (at least 16 characters)"})
    org = fields.String(required=True, validate=validate.OneOf([o.code for o in taxonomy.ORGANISATIONS]),
                        metadata={"description": "the organisation whose reading rights the receiver has"})
    filters = fields.Nested(FiltersSchema, load_default=dict)


class WebhookSchema(Schema):
    id = fields.String()
    url = fields.String()
    org = fields.String()
    filters = fields.Dict()
    active = fields.Boolean()
    created_by = fields.String()
    created_at = fields.String()


class WebhookListSchema(Schema):
    webhooks = fields.List(fields.Nested(WebhookSchema))


class DeliverySchema(Schema):
    id = fields.Integer()
    position = fields.Integer()
    event = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    last_status = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.String()
    delivered_at = fields.String(allow_none=True)


class DeliveryListSchema(Schema):
    deliveries = fields.List(fields.Nested(DeliverySchema))


class DeliveryQuerySchema(StrictSchema):
    state = fields.String(validate=validate.OneOf(("pending", "delivered")))
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))


def _iso(value: Any) -> str | None:
    return iso(value) if value is not None else None


def _webhook(row: Any) -> dict[str, Any]:
    return {"id": row.id, "url": row.url, "org": row.org, "filters": json.loads(row.filters), "active": row.active,
            "created_by": row.created_by, "created_at": _iso(row.created_at)}


@blp.route("/webhooks", methods=["POST"])
@blp.doc(security=[{"bearer": []}])
@requires(*ADMIN)
@blp.arguments(WebhookInSchema)
@blp.response(201, WebhookSchema)
def register(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    row = {"id": str(uuid.uuid4()), "url": body["url"], "secret": body["secret"], "org": body["org"],
           "filters": json.dumps(body["filters"], sort_keys=True), "active": True, "created_by": actor().user,
           "created_at": utcnow()}
    with koll().store.write() as conn:
        conn.execute(receivers.insert().values(**row))
    return {**{k: v for k, v in row.items() if k != "secret"}, "filters": body["filters"],
            "created_at": _iso(row["created_at"])}


@blp.route("/webhooks")
@blp.doc(security=[{"bearer": []}])
@requires(*ADMIN)
@blp.response(200, WebhookListSchema)
def list_webhooks():  # type: ignore[no-untyped-def]
    with reading() as conn:
        rows = conn.execute(sa.select(receivers).order_by(receivers.c.created_at))
        return {"webhooks": [_webhook(r) for r in rows]}


@blp.route("/webhooks/<uuid:webhook_id>/deactivate", methods=["POST"])
@blp.doc(security=[{"bearer": []}])
@requires(*ADMIN)
@blp.response(200, WebhookSchema)
def deactivate(webhook_id: uuid.UUID):  # type: ignore[no-untyped-def]
    with koll().store.write() as conn:
        done = conn.execute(receivers.update().where(receivers.c.id == str(webhook_id)).values(active=False))
        if not done.rowcount:
            raise Problem(404, f"no webhook with id {webhook_id}")
        return _webhook(conn.execute(sa.select(receivers).where(receivers.c.id == str(webhook_id))).one())


@blp.route("/webhooks/<uuid:webhook_id>/deliveries")
@blp.doc(security=[{"bearer": []}])
@requires(*ADMIN)
@blp.arguments(DeliveryQuerySchema, location="query")
@blp.response(200, DeliveryListSchema)
def list_deliveries(args: dict[str, Any], webhook_id: uuid.UUID):  # type: ignore[no-untyped-def]
    """Newest first: what was sent, how often it was tried, and what the receiver answered."""
    with reading() as conn:
        if conn.execute(sa.select(receivers.c.id).where(receivers.c.id == str(webhook_id))).first() is None:
            raise Problem(404, f"no webhook with id {webhook_id}")
        q = sa.select(deliveries).where(deliveries.c.webhook_id == str(webhook_id))
        if args.get("state"):
            q = q.where(deliveries.c.state == args["state"])
        rows = conn.execute(q.order_by(deliveries.c.id.desc()).limit(args["limit"]))
        return {"deliveries": [{
            "id": r.id, "position": r.position, "event": r.event, "state": r.state, "attempts": r.attempts,
            "last_status": r.last_status, "last_error": r.last_error, "next_attempt_at": _iso(r.next_attempt_at),
            "delivered_at": _iso(r.delivered_at)} for r in rows]}
