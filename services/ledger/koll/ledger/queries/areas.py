"""Areas as the API, the boards and `koll area export` read them: the definition file's shape."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.projections.areas import areas


def may_see(actor: Actor, code: str) -> bool:
    from koll.ledger.policy import Policy

    return Policy(actor).may_see_area(code)


def list_areas(conn: sa.Connection, actor: Actor) -> list[dict[str, Any]]:
    """The areas the caller may see, in brief."""
    out = []
    for r in conn.execute(sa.select(areas).order_by(areas.c.code)):
        if not may_see(actor, r.code):
            continue
        d = json.loads(r.definition)
        out.append({"code": r.code, "name": d["name"], "time_zone": d["time_zone"], "version": r.version,
                    "bbox": [r.min_lon, r.min_lat, r.max_lon, r.max_lat], "places": len(d["places"]),
                    "organisations": len(d["organisations"]), "categories": len(d["categories"]),
                    "adopted": json.loads(r.adopted)})
    return out


def area_definition(conn: sa.Connection, actor: Actor | None, code: str) -> tuple[dict[str, Any], int] | None:
    """(the definition, its version), or None when there is none the caller may see."""
    r = conn.execute(sa.select(areas.c.definition, areas.c.version).where(areas.c.code == code)).first()
    if r is None or (actor is not None and not may_see(actor, code)):
        return None
    return json.loads(r.definition), r.version


def area_codes(conn: sa.Connection) -> list[str]:
    return [r[0] for r in conn.execute(sa.select(areas.c.code).order_by(areas.c.code))]


def overview(conn: sa.Connection, actor: Actor, since: datetime, day: date) -> list[dict[str, Any]]:
    """One row an area the caller may see, side by side for the strategic group: open cases and
    those new since ``since``, active and late measures (late as of ``day``), the last and next
    meeting, escalations waiting (asked for since the strategic group last met), and the four
    principles of the area's own portfolio. Cases are
    counted as the caller may see them; those they may not are counted apart, without details."""
    from koll.ledger.domain.case import OPEN
    from koll.ledger.domain.measure import ACTIVE
    from koll.ledger.projections.measures import measures
    from koll.ledger.projections.meetings import meetings
    from koll.ledger.projections.situation import cases
    from koll.ledger.queries.measures import late_clause, portfolios_by_area
    from koll.ledger.queries.visibility import visible

    seen = list_areas(conn, actor)
    codes = [a["code"] for a in seen]
    rows = {c: {"area": c, "open_cases": 0, "new_cases": 0, "restricted_not_shown": 0, "active_measures": 0,
                "late_measures": 0, "last_meeting": None, "next_meeting": None, "escalations_waiting": 0}
            for c in codes}
    shown = visible(cases, actor)
    q = (sa.select(cases.c.area, shown.label("shown"), sa.func.count(),
                   sa.func.sum(sa.case((cases.c.opened_at >= since.replace(tzinfo=None), 1), else_=0)))
         .where(cases.c.area.in_(codes), cases.c.status.in_(sorted(OPEN))).group_by(cases.c.area, shown))
    for area, is_shown, n, new in conn.execute(q):
        if is_shown:
            rows[area]["open_cases"] += n
            rows[area]["new_cases"] += int(new or 0)
        else:
            rows[area]["restricted_not_shown"] += n
    late = late_clause(day)
    q = (sa.select(measures.c.area, sa.func.count(), sa.func.sum(sa.case((late, 1), else_=0)))
         .where(measures.c.area.in_(codes), measures.c.status.in_(sorted(ACTIVE))).group_by(measures.c.area))
    for area, n, n_late in conn.execute(q):
        rows[area]["active_measures"], rows[area]["late_measures"] = n, int(n_late or 0)
    m = meetings.c
    today = day.isoformat()
    for area, last in conn.execute(sa.select(m.area, sa.func.max(m.date)).where(
            m.area.in_(codes), m.status == "held").group_by(m.area)):
        rows[area]["last_meeting"] = last
    for area, nxt in conn.execute(sa.select(m.area, sa.func.min(m.date)).where(
            m.area.in_(codes), m.status == "planned", m.date >= today).group_by(m.area)):
        rows[area]["next_meeting"] = nxt
    strategic = dict(conn.execute(sa.select(m.area, sa.func.max(m.held_at)).where(
        m.area.in_(codes), m.status == "held", m.group_code == "strategic").group_by(m.area)).all())
    for area, escalated_at in conn.execute(sa.select(measures.c.area, measures.c.escalated_at).where(
            measures.c.area.in_(codes), measures.c.escalated_at.is_not(None),
            measures.c.status.in_(sorted(ACTIVE)))):
        if strategic.get(area) is None or escalated_at > strategic[area]:
            rows[area]["escalations_waiting"] += 1
    principles = portfolios_by_area(conn, codes, day)
    return [{**rows[a["code"]], "name": a["name"], "principles": principles[a["code"]]} for a in seen]
