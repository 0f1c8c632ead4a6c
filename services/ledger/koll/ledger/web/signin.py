"""Sign-in and sign-out for the boards: the API's users and passwords, a session cookie."""

from __future__ import annotations

import secrets
from typing import Any

from flask import redirect, request, session, url_for

from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, render


def _safe_next(target: str | None) -> str:
    """Only paths on this site: never an open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("boards.situation")


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    if request.method == "POST":
        name = request.form.get("user", "").strip()
        password = request.form.get("password", "")
        ledger = koll().ledger
        actor = ledger.user(name) if name else None
        if actor is not None and ledger.credentials.check_password(name, password):
            lang = session.get("lang")
            session.clear()  # a fresh session (and CSRF token) for the signed-in user
            session.update(user=actor.user, role=actor.role, org=actor.org, areas=list(actor.areas),
                           csrf=secrets.token_urlsafe(24))
            if lang:
                session["lang"] = lang
            return redirect(_safe_next(request.form.get("next")))
        error = i18n.t("bad_login")
    status = 401 if error else 200
    return render("login.html", error=error, next=request.values.get("next", "")), status


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    return redirect(url_for("boards.login"))
