"""An event told plainly: what happened, to what, when, by whom, with which data."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any
from uuid import UUID

# Not worth repeating when an event is told: the envelope says them, or they are internal.
SKIP = frozenset({"originator_id", "originator_version", "timestamp", "originator_topic", "by", "fingerprint"})


def plain(value: Any) -> Any:
    """JSON-safe, stable values: times as ISO text, ids as text, every collection a list."""
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    return value


def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset)):
        return list(value)
    out = plain(value)
    return str(out) if out is value else out


def to_json(value: Any) -> str:
    """``json.dumps(plain(value))`` with the walk over the values done in C (rebuilds call it per event)."""
    try:
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=_json_default)
    except TypeError:  # a key that is not text (a UUID): the slow, general way
        return json.dumps(plain(value), ensure_ascii=False, sort_keys=True, default=str)


def event_data(event: Any) -> dict[str, Any]:
    """What the event itself carries, beyond its envelope."""
    return {k: v for k, v in event.__dict__.items() if k not in SKIP}


def event_name(event: Any) -> str:
    """'Case.Triaged' — the aggregate and what happened to it."""
    return type(event).__qualname__


def describe(event: Any, position: int | None = None) -> dict[str, Any]:
    data = plain(event_data(event))
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
