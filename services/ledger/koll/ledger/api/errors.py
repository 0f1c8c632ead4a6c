"""Every error is application/problem+json (RFC 9457) with type, title, status, detail and,
for invalid input, ``errors`` by field path with Swedish and English messages."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, json
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from koll.ledger.domain.base import DomainError, NotAllowed, NotFound, WorkflowError
from koll.schema.messages import flatten

log = logging.getLogger("koll.api")

TITLES = {
    400: "Felaktig begäran / Bad request",
    401: "Inloggning krävs / Authentication required",
    403: "Inte tillåtet för din roll / Not allowed for your role",
    404: "Hittades inte / Not found",
    405: "Metoden stöds inte / Method not allowed",
    409: "Konflikt / Conflict",
    412: "Inaktuell version / Stale version",
    413: "För stor / Too large",
    415: "Fel mediatyp / Unsupported media type",
    422: "Ogiltiga uppgifter / Invalid input",
    428: "Version saknas (If-Match) / Version required (If-Match)",
    429: "För många försök / Too many attempts",
    500: "Internt fel / Internal error",
}


class Problem(Exception):
    """Raise to answer with a problem document."""

    def __init__(self, status: int, detail: str, *, type_: str = "about:blank", errors: Any = None,
                 headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.type = type_
        self.errors = errors
        self.headers = headers or {}
        self.extra = extra


def problem_response(status: int, detail: str, *, type_: str = "about:blank", errors: Any = None,
                     headers: dict[str, str] | None = None, **extra: Any) -> Response:
    body: dict[str, Any] = {"type": type_, "title": TITLES.get(status, str(status)), "status": status,
                            "detail": detail}
    if errors is not None:
        body["errors"] = flatten(errors)
    body.update(extra)
    resp = Response(json.dumps(body, ensure_ascii=False), status=status, mimetype="application/problem+json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def domain_status(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, NotAllowed):
        return 403
    from koll.ledger.application import ConflictingRepeat, StaleVersion

    if isinstance(error, StaleVersion):
        return 412
    if isinstance(error, (ConflictingRepeat, WorkflowError)):
        return 409
    return 422


def domain_problem(error: DomainError) -> Response:
    status = domain_status(error)
    errors = None
    if status == 422 and "field" in error.details:
        errors = {error.details["field"]: [error.bilingual()]}
    reserved = {"field", "type", "title", "status", "detail", "errors"}
    extra = {k: v for k, v in error.details.items() if k not in reserved}
    return problem_response(status, error.message, type_=f"/problems/{error.code}", errors=errors, **extra)


def register(app: Flask) -> None:
    @app.errorhandler(Problem)
    def _problem(e: Problem) -> Response:
        return problem_response(e.status, e.detail, type_=e.type, errors=e.errors, headers=e.headers, **e.extra)

    @app.errorhandler(DomainError)
    def _domain(e: DomainError) -> Response:
        return domain_problem(e)

    @app.errorhandler(ValidationError)
    def _invalid(e: ValidationError) -> Response:
        return problem_response(422, "the request body or query is invalid", type_="/problems/invalid",
                                errors=e.messages)

    @app.errorhandler(HTTPException)
    def _http(e: HTTPException) -> Response:
        data = getattr(e, "data", None) or {}
        errors = data.get("messages") or data.get("errors")
        if errors and isinstance(errors, dict):
            # webargs nests by location ("json", "query", "files"); the field path is what people need
            merged: dict[str, Any] = {}
            for location, fields in errors.items():
                if isinstance(fields, dict):
                    merged.update(fields)
                else:
                    merged[location] = fields
            errors = merged
        status = e.code or 500
        detail = data.get("message") or e.description or TITLES.get(status, "")
        if status == 422 and errors is not None:
            detail = "the request body or query is invalid"
        return problem_response(status, detail, type_="about:blank" if status != 422 else "/problems/invalid",
                                errors=errors, headers=dict(data.get("headers") or {}))

    @app.errorhandler(sa.exc.OperationalError)
    @app.errorhandler(sa.exc.InterfaceError)
    def _database_unreachable(e: Exception) -> Response:
        # Not the caller's fault and not a bug: say so, and when to try again (nothing was recorded,
        # since every write commits or rolls back whole).
        log.exception("database unreachable")
        return problem_response(503, "the database is unreachable; nothing was recorded, try again shortly",
                                headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def _unexpected(e: Exception) -> Response:
        log.exception("unhandled error")
        return problem_response(500, "an unexpected error; it has been logged")
