"""The situation picture (lägesbild): counts, the map and trends, from the read models."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor
from koll.ledger.domain.daylight import STOCKHOLM
from koll.ledger.projections.base import utc_naive
from koll.ledger.projections.situation import cases, observations
from koll.ledger.policy import SMALL_COUNT, Policy
from koll.ledger.queries.cases import case_conditions, case_filters, hidden_reports
from koll.ledger.queries.visibility import visible
from koll.schema import vocabulary


def reference_time(args: dict[str, Any]) -> datetime:
    """The moment a board is told for (``at``, for a board as it stood then), as stored: naive UTC."""
    return utc_naive(args.get("at") or clock.now())


def age_days(opened_at: datetime, now: datetime) -> float:
    return max(0.0, (now - opened_at).total_seconds() / 86_400)


def age_band(now: datetime) -> sa.ColumnElement[str]:
    """A case's band of vocabulary.CASE_AGES at ``now``, in SQL, so the counts stay grouped."""
    opened = cases.c.opened_at
    bands = [(opened >= now - timedelta(days=limit), term.code)
             for term, limit in zip(vocabulary.CASE_AGES, vocabulary.CASE_AGE_LIMITS_DAYS)]
    return sa.case(*bands, else_=vocabulary.CASE_AGES[-1].code).label("age")


def counts(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> dict[str, Any]:
    """Cases counted by category, group, place, time of day, darkness, status and age (at ``at``)."""
    cols = [cases.c.category, cases.c.group_code, cases.c.place, cases.c.time_of_day, cases.c.dark,
            cases.c.status, age_band(reference_time(args))]
    tallies: dict[str, Counter] = defaultdict(Counter)
    total = 0
    q = sa.select(*cols, sa.func.count()).where(*case_filters(actor, args)).group_by(*cols)
    for category, group, place, tod, dark, status, age, n in conn.execute(q):
        total += n
        tallies["by_category"][category] += n
        tallies["by_group"][group] += n
        tallies["by_place"][place or "okand"] += n
        tallies["by_time_of_day"][tod or "okand"] += n
        tallies["by_darkness"]["dark" if dark else "light"] += n
        tallies["by_status"][status] += n
        tallies["by_age"][age] += n
    out: dict[str, Any] = {"cases": total}
    for key in ("by_status", "by_category", "by_group", "by_place", "by_time_of_day", "by_darkness"):
        out[key] = dict(sorted(tallies[key].items(), key=lambda kv: (-kv[1], kv[0])))
    out["by_age"] = {a.code: tallies["by_age"][a.code] for a in vocabulary.CASE_AGES if tallies["by_age"][a.code]}
    out["restricted"] = restricted_summary(conn, actor, args)
    return out


# Filters that may narrow what is left out: never a place, a box or a walk, which would say where.
# The area is the board's own scope (one area's picture tells that area's restricted cases, not a
# city's), and no finer than the policy's own areas.
_SUMMARY_FILTERS = ("area", "status", "open", "category", "group", "since", "until")


def told_count(n: int) -> dict[str, Any]:
    """A count as the shared picture tells it: below SMALL_COUNT, only that it is fewer."""
    if n < SMALL_COUNT:
        return {"cases": None, "fewer_than": SMALL_COUNT, "shown": f"färre än {SMALL_COUNT}"}
    return {"cases": n, "fewer_than": None, "shown": str(n)}


def restricted_summary(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> dict[str, Any]:
    """The cases the reader may not see, as counts per category and ISO week (of when first seen):
    the groups know that open drug dealing goes on, without its places, notes, photos or ids."""
    policy = Policy(actor)
    if policy.sees_everything:
        return {"hidden": 0, "by_category_week": []}
    when = sa.func.coalesce(cases.c.first_observed_at, cases.c.opened_at)
    day = sa.func.date(when)
    safe = {k: args[k] for k in _SUMMARY_FILTERS if args.get(k)}
    q = (sa.select(cases.c.category, day, sa.func.count())
         .where(policy.hidden(cases), *case_conditions(safe)).group_by(cases.c.category, day))
    cells: Counter = Counter()
    for category, d, n in conn.execute(q):
        d = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
        year, week, _ = d.isocalendar()
        cells[(category, f"{year}-W{week:02d}")] += n
    return {"hidden": sum(cells.values()),
            "by_category_week": [{"category": c, "week": w, **told_count(n)}
                                 for (c, w), n in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0]))]}


