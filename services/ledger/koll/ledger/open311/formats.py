"""Open311's two formats: JSON as is, and XML with the element names the spec gives."""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape

from flask import Response, jsonify

# The element a list's items are written as, by the list's element name.
ITEMS = {"services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
         "values": "value", "endpoints": "endpoint", "formats": "format"}


def _xml(name: str, value: Any) -> str:
    if isinstance(value, list):
        item = ITEMS.get(name, "item")
        return f"<{name}>" + "".join(_xml(item, v) for v in value) + f"</{name}>"
    if isinstance(value, dict):
        return f"<{name}>" + "".join(_xml(k, v) for k, v in value.items()) + f"</{name}>"
    if value is None:
        return f"<{name}/>"
    if isinstance(value, bool):
        value = "true" if value else "false"
    return f"<{name}>{escape(str(value))}</{name}>"


def answer(fmt: str, root: str, body: Any, status: int = 200) -> Response:
    """``root`` names the XML document element ("services", "service_requests", …)."""
    if fmt == "xml":
        text = '<?xml version="1.0" encoding="utf-8"?>' + _xml(root, body)
        return Response(text, status=status, mimetype="text/xml")
    response = jsonify(body)
    response.status_code = status
    return response


def errors(fmt: str, status: int, description: str) -> Response:
    return answer(fmt, "errors", [{"code": status, "description": description}], status)
