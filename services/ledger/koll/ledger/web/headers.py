"""Security headers on every answer, pages and API alike.

The boards run no inline script (koll.js starts itself from a ``data-koll-start`` attribute), so
the Content-Security-Policy allows scripts from this site only. No other site may frame a page
(a measure's decision buttons could otherwise be clicked through a disguise). Inline *styles*
stay allowed: the legend's colour swatches and the tally bars set one each, and Leaflet positions
its tiles with them; a style cannot run code.

Swagger UI at /api/docs starts itself with one inline script of flask-smorest's: that page alone
allows exactly that script, by its hash.
"""

from __future__ import annotations

import base64
import hashlib
import re
from urllib.parse import urlsplit

from flask import Flask, Response, request

from koll.ledger.config import Settings

_INLINE_SCRIPT = re.compile(rb"<script>(.*?)</script>", re.S)
DOCS_PATH = "/api/docs"


def tile_origin(tile_url: str | None) -> str | None:
    """The origin map tiles come from, as a CSP source ({s}.tile.example → *.tile.example)."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url)
    if not parts.scheme or not parts.netloc:
        return None
    host = re.sub(r"^\{[^}]*\}", "*", parts.netloc)
    if "{" in host:
        return None
    return f"{parts.scheme}://{host}"


def policy(settings: Settings, script_src: str = "'self'") -> str:
    tiles = tile_origin(settings.tile_url)
    img = "'self' data: blob:" + (f" {tiles}" if tiles else "")
    return "; ".join((
        "default-src 'self'",
        f"script-src {script_src}",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {img}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ))


def _docs_policy(settings: Settings, resp: Response) -> str:
    """The docs page's own inline script, allowed by its hash and nothing else inline."""
    hashes = [base64.b64encode(hashlib.sha256(m).digest()).decode()
              for m in _INLINE_SCRIPT.findall(resp.get_data())]
    return policy(settings, " ".join(["'self'", *(f"'sha256-{h}'" for h in hashes)]))


def register(app: Flask, settings: Settings) -> None:
    strict = policy(settings)

    @app.after_request
    def _security_headers(resp: Response) -> Response:
        h = resp.headers
        if request.path == DOCS_PATH and resp.mimetype == "text/html" and not resp.is_streamed:
            h["Content-Security-Policy"] = _docs_policy(settings, resp)
        else:
            h.setdefault("Content-Security-Policy", strict)
        h["X-Frame-Options"] = "DENY"
        h["X-Content-Type-Options"] = "nosniff"
        h["Referrer-Policy"] = "same-origin"  # (HSTS is the TLS proxy's: infra/nginx/koll.conf)
        return resp
