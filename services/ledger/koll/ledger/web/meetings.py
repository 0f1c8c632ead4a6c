"""Möten (``/moten``) and the printable report-back (``/moten/<id>/aterrapport``)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort

from koll.ledger.domain.base import Actor
from koll.ledger.queries import meetings as q
from koll.ledger.web.common import MEETINGS_ROLES, bp, page, reading, render


@bp.route("/moten")
@page(*MEETINGS_ROLES)
def meetings(actor: Actor) -> Any:
    with reading() as conn:
        rows = q.list_meetings(conn, {}, actor)
        for m in rows:
            m["decisions_list"] = q.meeting_decisions(conn, actor, m["id"]) if m["decisions"] else []
    return render("meetings.html", meetings=rows)


@bp.route("/moten/<meeting_id>/aterrapport")
@page(*MEETINGS_ROLES)
def report_back(actor: Actor, meeting_id: str) -> Any:
    try:
        UUID(meeting_id)
    except ValueError:
        abort(404)
    with reading() as conn:
        report = q.report_back(conn, actor, meeting_id)
    if report is None:
        abort(404)
    return render("report_back.html", r=report)
