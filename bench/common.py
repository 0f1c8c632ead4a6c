"""What every benchmark shares: a fresh ledger, a report generator, a timer, a result row."""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from koll.ledger.application import Ledger
from koll.ledger.store import Store
from koll.schema import taxonomy
from koll.schema.payloads import ObservationSchema

_schema = ObservationSchema()


def row(name: str, value: float, unit: str, goal: str, ratio: float | None = None, note: str = "") -> dict[str, Any]:
    return {"name": name, "value": value, "unit": unit, "goal": goal, "ratio": ratio, "note": note}


def report(rng: random.Random, at: datetime | None = None) -> dict[str, Any]:
    """A plausible raw report as a phone sends it (JSON types)."""
    place = rng.choice(taxonomy.PLACES)
    category = rng.choice([c for c in taxonomy.CATEGORIES if c.code[:3] in ("REN", "KLO", "BEL", "VEG", "SOC")])
    when = at or datetime.now(timezone.utc) - timedelta(minutes=rng.randint(1, 60 * 24 * 300))
    return {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "category": category.code,
        "observed_at": when.isoformat(),
        "location": {"lat": place.lat + rng.uniform(-1e-4, 1e-4), "lon": place.lon + rng.uniform(-2e-4, 2e-4),
                     "accuracy_m": 10.0, "source": "gps"},
        "note": "Iakttagelse under kvällsrundan",
        "attributes": {"upplevd_trygghet": rng.randint(1, 5)},
    }


def loaded(raw: dict[str, Any]) -> dict[str, Any]:
    return _schema.load(raw)


def fresh_ledger(directory: Path, name: str = "bench.sqlite") -> Ledger:
    path = directory / name
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    return Ledger(Store(f"sqlite:///{path}"))


@contextmanager
def timed() -> Iterator[Callable[[], float]]:
    start = time.perf_counter()
    elapsed: list[float] = []
    yield lambda: elapsed[0] if elapsed else time.perf_counter() - start
    elapsed.append(time.perf_counter() - start)
