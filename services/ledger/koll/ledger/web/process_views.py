"""What the situation page (``/``) shows beside its counts from the steps around the plan: the
shared situation description, and (per area) perceived safety and the safety surveys."""

from __future__ import annotations

from typing import Any

from koll.ledger.web.common import web_actor
from koll.ledger.web.description import description_context
from koll.ledger.web.goals import follow_up_context


def process_context(area: str) -> dict[str, Any]:
    return {**description_context(area), **follow_up_context(web_actor(), area)}
