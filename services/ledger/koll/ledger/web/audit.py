"""Revision (``/revision``): the audit timeline, a measure's and a case's history side by side,
and the boards as they stood at a chosen moment (the as-of date picker)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID

from flask import request

from koll.ledger.api.audit import as_of_cache
from koll.ledger.api.auth import AUDIT
from koll.ledger.domain.daylight import STOCKHOLM
from koll.ledger.domain.base import Actor
from koll.ledger.queries import audit as q
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, page, reading, render
from koll.ledger.web.situation import visible_areas
from koll.ledger.web.told import tell
from koll.schema import taxonomy
from koll.schema.payloads import BIGINT_MAX, unreadable_text, within_years

KINDS = ("Case", "Observation", "Measure", "Meeting", "Walk", "User")
PAGE = 50


def _uuid(raw: str | None) -> str:
    try:
        return str(UUID(raw)) if raw else ""
    except ValueError:
        return ""


def _day(raw: str | None) -> date | None:
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day and within_years(day) else None  # the API's years: year 1 is no filter


def _moment(raw: str | None) -> datetime | None:
    """A datetime-local or date input, read on the square's clock (Europe/Stockholm)."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if not within_years(moment):
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=STOCKHOLM)


def timeline_filters() -> dict[str, Any]:
    a = request.args
    f = {"aggregate": _uuid(a.get("aggregate")), "kind": a.get("kind") if a.get("kind") in KINDS else "",
         "actor": "" if unreadable_text(a.get("actor") or "") else (a.get("actor") or "").strip()[:120],
         "org": a.get("org") if a.get("org") in taxonomy.ORGANISATION_BY_CODE else "",
         "from": (_day(a.get("from")) or "") and a.get("from"), "to": (_day(a.get("to")) or "") and a.get("to"),
         "area": a.get("area") if a.get("area") in {v.code for v in visible_areas()} else ""}
    return f


def _query_args(f: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {k: f[k] for k in ("area", "aggregate", "kind", "actor", "org") if f[k]}
    if f["from"]:
        args["from"] = datetime.combine(date.fromisoformat(f["from"]), time.min, STOCKHOLM)
    if f["to"]:
        args["to"] = datetime.combine(date.fromisoformat(f["to"]), time.max, STOCKHOLM)
    return args


def _history(conn: Any, actor: Actor, aggregate_id: str) -> list[dict[str, Any]]:
    """One aggregate's whole history as the auditor may see it (the timeline filtered to it)."""
    if not aggregate_id:
        return []
    return tell(q.each_entry(conn, actor, {"aggregate": aggregate_id}), conn, actor)


@bp.route("/revision")
@page(*AUDIT)
def audit(actor: Actor) -> Any:
    f = timeline_filters()
    after = request.args.get("after", "")
    args = _query_args(f) | {"order": "desc", "limit": PAGE}
    if after.isdigit() and int(after) <= BIGINT_MAX:
        args["after"] = int(after)
    measure_id, case_id = _uuid(request.args.get("measure")), _uuid(request.args.get("case"))
    with reading() as conn:
        page_ = q.timeline(conn, actor, args)
        page_["events"] = tell(page_["events"], conn, actor)
        hidden = q.hidden_events(conn, actor, args)
        measure_history = _history(conn, actor, measure_id)
        case_history = _history(conn, actor, case_id)
    at = _moment(request.args.get("at"))
    boards = q.as_of_boards(koll().ledger, at, actor, cache=as_of_cache(), area=f["area"] or None) if at else None
    areas = [{"code": v.code, "label": v.definition["name"].get(i18n.lang()) or v.name_sv} for v in visible_areas()]
    return render("audit.html", f=f, page=page_, kinds=KINDS, organisations=taxonomy.ORGANISATIONS, areas=areas,
                  measure_id=measure_id, case_id=case_id, measure_history=measure_history,
                  case_history=case_history, at=request.args.get("at", ""), boards=boards, hidden=hidden)
