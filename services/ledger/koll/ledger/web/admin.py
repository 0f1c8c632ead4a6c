"""Användare (``/admin/anvandare``): the administrator's page of users, for admins only.

Users are recorded in the ledger (who may act, and who granted it); their secrets stay beside
it in ``credentials`` as hashes. A password is only ever typed into a form and sent in a POST
body, never put in a link or shown back.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import redirect, request, url_for

from koll.ledger.credentials import tokens
from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.projections.users import users as user_table
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, page, reading, render
from koll.schema import taxonomy, vocabulary

ADMIN = ("admin",)
PASSWORD_MIN = 10


def user_rows(conn: sa.Connection) -> list[dict[str, Any]]:
    """Every user with how many tokens they hold."""
    held = dict(conn.execute(sa.select(tokens.c.user_name, sa.func.count()).group_by(tokens.c.user_name)).all())
    u = user_table.c
    rows = conn.execute(sa.select(u.name, u.role, u.org, u.active).order_by(u.name))
    return [{**dict(r._mapping), "tokens": held.get(r.name, 0)} for r in rows]


def _users_page(*, status: int = 200, message: str | None = None, message_kind: str = "ok",
                form: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Any:
    with reading() as conn:
        rows = user_rows(conn)
    return render("users.html", users=rows, message=message, message_kind=message_kind, form=form or {},
                  errors=errors or {}, roles=vocabulary.ROLES, organisations=taxonomy.ORGANISATIONS,
                  password_min=PASSWORD_MIN), status


@bp.route("/admin/anvandare")
@page(*ADMIN)
def users(actor: Actor) -> Any:
    done = request.args.get("klart")
    return _users_page(message=i18n.t("user_added", name=done) if done else None)


@bp.route("/admin/anvandare", methods=["POST"])
@page(*ADMIN)
def add_user(actor: Actor) -> Any:
    typed = {k: request.form.get(k, "").strip() for k in ("name", "role", "org")}
    password = request.form.get("password", "")
    errors: dict[str, str] = {}
    if not typed["name"] or len(typed["name"]) > 120:
        errors["name"] = i18n.t("user_name")
    if typed["role"] not in vocabulary.codes(vocabulary.ROLES):
        errors["role"] = i18n.t("role")
    if typed["org"] not in taxonomy.ORGANISATION_BY_CODE:
        errors["org"] = i18n.t("org")
    if len(password) < PASSWORD_MIN:
        errors["password"] = i18n.t("password_short", n=PASSWORD_MIN)
    if errors:
        return _users_page(status=422, message=i18n.t("user_refused", why=", ".join(errors.values())),
                           message_kind="error", form=typed, errors=errors)
    try:
        koll().ledger.add_user(typed["name"], typed["role"], typed["org"], by=actor, password=password)
    except DomainError as e:
        return _users_page(status=422, message=i18n.t("user_refused", why=e.message if i18n.lang() == "en" else e.sv),
                           message_kind="error", form=typed, errors={e.details.get("field", "name"): e.sv})
    return redirect(url_for("boards.users", klart=typed["name"]))