def features(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Cases as GeoJSON points (lon, lat order, as GeoJSON wants), read from the cursor as they go."""
    now = reference_time(args)
    hidden = hidden_reports(conn, actor)
    c = cases.c  # only the columns a point shows: the others' conversions were half the map's time
    q = (sa.select(c.case_id, c.category, c.group_code, c.place, c.status, c.observations, c.time_of_day, c.dark,
                   c.opened_at, c.lon, c.lat)
         .where(*case_filters(actor, args)).order_by(c.opened_at, c.case_id))
    if args.get("limit") is not None:  # the API's page; the boards draw every point they may see
        q = q.limit(args["limit"]).offset(args.get("offset") or 0)
    age = vocabulary.case_age
    for (case_id, category, group, place, status, observations_, time_of_day, dark, opened_at, lon,
         lat) in conn.execute(q.execution_options(yield_per=1000)).tuples():
        days = age_days(opened_at, now)
        yield {
            "type": "Feature",
            "id": case_id,
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "id": case_id, "category": category, "group": group, "place": place, "status": status,
                "observations": observations_ - hidden.get(case_id, 0), "time_of_day": time_of_day,
                "dark": dark, "opened_at": opened_at.isoformat() + "+00:00",  # naive UTC, as stored
                "age_days": round(days, 1), "age": age(days),
            },
        }


def feature_collection(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> dict[str, Any]:
    """The same points as one FeatureCollection in memory (the boards as of a moment compare these)."""
    return {"type": "FeatureCollection", "features": list(features(conn, actor, args))}


def week_start(day: datetime) -> datetime:
    """Monday 00:00 of the week ``day`` falls in, for a naive day in whatever time it is given."""
    monday = day - timedelta(days=day.weekday())
    return monday.replace(hour=0, minute=0, second=0, microsecond=0)


def local(utc: datetime) -> datetime:
    """A read model's naive UTC as naive local time: weeks begin at midnight on the square's clock."""
    return utc.replace(tzinfo=timezone.utc).astimezone(STOCKHOLM).replace(tzinfo=None)


def trends(conn: sa.Connection, actor: Actor, weeks: int, until: datetime | None = None,
           group: str | None = None, place: str | None = None, area: str | None = None) -> dict[str, Any]:
    """Observations per ISO week and category group over the last ``weeks`` weeks."""
    end = utc_naive(until or datetime.now(timezone.utc))
    first = week_start(local(end)) - timedelta(weeks=weeks - 1)  # local midnight, Monday
    first_utc = utc_naive(first.replace(tzinfo=STOCKHOLM))
    where = [visible(observations, actor, "reporter"), observations.c.observed_at >= first_utc,
             observations.c.observed_at <= end]
    if group:
        where.append(observations.c.group_code == group)
    if place:
        where.append(observations.c.place == place)
    if area:
        where.append(observations.c.area == area)
    labels = [(first + timedelta(weeks=i)) for i in range(weeks)]
    keys = [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in labels]
    series: dict[str, list[int]] = defaultdict(lambda: [0] * weeks)
    q = sa.select(observations.c.observed_at, observations.c.group_code).where(*where)
    for observed_at, grp in conn.execute(q):
        i = (week_start(local(observed_at)) - first).days // 7
        if 0 <= i < weeks:
            series[grp][i] += 1
    totals = [sum(s[i] for s in series.values()) for i in range(weeks)]
    return {"weeks": keys, "series": dict(sorted(series.items())), "total": totals}
