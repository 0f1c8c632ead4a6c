"""Darkness and time of day at an area: the report says it is most unsafe in the dark.

The sun is read at the area's own place (its boundary's centroid: darkness differs by seconds
across a district, by an hour between Malmö and Kiruna) and the clock in its own time zone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from astral import Observer
from astral.sun import elevation

STOCKHOLM = ZoneInfo("Europe/Stockholm")


@dataclass(frozen=True)
class Sky:
    """Where the sun is read and which clock tells the time of day."""

    lat: float
    lon: float
    zone: ZoneInfo = STOCKHOLM

    @property
    def observer(self) -> Observer:
        return Observer(latitude=self.lat, longitude=self.lon)


# A ledger recorded before areas existed has one square; its reports keep the sun they were
# recorded with (Hässelby torg's), until an area is defined and every new report reads its own.
BEFORE_AREAS = Sky(59.3667, 17.8437, STOCKHOLM)


def sun_elevation(at: datetime, sky: Sky = BEFORE_AREAS) -> float:
    # The sun moves a quarter of a degree a minute: a minute's resolution is plenty, and the
    # cache makes replaying a year of reports cheap.
    return _elevation_at_minute(round(sky.lat, 4), round(sky.lon, 4), int(at.timestamp() // 60))


# Sunset is when the sun's centre is 0.833° below the horizon *geometrically*: 0.567° of
# refraction at the horizon plus its 0.267° radius. astral's elevation is refraction-corrected
# by default, and held against −0.833° counted the refraction twice: "dark" began about four
# minutes after sunset. So the geometric elevation, against the almanac's own thresholds.
SUNSET = -0.833
CIVIL_DUSK = -6.0


@lru_cache(maxsize=1 << 16)
def _elevation_at_minute(lat: float, lon: float, epoch_minute: int) -> float:
    at = datetime.fromtimestamp(epoch_minute * 60, tz=timezone.utc)
    return float(elevation(Observer(latitude=lat, longitude=lon), at, with_refraction=False))


def is_dark(at: datetime, sky: Sky = BEFORE_AREAS) -> bool:
    """Dark from sunset to sunrise."""
    return light_at(at, sky=sky)[0]


def time_of_day(at: datetime, sun: float | None = None, sky: Sky = BEFORE_AREAS) -> str:
    """dag, skymning, kvall or natt, as walkers use the words: skymning follows the light (the sun
    between sunset and civil dusk, or dawn), the others the clock in the area's local time."""
    local = at.astimezone(sky.zone)
    sun = sun_elevation(at, sky) if sun is None else sun
    if CIVIL_DUSK <= sun < SUNSET:
        return "skymning"
    if 6 <= local.hour < 18:
        return "dag"
    if 18 <= local.hour < 22:
        return "kvall"
    return "natt"


def light_at(at: datetime, said: str | None = None, sky: Sky = BEFORE_AREAS) -> tuple[bool, str]:
    """(dark?, time of day) at the moment of an observation; the walker's own word for the
    time of day, when given, wins over the clock's."""
    sun = sun_elevation(at, sky)
    return sun < SUNSET, said or time_of_day(at, sun, sky)


def sun_times(day: date, sky: Sky = BEFORE_AREAS) -> tuple[datetime, datetime] | None:
    """(sunrise, sunset) of a local day at the area, in its local time: between them it is light.
    None when the sun does not cross the horizon that day (polar night or midnight sun north of
    the Arctic Circle: ``light_all_day`` tells which)."""
    from astral.sun import sunrise, sunset

    try:
        return (sunrise(sky.observer, day, tzinfo=sky.zone), sunset(sky.observer, day, tzinfo=sky.zone))
    except ValueError:
        return None


def light_all_day(day: date, sky: Sky = BEFORE_AREAS) -> bool:
    """Whether the sun is up at local noon: on a day without sunrise or sunset, light all day or dark."""
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=sky.zone)
    return not is_dark(noon, sky)
