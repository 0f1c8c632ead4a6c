"""The area's base map, offline: an MBTiles file (SQLite, one PNG or JPEG a tile, the TMS row
order of the MBTiles 1.3 spec) kept in the app's data folder, and the Web Mercator arithmetic
to draw it. No Kivy here: the map widget (screens/pin.py) asks for tiles and pixels.
"""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

TILE = 256  # pixels a tile side


def world_px(lat: float, lon: float, zoom: float) -> tuple[float, float]:
    """Web Mercator: the point's pixel in the whole world at ``zoom`` (y grows southwards)."""
    n = TILE * 2 ** zoom
    x = (lon + 180.0) / 360.0 * n
    s = math.sin(math.radians(lat))
    y = (0.5 - math.log((1 + s) / (1 - s)) / (4 * math.pi)) * n
    return x, y


def latlon(x: float, y: float, zoom: float) -> tuple[float, float]:
    n = TILE * 2 ** zoom
    lon = x / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    return lat, lon


def metres_per_px(lat: float, zoom: float) -> float:
    return 156_543.033_92 * math.cos(math.radians(lat)) / 2 ** zoom


class MBTiles:
    """One MBTiles file, read-only."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        self.meta = dict(self.db.execute("SELECT name, value FROM metadata").fetchall())
        zooms = self.db.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        self.minzoom = int(self.meta.get("minzoom", zooms[0] or 0))
        self.maxzoom = int(self.meta.get("maxzoom", zooms[1] or 0))

    @property
    def centre(self) -> tuple[float, float] | None:
        """(lat, lon) from the metadata's ``center`` (lon,lat,zoom) or ``bounds``."""
        if "center" in self.meta:
            lon, lat, *_ = (float(v) for v in self.meta["center"].split(","))
            return lat, lon
        if "bounds" in self.meta:
            w, s, e, n = (float(v) for v in self.meta["bounds"].split(","))
            return (s + n) / 2, (w + e) / 2
        return None

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        """The tile at XYZ ``z/x/y`` (the file stores TMS rows, counted from the south)."""
        row = self.db.execute("SELECT tile_data FROM tiles WHERE zoom_level=? AND tile_column=? AND tile_row=?",
                              (z, x, (2 ** z - 1) - y)).fetchone()
        return bytes(row[0]) if row else None

    def close(self) -> None:
        self.db.close()


def open_tiles(data_dir: str | Path, area: str) -> MBTiles | None:
    """The area's base map the app keeps (``tiles/AREA.mbtiles``), or None: the plan of places."""
    path = Path(data_dir) / "tiles" / f"{area}.mbtiles"
    if not path.exists():
        return None
    try:
        return MBTiles(path)
    except sqlite3.Error:
        return None  # a broken download is no map, not a crash
