"""The audit timeline (rm_audit): every event as who, when, what, and what changed, before → after.

Generic on purpose: it knows no aggregate. For each event it keeps the aggregate's *tracked*
fields (status, owner, dates, outcome …) in ``rm_audit_state`` and lets the event change them
the way the domain does, by calling the event's own ``apply`` on a bare instance of the
aggregate class that holds only those fields. An aggregate added later (Measure, Meeting, Walk)
is described without this file knowing it; when ``apply`` needs more than the tracked fields
(it raises), the fields the event carries in its data are used instead.

Filled by the same Projector as every read model, in the appending transaction.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import sqlalchemy as sa

import koll.ledger.audit  # noqa: F401  koll_digests joins the store's schema
from koll.ledger.history import event_name, plain, sorted_json, to_json
from koll.ledger.projections.base import CHUNK, Batch, Projection, bulk_insert, listed, recalled, utc_naive
from koll.ledger.projections.situation import ObservationsProjection, by_level, held_cases, observations

metadata = sa.MetaData()

audit_events = sa.Table(
    "rm_audit",
    metadata,
    sa.Column("position", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("aggregate_id", sa.String(36), nullable=False),
    sa.Column("aggregate_type", sa.String(60), nullable=False),
    sa.Column("event", sa.String(120), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor_user", sa.String(120)),
    sa.Column("actor_role", sa.String(16)),
    sa.Column("actor_org", sa.String(40)),
    sa.Column("meeting_id", sa.String(36)),
    sa.Column("visibility", sa.String(16)),
    sa.Column("area", sa.String(40)),
    sa.Column("changes", sa.Text, nullable=False),  # {"field": [before, after]}
    # No copy of the event's data: ``position`` is the event's own row in koll_events, which the
    # page reads for the few rows it shows (decision docs/decisions/0009-audit-timeline-slim-row.md).
    # Indexes only for the selective filters; the others (org, kind, type) scan the position order.
    sa.Index("rm_audit_aggregate", "aggregate_id"),
    sa.Index("rm_audit_at", "at"),
    sa.Index("rm_audit_actor", "actor_user"),
    sa.Index("rm_audit_meeting", "meeting_id"),
)

audit_state = sa.Table(
    "rm_audit_state",
    metadata,
    sa.Column("aggregate_id", sa.String(36), primary_key=True),
    sa.Column("state", sa.Text, nullable=False),
)

# Fields whose before → after the timeline tells, on whichever aggregate has them.
TRACKED = ("status", "priority", "assigned_org", "assigned_person", "owner_org", "owner_person", "partners",
           "start", "end", "date", "outcome", "achieved", "deviation_reason", "close_reason", "duplicate_of",
           "in_operations", "support_needed", "active", "role", "org")
# Kept for access control, not told as a change.
HIDDEN = ("visibility", "area")
# Aggregates that belong to an area; those recorded before areas get the migration's area.
AREA_TYPES = ("Case", "Observation", "Walk", "Measure", "Meeting")
_ADOPTED = "adopted-area"  # the audit state's row naming the area a migration assigned
_KEEP = TRACKED + HIDDEN
_aggregate_classes: dict[type, type | None] = {}


def aggregate_class(event: Any) -> type | None:
    """The aggregate an event class is nested in ('Case.Triaged' → Case)."""
    cls = type(event)
    if cls not in _aggregate_classes:
        found: Any = sys.modules.get(cls.__module__)
        for part in cls.__qualname__.split(".")[:-1]:
            found = getattr(found, part, None)
        _aggregate_classes[cls] = found if isinstance(found, type) else None
    return _aggregate_classes[cls]


def _tracked(values: dict[str, Any]) -> dict[str, Any]:
    return {k: plain(values[k]) for k in _KEEP if k in values}


def fold_state(before: dict[str, Any], event: Any) -> dict[str, Any]:
    """The tracked fields after the event, computed by the domain's own apply where possible."""
    after: dict[str, Any] | None = None
    try:
        if hasattr(event, "originator_topic"):  # a created event builds the aggregate from nothing
            after = _tracked(event.mutate(None).__dict__)
        else:
            cls = aggregate_class(event)
            if cls is not None:
                bare = object.__new__(cls)
                bare.__dict__.update(before)
                event.apply(bare)
                after = _tracked(bare.__dict__)
    except Exception:  # noqa: BLE001 - apply needed more than the tracked fields
        after = None
    if after is None:
        after = dict(before)
        after.update(_tracked(event.__dict__))
    return after


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    return {k: [before.get(k), after.get(k)] for k in TRACKED
            if (k in before or k in after) and before.get(k) != after.get(k)}


