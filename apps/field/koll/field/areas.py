"""The areas a reporter may report in, and each one's organisations, places and boundary.

The phone ships one area, built into ``koll.schema.taxonomy`` (Hässelby torg). An area
definition the app has kept (``areas/CODE.json`` in its data folder, the shape of the server's
``GET /api/v1/areas/{code}``) is used instead: its boundary and places are drawn on the map.
The server is growing its list of areas (``GET /api/v1/areas``, those the caller may see); when
the app fetches and keeps those files, ``KeptAreas`` already reads them, and the screens, which
only ask ``FieldController.areas``, need no change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from koll.schema import taxonomy

Ring = tuple[tuple[float, float], ...]  # (lat, lon) points


@dataclass(frozen=True)
class Area:
    code: str
    sv: str
    en: str
    organisations: tuple[Any, ...]
    places: tuple[taxonomy.Place, ...]
    boundary: tuple[Ring, ...] = field(default=())  # outer rings; none for the built-in area

    @classmethod
    def from_definition(cls, d: dict[str, Any]) -> "Area":
        name = d.get("name") or {}
        geometry = d.get("boundary") or {}
        polygons = ([geometry.get("coordinates") or []] if geometry.get("type") == "Polygon"
                    else geometry.get("coordinates") or [])
        rings = tuple(tuple((float(lat), float(lon)) for lon, lat, *_ in poly[0]) for poly in polygons if poly)
        places = []
        for p in d.get("places") or []:
            g = p.get("geometry") or {}
            if g.get("type") == "Point":
                lon, lat = g["coordinates"][:2]
                places.append(taxonomy.Place(p["code"], p["sv"], p.get("en") or p["sv"], float(lat), float(lon),
                                             float(p.get("radius_m") or 20.0)))
        orgs = tuple(taxonomy.Organisation(o["code"], o["sv"], o.get("en") or o["sv"], o.get("sector") or "public")
                     for o in d.get("organisations") or []) or tuple(taxonomy.ORGANISATIONS)
        return cls(d["code"], name.get("sv") or d["code"], name.get("en") or name.get("sv") or d["code"], orgs,
                   tuple(places) or tuple(taxonomy.PLACES), rings)


class BuiltInArea:
    """The one area the app ships with."""

    def available(self) -> list[Area]:
        return [Area("hasselby-torg", "Hässelby torg", "Hässelby torg", tuple(taxonomy.ORGANISATIONS),
                     tuple(taxonomy.PLACES))]

    def current(self) -> Area:
        return self.available()[0]


class KeptAreas(BuiltInArea):
    """Area definitions kept in the data folder (``areas/*.json``), else the built-in one."""

    def __init__(self, data_dir: str | Path):
        self.dir = Path(data_dir) / "areas"

    def available(self) -> list[Area]:
        kept = []
        for path in sorted(self.dir.glob("*.json")) if self.dir.is_dir() else ():
            try:
                kept.append(Area.from_definition(json.loads(path.read_text(encoding="utf-8"))))
            except (ValueError, KeyError, TypeError):
                continue  # a damaged file is no area, not a crash
        return kept or super().available()
