"""Användare (``/admin/anvandare``): the administrator's page of users, for admins only.

Users are recorded in the ledger (who may act, and who granted it); their secrets stay beside
it in ``credentials`` as hashes. Nobody types a password for someone else: a new user, or one
whose password is reset, gets a one-time link (shown once, on this page, never in a redirect) to
choose their own. Every change goes through the same Ledger functions as ``koll user …``.
"""

from __future__ import annotations

from typing import Any

from flask import redirect, request, url_for

from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, page, render
from koll.schema import taxonomy, vocabulary

ADMIN = ("admin",)
DONE = {"role": "user_changed", "deactivated": "user_deactivated", "revoked": "tokens_revoked"}


def _link(secret: str) -> str:
    return url_for("boards.first_sign_in", secret=secret, _external=True)


def _users_page(*, status: int = 200, message: str | None = None, message_kind: str = "ok",
                form: dict[str, str] | None = None, errors: dict[str, str] | None = None,
                link: tuple[str, str] | None = None) -> Any:
    ledger = koll().ledger
    rows = ledger.list_users()
    for u in rows:
        u["tokens"] = ledger.user_tokens(u["name"])
    return render("users.html", users=rows, message=message, message_kind=message_kind, form=form or {},
                  errors=errors or {}, roles=vocabulary.ROLES, organisations=taxonomy.ORGANISATIONS,
                  link=link), status


def _refused(e: DomainError, form: dict[str, str]) -> Any:
    why = e.message if i18n.lang() == "en" else e.sv
    return _users_page(status=422, message=i18n.t("user_refused", why=why), message_kind="error", form=form,
                       errors={str(e.details.get("field", "name")): why})


@bp.route("/admin/anvandare")
@page(*ADMIN)
def users(actor: Actor) -> Any:
    done = DONE.get(request.args.get("klart", ""))
    return _users_page(message=i18n.t(done) if done else None)


@bp.route("/admin/anvandare", methods=["POST"])
@page(*ADMIN)
def add_user(actor: Actor) -> Any:
    typed = {k: request.form.get(k, "").strip() for k in ("name", "role", "org")}
    errors: dict[str, str] = {}
    if not typed["name"] or len(typed["name"]) > 120 or not typed["name"].isprintable():
        errors["name"] = i18n.t("name_needed")
    if typed["role"] not in vocabulary.codes(vocabulary.ROLES):
        errors["role"] = i18n.t("choose")
    if typed["org"] not in taxonomy.ORGANISATION_BY_CODE:
        errors["org"] = i18n.t("choose")
    if errors:
        return _users_page(status=422, message=i18n.t("user_refused", why=", ".join(errors.values())),
                           message_kind="error", form=typed, errors=errors)
    try:
        secret = koll().ledger.invite(actor, typed["name"], typed["role"], typed["org"])
    except DomainError as e:
        return _refused(e, typed)
    # The link is shown here, once, in the answer to the POST (a redirect would put it in a URL).
    return _users_page(message=i18n.t("user_added", name=typed["name"]), link=(typed["name"], _link(secret)))


@bp.route("/admin/anvandare/<name>", methods=["POST"])
@page(*ADMIN)
def change_user(actor: Actor, name: str) -> Any:
    ledger = koll().ledger
    action = request.form.get("action", "")
    try:
        if action == "role":
            ledger.change_role(actor, name, request.form.get("role", ""), request.form.get("org", ""))
        elif action == "reset":
            return _users_page(message=i18n.t("password_reset", name=name), link=(name, _link(ledger.reset_password(name))))
        elif action == "deactivate":
            ledger.deactivate_user(actor, name)
            action = "deactivated"
        elif action == "revoke":
            ledger.revoke_tokens(name, request.form.get("token") or None)
            action = "revoked"
        else:
            raise DomainError(f"unknown action '{action}'", sv=f"okänd åtgärd '{action}'", field="action")
    except DomainError as e:
        return _refused(e, {"user": name, **request.form.to_dict()})
    return redirect(url_for("boards.users", klart=action) + f"#user-{name}")
