"""The measure board: filters and facets, late measures, indicator trends, the four principles."""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.measure import ACTIVE
from koll.ledger.projections.measures import escalations, indicator_values, measures
from koll.ledger.projections.situation import observations
from koll.ledger.domain.base import Actor
from koll.ledger.queries.cases import aware
from koll.ledger.policy import Policy
from koll.ledger.queries.visibility import visible
from koll.ledger.queries.situation import week_start
from koll.schema import vocabulary

FACETS = {"status": "status", "owner": "owner_org", "palette": "palette", "track": "track", "horizon": "horizon",
          "focus_area": "focus_area"}
_JSON = ("sorting", "partners", "cases", "indicators")
CASES = frozenset({"cases"})  # a measure's linked cases: a placeholder for each the viewer may not see


def today() -> date:
    return datetime.now(timezone.utc).date()


def late_clause(as_of: date) -> sa.ColumnElement[bool]:
    """Past its end date, committed and not done, and not carried on as ordinary operations."""
    return sa.and_(measures.c.end_date.is_not(None), measures.c.end_date < as_of.isoformat(), measures.c.status.in_(sorted(ACTIVE)),
                   measures.c.in_operations.is_(False))


def late_on(day: date) -> sa.ColumnElement[bool]:
    """Late as it stood on ``day`` (a past meeting's): committed by then, past its end date, and
    neither done nor cancelled by then, whatever has happened to it since."""
    m = measures.c
    end_of_day = datetime.combine(day + timedelta(days=1), datetime.min.time())
    committed = sa.or_(m.decided_at < end_of_day, m.started_at < end_of_day)
    still_open = sa.and_(sa.or_(m.done_at.is_(None), m.done_at >= end_of_day),
                         sa.or_(m.cancelled_at.is_(None), m.cancelled_at >= end_of_day))
    return sa.and_(m.end_date.is_not(None), m.end_date < day.isoformat(), committed, still_open,
                   m.in_operations.is_(False))


def is_late(row: dict[str, Any], as_of: date) -> bool:
    return bool(row["end"] and row["end"] < as_of.isoformat() and row["status"] in ACTIVE
                and not row["in_operations"])


def in_measure_areas(viewer: Actor | None, area: str | None) -> list[sa.ColumnElement[bool]]:
    """A measure belongs to its area and to those it is explicitly linked to."""
    def of(codes: list[str]) -> sa.ColumnElement[bool]:
        return sa.or_(measures.c.area.in_(codes), *(measures.c.linked_areas.contains(f'"{c}"') for c in codes))

    where = []
    if viewer is not None and viewer.areas:
        where.append(of(sorted(viewer.areas)))
    if area:
        where.append(of([area]))
    return where


def measure_row(row: Any, as_of: date) -> dict[str, Any]:
    r = aware(dict(row._mapping))
    r["id"] = r.pop("measure_id")
    r["start"] = r.pop("start_date")
    r["end"] = r.pop("end_date")
    r["linked_areas"] = json.loads(r["linked_areas"])
    for k in _JSON:
        r[k] = json.loads(r[k])
    r["late"] = is_late(r, as_of)
    return r


def filters(args: dict[str, Any], as_of: date, viewer: Actor | None = None) -> list[sa.ColumnElement[bool]]:
    where = [measures.c[col] == args[arg] for arg, col in FACETS.items() if args.get(arg)]
    where += in_measure_areas(viewer, args.get("area"))
    if args.get("late") is True:
        where.append(late_clause(as_of))
    elif args.get("late") is False:
        where.append(sa.not_(late_clause(as_of)))
    return where


def board(conn: sa.Connection, viewer: Actor | None, args: dict[str, Any]) -> dict[str, Any]:
    """The board: the measures that pass the filters, counted by each facet, with their trends
    (computed ones counting only the reports ``viewer`` may see; None: all)."""
    as_of = args.get("as_of") or today()
    q = (sa.select(measures).where(*filters(args, as_of, viewer))
         .order_by(measures.c.end_date.is_(None), measures.c.end_date, measures.c.what, measures.c.measure_id))
    rows = [measure_row(r, as_of) for r in conn.execute(q)]
    counts: dict[str, Counter] = defaultdict(Counter)
    for r in rows:
        for arg, col in FACETS.items():
            counts[arg][r["owner_org" if arg == "owner" else arg] or "-"] += 1
    attach_trends(conn, rows, as_of, args.get("weeks", 12), viewer)
    Policy(viewer).redact(conn, rows, CASES)
    return {"as_of": as_of.isoformat(), "total": len(rows), "late": sum(r["late"] for r in rows),
            "counts": {k: dict(sorted(v.items(), key=lambda kv: (-kv[1], kv[0]))) for k, v in counts.items()},
            "measures": rows}


