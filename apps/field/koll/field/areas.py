"""The areas a reporter may report in, and each one's organisations, places, categories and
boundary. No Kivy here.

The server lists the areas its user may report in (``GET /api/v1/areas``); the phone keeps that
list (``areas/index.json`` in its data folder) and, for each area loaded, its definition as
``GET /api/v1/taxonomy?area=CODE`` answers it (``areas/CODE.json``: places, organisations,
categories in use, boundary), so the app works offline with the last definition it loaded. A
file in the shape of ``GET /api/v1/areas/{code}`` is read too. Before the server knows any
area (a ledger from before areas), the one built into ``koll.schema.taxonomy`` is used and
reports name no area (the server places them by their point).

The area in use is one per app: ``use(area)`` makes its places, organisations and local
categories known to the schema's look-ups and validators (as the server does for its areas),
and ``nearest_place`` looks among its places.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from koll.schema import taxonomy

Ring = tuple[tuple[float, float], ...]  # (lat, lon) points


def _polygon_rings(geometry: dict[str, Any]) -> tuple[Ring, ...]:
    polygons = ([geometry.get("coordinates") or []] if geometry.get("type") == "Polygon"
                else geometry.get("coordinates") or [])
    return tuple(tuple((float(lat), float(lon)) for lon, lat, *_ in poly[0]) for poly in polygons if poly)


def _centre(geometry: dict[str, Any]) -> tuple[float, float] | None:
    if geometry.get("type") == "Point":
        lon, lat = geometry["coordinates"][:2]
        return float(lat), float(lon)
    rings = _polygon_rings(geometry)
    if rings and rings[0]:
        pts = rings[0][:-1] if rings[0][0] == rings[0][-1] and len(rings[0]) > 1 else rings[0]
        return sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    return None


@dataclass(frozen=True)
class Area:
    code: str
    sv: str
    en: str
    organisations: tuple[Any, ...]
    places: tuple[taxonomy.Place, ...]
    boundary: tuple[Ring, ...] = field(default=())  # outer rings; none for the built-in area
    categories: tuple[taxonomy.Category, ...] | None = None  # those in use; None: the national catalogue
    time_zone: str = "Europe/Stockholm"
    from_server: bool = False  # reports name it (`area`); the built-in one is placed by its point

    @classmethod
    def from_definition(cls, d: dict[str, Any]) -> "Area":
        """``GET /api/v1/areas/{code}`` (``koll area export``) or ``GET /api/v1/taxonomy?area=CODE``."""
        if "area" in d and isinstance(d["area"], dict):
            return cls._from_taxonomy(d)
        name = d.get("name") or {}
        places = []
        for p in d.get("places") or []:
            at = _centre(p.get("geometry") or {})
            if at is not None:
                places.append(taxonomy.Place(p["code"], p["sv"], p.get("en") or p["sv"], at[0], at[1],
                                             float(p.get("radius_m") or 20.0)))
        return cls(d["code"], name.get("sv") or d["code"], name.get("en") or name.get("sv") or d["code"],
                   _organisations(d), tuple(places) or tuple(taxonomy.PLACES),
                   _polygon_rings(d.get("boundary") or {}), _categories(d.get("categories")),
                   d.get("time_zone") or "Europe/Stockholm", True)

    @classmethod
    def _from_taxonomy(cls, d: dict[str, Any]) -> "Area":
        a = d["area"]
        name = a.get("name") or {}
        places = tuple(taxonomy.Place(p["code"], p["sv"], p.get("en") or p["sv"], float(p["lat"]), float(p["lon"]),
                                      float(p.get("radius_m") or 20.0)) for p in d.get("places") or [])
        return cls(a["code"], name.get("sv") or a["code"], name.get("en") or name.get("sv") or a["code"],
                   _organisations(d), places or tuple(taxonomy.PLACES), _polygon_rings(a.get("boundary") or {}),
                   _categories(d.get("categories")), a.get("time_zone") or "Europe/Stockholm", True)

    # what the screens ask

    def name(self, lang: str = "sv") -> str:
        return self.en if lang == "en" else self.sv

    def groups(self) -> list[taxonomy.Group]:
        """The category groups with at least one category in use here."""
        used = {c.group for c in self.categories} if self.categories is not None else None
        return [g for g in taxonomy.GROUPS if used is None or g.code in used]

    def categories_in(self, group: str) -> list[taxonomy.Category]:
        if self.categories is None:
            return list(taxonomy.categories_in(group))
        return [c for c in self.categories if c.group == group]

    def positive(self) -> list[taxonomy.Category]:
        cats = self.categories if self.categories is not None else taxonomy.CATEGORIES
        return [c for c in cats if c.positive]

    def nearest_place(self, lat: float, lon: float) -> taxonomy.Place | None:
        """The nearest of the area's places whose radius holds the point (as the taxonomy does)."""
        k = math.cos(math.radians(lat))
        best: tuple[float, taxonomy.Place] | None = None
        for p in self.places:
            d = 111_195.0 * math.hypot(p.lat - lat, (p.lon - lon) * k)
            if d <= p.radius_m and (best is None or d < best[0]):
                best = (d, p)
        return best[1] if best else None

    @property
    def centre(self) -> tuple[float, float]:
        if self.boundary and self.boundary[0]:
            ring = self.boundary[0]
            return (min(p[0] for p in ring) + max(p[0] for p in ring)) / 2, \
                (min(p[1] for p in ring) + max(p[1] for p in ring)) / 2
        p = self.places[0]
        return p.lat, p.lon


