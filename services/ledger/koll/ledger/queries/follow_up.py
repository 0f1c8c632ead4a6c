"""The area's follow-up read back: perceived safety per week and place, the surveys' results, and
each goal's indicators now against their baseline and target."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.domain.daylight import STOCKHOLM
from koll.ledger.domain.follow_up import FollowUp
from koll.ledger.projections.situation import observations
from koll.ledger.queries.visibility import visible

WEEKS = 8


def _week(at: datetime) -> str:
    year, week, _ = at.replace(tzinfo=timezone.utc).astimezone(STOCKHOLM).isocalendar()
    return f"{year}-W{week:02d}"


def _seen(conn: sa.Connection, actor: Actor, area: str, start: datetime, end: datetime,
          categories: list[str] | None = None, places: list[str] | None = None) -> list[Any]:
    o = observations.c
    where = [visible(observations, actor, "reporter"), o.area == area, o.observed_at > start, o.observed_at <= end]
    if categories:  # a group ("SOC") or a category ("SOC-01")
        where.append(sa.or_(o.group_code.in_(categories), o.category.in_(categories)))
    if places:
        where.append(o.place.in_(places))
    return list(conn.execute(sa.select(o.place, o.observed_at, o.attributes).where(*where)))


def perceived_safety(conn: sa.Connection, actor: Actor, area: str, end: datetime,
                     weeks: int = WEEKS) -> dict[str, Any]:
    """'Upplevd trygghet' (1–5) of the reports the reader may see: summed, counted and averaged per
    ISO week and place over the last ``weeks`` weeks up to ``end``."""
    end_utc = end.astimezone(timezone.utc).replace(tzinfo=None)
    start = end_utc - timedelta(weeks=weeks)
    keys = sorted({_week(start + timedelta(days=d)) for d in range(1, weeks * 7 + 1)})[-weeks:]
    cells: dict[tuple[str, str], list[int]] = {}
    for place, at, attributes in _seen(conn, actor, area, start, end_utc):
        value = json.loads(attributes or "{}").get("upplevd_trygghet")
        if isinstance(value, int):
            cells.setdefault((place or "", _week(at)), []).append(value)
    places = sorted({p for p, _ in cells})
    rows = []
    for p in places:
        row = []
        for w in keys:
            vs = cells.get((p, w), [])
            row.append({"sum": sum(vs), "n": len(vs), "mean": round(sum(vs) / len(vs), 1) if vs else None})
        rows.append({"place": p or None, "weeks": row})
    return {"weeks": keys, "rows": rows}


def survey_results(follow_up: FollowUp | None) -> list[dict[str, Any]]:
    """Every survey row, the newest date first, each with the name of the import it came in."""
    if follow_up is None:
        return []
    rows = [{**r, "survey": s["name"]} for s in follow_up.surveys for r in s["rows"]]
    return sorted(rows, key=lambda r: (r["date"], r["question"]), reverse=True)


def indicator_now(conn: sa.Connection, actor: Actor, area: str, ind: dict[str, Any], end: datetime,
                  follow_up: FollowUp | None) -> dict[str, Any]:
    """The indicator's latest value: reports per week (the last four weeks' mean), the reports'
    mean perceived safety over four weeks, or the survey's newest value for its question."""
    end_utc = end.astimezone(timezone.utc).replace(tzinfo=None)
    start = end_utc - timedelta(weeks=4)
    value: float | None = None
    if ind["source"] == "observations":
        value = round(len(_seen(conn, actor, area, start, end_utc, ind["categories"], ind["places"])) / 4, 1)
    elif ind["source"] == "perceived_safety":
        found = [json.loads(a or "{}").get("upplevd_trygghet")
                 for _, _, a in _seen(conn, actor, area, start, end_utc, ind["categories"], ind["places"])]
        found = [v for v in found if isinstance(v, int)]
        value = round(sum(found) / len(found), 2) if found else None
    else:
        rows = [r for r in survey_results(follow_up) if r["question"] == ind["question"]
                and (not ind["places"] or r["place"] in ind["places"])]
        value = rows[0]["value"] if rows else None
    reached = None
    if value is not None and ind["target"] is not None:
        reached = value <= ind["target"] if ind["direction"] == "down" else value >= ind["target"]
    better = None
    if value is not None and ind["baseline"] is not None:
        better = value < ind["baseline"] if ind["direction"] == "down" else value > ind["baseline"]
    return {**ind, "now": value, "reached": reached, "better": better}


def goals(conn: sa.Connection, actor: Actor, area: str, end: datetime, follow_up: FollowUp | None) -> list[dict]:
    """The area's goals, short term first, each indicator with its value now."""
    if follow_up is None:
        return []
    out = []
    for g in sorted(follow_up.goals.values(), key=lambda g: (g["horizon"] != "kort", g["code"])):
        out.append({**g, "indicators": [indicator_now(conn, actor, area, i, end, follow_up) for i in g["indicators"]]})
    return out
