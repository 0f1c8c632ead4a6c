"""Insatstavla (``/insatser``) and a measure's page (``/insatser/<id>``)."""

from __future__ import annotations

from typing import Any

from koll.ledger.api.auth import READ
from koll.ledger.domain.base import Actor
from koll.ledger.web.common import bp, page, render


@bp.route("/insatser")
@page(*READ)
def measures(actor: Actor) -> Any:
    return render("pending.html", title_key="measures_title")


@bp.route("/insatser/<measure_id>")
@page(*READ)
def measure(actor: Actor, measure_id: str) -> Any:
    return render("pending.html", title_key="measures_title")
