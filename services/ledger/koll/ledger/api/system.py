"""Health, who am I, and signing in with a password for a token."""

from __future__ import annotations

import sqlalchemy as sa
from flask import request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from koll.ledger.api.auth import READ, requires
from koll.ledger.api.common import actor, koll, ledger, reading
from koll.ledger.api.errors import Problem
from koll.ledger.credentials import TooManyAttempts
from koll.ledger.store import events_table
from koll.schema.payloads import StrictSchema

blp = Blueprint("system", __name__, description="Health and identity")


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
@blp.alt_response(429, description="Too many failed sign-ins: wait Retry-After seconds")
def sign_in(body):  # type: ignore[no-untyped-def]
    """A token for a user's password. Ten failures for a name (or thirty from one address) in
    15 minutes answer 429 with Retry-After until the oldest of them is 15 minutes old."""
    try:
        signed = ledger().sign_in(body["username"], body["password"], label=body["label"],
                                  address=request.remote_addr)
    except TooManyAttempts as e:
        raise Problem(429, str(e), type_="/problems/too_many_attempts",
                      headers={"Retry-After": str(e.retry_after)}) from None
    if signed is None:
        raise Problem(401, "wrong username or password")
    token, who = signed
    return {"token": token, **who.as_dict()}
