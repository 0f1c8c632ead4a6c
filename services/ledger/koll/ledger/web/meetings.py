"""Möten (``/moten``): schedule a meeting (``/moten/nytt``), work in it (``/moten/<id>``: the
agenda, attendance by organisation, decisions naming the measures and cases they concern, the
strategic group's answers to escalations, held), and the printable report-back
(``/moten/<id>/aterrapport``).

Every form goes through the same ledger commands as the API, with the body checked by the
API's schema and the version the page was rendered from (a hidden field): a stale form is
refused with nothing recorded and what was typed kept in the form.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from typing import Any
from uuid import UUID, uuid4

import sqlalchemy as sa
from flask import abort, redirect, request, url_for
from marshmallow import ValidationError

from koll.ledger.api.auth import GOVERN
from koll.ledger.application import StaleVersion
from koll.ledger.domain import clock
from koll.ledger.domain.daylight import STOCKHOLM
from koll.ledger.domain.base import Actor, DomainError, NotFound
from koll.ledger.history import describe
from koll.ledger.projections.situation import cases as case_rows
from koll.ledger.queries import follow_up
from koll.ledger.queries import meetings as q
from koll.ledger.queries.visibility import visible
from koll.ledger.web import i18n
from koll.ledger.web.common import MEETINGS_ROLES, bp, field_errors, koll, page, reading, render, why
from koll.ledger.web.situation import area_choices
from koll.ledger.web.told import tell
from koll.schema import taxonomy
from koll.schema.payloads_measures import (ESCALATION_ANSWERS, MEETING_GROUPS, AttendanceSchema, DecisionSchema,
                                           HoldSchema, MeetingSchema)

OTHER_ORG = "_"  # the attendance row for people from no listed organisation


def next_dates(conn: sa.Connection, actor: Actor, today: date) -> dict[str, str]:
    """For each kind of meeting, the next date three weeks on: the first day from today on in the
    group's three-weekly rhythm since its last meeting (three weeks from today, without one)."""
    out = {}
    for group in MEETING_GROUPS:
        last = q.list_meetings(conn, {"group": group}, actor)
        day = date.fromisoformat(last[0]["date"]) + q.CYCLE if last else today + q.CYCLE
        while day < today:
            day += q.CYCLE
        out[group] = day.isoformat()
    return out


@bp.route("/moten")
@page(*MEETINGS_ROLES)
def meetings(actor: Actor) -> Any:
    with reading() as conn:
        rows = q.list_meetings(conn, {}, actor)
        for m in rows:
            m["decisions_list"] = q.meeting_decisions(conn, actor, m["id"]) if m["decisions"] else []
    return render("meetings.html", meetings=rows, can_run=actor.role in GOVERN)


@bp.route("/moten/nytt", methods=["GET", "POST"])
@page(*GOVERN)
def new_meeting(actor: Actor) -> Any:
    today = clock.now().astimezone(i18n.STOCKHOLM).date()
    with reading() as conn:
        offered = next_dates(conn, actor, today)
    form: dict[str, str] = {"id": str(uuid4()), "group": "operational", "date": offered["operational"]}
    errors: dict[str, str] = {}
    message = None
    status = 200
    if request.method == "POST":
        form = {k: request.form.get(k, "").strip() for k in ("id", "group", "date", "title", "area")}
        data: dict[str, Any] = {"id": form["id"], "group": form["group"], "date": form["date"],
                                "title": form["title"] or None}
        if form["area"]:
            data["area"] = form["area"]
        try:
            recorded = koll().ledger.schedule_meeting(actor, MeetingSchema().load(data))
            return redirect(url_for("boards.meeting", meeting_id=recorded.id, saved="scheduled"))
        except ValidationError as e:
            errors = field_errors(e)
        except DomainError as e:
            errors = {str(e.details.get("field") or "_"): why(e)}
        message = i18n.t("form_refused", why="; ".join(f"{i18n.field_text(k)}: {v}" for k, v in errors.items()))
        status = 422
    return render("meeting_new.html", form=form, errors=errors, message=message, offered=offered,
                  groups=MEETING_GROUPS, areas=area_choices()), status


def _meeting_uuid(meeting_id: str) -> UUID:
    try:
        return UUID(meeting_id)
    except ValueError:
        abort(404)


def _meeting_page(actor: Actor, meeting_id: str, *, status: int = 200, message: str | None = None,
                  message_kind: str = "ok", form: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None) -> Any:
    mid = _meeting_uuid(meeting_id)
    today = clock.now().astimezone(i18n.STOCKHOLM).date()
    with reading() as conn:
        m = q.get_meeting(conn, actor, str(mid))
        if m is None:
            abort(404)
        agenda = q.agenda(conn, actor, m, today)
        history = tell((describe(e) for e in koll().ledger.history(mid)), conn, actor)
    attended = {a["org"] or OTHER_ORG: a for a in m["attendance"]}
    return render("meeting.html", m=m, agenda=agenda, history=history, attended=attended, message=message,
                  message_kind=message_kind, form=form or {}, errors=errors or {},
                  can_run=actor.role in GOVERN and m["status"] == "planned", can_minute=actor.role in GOVERN,
                  organisations=taxonomy.ORGANISATIONS, other_org=OTHER_ORG, answers=ESCALATION_ANSWERS,
                  new_id=str(uuid4())), status


