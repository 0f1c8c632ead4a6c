"""Who is asking: a bearer token (phones, scripts) or a signed-in session (the boards).

Roles are enforced here, once, by naming on each endpoint which roles may call it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import current_app, g, request, session

from koll.ledger.api.errors import Problem
from koll.ledger.domain.base import Actor

F = TypeVar("F", bound=Callable[..., Any])

ALL_ROLES = ("reporter", "operational", "strategic", "auditor", "admin")
# Who may do what, in one table.
FILE = ("reporter", "operational", "strategic", "admin")        # file observations, photos, walks
DECIDE = ("operational", "admin")                                # decisions on cases and measures
GOVERN = ("operational", "strategic", "admin")                   # meetings, escalations, report-back
READ = ALL_ROLES
AUDIT = ("auditor", "operational", "strategic", "admin")          # history, time travel, verify

MEETINGS = GOVERN + ("auditor",)                                 # read meetings and the report-back
OVERVIEW = tuple(sorted(set(GOVERN) | set(AUDIT)))                # the strategic view across areas
ADMIN = ("admin",)                                               # users and their tokens
# The edges, decided where the object is known: a meeting is run by its own group (operational
# staff also run the strategic group's, which they report to); a walk is started and ended by its
# leader or operational staff; photos go on one's own report, or on any visible one by DECIDE.


def actor_for_token(token: str) -> Actor | None:
    """No cache: the look-up is one indexed query, and a cache would let a revoked token live on."""
    return current_app.extensions["koll"].ledger.authenticate(token)


def session_actor() -> Actor | None:
    """The boards' signed-in user: the cookie holds a session id that the server looks up on every
    request, with the user's role and organisation as recorded now (and only while active)."""
    if "session_actor" in g:
        return g.session_actor
    sid = session.get("sid")
    actor = current_app.extensions["koll"].ledger.session_actor(sid) if isinstance(sid, str) and sid else None
    g.session_actor = actor
    return actor


def current_actor() -> Actor | None:
    if "actor" in g:
        return g.actor
    actor = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        actor = actor_for_token(header[7:].strip())
        if actor is None:
            raise Problem(401, "the token is not valid", headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    elif session.get("sid") and request.method in ("GET", "HEAD", "OPTIONS"):
        # The boards read the API with their session; writes need a token, since a cookie alone is
        # sent by any form on the site and carries no CSRF check here.
        actor = session_actor()
    g.actor = actor
    return actor


def requires(*roles: str) -> Callable[[F], F]:
    """Only these roles may call the endpoint; anyone else gets 401 or 403 and nothing happens."""

    def decorate(fn: F) -> F:
        @wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            actor = current_actor()
            if actor is None:
                raise Problem(401, "sign in or send 'Authorization: Bearer <token>'",
                              headers={"WWW-Authenticate": "Bearer"})
            if actor.role not in roles:
                raise Problem(403, f"the role '{actor.role}' may not do this; allowed: {', '.join(roles)}")
            return fn(*args, **kwargs)

        wrapper.__koll_roles__ = roles  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def expected_version() -> int:
    """The version a decision was made on, from If-Match: 428 when missing, 412 when unreadable."""
    view = current_app.view_functions.get(request.endpoint or "")
    if not getattr(view, "__koll_if_match__", False):
        # The API document says where If-Match is asked for (api/openapi.py): keep it true.
        raise RuntimeError(f"{request.endpoint} reads If-Match: mark its route @versioned")
    raw = request.headers.get("If-Match")
    if raw is None:
        raise Problem(428, "send If-Match with the version you decided on (from GET …)")
    value = raw.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise Problem(412, f"If-Match must be a version number, not {raw!r}")
    return int(value)
