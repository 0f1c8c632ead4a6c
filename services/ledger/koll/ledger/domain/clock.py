"""The ledger's sense of now.

Events are stamped with real time, except when a story is told after the fact (the demo,
tests of time travel): then a clock is set for the duration of the telling.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime, timezone

_fixed: ContextVar[datetime | None] = ContextVar("koll_clock", default=None)


def now() -> datetime:
    fixed = _fixed.get()
    return fixed if fixed is not None else datetime.now(timezone.utc)


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    """Stamp every event recorded inside the block with ``moment``."""
    if moment.tzinfo is None:
        raise ValueError("the clock needs a time with a time zone")
    token = _fixed.set(moment.astimezone(timezone.utc))
    try:
        yield
    finally:
        _fixed.reset(token)
