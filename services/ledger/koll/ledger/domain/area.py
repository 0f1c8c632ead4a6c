"""Area (område): a square or district the service serves, recorded as data, not code.

An area names itself (code, Swedish and English name), draws its boundary (a GeoJSON Polygon or
MultiPolygon in WGS 84, longitude first), and lists what the people there work with: the
places, the organisations taking part, the categories in use, focus areas and palette labels.
Every change is an event, so a board as of any past day can use the area as it stood then.
"""

from __future__ import annotations

import math
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, DomainError, KollAggregate

_AREA_NS = uuid5(NAMESPACE_URL, "https://koll.example/area")

# The parts of a definition, each changed by its own command (and event) so a history says
# what changed: the places, the organisations, the categories, or the rest ("revise").
SECTIONS = ("places", "organisations", "categories")
REVISABLE = ("name", "boundary", "time_zone", "focus_areas", "palette")


def area_id_for(code: str) -> UUID:
    """One aggregate per code: importing a definition twice meets the first."""
    return uuid5(_AREA_NS, code.strip().lower())


class Area(KollAggregate):
    @event("Defined")
    def __init__(self, *, id: UUID, code: str, definition: dict[str, Any], by: dict[str, str]) -> None:  # noqa: A002
        self.code = code
        self.area = code  # what an area's own history belongs to, like any record of it
        self.definition = definition
        self.adopted: list[dict[str, Any]] = []

    def revise(self, by: Actor, changes: dict[str, Any]) -> dict[str, Any]:
        """Records only what really changes; answers what did."""
        changed = {k: v for k, v in changes.items() if k in REVISABLE and self.definition.get(k) != v}
        if changed:
            self._revised(by=by.as_dict(), changes=changed)
        return changed

    def set_section(self, by: Actor, section: str, items: list[dict[str, Any]]) -> bool:
        """Replaces the places, organisations or categories; False when nothing changes."""
        if section not in SECTIONS:
            raise DomainError(f"an area has no section '{section}'", sv=f"ett område har ingen del '{section}'",
                              field="section")
        if self.definition.get(section) == items:
            return False
        {"places": self._places_set, "organisations": self._organisations_set,
         "categories": self._categories_set}[section](by=by.as_dict(), items=items)
        return True

    def adopt_ledger(self, by: Actor, *, first: int, last: int) -> None:
        """The migration: what was recorded at positions first..last, before areas existed, is this area's."""
        if last < first:
            raise DomainError("nothing to adopt", sv="det finns inget att föra över", field="positions")
        self._ledger_adopted(by=by.as_dict(), area=self.code, first=first, last=last)

    @event("Revised")
    def _revised(self, by: dict, changes: dict[str, Any]) -> None:
        self.definition = {**self.definition, **changes}

    @event("PlacesSet")
    def _places_set(self, by: dict, items: list[dict[str, Any]]) -> None:
        self.definition = {**self.definition, "places": items}

    @event("OrganisationsSet")
    def _organisations_set(self, by: dict, items: list[dict[str, Any]]) -> None:
        self.definition = {**self.definition, "organisations": items}

    @event("CategoriesSet")
    def _categories_set(self, by: dict, items: list[dict[str, Any]]) -> None:
        self.definition = {**self.definition, "categories": items}

    @event("LedgerAdopted")
    def _ledger_adopted(self, by: dict, area: str, first: int, last: int) -> None:
        self.adopted = [*getattr(self, "adopted", []), {"first": first, "last": last}]


def section_event(section: str) -> type:
    return {"places": Area.PlacesSet, "organisations": Area.OrganisationsSet,
            "categories": Area.CategoriesSet}[section]


# --- Geometry: exact, small, no library ---------------------------------------------------
# Boundaries are drawn by people around a square: a few dozen vertices. Ray casting on
# longitude/latitude is exact for the question asked (which side of the drawn edges is the
# point on), and costs microseconds, so no GEOS is needed on the server or the phone.


def _in_ring(lon: float, lat: float, ring: list[list[float]]) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i][0], ring[i][1]
        xj, yj = ring[j][0], ring[j][1]
        if (yi > lat) != (yj > lat) and lon < (xj - xi) * (lat - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _in_polygon(lon: float, lat: float, rings: list[list[list[float]]]) -> bool:
    """Inside the outer ring and in none of its holes."""
    return bool(rings) and _in_ring(lon, lat, rings[0]) and not any(_in_ring(lon, lat, h) for h in rings[1:])


def contains(geometry: dict[str, Any], lat: float, lon: float) -> bool:
    """Whether a GeoJSON Polygon or MultiPolygon contains the point."""
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        return _in_polygon(lon, lat, coords)
    if kind == "MultiPolygon":
        return any(_in_polygon(lon, lat, p) for p in coords)
    return False


def bbox(geometry: dict[str, Any]) -> tuple[float, float, float, float]:
    """(min_lon, min_lat, max_lon, max_lat) of a Polygon or MultiPolygon: a cheap first test."""
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    points = [pt for poly in polygons for pt in poly[0]]
    return (min(p[0] for p in points), min(p[1] for p in points),
            max(p[0] for p in points), max(p[1] for p in points))


_M_PER_DEGREE = 6_371_008.8 * math.pi / 180


def place_at(places: list[dict[str, Any]], lat: float, lon: float) -> str | None:
    """The area's place a point is at: the nearest point place whose radius holds it (places
    overlap: at the restaurant's door it is the restaurant, not the square), else a polygon
    place that contains it."""
    k = math.cos(math.radians(lat))
    best: tuple[float, str] | None = None
    for p in places:
        g = p["geometry"]
        if g["type"] == "Point":
            plon, plat = g["coordinates"][0], g["coordinates"][1]
            d = _M_PER_DEGREE * math.hypot(plat - lat, (plon - lon) * k)
            if d <= float(p.get("radius_m") or 0) and (best is None or d < best[0]):
                best = (d, p["code"])
    if best:
        return best[1]
    for p in places:
        if p["geometry"]["type"] in ("Polygon", "MultiPolygon") and contains(p["geometry"], lat, lon):
            return p["code"]
    return None


def centre(geometry: dict[str, Any]) -> tuple[float, float]:
    """(lat, lon) of a geometry's box centre: where a map of the area opens."""
    if geometry["type"] == "Point":
        return geometry["coordinates"][1], geometry["coordinates"][0]
    min_lon, min_lat, max_lon, max_lat = bbox(geometry)
    return (min_lat + max_lat) / 2, (min_lon + max_lon) / 2


def centroid(geometry: dict[str, Any]) -> tuple[float, float]:
    """(lat, lon) of a boundary's centroid (of its largest polygon's outer ring): where the area's
    sun is read. Planar on longitude/latitude, which across a district is exact enough."""
    if geometry["type"] == "Point":
        return geometry["coordinates"][1], geometry["coordinates"][0]
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    best: tuple[float, float, float] | None = None
    for poly in polygons:
        ring = poly[0]
        a = cx = cy = 0.0
        for (x0, y0, *_), (x1, y1, *_) in zip(ring, ring[1:]):
            cross = x0 * y1 - x1 * y0
            a += cross
            cx += (x0 + x1) * cross
            cy += (y0 + y1) * cross
        if a and (best is None or abs(a) > abs(best[0])):
            best = (a, cy / (3 * a), cx / (3 * a))
    if best is None:
        return centre(geometry)
    return best[1], best[2]


class OutsideAreas(DomainError):
    """A point inside no area the caller may report in."""

    code = "outside_areas"
