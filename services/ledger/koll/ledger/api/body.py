"""The one place a request's JSON body is read: unambiguously, or not at all.

Python's json module lets the last of two equal keys win and recurses until the interpreter's
limit: a body with ``category`` twice means whatever the reader happens to keep, and one
nested 1,000 deep ends in a RecursionError. The app's JSON provider refuses both, and every
request that says it carries JSON is read through it before any route sees it – so a new
route cannot forget, and webargs' own reading later only ever meets a body already checked.
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import Flask, request

from koll.ledger.api.errors import Problem
from koll.ledger.api.json_provider import KollJSONProvider
from koll.schema.messages import msg
from koll.schema.payloads import unreadable_text

MAX_DEPTH = 32  # the deepest payload Koll takes is four levels; room to spare, none to abuse


class UnclearBody(ValueError):
    """A body that is JSON only in a way no two readers agree on. A ValueError, so that Flask's
    ``get_json`` hands it to ``on_json_loading_failed`` like any other unreadable body."""

    def __init__(self, detail: str, errors: dict[str, Any]) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


class _Twice(dict):
    """An object whose text named some keys more than once (kept to name them by path)."""

    twice: list[str]


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) == len(pairs):
        return obj
    seen: set[str] = set()
    marked = _Twice(obj)
    marked.twice = [k for k, _ in pairs if k in seen or seen.add(k)]  # type: ignore[func-returns-value]
    return marked


def _check(doc: Any) -> None:
    """Depth and duplicate keys, by path, without recursion (the document may be deep)."""
    twice: dict[str, list[dict[str, str]]] = {}
    stack: list[tuple[Any, str, int]] = [(doc, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, (dict, list)) and depth > MAX_DEPTH:
            raise UnclearBody(f"JSON nested deeper than {MAX_DEPTH} levels",
                              {"_schema": [msg("too_deep", max=MAX_DEPTH)]})
        if isinstance(node, dict):
            for key in getattr(node, "twice", ()):
                twice[f"{path}.{key}" if path else key] = [msg("key_twice")]
            stack.extend((v, f"{path}.{k}" if path else str(k), depth + 1) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((v, f"{path}.{i}" if path else str(i), depth + 1) for i, v in enumerate(node))
    if twice:
        raise UnclearBody("a key appears twice in the same object: " + ", ".join(sorted(twice)), twice)


_SURROGATE = re.compile("[\ud800-\udfff]")


class StrictJSONProvider(KollJSONProvider):
    """Answers as KollJSONProvider writes them; request bodies read strictly."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            doc = json.loads(s, object_pairs_hook=_pairs, **kwargs)
        except RecursionError:
            raise UnclearBody(f"JSON nested deeper than {MAX_DEPTH} levels",
                              {"_schema": [msg("too_deep", max=MAX_DEPTH)]}) from None
        _check(doc)
        return doc

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        text = super().dumps(obj, **kwargs)
        # Text read before the input rule existed may hold half a UTF-16 pair: written as the
        # JSON escape it came in as, instead of failing the whole answer.
        if _SURROGATE.search(text):
            text = text.encode("utf-8", "backslashreplace").decode("utf-8")
        return text


def _refused(error: ValueError) -> Problem:
    if isinstance(error, UnclearBody):
        return Problem(400, error.detail, type_="/problems/unclear_json", errors=error.errors)
    return Problem(400, "the body is not valid JSON in UTF-8", type_="/problems/not_json",
                   errors={"_schema": [msg("not_json")]})


def register(app: Flask) -> None:
    app.json = StrictJSONProvider(app)

    class Request(app.request_class):  # type: ignore[name-defined, misc]
        def on_json_loading_failed(self, e: ValueError | None) -> Any:
            if e is None:  # not JSON at all: Flask's own 415
                return super().on_json_loading_failed(e)
            raise _refused(e)

    app.request_class = Request

    @app.before_request
    def _read_json_once() -> None:
        # A path segment no store can hold (/areas/%00) names nothing: PostgreSQL would refuse the lookup.
        if any(isinstance(v, str) and unreadable_text(v) for v in (request.view_args or {}).values()):
            raise Problem(404, "the path names nothing that can exist")
        if request.is_json and request.get_data(cache=True):
            request.get_json()  # refuses through on_json_loading_failed; cached for the route
