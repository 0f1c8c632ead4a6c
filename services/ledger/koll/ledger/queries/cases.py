"""Cases and observations as the API and boards read them."""

from __future__ import annotations

import json
import math
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.domain.case import OPEN
from koll.ledger.projections.base import utc_naive
from koll.ledger.projections.situation import cases, observations
from koll.ledger.policy import Policy
from koll.ledger.queries.visibility import visible
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
    return r


def case_filters(actor: Actor, args: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    """The WHERE clauses for the filters the API and the boards share, over what the actor may see."""
    return [visible(cases, actor), *case_conditions(args)]


def case_conditions(args: dict[str, Any]) -> list[sa.ColumnElement[bool]]:
    """The filters alone: area, status, category, group, place, period, walk, box."""
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
    if args.get("walk_id"):
        where.append(cases.c.case_id.in_(
            sa.select(observations.c.case_id).where(observations.c.walk_id == str(args["walk_id"]))))
    if args.get("bbox"):
        min_lon, min_lat, max_lon, max_lat = parse_bbox(args["bbox"])
        where += [cases.c.lon.between(min_lon, max_lon), cases.c.lat.between(min_lat, max_lat)]
    return where


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
           group: str | None = None) -> list[dict[str, Any]]:
    """Open cases within radius_m, nearest first: a box in SQL, then the true distance."""
    dlat = radius_m / _M_PER_DEG_LAT
    dlon = radius_m / (_M_PER_DEG_LAT * max(math.cos(math.radians(lat)), 1e-6))
    where = [visible(cases, actor), cases.c.status.in_(sorted(OPEN)),
             cases.c.lat.between(lat - dlat, lat + dlat), cases.c.lon.between(lon - dlon, lon + dlon)]
    if group:
        where.append(cases.c.group_code == group)
    found = []
    for r in conn.execute(sa.select(cases).where(*where)):
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
