"""Vandringar (``/vandringar``): safety walks, their findings on the map, the protocol."""

from __future__ import annotations

from typing import Any

from koll.ledger.api.auth import READ
from koll.ledger.domain.base import Actor
from koll.ledger.web.common import bp, page, render


@bp.route("/vandringar")
@page(*READ)
def walks(actor: Actor) -> Any:
    return render("pending.html", title_key="walks_title")
