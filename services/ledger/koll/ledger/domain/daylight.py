"""Darkness and time of day at the square: the report says it is most unsafe in the dark."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import elevation

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Hässelby torg; darkness differs by seconds across a district, so one observer serves.
SQUARE = Observer(latitude=59.3667, longitude=17.8437)


def sun_elevation(at: datetime) -> float:
    # The sun moves a quarter of a degree a minute: a minute's resolution is plenty, and the
    # cache makes replaying a year of reports cheap.
    return _elevation_at_minute(int(at.timestamp() // 60))


@lru_cache(maxsize=1 << 16)
def _elevation_at_minute(epoch_minute: int) -> float:
    return float(elevation(SQUARE, datetime.fromtimestamp(epoch_minute * 60, tz=timezone.utc)))


def is_dark(at: datetime) -> bool:
    """Dark once the sun is below the horizon (refraction included)."""
    return light_at(at)[0]


def time_of_day(at: datetime, sun: float | None = None) -> str:
    """dag, skymning, kvall or natt, as walkers use the words, by local time and the sun."""
    local = at.astimezone(STOCKHOLM)
    sun = sun_elevation(at) if sun is None else sun
    if -6.0 <= sun < -0.833:
        return "skymning"
    if 6 <= local.hour < 18:
        return "dag"
    if 18 <= local.hour < 22:
        return "kvall"
    return "natt"


def light_at(at: datetime, said: str | None = None) -> tuple[bool, str]:
    """(dark?, time of day) at the moment of an observation; the walker's own word for the
    time of day, when given, wins over the clock's."""
    sun = sun_elevation(at)
    return sun < -0.833, said or time_of_day(at, sun)
