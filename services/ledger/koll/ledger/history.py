"""An event told plainly: what happened, to what, when, by whom, with which data."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

_SKIP = {"originator_id", "originator_version", "timestamp", "originator_topic", "by"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def event_name(event: Any) -> str:
    """'Case.Triaged' — the aggregate and what happened to it."""
    return type(event).__qualname__


def describe(event: Any, position: int | None = None) -> dict[str, Any]:
    data = {k: _plain(v) for k, v in event.__dict__.items() if k not in _SKIP}
    out = {
        "event": event_name(event),
        "aggregate_id": str(event.originator_id),
        "version": event.originator_version,
        "at": event.timestamp.isoformat(),
        "by": getattr(event, "by", None),
        "data": data,
    }
    if position is not None:
        out["position"] = position
    return out
