"""Who is asking: a bearer token (phones, scripts) or a signed-in session (the boards).

Roles are enforced here, once, by naming on each endpoint which roles may call it.
"""

from __future__ import annotations

import time
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

_CACHE_SECONDS = 30.0


def _token_cache() -> dict[str, tuple[float, Actor | None]]:
    return current_app.extensions.setdefault("koll_token_cache", {})


def actor_for_token(token: str) -> Actor | None:
    """Token look-ups are cached briefly: every request asks, few tokens change."""
    cache = _token_cache()
    hit = cache.get(token)
    now = time.monotonic()
    if hit and now - hit[0] < _CACHE_SECONDS:
        return hit[1]
    actor = current_app.extensions["koll"].ledger.authenticate(token)
    if len(cache) > 10_000:
        cache.clear()
    cache[token] = (now, actor)
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
    elif session.get("user") and request.method in ("GET", "HEAD", "OPTIONS"):
        # The boards read the API with their session; writes need a token, since a cookie alone is
        # sent by any form on the site and carries no CSRF check here.
        actor = Actor(user=session["user"], role=session["role"], org=session["org"],
                      areas=tuple(session.get("areas") or ()))
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
