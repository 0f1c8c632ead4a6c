"""The boards: Jinja pages for the operational and strategic groups, Swedish first."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach the boards' pages."""
