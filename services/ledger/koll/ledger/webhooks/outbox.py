"""The receivers and the delivery outbox, beside the ledger (configuration and transport, not facts)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.courier import outbox_columns, utcnow
from koll.ledger.history import event_data, event_name
from koll.ledger.policy import Policy
from koll.ledger.store import metadata

receivers = sa.Table(
    "koll_webhooks",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("secret", sa.Text, nullable=False),  # kept to sign with; shown to nobody after registration
    sa.Column("org", sa.String(40), nullable=False),  # whose reading rights the receiver has
    sa.Column("filters", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("created_by", sa.String(120), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

deliveries = sa.Table(
    "koll_webhook_deliveries",
    metadata,
    sa.Column("id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
    sa.Column("webhook_id", sa.String(36), nullable=False),
    sa.Column("position", sa.BigInteger, nullable=False),
    sa.Column("event", sa.String(120), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    *outbox_columns(),
    sa.UniqueConstraint("webhook_id", "position", name="koll_webhook_once"),
    sa.Index("koll_webhook_due", "state", "next_attempt_at"),
    sa.Index("koll_webhook_by_receiver", "webhook_id", "id"),
)

# Receiver visibility is an organisation's: what its operational staff may read.
RECEIVER_ROLE = "operational"


def matches(filters: dict[str, Any], event: str, category: str | None, orgs: set[str], area: str | None) -> bool:
    """Whether one event passes a receiver's filters; an empty or missing filter lets all through."""
    types = filters.get("event_types") or []
    if types and not any(event == t or (t.endswith(".*") and event.startswith(t[:-1])) for t in types):
        return False
    if filters.get("categories") and category not in filters["categories"]:
        return False
    if filters.get("organisations") and not orgs & set(filters["organisations"]):
        return False
    if filters.get("areas") and area not in filters["areas"]:
        return False
    return True


# Asked on every append: built once (projections.base.listed says why).
_ACTIVE = sa.select(receivers.c.id, receivers.c.org, receivers.c.filters).where(receivers.c.active.is_(True))


def enqueue(conn: sa.Connection, batch: Sequence[tuple[int, Any]]) -> int:
    """In-transaction hook: one outbox row per event and receiver that may and wants to hear it.

    Runs after the read models in the same transaction, so an event's visibility, category and
    organisations are read from what the projections just wrote (a case triaged into a
    restricted category is restricted for its receivers from that event on).
    """
    if not batch:
        return 0
    active = list(conn.execute(_ACTIVE))
    if not active:
        return 0
    from koll.ledger.projections.audit import audit_events, audit_state  # the timeline says what changed

    positions = [p for p, _ in batch]
    rows = {r.position: r for r in conn.execute(
        sa.select(audit_events.c.position, audit_events.c.visibility, audit_events.c.changes,
                  audit_events.c.at, audit_events.c.actor_role, audit_events.c.actor_org)
        .where(audit_events.c.position.in_(positions)))}
    ids = sorted({str(e.originator_id) for _, e in batch})
    states = {k: json.loads(v) for k, v in conn.execute(
        sa.select(audit_state.c.aggregate_id, audit_state.c.state).where(audit_state.c.aggregate_id.in_(ids)))}
    now = utcnow()
    out = []
    for position, event in batch:
        row = rows.get(position)
        if row is None:
            continue
        name = event_name(event)
        state = states.get(str(event.originator_id), {})
        data = event_data(event)  # the event in hand: the timeline keeps no copy of it
        category = data.get("category") or state.get("category")
        orgs = {o for o in (state.get("assigned_org"), state.get("owner_org"), data.get("org")) if o}
        visibility = row.visibility or "public"
        body = {
            "position": position, "event_id": f"{event.originator_id}:{event.originator_version}",
            "event": name, "aggregate_id": str(event.originator_id), "version": event.originator_version,
            "at": row.at.replace(tzinfo=timezone.utc).isoformat(), "visibility": visibility,
            "actor": {"role": row.actor_role, "org": row.actor_org},
            "changes": json.loads(row.changes), "category": category, "organisations": sorted(orgs),
        }
        for hook_id, org, filters in active:
            policy = Policy(Actor(f"webhook:{hook_id}", RECEIVER_ROLE, org))  # the one policy, as for a reader
            if not policy.may_see(visibility):
                continue
            if not matches(json.loads(filters), name, category, orgs, data.get("area") or state.get("area")):
                continue
            told = policy.redact(conn, json.loads(json.dumps(body)))  # a duplicate's restricted original: no id
            out.append({"webhook_id": hook_id, "position": position, "event": name,
                        "body": json.dumps(told, ensure_ascii=False, sort_keys=True), "state": "pending",
                        "attempts": 0, "next_attempt_at": now})
    if out:
        conn.execute(deliveries.insert(), out)
    return len(out)
