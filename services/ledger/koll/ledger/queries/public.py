"""What the residents' page of an area shows, without sign-in (the report's "kommunicera externt").

Only what names nobody: reports counted by category group and ISO week (never a category, a
place, a note, a photo or an id), each count told as the shared picture tells the restricted
ones (``policy.SMALL_COUNT``: one or two reports could be a person, so "fewer than 3"); the
measures under way or done, in their own words; and the next safety walk (when and where, never
who walks).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.daylight import STOCKHOLM
from koll.ledger.projections.measures import measures
from koll.ledger.projections.situation import observations
from koll.ledger.projections.walks import walks
from koll.ledger.queries.situation import told_count

WEEKS = 12
SHOWN_STATUSES = ("started", "done")  # ideas and decisions not yet acted on are not told: handling först


def _week_key(moment: datetime) -> str:
    local = moment.replace(tzinfo=timezone.utc).astimezone(STOCKHOLM)
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def reports_by_group_and_week(conn: sa.Connection, area: str, now: datetime, weeks: int = WEEKS) -> dict[str, Any]:
    """Reports of every visibility in the area's last ``weeks`` ISO weeks, per group and week, told."""
    end = now.astimezone(timezone.utc).replace(tzinfo=None)
    start = end - timedelta(weeks=weeks)
    keys = sorted({_week_key(start + timedelta(days=d)) for d in range(1, weeks * 7 + 1)})[-weeks:]
    cells: dict[tuple[str, str], int] = {}
    q = (sa.select(observations.c.group_code, observations.c.observed_at)
         .where(observations.c.area == area, observations.c.observed_at > start, observations.c.observed_at <= end))
    for group, at in conn.execute(q):
        key = (group, _week_key(at))
        cells[key] = cells.get(key, 0) + 1
    groups = sorted({g for g, _ in cells})
    rows = [{"group": g, "weeks": [told_count(cells.get((g, w), 0)) if cells.get((g, w)) else
                                   {"cases": 0, "fewer_than": None, "shown": "0"} for w in keys]} for g in groups]
    return {"weeks": keys, "rows": rows}


def done_and_under_way(conn: sa.Connection, area: str) -> list[dict[str, Any]]:
    """The area's measures that have started or are done, newest first: what, who, how far."""
    m = measures.c
    q = (sa.select(m.what, m.owner_org, m.status, m.in_operations, m.start_date, m.outcome)
         .where(m.area == area, m.status.in_(SHOWN_STATUSES))
         .order_by(m.status.desc(), m.start_date.desc(), m.what))
    return [dict(r._mapping) for r in conn.execute(q)]


def next_walk(conn: sa.Connection, area: str, now: datetime) -> dict[str, Any] | None:
    w = walks.c
    row = conn.execute(sa.select(w.title, w.planned_at, w.route, w.light)
                       .where(w.area == area, w.status == "planned",
                              w.planned_at >= now.astimezone(timezone.utc).replace(tzinfo=None))
                       .order_by(w.planned_at).limit(1)).first()
    return dict(row._mapping) if row else None
