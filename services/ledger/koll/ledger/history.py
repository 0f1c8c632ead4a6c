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


# One encoder, made once: json.dumps with options builds a new one on every call.
_ENCODE = json.JSONEncoder(ensure_ascii=False, sort_keys=True, default=_json_default).encode
sorted_json = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # json.dumps(v, ensure_ascii=False, sort_keys=True)


def to_json(value: Any) -> str:
    """``json.dumps(plain(value))`` with the walk over the values done in C (rebuilds call it per event)."""
    try:
        return _ENCODE(value)
    except TypeError:  # a key that is not text (a UUID): the slow, general way
        return json.dumps(plain(value), ensure_ascii=False, sort_keys=True, default=str)


def event_data(event: Any) -> dict[str, Any]:
    """What the event itself carries, beyond its envelope."""
    return {k: v for k, v in event.__dict__.items() if k not in SKIP}


_mapper: Any = None


def stored_data(originator_id: str, version: int, topic: str, state: bytes) -> dict[str, Any]:
    """What a stored event carries, as ``event_data`` told it plainly: the timeline keeps only the
    event's position and reads the data from the ledger's own row (the same bytes the chain covers)."""
    global _mapper
    if _mapper is None:
        from eventsourcing.application import Application
        from eventsourcing.persistence import JSONTranscoder, Mapper

        transcoder = JSONTranscoder()
        Application.register_transcodings(None, transcoder)  # type: ignore[arg-type]  # the ledger's own
        _mapper = Mapper(transcoder=transcoder)
    from eventsourcing.persistence import StoredEvent

    event = _mapper.to_domain_event(StoredEvent(UUID(str(originator_id)), version, topic, bytes(state)))
    return json.loads(to_json(event_data(event)))


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


# What a person is told of each event beyond its name: the decision's content, its reason and
# its note, in this order. Anything else an event carries (ids, locations, sealed notes,
# fingerprints) stays in the ledger and its exports.
TOLD_FIELDS: dict[str, tuple[str, ...]] = {
    "Case.Opened": ("category", "place", "related_case"),
    "Case.Triaged": ("priority", "category", "note"),
    "Case.Assigned": ("org", "person"),
    "Case.WorkStarted": ("note",),
    "Case.Resolved": ("public_note",),
    "Case.Closed": ("reason", "duplicate_of", "note"),
    "Case.Reopened": ("reason",),
    "Observation.Recorded": ("category", "place"),
    "Observation.Erased": ("reason",),
    "Measure.Proposed": ("what", "owner_org", "owner_person", "partners", "start", "end", "goal"),
    "Measure.Decided": ("meeting_id", "note"),
    "Measure.Assigned": ("org", "person", "partners"),
    "Measure.Started": ("on", "note"),
    "Measure.ProgressReported": ("achieved", "note"),
    "Measure.Paused": ("reason",),
    "Measure.Completed": ("outcome", "achieved", "deviation_reason", "success_factors"),
    "Measure.Cancelled": ("reason",),
    "Measure.Escalated": ("support_needed", "note"),
    "Measure.MovedToOperations": ("org", "note"),
    "Measure.CaseLinked": ("case_id",),
    "Measure.IndicatorValueRecorded": ("indicator", "value", "measured_on", "note"),
    "Meeting.Scheduled": ("title", "date"),
    "Meeting.DecisionRecorded": ("text",),
    "Meeting.Held": ("conclusions",),
    "Walk.Planned": ("title",),
    "Walk.Ended": ("summary",),
    "Walk.PeopleErased": ("reason",),
    "User.Registered": ("name", "role", "org"),
    "User.RoleChanged": ("role", "org"),
}
