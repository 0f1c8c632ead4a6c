"""Cases and observations as the API and boards read them."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor
from koll.ledger.domain.case import OPEN
from koll.ledger.projections.base import utc_naive
from koll.ledger.projections.situation import cases, observations
from koll.ledger.policy import Policy
from koll.ledger.queries.visibility import visible
from koll.schema import vocabulary
from koll.schema.payloads import parse_bbox
from koll.schema.taxonomy import haversine_m

_M_PER_DEG_LAT = 111_320.0


def aware(r: dict[str, Any]) -> dict[str, Any]:
    """Read models keep naive UTC; callers get times that say they are UTC."""
    for k, v in r.items():
        if isinstance(v, datetime) and v.tzinfo is None:
            r[k] = v.replace(tzinfo=timezone.utc)
    return r


def case_row(row: Any) -> dict[str, Any]:
    r = aware(dict(row._mapping))
    r["id"] = r.pop("case_id")
    r["group"] = r.pop("group_code")
    r.pop("first_observation", None)
    r.pop("held_observed", None)  # the times of reports held more closely than the case
    return r


def case_filters(actor: Actor, args: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses for the filters the API and the boards share, over what the actor may see."""
    return [visible(cases, actor), *case_conditions(args)]


def case_conditions(args: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    """The filters alone: area, status, category, group, place, period, assignee, darkness, age, walk, box."""
    where: list[sa.ColumnElement[bool]] = []
    if args.get("area"):
        where.append(cases.c.area == args["area"])
    if args.get("status"):
        where.append(cases.c.status == args["status"])
    if args.get("open"):
        where.append(cases.c.status.in_(sorted(OPEN)))
    if args.get("category"):
        where.append(cases.c.category == args["category"])
    if args.get("group"):
        where.append(cases.c.group_code == args["group"])
    if args.get("place"):
        where.append(cases.c.place == args["place"])
    if args.get("since"):
        where.append(cases.c.last_observed_at >= utc_naive(args["since"]))
    if args.get("until"):
        where.append(cases.c.opened_at <= utc_naive(args["until"]))
    if args.get("assigned_org"):
        where.append(cases.c.assigned_org == args["assigned_org"])
    if args.get("assigned_person"):
        where.append(cases.c.assigned_person == args["assigned_person"])
    if args.get("dark") is not None:
        where.append(cases.c.dark.is_(bool(args["dark"])))
    if args.get("age"):
        where += age_clauses(args["age"], args.get("at") or clock.now())
    if args.get("walk_id"):
        where.append(cases.c.case_id.in_(
            sa.select(observations.c.case_id).where(observations.c.walk_id == str(args["walk_id"]))))
    if args.get("bbox"):
        min_lon, min_lat, max_lon, max_lat = parse_bbox(args["bbox"])
        where += [cases.c.lon.between(min_lon, max_lon), cases.c.lat.between(min_lat, max_lat)]
    return where


def age_clauses(band: str, now: datetime) -> list[sa.ColumnElement[bool]]:
    """Cases opened within one band of ``vocabulary.CASE_AGES`` before ``now`` (as the situation counts them)."""
    codes = vocabulary.codes(vocabulary.CASE_AGES)
    if band not in codes:
        return []
    i = codes.index(band)
    limits = (0, *vocabulary.CASE_AGE_LIMITS_DAYS, None)
    newest, oldest = limits[i], limits[i + 1]
    now = utc_naive(now)  # the bounds as queries.situation.age_band draws them
    out = [cases.c.opened_at < now - timedelta(days=newest)] if newest else []
    if oldest is not None:
        out.append(cases.c.opened_at >= now - timedelta(days=oldest))
    return out


# How the case list may be sorted: a name in the link, and the column.
SORTS: dict[str, sa.ColumnElement[Any]] = {
    "opened": cases.c.opened_at, "updated": cases.c.updated_at, "observed": cases.c.last_observed_at,
    "priority": cases.c.priority, "observations": cases.c.observations, "category": cases.c.category,
    "place": cases.c.place, "status": cases.c.status, "org": cases.c.assigned_org,
}


def case_page(conn: sa.Connection, actor: Actor, args: dict[str, Any], *, sort: str = "opened",
              descending: bool = True, page: int = 1, per_page: int = 50) -> dict[str, Any]:
    """One page of the case list a handler works in: the rows, how many match, and how many of
    them are in each status (counted without the status filter, so the other statuses show too)."""
    unfiltered = case_filters(actor, {k: v for k, v in args.items() if k not in ("status", "open")})
    by_status = dict(conn.execute(sa.select(cases.c.status, sa.func.count()).where(*unfiltered)
                                  .group_by(cases.c.status)).all())
    chosen = OPEN if args.get("open") else {args["status"]} if args.get("status") else set(by_status)
    total = sum(n for s, n in by_status.items() if s in chosen)  # the same filters: no second count
    column = SORTS.get(sort, cases.c.opened_at)
    order = column.desc() if descending else column.asc()
    if column.nullable:
        order = order.nulls_last()
    pages = max(1, -(-total // per_page))
    page = min(max(1, page), pages)
    # The ids first (a sort of narrow rows), then only their rows: a busy ledger sorts 50,000 cases.
    ids = [r[0] for r in conn.execute(sa.select(cases.c.case_id).where(*case_filters(actor, args))
                                      .order_by(order, cases.c.case_id)
                                      .limit(per_page).offset((page - 1) * per_page))]
    rows = {r.case_id: case_row(r) for r in conn.execute(sa.select(cases).where(cases.c.case_id.in_(ids)))} if ids else {}
    return {"cases": counted_as_seen(conn, actor, [rows[i] for i in ids if i in rows]), "total": total,
            "by_status": by_status,
            "page": page, "pages": pages, "per_page": per_page}


def hidden_reports(conn: sa.Connection, actor: Actor, case_ids: list[str] | None = None) -> dict[str, int]:
    """Per case the reader sees, how many of its reports they may not see (a restricted report that
    joined a public case): subtracted from the case's count, so a count tells no more than the list."""
    policy = Policy(actor)
    if policy.sees_everything:
        return {}
    o = observations.c
    q = (sa.select(o.case_id, sa.func.count()).join(cases, cases.c.case_id == o.case_id)
         .where(policy.hidden(observations, "reporter"), policy.clause(cases)).group_by(o.case_id))
    if case_ids is None:
        return {r[0]: r[1] for r in conn.execute(q)}
    found: dict[str, int] = {}
    for i in range(0, len(case_ids), 500):
        found.update({r[0]: r[1] for r in conn.execute(q.where(o.case_id.in_(case_ids[i:i + 500])))})
    return found


def counted_as_seen(conn: sa.Connection, actor: Actor, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Case rows whose observation counts hold only what the reader may see."""
    hidden = hidden_reports(conn, actor, [r["id"] for r in rows]) if rows else {}
    for r in rows:
        r["observations"] -= hidden.get(r["id"], 0)
    return Policy(actor).redact(conn, rows, frozenset({"duplicate_of", "related_case"}))


def list_cases(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> list[dict[str, Any]]:
    q = (sa.select(cases).where(*case_filters(actor, args))
         .order_by(cases.c.opened_at.desc(), cases.c.case_id)
         .limit(args.get("limit", 500)).offset(args.get("offset", 0)))
    return counted_as_seen(conn, actor, [case_row(r) for r in conn.execute(q)])


def nearby(conn: sa.Connection, actor: Actor, lat: float, lon: float, radius_m: float,
           group: str | None = None, limit: int | None = None, exclude: str | None = None) -> list[dict[str, Any]]:
    """Open cases within radius_m, nearest first: a box in SQL, then the true distance.
    With ``limit``, only the nearest few leave the database (a busy square has thousands)."""
    cos_lat = max(math.cos(math.radians(lat)), 1e-6)
    dlat = radius_m / _M_PER_DEG_LAT
    dlon = radius_m / (_M_PER_DEG_LAT * cos_lat)
    where = [visible(cases, actor), cases.c.status.in_(sorted(OPEN)),
             cases.c.lat.between(lat - dlat, lat + dlat), cases.c.lon.between(lon - dlon, lon + dlon)]
    if group:
        where.append(cases.c.group_code == group)
    if exclude:
        where.append(cases.c.case_id != exclude)
    q = sa.select(cases).where(*where)
    if limit is not None:  # planar distance is order enough at a square's scale; the true one is computed below
        dy, dx = cases.c.lat - lat, (cases.c.lon - lon) * cos_lat
        q = q.order_by(dy * dy + dx * dx).limit(limit)
    found = []
    for r in conn.execute(q):
        d = haversine_m(lat, lon, r.lat, r.lon)
        if d <= radius_m:
            row = case_row(r)
            row["distance_m"] = round(d, 1)
            found.append(row)
    return counted_as_seen(conn, actor, sorted(found, key=lambda c: c["distance_m"]))


def get_case(conn: sa.Connection, actor: Actor, case_id: str) -> dict[str, Any] | None:
    r = conn.execute(sa.select(cases).where(cases.c.case_id == case_id, visible(cases, actor))).first()
    return counted_as_seen(conn, actor, [case_row(r)])[0] if r else None


def observation_row(row: Any) -> dict[str, Any]:
    r = aware(dict(row._mapping))
    r["id"] = r.pop("observation_id")
    r["group"] = r.pop("group_code")
    r["attributes"] = json.loads(r["attributes"])
    r["photos"] = json.loads(r["photos"])
    r["notify"] = r.pop("contact_sealed", None) is not None  # that the reporter asked, never the address
    return r


def case_observations(conn: sa.Connection, actor: Actor, case_id: str) -> list[dict[str, Any]]:
    q = (sa.select(observations)
         .where(observations.c.case_id == case_id, visible(observations, actor, "reporter"))
         .order_by(observations.c.observed_at))
    return [observation_row(r) for r in conn.execute(q)]


def my_observations(conn: sa.Connection, actor: Actor, limit: int = 200) -> list[dict[str, Any]]:
    """What I filed and what has become of it: the case's status, owner and public note."""
    q = (sa.select(observations.c.observation_id, observations.c.case_id, observations.c.category,
                   observations.c.observed_at, observations.c.place, observations.c.walk_id,
                   cases.c.status, cases.c.assigned_org, cases.c.public_note, cases.c.close_reason)
         .join(cases, cases.c.case_id == observations.c.case_id)
         .where(observations.c.reporter == actor.user)
         .order_by(observations.c.observed_at.desc()).limit(limit))
    out = []
    for r in conn.execute(q):
        row = aware(dict(r._mapping))
        row["id"] = row.pop("observation_id")
        out.append(row)
    return out


def observation_detail(conn: sa.Connection, actor: Actor, observation_id: str, vault: Any) -> dict[str, Any] | None:
    """One observation with its note opened (or '[raderad]' once erased)."""
    r = conn.execute(sa.select(observations).where(observations.c.observation_id == observation_id,
                                                   visible(observations, actor, "reporter"))).first()
    if r is None:
        return None
    row = observation_row(r)
    row["note"] = vault.open(row["id"], row.pop("note_sealed"))
    return row
