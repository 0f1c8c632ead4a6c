"""The OpenAPI document told truthfully, from the routes themselves.

flask-smorest writes what the decorators declare; this fills in what they cannot know, in one
place and from the same facts the server acts on: who may call an operation (the roles named
by ``requires``), which operations need ``If-Match`` (``versioned``), that every error is
``application/problem+json``, the real content types of exports and photos, multipart bodies,
and an ``operationId`` for each operation (a generated client's function names).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import Flask

F = TypeVar("F", bound=Callable[..., Any])

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details; invalid input names its fields in `errors`.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "example": "/problems/invalid"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": True,
                   "description": "by field: a list of {sv, en} messages (or nested by item)"},
    },
    "additionalProperties": True,
}
ERRORS = {
    400: "Bad request (not JSON, duplicate keys, too deep)",
    401: "Not signed in: send `Authorization: Bearer <token>`",
    403: "Signed in, but the role or organisation may not do this",
    404: "No such thing, or not the caller's to see",
    409: "In conflict with what is recorded (the same id with another body, a step the lifecycle refuses)",
    412: "If-Match names an older version than the one now recorded",
    413: "Too large",
    422: "Invalid input: `errors` names each field, in Swedish and English",
    428: "If-Match is required: the version the decision was made on",
    429: "Too many failed sign-ins: wait `Retry-After` seconds",
    503: "The database is unreachable; nothing was recorded",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What an answer really is, by how its path ends (the rest is JSON).
MEDIA = [(r"\.csv$", "text/csv", {"type": "string"}),
         (r"\.xlsx$", XLSX, {"type": "string", "format": "binary"}),
         (r"\.kml$", "application/vnd.google-earth.kml+xml", {"type": "string"}),
         (r"(\.geojson|/situation/map)$", "application/geo+json", {"type": "object"}),
         (r"\.html$", "text/html", {"type": "string"}),
         (r"\.mbtiles$", "application/vnd.sqlite3", {"type": "string", "format": "binary"}),
         (r"^/metrics$", "text/plain", {"type": "string"}),
         (r"/photos/\{[^}]+\}(/thumb)?$", "image/jpeg", {"type": "string", "format": "binary"})]
METHODS = ("get", "post", "put", "patch", "delete")


def versioned(fn: F) -> F:
    """Marks a command that needs `If-Match: <version>` (412 when stale, 428 when missing)."""
    fn.__koll_if_match__ = True  # type: ignore[attr-defined]
    return fn


def _path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def truthful(doc: dict[str, Any], app: Flask) -> dict[str, Any]:
    """The document flask-smorest wrote, completed from the routes."""
    components = doc.setdefault("components", {})
    components.setdefault("schemas", {})["Problem"] = PROBLEM
    components["schemas"].pop("Error", None)
    components.pop("responses", None)  # flask-smorest's per-status "Error" responses: Koll answers Problem
    components.setdefault("securitySchemes", {})["bearer"] = {"type": "http", "scheme": "bearer"}
    views: dict[tuple[str, str], tuple[str, Any]] = {}
    for rule in app.url_map.iter_rules():
        for method in rule.methods or ():
            views[(_path(rule.rule), method.lower())] = (rule.endpoint, app.view_functions[rule.endpoint])
    seen: set[str] = set()
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            endpoint, fn = views.get((path, method), (f"{method}{path}", None))
            _describe(path, method, op, endpoint, fn, seen)
    return doc


def _describe(path: str, method: str, op: dict[str, Any], endpoint: str, fn: Any, seen: set[str]) -> None:
    name = re.sub(r"\W+", "_", endpoint).strip("_")
    while name in seen:
        name += "_"
    seen.add(name)
    op["operationId"] = name
    responses = op.setdefault("responses", {})
    responses.pop("default", None)
    roles = getattr(fn, "__koll_roles__", None)
    wanted: set[int] = {503}
    if roles:
        op["security"] = [{"bearer": []}]
        note = f"Roles: {', '.join(roles)}."
        op["description"] = f"{op['description']}\n\n{note}" if op.get("description") else note
        wanted |= {401, 403}
    else:
        op["security"] = []
    if "{" in path:
        wanted |= {404, 422}  # a path parameter can be of the wrong form, too
    if op.get("requestBody") or op.get("parameters") or method == "post":
        wanted.add(422)
    if method == "post":
        wanted |= {400, 409}
    if path.endswith("/auth/token") or path == "/login":
        wanted |= {401, 429}
    if getattr(fn, "__koll_if_match__", False):
        wanted |= {412, 428}
        params = op.setdefault("parameters", [])
        if not any(p.get("in") == "header" and p.get("name") == "If-Match" for p in params):
            params.append({"in": "header", "name": "If-Match", "required": True, "schema": {"type": "string"},
                           "description": "the version the decision was made on (the ETag of the GET)"})
    for status, response in list(responses.items()):
        if str(status)[:1] in "45":
            responses[str(status)] = _problem(response.get("description") or ERRORS.get(int(status), "Error"))
    for status in sorted(wanted):
        responses.setdefault(str(status), _problem(ERRORS[status]))
    if not any(str(s).startswith("2") for s in responses):
        responses["200"] = {"description": "OK", "content": {"application/json": {"schema": {"type": "object"}}}}
        if method == "post":  # a command: 201 when it recorded something new
            responses["201"] = {"description": "Recorded",
                                "content": {"application/json": {"schema": {"type": "object"}}}}
    for pattern, media, schema in MEDIA:
        if re.search(pattern, path):
            for status, response in responses.items():
                if str(status).startswith("2"):
                    response["content"] = {media: {"schema": schema}}
            break
    uploads = getattr(fn, "__koll_upload__", None)
    if uploads:
        op["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary", "description": uploads}}}}}}


def upload(description: str) -> Callable[[F], F]:
    """Marks an operation whose body is a multipart form with one file."""

    def mark(fn: F) -> F:
        fn.__koll_upload__ = description  # type: ignore[attr-defined]
        return fn

    return mark


def register(app: Flask, api: Any) -> None:
    """Serve the completed document wherever flask-smorest serves its own."""
    spec = api.spec
    written = spec.to_dict
    spec.to_dict = lambda: truthful(written(), app)  # type: ignore[method-assign]
