"""Möten (``/moten``) and the printable report-back (``/moten/<id>/aterrapport``)."""

from __future__ import annotations

from typing import Any

from koll.ledger.domain.base import Actor
from koll.ledger.web.common import MEETINGS_ROLES, bp, page, render


@bp.route("/moten")
@page(*MEETINGS_ROLES)
def meetings(actor: Actor) -> Any:
    return render("pending.html", title_key="meetings_title")


@bp.route("/moten/<meeting_id>/aterrapport")
@page(*MEETINGS_ROLES)
def report_back(actor: Actor, meeting_id: str) -> Any:
    return render("pending.html", title_key="report_back")
