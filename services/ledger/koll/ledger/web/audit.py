"""Revision (``/revision``): the audit timeline, histories side by side, the boards as of a date."""

from __future__ import annotations

from typing import Any

from koll.ledger.api.auth import AUDIT
from koll.ledger.domain.base import Actor
from koll.ledger.web.common import bp, page, render


@bp.route("/revision")
@page(*AUDIT)
def audit(actor: Actor) -> Any:
    return render("pending.html", title_key="audit_title")
