"""A small MBTiles file made in the test: a few tiles around the square at zooms 16–18, each a
coloured square with streets drawn across, so a screenshot shows the tiles as they join."""

from __future__ import annotations

import io
import sqlite3
from pathlib import Path

from koll.field.tiles import world_px


def make_mbtiles(path: Path, lat: float, lon: float, zooms=(16, 17, 18), radius: int = 3,
                 name: str = "Hässelby torg (test)") -> Path:
    from PIL import Image, ImageDraw

    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path)
    db.executescript("CREATE TABLE metadata (name TEXT, value TEXT);"
                     "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB);")
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [
        ("name", name), ("format", "png"), ("minzoom", str(min(zooms))),
        ("maxzoom", str(max(zooms))), ("center", f"{lon},{lat},17")])
    for z in zooms:
        cx, cy = (int(v // 256) for v in world_px(lat, lon, z))
        for x in range(cx - radius, cx + radius + 1):
            for y in range(cy - radius, cy + radius + 1):
                im = Image.new("RGB", (256, 256), (228 - 6 * (x % 3), 224, 210 + 8 * (y % 2)))
                draw = ImageDraw.Draw(im)
                draw.line([(0, 128), (256, 128)], fill=(255, 255, 255), width=14)  # a street
                draw.line([(96, 0), (96, 256)], fill=(255, 255, 255), width=10)
                draw.rectangle([150, 20, 230, 100], fill=(200, 190, 180), outline=(150, 140, 130))  # a house
                buf = io.BytesIO()
                im.save(buf, "PNG")
                db.execute("INSERT INTO tiles VALUES (?, ?, ?, ?)", (z, x, (2 ** z - 1) - y, buf.getvalue()))
    db.commit()
    db.close()
    return path