def get_measure(conn: sa.Connection, measure_id: str, viewer: Actor | None,
                as_of: date | None = None) -> dict[str, Any] | None:
    as_of = as_of or today()
    r = conn.execute(sa.select(measures).where(measures.c.measure_id == measure_id,
                                               *in_measure_areas(viewer, None))).first()
    if r is None:
        return None
    row = measure_row(r, as_of)
    attach_trends(conn, [row], as_of, 12, viewer)
    attach_own_period(conn, row, as_of, viewer)
    q = sa.select(escalations).where(escalations.c.measure_id == measure_id).order_by(escalations.c.escalated_at)
    row["escalations"] = [aware({k: v for k, v in e._mapping.items() if k != "measure_id"}) for e in conn.execute(q)]
    return Policy(viewer).redact(conn, row, CASES)


# --- Indicators -----------------------------------------------------------------------------


def attach_trends(conn: sa.Connection, rows: list[dict[str, Any]], as_of: date, weeks: int,
                  viewer: Actor | None) -> None:
    """Each indicator gets its points: hand-recorded values, or observations counted per week."""
    manual: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    with_manual = [r["id"] for r in rows if any(i["source"] == "manual" for i in r["indicators"])]
    for chunk in _chunks(with_manual):
        q = (sa.select(indicator_values.c.measure_id, indicator_values.c.indicator, indicator_values.c.value,
                       indicator_values.c.measured_on, indicator_values.c.source)
             .where(indicator_values.c.measure_id.in_(chunk), indicator_values.c.measured_on <= as_of.isoformat())
             .order_by(indicator_values.c.measured_on, indicator_values.c.recorded_at))
        for mid, code, value, on, source in conn.execute(q):
            manual[(mid, code)].append({"at": on, "value": value, "source": source})
    computed = [i for r in rows for i in r["indicators"] if i["source"] == "computed"]
    weekly = _weekly_counts(conn, computed, as_of, weeks, viewer) if computed else None
    for r in rows:
        for ind in r["indicators"]:
            if ind["source"] == "computed":
                assert weekly is not None
                labels, counts = weekly
                points = [{"at": label, "value": float(sum(n for (cat, grp, place), n in counts[i].items()
                                                          if _counts(ind, cat, grp, place)))}
                          for i, label in enumerate(labels)]
            else:
                points = manual.get((r["id"], ind["code"]), [])
            ind["points"] = points
            ind.update(assess(ind, points))


BASELINE_WEEKS = 12  # the baseline when an indicator names no period of its own: the weeks before the start
MAX_CHART_WEEKS = 260


def measure_period(row: dict[str, Any], as_of: date) -> tuple[date, date]:
    """The days the measure's indicators are followed over: its start to its end (today, if it
    has not ended yet or has no end), or from when it was proposed if it has no start."""
    first = date.fromisoformat(row["start"]) if row.get("start") else row["proposed_at"].date()
    last = min(date.fromisoformat(row["end"]), as_of) if row.get("end") else as_of
    return first, max(first, last)


def baseline_period(indicator: dict[str, Any], start: date) -> tuple[date, date]:
    if indicator.get("baseline_from") and indicator.get("baseline_to"):
        return date.fromisoformat(indicator["baseline_from"]), date.fromisoformat(indicator["baseline_to"])
    return start - timedelta(weeks=BASELINE_WEEKS), start - timedelta(days=1)


