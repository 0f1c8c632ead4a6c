"""Sign-in and sign-out for the boards: the API's users and passwords, a server-side session.

The cookie (signed by Flask) holds only a session id, the CSRF token and the language; who the
user is, their role and whether they may still act are looked up on the server each request,
so signing out ends the session even for a copied cookie.
"""

from __future__ import annotations

import math
import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import redirect, request, session, url_for

from koll.ledger.credentials import TooManyAttempts
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, render
from koll.schema.payloads import unreadable_text


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect.

    Browsers drop tabs and newlines from a URL, read a backslash as a slash and ``//host`` as
    another site, so anything but a plain printable path that starts with one slash goes to the
    situation picture instead.
    """
    if (isinstance(target, str) and target.startswith("/") and not target.startswith("//")
            and "\\" not in target and target.isprintable() and " " not in target and len(target) <= 2000):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("boards.situation")


def _fresh_session(**values: Any) -> None:
    """A new cookie (and CSRF token), keeping only the chosen language."""
    lang = session.get("lang")
    session.clear()
    session.update(csrf=secrets.token_urlsafe(24), **values)
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    error = None
    status = 200
    headers: dict[str, str] = {}
    if request.method == "POST":
        name = request.form.get("user", "").strip()[:120]
        password = request.form.get("password", "")[:200]
        ledger = koll().ledger
        try:
            # a name no store can hold (NUL: PostgreSQL refuses it) is no user's
            readable = name and not unreadable_text(name) and not unreadable_text(password)
            actor = ledger.check_sign_in(name, password, request.remote_addr) if readable else None
        except TooManyAttempts as e:
            error = i18n.t("too_many_logins", minutes=max(1, math.ceil(e.retry_after / 60)))
            status, headers = 429, {"Retry-After": str(e.retry_after)}
        else:
            if actor is not None:
                old = session.get("sid")
                if isinstance(old, str) and old:
                    ledger.end_session(old)
                _fresh_session(sid=ledger.open_session(actor))
                return redirect(_safe_next(request.form.get("next")))
            error, status = i18n.t("bad_login"), 401
    return render("login.html", error=error, next=request.values.get("next", "")), status, headers


@bp.route("/logout", methods=["POST"])
def logout() -> Any:
    sid = session.get("sid")
    if isinstance(sid, str) and sid:
        koll().ledger.end_session(sid)  # the cookie's id no longer opens anything, wherever it was copied
    _fresh_session()
    session.pop("csrf", None)
    return redirect(url_for("boards.login"))


PASSWORD_MIN = 10


@bp.route("/login/lank/<secret>", methods=["GET", "POST"])
def first_sign_in(secret: str) -> Any:
    """A one-time link from an administrator: the user chooses their own password and is signed
    in. Looking at the link uses nothing up; choosing the password uses the link up."""
    ledger = koll().ledger
    secret = secret[:100]
    name = ledger.credentials.link_user(secret)
    if name is None:
        return render("first_sign_in.html", error=i18n.t("link_dead"), name=None, secret=""), 404
    error = None
    if request.method == "POST":
        password, again = request.form.get("password", "")[:200], request.form.get("again", "")[:200]
        if len(password) < PASSWORD_MIN:
            error = i18n.t("password_short", n=PASSWORD_MIN)
        elif password != again:
            error = i18n.t("passwords_differ")
        elif ledger.credentials.use_link(secret, password) == name and (actor := ledger.user(name)) is not None:
            _fresh_session(sid=ledger.open_session(actor))
            return redirect(url_for("boards.situation"))
        else:
            error = i18n.t("link_dead")
    return render("first_sign_in.html", error=error, name=name, secret=secret,
                  minimum=PASSWORD_MIN), 422 if error else 200
