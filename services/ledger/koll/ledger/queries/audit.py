"""Reads for auditors: the decision timeline with filters and paging, and the boards as of a moment.

The web boards (/revision) call these too:
- ``timeline(conn, actor, filters)`` → {"events": [...], "next": cursor or None}
- ``as_of_boards(ledger, at, actor)`` → {"at", "position", "events", "situation", "map", "measures"?}
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.history import stored_data
from koll.ledger.projections.audit import audit_events
from koll.ledger.projections.base import utc_naive
from koll.ledger.projections.situation import all_held_cases, hold_cases_as
from koll.ledger.policy import Policy, is_placeholder
from koll.ledger.queries.visibility import area_where
from koll.ledger.store import events_table

FIELDS = ("position", "at", "event", "aggregate_type", "aggregate_id", "version", "actor_user", "actor_role",
          "actor_org", "meeting_id", "changes")


def filters(actor: Actor, args: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    """aggregate (id), kind ('Case.Triaged' or 'Measure'), actor (user), org, meeting, from, to."""
    return [Policy(actor).clause(audit_events), *conditions(args)]


def hidden_events(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> int:
    """How many events matching the filters the reader may not see (the page says so, and no more)."""
    policy = Policy(actor)
    if policy.sees_everything:
        return 0
    q = sa.select(sa.func.count()).select_from(audit_events).where(policy.hidden(audit_events), *conditions(args))
    return conn.execute(q).scalar_one()


def conditions(args: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    t = audit_events
    where: list[sa.ColumnElement[bool]] = area_where(t, None, args)
    if args.get("aggregate"):
        where.append(t.c.aggregate_id == str(args["aggregate"]))
    kind = args.get("kind")
    if kind:
        where.append(t.c.event == kind if "." in kind else t.c.aggregate_type == kind)
    if args.get("actor"):
        where.append(t.c.actor_user == args["actor"])
    if args.get("org"):
        where.append(t.c.actor_org == args["org"])
    if args.get("meeting"):
        where.append(t.c.meeting_id == str(args["meeting"]))
    if args.get("from"):
        where.append(t.c.at >= utc_naive(args["from"]))
    if args.get("to"):
        where.append(t.c.at <= utc_naive(args["to"]))
    return where


def entry(row: Any) -> dict[str, Any]:
    """One decision told: position, who, when, what, before → after, meeting."""
    changes = json.loads(row.changes)
    return {
        "position": row.position,
        "at": row.at.replace(tzinfo=timezone.utc).isoformat(),
        "event": row.event,
        "aggregate_type": row.aggregate_type,
        "aggregate_id": row.aggregate_id,
        "version": row.version,
        "who": {"user": row.actor_user, "role": row.actor_role, "org": row.actor_org},
        "changes": {k: {"before": v[0], "after": v[1]} for k, v in changes.items()},
        "meeting_id": row.meeting_id,
        "data": stored_data(row.originator_id, row.version, row.topic, row.state),
    }


def timeline(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> dict[str, Any]:
    """A page of the timeline in ledger order; ``after`` is the cursor (a position), ``order`` asc|desc."""
    t = audit_events
    limit = int(args.get("limit") or 100)
    where = filters(actor, args)
    desc = args.get("order") == "desc"
    if args.get("after") is not None:
        where.append(t.c.position < int(args["after"]) if desc else t.c.position > int(args["after"]))
    e = events_table.c  # the event's data from its own row in the ledger, for the rows shown
    q = (sa.select(t, e.originator_id, e.topic, e.state).join(events_table, e.id == t.c.position)
         .where(*where).order_by(t.c.position.desc() if desc else t.c.position).limit(limit + 1))
    rows = list(conn.execute(q))
    more = len(rows) > limit
    rows = rows[:limit]
    # A decision on a measure or a meeting may name a case the reader may not see: a placeholder.
    events = Policy(actor).redact(conn, [entry(r) for r in rows])
    return {"events": events, "next": rows[-1].position if more else None}


def each_entry(conn: sa.Connection, actor: Actor, args: dict[str, Any], page: int = 5000) -> Iterator[dict[str, Any]]:
    """The whole filtered timeline, page by page (for exports)."""
    cursor = None
    while True:
        got = timeline(conn, actor, {**args, "after": cursor, "limit": page, "order": "asc"})
        yield from got["events"]
        cursor = got["next"]
        if cursor is None:
            return


CSV_COLUMNS = ["position", "at", "event", "aggregate_type", "aggregate_id", "version", "user", "role", "org",
               "meeting_id", "changes"]


def _told(value: Any) -> Any:
    return value["sv"] if is_placeholder(value) else value


def csv_row(e: dict[str, Any]) -> list[Any]:
    changes = "; ".join(f"{k}: {_told(v['before'])} → {_told(v['after'])}" for k, v in e["changes"].items())
    return [e["position"], e["at"], e["event"], e["aggregate_type"], e["aggregate_id"], e["version"],
            e["who"]["user"], e["who"]["role"], e["who"]["org"], e["meeting_id"] or "", changes]


# The boards as of a moment -------------------------------------------------------------------


def board_queries(at: datetime | None = None, area: str | None = None) -> dict[str, Callable[[sa.Connection, Actor], Any]]:
    """Every board's query, run the same way on the live read models and on a replayed scratch
    database. The measure board's "late" flags are judged on the day of ``at`` (today when None),
    as the board showed them that day."""
    from koll.ledger.queries import measures, situation

    args: dict[str, Any] = {"as_of": at.astimezone(timezone.utc).date()} if at is not None else {}
    moment: dict[str, Any] = {"at": at} if at is not None else {}  # cases' ages as they were then
    if area:
        args["area"] = moment["area"] = area
    return {
        "situation": lambda conn, actor: situation.counts(conn, actor, dict(moment)),
        "map": lambda conn, actor: situation.feature_collection(conn, actor, dict(moment)),
        "measures": lambda conn, actor: measures.board(conn, actor, dict(args)),
    }


def live_boards(conn: sa.Connection, actor: Actor, at: datetime | None = None,
                area: str | None = None) -> dict[str, Any]:
    boards = {name: q(conn, actor) for name, q in board_queries(at, area).items()}
    if area:  # the area as it was defined then (None: not yet defined)
        from koll.ledger.queries.areas import area_definition

        found = area_definition(conn, actor, area)
        boards["area"] = found[0] | {"version": found[1]} if found else None
    return boards


def as_of_boards(ledger: Any, at: datetime, actor: Actor, cache: Any = None, area: str | None = None,
                 from_live: bool = True) -> dict[str, Any]:
    """The boards exactly as they stood at ``at``: the ledger replayed up to it by the same projection
    code into a scratch database, then read by the same queries as the live boards. When nothing
    has been recorded since ``at`` (``from_live``), that replay would be the live read models
    themselves: they are read instead, in one snapshot."""
    from koll.ledger.audit import AsOfCache, replay_until, to_us

    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    at_us = to_us(at)
    if from_live:
        boards = _live_if_nothing_since(ledger, at, at_us, actor, area)
        if boards is not None:
            return boards
    scratch = cache.get(ledger, at_us) if isinstance(cache, AsOfCache) else replay_until(ledger, at_us)
    try:
        with scratch.lock:
            with ledger.store.read() as live:
                held = all_held_cases(live)
            with scratch.engine.begin() as conn:  # restricted since then: restricted in the past too
                hold_cases_as(conn, held)
            with scratch.engine.connect() as conn:
                boards = live_boards(conn, actor, at, area)
    finally:
        if not isinstance(cache, AsOfCache):
            scratch.dispose()
    return {"at": at.astimezone(timezone.utc).isoformat(), "position": scratch.position,
            "events": scratch.events, **boards}


def _live_if_nothing_since(ledger: Any, at: datetime, at_us: int, actor: Actor,
                           area: str | None) -> dict[str, Any] | None:
    from koll.ledger.store import events_table, tracking_table

    e = events_table
    with ledger.store.read() as conn:
        if conn.dialect.name == "postgresql":  # the check and the boards from one snapshot
            conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # Two index look-ups: counting the events up to the moment read the whole table (a quarter
        # of an as-of request at 100,000 events). Positions are gapless, so "every event happened
        # by then" is "none happened after it" (nor without a time).
        head, since = conn.execute(sa.select(sa.func.max(e.c.id), sa.or_(
            sa.exists().where(e.c.occurred_us > at_us), sa.exists().where(e.c.occurred_us.is_(None))))).one()
        head = head or 0
        folded = conn.execute(sa.select(sa.func.min(tracking_table.c.position))).scalar() or 0
        if since or folded != head:  # something since, or the read models still catching up
            return None
        boards = live_boards(conn, actor, at, area)
    return {"at": at.astimezone(timezone.utc).isoformat(), "position": head, "events": head, **boards}
