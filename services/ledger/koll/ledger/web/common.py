"""What every board page shares: the blueprint, the signed-in actor, roles, CSRF and the template context."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlencode

import sqlalchemy as sa
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for

from koll.ledger.api.auth import AUDIT, DECIDE, MEETINGS, OVERVIEW, READ, session_actor
from koll.ledger.domain.base import Actor
from koll.ledger.web import i18n
from koll.schema.payloads import unreadable_text

bp = Blueprint("boards", __name__)

F = TypeVar("F", bound=Callable[..., Any])

# Which pages a role sees in the menu; the same tuples guard the views.
NAV = [
    ("boards.situation", "nav_situation", READ),
    ("boards.cases", "nav_cases", READ),
    ("boards.measures", "nav_measures", READ),
    ("boards.goals", "nav_goals", READ),
    ("boards.meetings", "nav_meetings", MEETINGS),
    ("boards.walks", "nav_walks", READ),
    ("boards.audit", "nav_audit", AUDIT),
    ("boards.overview", "nav_overview", OVERVIEW),  # only to those who see more than one area
    ("boards.users", "nav_users", ("admin",)),
    ("boards.admin_areas", "nav_areas", ("admin",)),
]
MEETINGS_ROLES = MEETINGS


def koll() -> Any:
    return current_app.extensions["koll"]


@contextmanager
def reading() -> Iterator[sa.Connection]:
    with koll().store.read() as conn:
        yield conn


def web_actor() -> Actor | None:
    """The signed-in user of the boards (the session only; tokens are for the API), checked on the
    server on every request: signed out, deactivated or expired is None, a changed role counts."""
    return session_actor()


def page(*roles: str) -> Callable[[F], F]:
    """A board page: signed in (else to /login), and a role that may see it (else 403)."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = web_actor()
            if actor is None:
                return redirect(url_for("boards.login", next=request.full_path.rstrip("?")))
            if actor.role not in roles:
                abort(403)
            return fn(actor, *args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def csrf_token() -> str:
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(24)
    return token


def check_csrf() -> bool:
    sent = request.form.get("csrf_token", "")
    return bool(sent) and hmac.compare_digest(sent, session.get("csrf", ""))


@bp.before_request
def _csrf_on_every_post() -> Any:
    if request.method == "POST" and not check_csrf():
        return render("error.html", message=i18n.t("csrf_failed"), status=400), 400
    if request.method == "POST" and request.endpoint != "boards.login":
        # The API's one rule for text holds for every form too: a NUL would fail deep in PostgreSQL.
        # Sign-in stores nothing typed: there a NUL is just a failed sign-in, counted like any other.
        bad = unreadable_text({k: request.form.getlist(k) for k in request.form})
        if bad:
            field, found = next(iter(bad.items()))
            while isinstance(found, dict):  # {0: [message]}: the field's first value
                found = next(iter(found.values()))
            text = found[0]["sv" if i18n.lang() == "sv" else "en"]
            return render("error.html", message=f"{field}: {text}", status=400), 400
    return None


def with_args(**changes: Any) -> str:
    """This page's URL with some query arguments changed (None removes one)."""
    args = request.args.to_dict(flat=True)
    for k, v in changes.items():
        if v is None or v == "":
            args.pop(k, None)
        else:
            args[k] = v
    return request.path + ("?" + urlencode(args) if args else "")


def render(template: str, **context: Any) -> str:
    return render_template(template, **context)


@bp.app_context_processor
def _context() -> dict[str, Any]:
    actor = web_actor()
    return {
        "t": i18n.t, "label": i18n.label, "state": i18n.state, "lang": i18n.lang(), "actor": actor,
        "csrf_token": csrf_token, "with_args": with_args, "hidden_notice": i18n.hidden_notice,
        "nav": [(ep, key) for ep, key, roles in NAV if actor and actor.role in roles
                and (ep != "boards.overview" or _many_areas())],
        "can_decide": bool(actor and actor.role in DECIDE),
    }


def _many_areas() -> bool:
    from koll.ledger.web.areas import many_areas

    return many_areas()


@bp.errorhandler(403)
def _forbidden(_e: Any) -> Any:
    return render("error.html", message=i18n.t("forbidden"), status=403), 403


@bp.errorhandler(404)
def _not_found(_e: Any) -> Any:
    return render("error.html", message=i18n.t("not_found"), status=404), 404