def attach_own_period(conn: sa.Connection, row: dict[str, Any], as_of: date, viewer: Actor | None) -> None:
    """Each indicator charted over the measure's own period with its baseline period before it
    (a 2018 measure is drawn over 2018, not over the last weeks of today). Computed indicators
    count observations per week; the baseline's mean is what the period is compared with."""
    start, end = measure_period(row, as_of)
    for ind in row["indicators"]:
        b_from, b_to = baseline_period(ind, start)
        ind["period"] = {"from": start.isoformat(), "to": end.isoformat()}
        ind["baseline_period"] = {"from": b_from.isoformat(), "to": b_to.isoformat()}
        if ind["source"] != "computed":
            for p in ind["points"]:
                p["baseline"] = bool(b_from.isoformat() <= str(p["at"]) <= b_to.isoformat())
            ind["own_points"] = ind["points"]
            continue
        first = week_start(datetime.combine(min(b_from, start), datetime.min.time()))
        weeks = min(MAX_CHART_WEEKS, (end - first.date()).days // 7 + 1)
        labels, counts = _weekly_between(conn, ind["categories"], first, weeks, viewer)
        points = []
        for i, label in enumerate(labels):
            monday = (first + timedelta(weeks=i)).date()
            value = float(sum(n for (cat, grp, place), n in counts[i].items() if _counts(ind, cat, grp, place)))
            points.append({"at": label, "value": value, "baseline": b_from <= monday + timedelta(days=6)
                           and monday <= b_to, "during": monday + timedelta(days=6) >= start})
        ind["own_points"] = points
        before = [p["value"] for p in points if p["baseline"]]
        during = [p["value"] for p in points if p["during"] and not p["baseline"]]
        ind["baseline_computed"] = round(statistics.fmean(before), 2) if before else None
        ind["period_mean"] = round(statistics.fmean(during), 2) if during else None


def _counts(indicator: dict[str, Any], category: str, group: str, place: str | None) -> bool:
    wanted = indicator["categories"]
    return (category in wanted or group in wanted) and (not indicator["places"] or place in indicator["places"])


def _weekly_counts(conn: sa.Connection, indicators: list[dict[str, Any]], as_of: date, weeks: int,  # type: ignore[no-untyped-def]
                   viewer: Actor | None):
    """Observations by (category, group, place) for each of the last ``weeks`` ISO weeks up to ``as_of``:
    one grouped query serves every computed indicator on the board."""
    end = datetime.combine(as_of + timedelta(days=1), datetime.min.time())
    first = week_start(end - timedelta(days=1)) - timedelta(weeks=weeks - 1)
    return _weekly_between(conn, sorted({c for ind in indicators for c in ind["categories"]}), first, weeks, viewer)


def _weekly_between(conn: sa.Connection, wanted: list[str], first: datetime, weeks: int,  # type: ignore[no-untyped-def]
                    viewer: Actor | None):
    """Observations of the ``wanted`` categories or groups by (category, group, place) in each of
    ``weeks`` weeks from the Monday ``first``."""
    end = first + timedelta(weeks=weeks)
    labels = [f"{d.isocalendar()[0]}-W{d.isocalendar()[1]:02d}" for d in
              (first + timedelta(weeks=i) for i in range(weeks))]
    o = observations.c
    day = sa.func.date(o.observed_at)
    q = (sa.select(o.category, o.group_code, o.place, day, sa.func.count())
         .where(o.observed_at >= first, o.observed_at < end, sa.or_(o.category.in_(wanted), o.group_code.in_(wanted)))
         .group_by(o.category, o.group_code, o.place, day))
    if viewer is not None:
        q = q.where(visible(observations, viewer))
    counts: list[Counter] = [Counter() for _ in range(weeks)]
    for category, group, place, d, n in conn.execute(q):
        d = d if isinstance(d, date) else date.fromisoformat(str(d)[:10])
        i = (d - first.date()).days // 7
        if 0 <= i < weeks:
            counts[i][(category, group, place)] += n
    return labels, counts


def assess(indicator: dict[str, Any], points: list[dict[str, Any]]) -> dict[str, Any]:
    """Where the indicator stands: its latest value, whether it moves the wanted way, whether it is there."""
    values = [p["value"] for p in points]
    latest = values[-1] if values else None
    trend = None
    if len(values) >= 2:
        half = len(values) // 2
        before = statistics.fmean(values[:half]) if half else values[0]
        after = statistics.fmean(values[half:])
        if math.isclose(before, after):
            trend = "flat"
        else:
            better = after < before if indicator["direction"] == "down" else after > before
            trend = "improving" if better else "worsening"
    reached = None
    if latest is not None and indicator.get("target") is not None:
        reached = latest <= indicator["target"] if indicator["direction"] == "down" else latest >= indicator["target"]
    return {"latest": latest, "trend": trend, "reached": reached}


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(items), size):
        yield items[i:i + size]


