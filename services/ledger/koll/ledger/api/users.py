"""Users and their tokens, for admins: list, revoke, deactivate. Takes effect on the next request."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from koll.ledger.api.auth import ADMIN, requires
from koll.ledger.api.common import actor, ledger
from koll.ledger.api.errors import Problem

blp = Blueprint("users", __name__, url_prefix="/api/v1", description="Users (användare) and their tokens")


class UserSchema(Schema):
    name = fields.String()
    role = fields.String()
    org = fields.String()
    active = fields.Boolean()


class UserListSchema(Schema):
    users = fields.List(fields.Nested(UserSchema))


class TokenInfoSchema(Schema):
    id = fields.String(metadata={"description": "the token's public id: the start of its hash"})
    label = fields.String()
    created_at = fields.String()
    expires_at = fields.String(allow_none=True)


class TokenListSchema(Schema):
    user = fields.String()
    tokens = fields.List(fields.Nested(TokenInfoSchema))


class RevokedSchema(Schema):
    user = fields.String()
    revoked = fields.Integer(metadata={"description": "how many tokens were revoked"})


class DeactivatedSchema(UserSchema):
    recorded = fields.Boolean(metadata={"description": "false when the user was already deactivated"})


@blp.route("/users")
@requires(*ADMIN)
@blp.response(200, UserListSchema)
def list_users():  # type: ignore[no-untyped-def]
    return {"users": ledger().list_users()}


@blp.route("/users/<string:name>/tokens")
@requires(*ADMIN)
@blp.response(200, TokenListSchema)
def list_tokens(name: str):  # type: ignore[no-untyped-def]
    return {"user": name, "tokens": [t.as_dict() for t in ledger().user_tokens(name)]}


@blp.route("/users/<string:name>/tokens/revoke", methods=["POST"])
@requires(*ADMIN)
@blp.response(200, RevokedSchema)
def revoke_all(name: str):  # type: ignore[no-untyped-def]
    """Every token of the user is refused from the next request on."""
    return {"user": name, "revoked": ledger().revoke_tokens(name)}


@blp.route("/users/<string:name>/tokens/<string:token_id>/revoke", methods=["POST"])
@requires(*ADMIN)
@blp.response(200, RevokedSchema)
def revoke_one(name: str, token_id: str):  # type: ignore[no-untyped-def]
    """One token, by its id from the list (or its label)."""
    revoked = ledger().revoke_tokens(name, token_id)
    if not revoked:
        raise Problem(404, f"no token '{token_id}' for user '{name}'")
    return {"user": name, "revoked": revoked}


@blp.route("/users/<string:name>/deactivate", methods=["POST"])
@requires(*ADMIN)
@blp.response(200, DeactivatedSchema)
def deactivate(name: str):  # type: ignore[no-untyped-def]
    """Recorded in the ledger; every token and session of the user ends at once."""
    recorded = ledger().deactivate_user(actor(), name)
    found: dict[str, Any] = next(u for u in ledger().list_users() if u["name"] == name)
    return {**found, "recorded": recorded}
