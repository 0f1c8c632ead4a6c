"""Times as the outside world reads them: ISO 8601 with an offset, always."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from marshmallow import fields


class Instant(fields.DateTime):
    """A moment written with its offset; a naive value (how read models keep UTC) is UTC."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if isinstance(value, datetime) and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return super()._serialize(value, attr, obj, **kwargs)