# --- The four principles --------------------------------------------------------------------

_PORTFOLIO_COLUMNS = (measures.c.measure_id, measures.c.what, measures.c.status, measures.c.owner_org,
                      measures.c.partners, measures.c.organisations, measures.c.palette, measures.c.in_operations,
                      measures.c.proposed_at, measures.c.decided_at, measures.c.started_at, measures.c.end_date)


def is_active(r: Any) -> bool:
    """Running now: committed and not ended, or carried on in ordinary operations."""
    return r.status in ACTIVE or bool(r.in_operations)


def portfolio(conn: sa.Connection, viewer: Actor | None, as_of: date | None = None,
              area: str | None = None) -> dict[str, Any]:
    """The report's four principles as figures over the portfolio of the areas the viewer works in
    (or one area's), and who does what."""
    q = sa.select(*_PORTFOLIO_COLUMNS).where(*in_measure_areas(viewer, area))
    rows = list(conn.execute(q))
    return {**principles(rows, as_of or today()), "by_organisation": by_organisation(rows)}


def portfolios_by_area(conn: sa.Connection, codes: list[str], as_of: date) -> dict[str, dict[str, Any]]:
    """The four principles of each area's own portfolio, from one query (the strategic overview)."""
    grouped: dict[str, list[Any]] = {c: [] for c in codes}
    for r in conn.execute(sa.select(*_PORTFOLIO_COLUMNS, measures.c.area).where(measures.c.area.in_(codes))):
        grouped[r.area].append(r)
    return {c: principles(rows, as_of) for c, rows in grouped.items()}


def principles(rows: list[Any], as_of: date) -> dict[str, Any]:
    """The four principles over the given measure rows: critical mass (active, late), endurance
    (carried on in ordinary operations), many kinds (palette groups used), across boundaries."""
    active = [r for r in rows if is_active(r)]
    ever_started = [r for r in rows if r.started_at is not None]
    ages = [(as_of - (r.started_at or r.decided_at or r.proposed_at).date()).days for r in active]
    palette = Counter(r.palette for r in active if r.palette)
    groups = vocabulary.codes(vocabulary.PALETTE)
    shares = [palette[g] / len(active) for g in groups if palette[g]] if active else []
    evenness = -sum(p * math.log(p) for p in shares) / math.log(len(groups)) if shares else 0.0
    joint = [r for r in active if r.organisations > 1]
    return {
        "as_of": as_of.isoformat(),
        "measures": len(rows),
        "by_status": dict(Counter(r.status for r in rows)),
        "critical_mass": {"active": len(active),
                          "late": sum(1 for r in active if r.end_date and r.end_date < as_of.isoformat()
                                      and r.status in ACTIVE and not r.in_operations)},
        "endurance": {"in_operations": sum(1 for r in rows if r.in_operations),
                      "share_in_operations": _share(sum(1 for r in ever_started if r.in_operations), len(ever_started)),
                      "median_age_days": statistics.median(ages) if ages else None},
        "many_kinds": {"by_palette": {g: palette[g] for g in groups},
                       "groups_used": sum(1 for g in groups if palette[g]), "groups": len(groups),
                       "evenness": round(evenness, 3)},
        "across_boundaries": {"with_several_organisations": len(joint),
                              "share": _share(len(joint), len(active))},
    }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def by_organisation(rows: Iterable[Any]) -> dict[str, dict[str, Any]]:
    """What each organisation already does: the measures it owns and those it takes part in."""
    out: dict[str, dict[str, Any]] = {}
    for r in rows:
        roles = [(r.owner_org, "owner")] if r.owner_org else []
        roles += [(p, "partner") for p in json.loads(r.partners)]
        for org, role in roles:
            entry = out.setdefault(org, {"owner": 0, "partner": 0, "active": 0, "measures": []})
            entry[role] += 1
            entry["active"] += is_active(r)
            entry["measures"].append({"id": r.measure_id, "what": r.what, "status": r.status, "role": role,
                                      "in_operations": bool(r.in_operations)})
    return dict(sorted(out.items(), key=lambda kv: (-kv[1]["active"], kv[0])))