@bp.route("/moten/<meeting_id>")
@page(*MEETINGS_ROLES)
def meeting(actor: Actor, meeting_id: str) -> Any:
    saved = request.args.get("saved")
    return _meeting_page(actor, meeting_id, message=i18n.t(f"meeting_saved_{saved}") if saved else None)


def _names(text: str) -> list[str]:
    return [n.strip() for n in re.split(r"[,;\n]", text) if n.strip()]


def _attendance() -> list[dict[str, Any]]:
    rows = []
    for code in [o.code for o in taxonomy.ORGANISATIONS] + [OTHER_ORG]:
        raw = request.form.get(f"count_{code}", "").strip()
        names = _names(request.form.get(f"names_{code}", ""))
        if raw or names:
            rows.append({"org": None if code == OTHER_ORG else code, "count": raw or str(len(names)), "names": names})
    return AttendanceSchema().load({"attendance": rows})["attendance"]


def _case_ids(conn: sa.Connection, actor: Actor, text: str) -> list[str]:
    """Cases named by their id or its first characters (as the boards show them), each one the
    viewer may see; one that names none or several is refused by name."""
    out = []
    for token in re.split(r"[\s,;]+", text.strip()):
        if not token:
            continue
        found = [r[0] for r in conn.execute(sa.select(case_rows.c.case_id).where(
            case_rows.c.case_id.startswith(token.lower()), visible(case_rows, actor, None)).limit(2))] \
            if re.fullmatch(r"[0-9a-fA-F-]{6,36}", token) else []
        if len(found) != 1:
            raise DomainError(f"no single case '{token}'", sv=f"inget entydigt ärende '{token}'", field="cases")
        out.append(found[0])
    return out


def _decision_body(actor: Actor, action: str) -> dict[str, Any]:
    f = request.form
    data: dict[str, Any] = {"id": f.get("decision_id", ""), "text": f.get("text", "").strip(),
                            "measures": f.getlist("measure")}
    if action == "answer":
        data |= {"escalation": f.get("escalation") or None, "answer": f.get("answer") or None}
    else:
        data["decide_measures"] = f.get("decide_measures") == "1"
        with reading() as conn:
            data["cases"] = _case_ids(conn, actor, f.get("cases", ""))
    return DecisionSchema().load(data)


@bp.route("/moten/<meeting_id>", methods=["POST"])
@page(*GOVERN)
def work_in_meeting(actor: Actor, meeting_id: str) -> Any:
    mid = _meeting_uuid(meeting_id)
    action = request.form.get("action", "")
    typed: dict[str, Any] = request.form.to_dict() | {"measure": request.form.getlist("measure")}
    try:
        seen = int(request.form.get("version", ""))
    except ValueError:
        seen = -1
    ledger = koll().ledger
    try:
        if action == "attendance":
            ledger.record_attendance(actor, mid, seen, _attendance())
        elif action in ("decision", "answer"):
            if action == "answer" and not request.form.get("text", "").strip():
                typed["text"] = ""
            ledger.record_decision(actor, mid, _decision_body(actor, action), expected_version=seen)
        elif action == "hold":
            body = HoldSchema().load({"conclusions": request.form.get("conclusions", "").strip() or None})
            ledger.hold_meeting(actor, mid, seen, body.get("conclusions"), None)
        else:
            abort(400)
    except ValidationError as e:
        errors = field_errors(e)
        text = "; ".join(f"{i18n.field_text(k)}: {v}" for k, v in errors.items())
        return _meeting_page(actor, meeting_id, status=422, message=i18n.t("form_refused", why=text),
                             message_kind="error", form=typed, errors=errors)
    except StaleVersion as e:
        return _meeting_page(actor, meeting_id, status=409, message_kind="warn", form=typed,
                             message=i18n.t("meeting_stale", seen=seen, now=e.details.get("current", "?")))
    except NotFound:
        abort(404)
    except DomainError as e:
        field = str(e.details.get("field") or "_")
        return _meeting_page(actor, meeting_id, status=422, message=i18n.t("form_refused", why=why(e)),
                             message_kind="error", form=typed, errors={field: why(e)})
    return redirect(url_for("boards.meeting", meeting_id=meeting_id, saved=action) + f"#{action}")


@bp.route("/moten/<meeting_id>/aterrapport")
@page(*MEETINGS_ROLES)
def report_back(actor: Actor, meeting_id: str) -> Any:
    try:
        UUID(meeting_id)
    except ValueError:
        abort(404)
    with reading() as conn:
        report = q.report_back(conn, actor, meeting_id)
        area = (report or {}).get("area")
        # The area's goals, each indicator's baseline beside its value at the meeting: before and after.
        area_goals = follow_up.goals(conn, actor, area, _end_of(report["meeting"]["date"]),
                                     koll().ledger.follow_up(area)) if area else []
    if report is None:
        abort(404)
    return render("report_back.html", r=report, area_goals=[g for g in area_goals if g["indicators"]])


def _end_of(day: str) -> datetime:
    """The end of the meeting's day on the square's clock."""
    return datetime.combine(date.fromisoformat(day) + timedelta(days=1), time(0), tzinfo=STOCKHOLM)

