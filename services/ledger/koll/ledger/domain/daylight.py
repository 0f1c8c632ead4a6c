"""Darkness and time of day at the square: the report says it is most unsafe in the dark."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import elevation

STOCKHOLM = ZoneInfo("Europe/Stockholm")
# Hässelby torg; darkness differs by seconds across a district, so one observer serves.
SQUARE = Observer(latitude=59.3667, longitude=17.8437)


def sun_elevation(at: datetime) -> float:
    return float(elevation(SQUARE, at))


def is_dark(at: datetime) -> bool:
    """Dark once the sun is below the horizon (refraction included)."""
    return sun_elevation(at) < -0.833


def time_of_day(at: datetime) -> str:
    """dag, skymning, kvall or natt, as walkers use the words, by local time and the sun."""
    local = at.astimezone(STOCKHOLM)
    sun = sun_elevation(at)
    if -6.0 <= sun < -0.833:
        return "skymning"
    if 6 <= local.hour < 18:
        return "dag"
    if 18 <= local.hour < 22:
        return "kvall"
    return "natt"
