"""Health, metrics, who am I, and signing in with a password for a token."""

from __future__ import annotations

import time

import sqlalchemy as sa
from flask import Response
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from koll.ledger.api.auth import READ, requires
from koll.ledger.api.common import actor, koll, ledger, reading
from koll.ledger.api.errors import Problem
from koll.ledger.store import events_table
from koll.schema.payloads import StrictSchema

blp = Blueprint("system", __name__, description="Health, metrics and identity")

_STARTED = time.time()


class MeSchema(Schema):
    user = fields.String()
    role = fields.String()
    org = fields.String()


class SignInSchema(StrictSchema):  # the text rule too: a NUL or half a pair never reaches the user table
    username = fields.String(required=True, validate=validate.Length(min=1, max=120))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    label = fields.String(load_default="app", validate=validate.Length(max=60))


class TokenSchema(MeSchema):
    token = fields.String()


@blp.route("/healthz")
@blp.doc(security=[])
def healthz():  # type: ignore[no-untyped-def]
    with reading() as conn:
        position = conn.execute(sa.select(sa.func.max(events_table.c.id))).scalar() or 0
    return {"status": "ok", "ledger_position": position, "database": koll().store.dialect}


@blp.route("/metrics")
@blp.doc(security=[])
def metrics():  # type: ignore[no-untyped-def]
    """Prometheus text format: enough to see the ledger grow and the process live."""
    with reading() as conn:
        position = conn.execute(sa.select(sa.func.max(events_table.c.id))).scalar() or 0
    body = (
        "# HELP koll_ledger_position Number of events in the ledger.\n"
        "# TYPE koll_ledger_position gauge\n"
        f"koll_ledger_position {position}\n"
        "# HELP koll_process_uptime_seconds Seconds since this worker started.\n"
        "# TYPE koll_process_uptime_seconds gauge\n"
        f"koll_process_uptime_seconds {time.time() - _STARTED:.0f}\n"
    )
    return Response(body, mimetype="text/plain; version=0.0.4")


@blp.route("/api/v1/me")
@blp.doc(security=[{"bearer": []}])
@requires(*READ)
@blp.response(200, MeSchema)
def me():  # type: ignore[no-untyped-def]
    return actor().as_dict()


@blp.route("/api/v1/auth/token", methods=["POST"])
@blp.doc(security=[])
@blp.arguments(SignInSchema)
@blp.response(200, TokenSchema)
def sign_in(body):  # type: ignore[no-untyped-def]
    signed = ledger().sign_in(body["username"], body["password"], label=body["label"])
    if signed is None:
        raise Problem(401, "wrong username or password")
    token, who = signed
    return {"token": token, **who.as_dict()}
