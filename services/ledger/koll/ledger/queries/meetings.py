"""Meetings and the report-back (återrapportering) to the strategic group."""

from __future__ import annotations

import json
from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.domain.meeting import attendance_by_org
from koll.ledger.projections.measures import escalations, measures
from koll.ledger.projections.meetings import answers, decisions, meetings
from koll.ledger.projections.situation import cases, observations
from koll.ledger.queries.cases import aware
from koll.ledger.queries.measures import in_measure_areas, late_on, measure_row
from koll.ledger.policy import Policy
from koll.ledger.queries.visibility import area_where, visible

CYCLE = timedelta(weeks=3)  # the operational group meets every three weeks


def meeting_row(row: Any) -> dict[str, Any]:
    r = aware(dict(row._mapping))
    r["id"] = r.pop("meeting_id")
    r["group"] = r.pop("group_code")
    r["attendees"] = json.loads(r["attendees"])
    r["attendance"] = attendance_by_org(r["attendees"])
    r["attendance_total"] = sum(a["count"] for a in r["attendance"])
    return r


def list_meetings(conn: sa.Connection, args: dict[str, Any], actor: Actor | None = None) -> list[dict[str, Any]]:
    """The meetings themselves name no case; their decisions do (``meeting_decisions``)."""
    q = (sa.select(meetings).where(*area_where(meetings, actor, args))
         .order_by(meetings.c.date.desc(), meetings.c.scheduled_at.desc()))
    if args.get("group"):
        q = q.where(meetings.c.group_code == args["group"])
    return [meeting_row(r) for r in conn.execute(q)]


def meeting_decisions(conn: sa.Connection, viewer: Actor | None, meeting_id: str) -> list[dict[str, Any]]:
    """The decisions, each case named shown as ``viewer`` may see it (None: the system, every id)."""
    q = sa.select(decisions).where(decisions.c.meeting_id == meeting_id).order_by(decisions.c.decided_at)
    out = []
    for r in conn.execute(q):
        d = aware(dict(r._mapping))
        d.pop("decision_key")
        d["id"] = d.pop("decision_id")
        d["measures"], d["cases"] = json.loads(d["measures"]), json.loads(d["cases"])
        out.append(d)
    named = measure_names(conn, [m for d in out for m in d["measures"]])
    answered = {r.decision_id: aware(dict(r._mapping)) for r in conn.execute(
        sa.select(answers).where(answers.c.meeting_id == meeting_id))}
    for d in out:
        d["measure_list"] = [{"id": m, "what": named.get(m, m[:8])} for m in d["measures"]]
        d["answer"] = answered.get(d["id"])
    return Policy(viewer).redact(conn, out, frozenset({"cases"}))


