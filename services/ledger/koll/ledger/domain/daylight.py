"""Darkness and time of day at the square: the report says it is most unsafe in the dark."""

from __future__ import annotations

from datetime import date, datetime, timezone
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


# Sunset is when the sun's centre is 0.833° below the horizon *geometrically*: 0.567° of
# refraction at the horizon plus its 0.267° radius. astral's elevation is refraction-corrected
# by default, and held against −0.833° counted the refraction twice: "dark" began about four
# minutes after sunset. So the geometric elevation, against the almanac's own thresholds.
SUNSET = -0.833
CIVIL_DUSK = -6.0


@lru_cache(maxsize=1 << 16)
def _elevation_at_minute(epoch_minute: int) -> float:
    at = datetime.fromtimestamp(epoch_minute * 60, tz=timezone.utc)
    return float(elevation(SQUARE, at, with_refraction=False))


def is_dark(at: datetime) -> bool:
    """Dark from sunset to sunrise."""
    return light_at(at)[0]


def time_of_day(at: datetime, sun: float | None = None) -> str:
    """dag, skymning, kvall or natt, as walkers use the words: skymning follows the light (the sun
    between sunset and civil dusk, or dawn), the others the clock in local time."""
    local = at.astimezone(STOCKHOLM)
    sun = sun_elevation(at) if sun is None else sun
    if CIVIL_DUSK <= sun < SUNSET:
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
    return sun < SUNSET, said or time_of_day(at, sun)


def sun_times(day: date) -> tuple[datetime, datetime]:
    """(sunrise, sunset) of a local day at the square, in local time: between them it is light."""
    from astral.sun import sunrise, sunset

    return (sunrise(SQUARE, day, tzinfo=STOCKHOLM), sunset(SQUARE, day, tzinfo=STOCKHOLM))