def _organisations(d: dict[str, Any]) -> tuple[Any, ...]:
    return tuple(taxonomy.Organisation(o["code"], o["sv"], o.get("en") or o["sv"], o.get("sector") or "public")
                 for o in d.get("organisations") or [] if o.get("sv")) or tuple(taxonomy.ORGANISATIONS)


def _categories(items: list[dict[str, Any]] | None) -> tuple[taxonomy.Category, ...] | None:
    """The categories in use: national ones by their code, local ones as the area defines them."""
    if not items:
        return None
    out = []
    for c in items:
        national = taxonomy.CATEGORY_BY_CODE.get(c["code"]) if not c.get("local") else None
        if national is not None:
            out.append(national)
        elif c.get("group") and c.get("sv"):
            out.append(taxonomy.Category(c["code"], c["group"], c["sv"], c.get("en") or c["sv"],
                                         c.get("visibility") or "public", c.get("photo") or "optional",
                                         c.get("owner") or "", positive=bool(c.get("positive")),
                                         urgent_hint=bool(c.get("urgent_hint"))))
    return tuple(out) or None


BUILT_IN = Area("hasselby-torg", "Hässelby torg", "Hässelby torg", tuple(taxonomy.ORGANISATIONS),
                tuple(taxonomy.PLACES))

_in_use: Area = BUILT_IN


def use(area: Area) -> None:
    """The area reported in from now on: its terms known to the look-ups and the validators."""
    global _in_use
    taxonomy.register_area_terms(area.places, [o for o in area.organisations if hasattr(o, "sector")],
                                 area.categories or ())
    _in_use = area


def in_use() -> Area:
    return _in_use


def nearest_place(lat: float, lon: float) -> taxonomy.Place | None:
    return _in_use.nearest_place(lat, lon)


class BuiltInArea:
    """The one area the app ships with."""

    def available(self) -> list[Area]:
        return [BUILT_IN]

    def current(self) -> Area:
        return self.available()[0]


class KeptAreas(BuiltInArea):
    """The areas the server lists for the user, with the definitions kept in the data folder; the
    built-in one while there are none. ``chosen`` is the code the user chose (settings)."""

    def __init__(self, data_dir: str | Path, chosen: str = ""):
        self.dir = Path(data_dir) / "areas"
        self.chosen = chosen

    # the server's list

    def listed(self) -> list[dict[str, Any]] | None:
        """The areas the server last listed for this user ({code, name}), None before it did."""
        try:
            return json.loads((self.dir / "index.json").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return None

    def keep_list(self, areas: list[dict[str, Any]]) -> None:
        self._write("index.json", [{"code": a["code"], "name": a.get("name") or {}} for a in areas])

    def keep_definition(self, code: str, definition: dict[str, Any]) -> Area:
        area = Area.from_definition(definition)  # refuses what it cannot read before it is kept
        self._write(f"{code}.json", definition)
        return area

    def forget(self) -> None:
        """Another person signs in: their areas are listed anew (kept definitions may serve them)."""
        (self.dir / "index.json").unlink(missing_ok=True)

    def _write(self, name: str, data: Any) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        tmp = self.dir / f".{name}.tmp"
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.dir / name)

    # what the screens read

    def kept(self, code: str) -> Area | None:
        try:
            return Area.from_definition(json.loads((self.dir / f"{code}.json").read_text(encoding="utf-8")))
        except (FileNotFoundError, ValueError, KeyError, TypeError):
            return None  # never loaded, or a damaged file: no area, not a crash

    def available(self) -> list[Area]:
        listed = self.listed()
        if listed:  # none listed: a server from before areas; what was kept still serves
            found = [a for a in (self.kept(x["code"]) for x in listed) if a is not None]
        else:
            found = [a for a in (self.kept(p.stem) for p in sorted(self.dir.glob("*.json"))
                                 if p.stem != "index") if a is not None] if self.dir.is_dir() else []
        return found or super().available()

    def current(self) -> Area:
        found = self.available()
        return next((a for a in found if a.code == self.chosen), found[0])

    def must_choose(self) -> bool:
        """More than one area listed for the user and none of them chosen yet."""
        listed = self.listed() or []
        return len(listed) > 1 and self.chosen not in {a["code"] for a in listed}
