"""One time format in every JSON answer: ISO 8601 with its offset.

Flask's default writes datetimes as HTTP dates ("Tue, 01 Dec 2026 23:00:46 GMT"), which no
integrator expects beside the ISO times the schemas write. Read models keep naive UTC, so a
naive datetime here is UTC and says so.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

from flask.json.provider import DefaultJSONProvider


def iso(value: datetime) -> str:
    return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()


class KollJSONProvider(DefaultJSONProvider):
    ensure_ascii = False
    sort_keys = False

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, datetime):
            return iso(o)
        if isinstance(o, date):
            return o.isoformat()
        return DefaultJSONProvider.default(o)