def entry(position: int, event: Any, before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    by = getattr(event, "by", None) or {}
    if not isinstance(by, dict):
        by = {}
    meeting = getattr(event, "meeting_id", None)
    name = event_name(event)
    return {
        "position": position, "aggregate_id": str(event.originator_id),
        "aggregate_type": name.rsplit(".", 1)[0] if "." in name else name, "event": name,
        "version": event.originator_version, "at": utc_naive(event.timestamp),
        "actor_user": by.get("user"), "actor_role": by.get("role"), "actor_org": by.get("org"),
        "meeting_id": str(meeting) if meeting else None, "visibility": after.get("visibility"),
        "area": after.get("area"),
        "changes": sorted_json(changes_between(before, after)),
    }


class AuditProjection(Projection):
    name = "audit"
    metadata = metadata

    def apply(self, conn: sa.Connection, batch: Batch) -> None:
        if not batch:
            return
        ids = sorted({str(e.originator_id) for _, e in batch if not hasattr(e, "originator_topic")} | {_ADOPTED})
        states: dict[str, dict[str, Any]] = {}
        for i in range(0, len(ids), CHUNK):
            for agg, state in conn.execute(_STATES, {"ids": ids[i:i + CHUNK]}):
                states[agg] = json.loads(state)
        existed = set(states)
        rows = []
        adopted = states.get(_ADOPTED, {}).get("area")
        for position, event in batch:
            agg = str(event.originator_id)
            before = states.get(agg, {})
            after = fold_state(before, event)
            row = entry(position, event, before, after)
            if row["area"] is None and adopted and row["aggregate_type"] in AREA_TYPES:
                row["area"] = adopted  # a record from before areas, after the migration
            rows.append(row)
            states[agg] = after
            if event_name(event) == "Area.LedgerAdopted":
                adopted = event.area
                states[_ADOPTED] = {"area": adopted}
                for r in rows:
                    if r["area"] is None and r["aggregate_type"] in AREA_TYPES:
                        r["area"] = adopted
                conn.execute(audit_events.update().where(audit_events.c.area.is_(None),
                                                         audit_events.c.aggregate_type.in_(AREA_TYPES))
                             .values(area=adopted))
        bulk_insert(conn, audit_events, rows)
        follow_cases(conn, batch)
        old = sorted(existed)
        for i in range(0, len(old), CHUNK):
            conn.execute(_FORGET_STATES, {"ids": old[i:i + CHUNK]})
        bulk_insert(conn, audit_state, [{"aggregate_id": k, "state": to_json(v)}
                                        for k, v in states.items()])


def follow_cases(conn: sa.Connection, batch: Batch) -> None:
    """The timeline rows of a case and of its observations are held at least as closely as the case
    is now: a recategorisation takes the rows recorded before it along (and those of later events,
    such as a photo attached to an earlier report). After the cases' and observations' projections."""
    touched: set[str] = set()
    reports: set[str] = set()
    for _, event in batch:
        kind = aggregate_class(event)
        name = getattr(kind, "__name__", "")
        if name == "Case":
            touched.add(str(event.originator_id))
        elif name == "Observation":
            reports.add(str(event.originator_id))
    known, ids = recalled(ObservationsProjection.name, reports)  # the reports' cases, as the batch just folded them
    touched.update(case for case in known.values() if case)
    for i in range(0, len(ids), CHUNK):
        touched.update(r[0] for r in conn.execute(_CASES_OF, {"ids": ids[i:i + CHUNK]}))
    for level, held, looser in by_level(held_cases(conn, touched)):
        for i in range(0, len(held), CHUNK):
            chunk = held[i:i + CHUNK]
            # The reports' ids first, then one IN list: "id IN (…) OR id IN (SELECT …)" cannot use
            # the index and scanned the whole timeline on every batch (the fill slowed with its size).
            reports_of = [r[0] for r in conn.execute(_REPORTS_OF, {"ids": chunk})]
            ids_of = chunk + reports_of
            for j in range(0, len(ids_of), CHUNK):
                conn.execute(_HOLD_ROWS, {"ids": ids_of[j:j + CHUNK], "looser": looser, "level": level})


# Built once (projections.base.listed): they run on every append.
_STATES = sa.select(audit_state.c.aggregate_id, audit_state.c.state).where(audit_state.c.aggregate_id.in_(listed("ids")))
_FORGET_STATES = audit_state.delete().where(audit_state.c.aggregate_id.in_(listed("ids")))
_CASES_OF = sa.select(observations.c.case_id).where(observations.c.observation_id.in_(listed("ids")))
_REPORTS_OF = sa.select(observations.c.observation_id).where(observations.c.case_id.in_(listed("ids")))
_HOLD_ROWS = (audit_events.update().where(audit_events.c.aggregate_id.in_(listed("ids")),
                                          audit_events.c.visibility.in_(listed("looser")))
              .values(visibility=sa.bindparam("level")))
