"""Operations' view of a running Koll: readiness and metrics for the people who run it."""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from koll.ledger.ops import metrics, readiness

    metrics.register(app)
    readiness.register(app)
