"""What the situation page (``/``) shows beside its counts from the steps around the plan: the
shared situation description, and (per area) perceived safety and the safety surveys."""

from __future__ import annotations

from typing import Any

from koll.ledger.web.description import description_context


def process_context(area: str) -> dict[str, Any]:
    return {**description_context(area)}