def measure_names(conn: sa.Connection, ids: list[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {mid: what for mid, what in conn.execute(
        sa.select(measures.c.measure_id, measures.c.what).where(measures.c.measure_id.in_(wanted)))}


def get_meeting(conn: sa.Connection, viewer: Actor | None, meeting_id: str) -> dict[str, Any] | None:
    r = conn.execute(sa.select(meetings).where(meetings.c.meeting_id == meeting_id,
                                               *area_where(meetings, viewer))).first()
    if r is None:
        return None
    return meeting_row(r) | {"decisions_list": meeting_decisions(conn, viewer, meeting_id)}


def previous_meeting(conn: sa.Connection, meeting: dict[str, Any]) -> dict[str, Any] | None:
    """The group's meeting before this one (by date, then by when it was scheduled)."""
    m = meetings.c
    earlier = sa.or_(m.date < meeting["date"],
                     sa.and_(m.date == meeting["date"], m.scheduled_at < meeting["scheduled_at"].replace(tzinfo=None)))
    same_area = [m.area == meeting["area"]] if meeting.get("area") else []
    r = conn.execute(sa.select(meetings).where(m.group_code == meeting["group"], earlier, *same_area)
                     .order_by(m.date.desc(), m.scheduled_at.desc()).limit(1)).first()
    return meeting_row(r) if r else None


def report_back(conn: sa.Connection, actor: Actor, meeting_id: str) -> dict[str, Any] | None:
    """What the operational group reports for the period since its previous meeting: goals
    reached and why not, success factors, support needed, conclusions; measures started, done
    and late; and how the situation changed by category against the period before."""
    meeting = get_meeting(conn, actor, meeting_id)
    if meeting is None:
        return None
    # A meeting is its area's: the report-back tells that area's measures and situation.
    in_area = in_measure_areas(None, meeting.get("area"))
    prev, day, first_day, (before, start, end) = _period(conn, meeting)

    def within(column: sa.ColumnElement[Any]) -> sa.ColumnElement[bool]:
        return sa.and_(column >= start, column < end)

    def rows(*where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
        q = sa.select(measures).where(*where, *in_area).order_by(measures.c.what, measures.c.measure_id)
        return [_brief(measure_row(r, day)) for r in conn.execute(q)]

    done = rows(within(measures.c.done_at))
    support = [aware(dict(r._mapping)) for r in conn.execute(
        sa.select(escalations.c.measure_id, measures.c.what, measures.c.owner_org, escalations.c.support_needed,
                  escalations.c.note, escalations.c.by_org, escalations.c.escalated_at)
        .join(measures, measures.c.measure_id == escalations.c.measure_id)
        .where(within(escalations.c.escalated_at), *in_area).order_by(escalations.c.escalated_at))]
    return {
        "meeting": {k: meeting[k] for k in ("id", "group", "date", "title", "status", "conclusions", "attendees",
                                            "attendance", "attendance_total")},
        "area": meeting.get("area"),
        "previous_meeting": prev["id"] if prev else None,
        "period": {"from": (first_day + timedelta(days=1)).isoformat(), "to": day.isoformat()},
        "goals": {"by_outcome": dict(Counter(m["outcome"] for m in done)),
                  "reached": [m for m in done if m["outcome"] in ("full", "partly")],
                  "deviations": [m for m in done if m["outcome"] != "full"]},
        "success_factors": [{"id": m["id"], "what": m["what"], "success_factors": m["success_factors"]}
                            for m in done if m["success_factors"]],
        "support_needed": support,
        "conclusions": {"text": meeting["conclusions"], "decisions": meeting["decisions_list"]},
        "measures": {"started": rows(within(measures.c.started_at)), "done": done,
                     "late": [m | {"late": True} for m in rows(late_on(day))]},
        "situation": situation_change(conn, actor, (before, start, end), meeting.get("area")),
        "escalations": {"open": open_escalations(conn, meeting.get("area")),
                        "answered": answered_escalations(conn, meeting.get("area"), start, end)},
    }


def _period(conn: sa.Connection, meeting: dict[str, Any]) -> tuple[dict[str, Any] | None, date, date, tuple[datetime, datetime, datetime]]:
    """The group's previous meeting, this meeting's day, the period's first day, and the bounds
    (the period before, this period's start and end): whole days, naive UTC like the read models,
    after the previous meeting's day up to and including this meeting's day."""
    prev = previous_meeting(conn, meeting)
    day = date.fromisoformat(meeting["date"])
    first_day = date.fromisoformat(prev["date"]) if prev else day - CYCLE
    start = datetime.combine(first_day + timedelta(days=1), datetime.min.time())
    end = datetime.combine(day + timedelta(days=1), datetime.min.time())
    return prev, day, first_day, (start - (end - start), start, end)


def _escalation_rows(conn: sa.Connection, area: str | None, *where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
    q = (sa.select(escalations, measures.c.what, measures.c.owner_org, answers.c.outcome, answers.c.text,
                   answers.c.answered_at, answers.c.meeting_id)
         .join(measures, measures.c.measure_id == escalations.c.measure_id)
         .outerjoin(answers, answers.c.escalation_id == escalations.c.escalation_id)
         .where(*where, *in_measure_areas(None, area)).order_by(escalations.c.escalated_at))
    rows = [aware(dict(r._mapping)) for r in conn.execute(q)]
    held_in = sorted({r["meeting_id"] for r in rows if r["meeting_id"]})
    titles = {mid: title for mid, title in conn.execute(
        sa.select(meetings.c.meeting_id, sa.func.coalesce(meetings.c.title, meetings.c.date))
        .where(meetings.c.meeting_id.in_(held_in)))} if held_in else {}
    for r in rows:
        r["id"] = r.pop("escalation_id")
        r["meeting_title"] = titles.get(r["meeting_id"])
    return rows


def open_escalations(conn: sa.Connection, area: str | None) -> list[dict[str, Any]]:
    """Escalations the strategic group has not answered yet (``Measure.Escalated`` with no answer)."""
    return _escalation_rows(conn, area, answers.c.escalation_id.is_(None))


def answered_escalations(conn: sa.Connection, area: str | None, start: datetime, end: datetime) -> list[dict[str, Any]]:
    return _escalation_rows(conn, area, answers.c.answered_at >= start, answers.c.answered_at < end)


def agenda(conn: sa.Connection, actor: Actor, meeting: dict[str, Any], today: date) -> dict[str, Any]:
    """What the meeting goes through: the late measures, the escalations waiting for an answer,
    the ideas on the gross list to decide, and how the situation changed since the last meeting."""
    area = meeting.get("area")
    in_area = in_measure_areas(None, area)
    prev, day, first_day, bounds = _period(conn, meeting)
    on = min(day, today) if meeting["status"] == "planned" else day

    def rows(*where: sa.ColumnElement[bool]) -> list[dict[str, Any]]:
        q = sa.select(measures).where(*where, *in_area).order_by(measures.c.what, measures.c.measure_id)
        return [_brief(measure_row(r, on)) for r in conn.execute(q)]

    return {"previous_meeting": prev, "period": {"from": (first_day + timedelta(days=1)).isoformat(), "to": day.isoformat()},
            "late": rows(late_on(on)), "to_decide": rows(measures.c.status == "idea"),
            "active": rows(measures.c.status.in_(("decided", "started", "paused"))),
            "escalations": open_escalations(conn, area),
            "situation": situation_change(conn, actor, bounds, area)}


def _brief(m: dict[str, Any]) -> dict[str, Any]:
    keep = ("id", "what", "owner_org", "palette", "status", "start", "end", "goal", "achieved", "outcome",
            "deviation_reason", "success_factors", "in_operations", "late")
    return {k: m[k] for k in keep}


def situation_change(conn: sa.Connection, actor: Actor, bounds: tuple[datetime, datetime, datetime],
                     area: str | None = None) -> list[dict[str, Any]]:
    """Observations and new cases by category in the period against the period before it."""
    before, start, end = bounds
    tallies: dict[str, Counter] = {}
    for table, when, who, label in ((observations, observations.c.observed_at, "reporter", "observations"),
                                    (cases, cases.c.opened_at, None, "cases")):
        period = sa.case((when >= start, "now"), else_="before")
        q = (sa.select(table.c.category, period, sa.func.count())
             .where(when >= before, when < end, visible(table, actor, who), *area_where(table, None, {"area": area}))
             .group_by(table.c.category, period))
        for category, which, n in conn.execute(q):
            tallies.setdefault(category, Counter())[f"{label}_{which}"] += n
    out = []
    for category, t in tallies.items():
        now, then = t["observations_now"], t["observations_before"]
        out.append({"category": category, "observations": now, "previous": then, "change": now - then,
                    "change_pct": round(100 * (now - then) / then, 1) if then else None,
                    "cases_opened": t["cases_now"], "cases_opened_previous": t["cases_before"]})
    return sorted(out, key=lambda r: (-abs(r["change"]), r["category"]))
