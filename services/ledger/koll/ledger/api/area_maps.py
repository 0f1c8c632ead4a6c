"""An area's base map for the phones: an MBTiles file (the district's own tiles) an admin places
for the area, served to those who work in it, with an ETag so a phone fetches it only when it
has changed.

The file is kept in the ledger's database (``koll_area_maps``), so every instance of a deployment
serves the one an admin placed through any of them, and a backup holds it; each instance keeps a
copy by sha256 in its var folder to send from. It is a file the district supplies, not a fact
about the square, so it is not an event.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import tempfile
import weakref
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from flask import Response, request, send_file
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from koll.ledger.api.auth import READ, requires
from koll.ledger.api.common import actor, koll, reading
from koll.ledger.api.errors import Problem
from koll.ledger.api.openapi import upload
from koll.ledger.queries.areas import area_definition
# Like the photos, outside the ledger's metadata (a file, not events); made on first use.
_maps_metadata = sa.MetaData()
area_maps = sa.Table(
    "koll_area_maps",
    _maps_metadata,
    sa.Column("area", sa.String(40), primary_key=True),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("bytes", sa.BigInteger, nullable=False),
    sa.Column("name", sa.Text),
    sa.Column("minzoom", sa.Integer),
    sa.Column("maxzoom", sa.Integer),
    sa.Column("placed_at", sa.DateTime, nullable=False),
    sa.Column("data", sa.LargeBinary, nullable=False),
)

blp = Blueprint("area_maps", __name__, url_prefix="/api/v1", description="Areas' base maps (MBTiles)")

MEDIA_TYPE = "application/vnd.sqlite3"  # MBTiles is an SQLite database (IANA: application/vnd.sqlite3)
MAX_BYTES = 64 * 1024 * 1024  # a district's tiles at street zooms are a few megabytes; kept in one row
_SQLITE_MAGIC = b"SQLite format 3\x00"
_CODE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


class MapUploadSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


class AreaMapSchema(Schema):
    area = fields.String()
    sha256 = fields.String(metadata={"description": "also the ETag of GET …/map.mbtiles"})
    bytes = fields.Integer()
    name = fields.String(allow_none=True, metadata={"description": "the file's own metadata name"})
    minzoom = fields.Integer(allow_none=True)
    maxzoom = fields.Integer(allow_none=True)


@blp.before_request
def _room_for_a_map() -> None:
    """A map is larger than the service's 16 MB for other bodies (Flask reads this per request)."""
    if request.endpoint == "area_maps.place_map":
        request.max_content_length = MAX_BYTES + 1024 * 1024  # the multipart framing around the file


def maps_dir() -> Path:
    """This instance's copies, named by content: a copy is never stale, only missing."""
    return Path(koll().settings.var_dir) / "area-maps"


def _seen_area(code: str) -> None:
    """404 for an area there is none of, or one the caller does not work in."""
    with reading() as conn:
        if not _CODE.match(code) or area_definition(conn, actor(), code) is None:
            raise Problem(404, f"no area '{code}'")


_ready: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


def _table() -> sa.Table:
    engine = koll().store.engine
    if engine not in _ready:
        _maps_metadata.create_all(engine, checkfirst=True)
        _ready.add(engine)
    return area_maps


def _copy(sha: str) -> Path:
    return maps_dir() / f"{sha}.mbtiles"


def _check_mbtiles(path: Path) -> dict:
    """The file's metadata, or 422 when it is no MBTiles (SQLite with metadata and tiles)."""
    def refuse(why_en: str, why_sv: str) -> Problem:
        return Problem(422, why_en, type_="/problems/invalid", errors={"file": [{"sv": why_sv, "en": why_en}]})

    with open(path, "rb") as f:
        if f.read(16) != _SQLITE_MAGIC:
            raise refuse("not an MBTiles file (an SQLite database)", "ingen MBTiles-fil (en SQLite-databas)")
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
            zooms = db.execute("SELECT MIN(zoom_level), MAX(zoom_level), COUNT(*) FROM tiles").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        raise refuse("an MBTiles file needs the tables metadata and tiles",
                      "en MBTiles-fil behöver tabellerna metadata och tiles") from None
    if not zooms[2]:
        raise refuse("the MBTiles file holds no tiles", "MBTiles-filen innehåller inga kartrutor")
    return {"name": meta.get("name"), "minzoom": zooms[0], "maxzoom": zooms[1]}


@blp.route("/areas/<string:code>/map", methods=["POST"])
@requires("admin")
@upload("the area's base map: an MBTiles file (SQLite, raster tiles)")
@blp.arguments(MapUploadSchema, location="files")
@blp.response(201, AreaMapSchema)
@blp.alt_response(200, schema=AreaMapSchema, description="The same file as before: nothing changed")
def place_map(_files: dict, code: str):  # type: ignore[no-untyped-def]
    """Places (or replaces) the area's base map; the phones fetch it when its ETag changes."""
    _seen_area(code)
    folder = maps_dir()
    folder.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    fd, tmp_name = tempfile.mkstemp(dir=folder, suffix=".part")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            stream = request.files["file"].stream
            while chunk := stream.read(1 << 20):
                size += len(chunk)
                if size > MAX_BYTES:
                    raise Problem(413, f"the map is larger than {MAX_BYTES // (1024 * 1024)} MB",
                                  errors={"file": [{"sv": f"kartan är större än {MAX_BYTES // (1024 * 1024)} MB",
                                                    "en": f"the map is larger than {MAX_BYTES // (1024 * 1024)} MB"}]})
                digest.update(chunk)
                out.write(chunk)
        info = _check_mbtiles(tmp)
        sha = digest.hexdigest()
        _table()
        with koll().store.write() as conn:
            same = conn.execute(sa.select(area_maps.c.sha256).where(area_maps.c.area == code)).scalar() == sha
            if not same:
                conn.execute(area_maps.delete().where(area_maps.c.area == code))
                conn.execute(area_maps.insert().values(area=code, sha256=sha, bytes=size, placed_at=_now(),
                                                       data=tmp.read_bytes(), **info))
        os.replace(tmp, _copy(sha))
    finally:
        tmp.unlink(missing_ok=True)
    return {"area": code, "sha256": sha, "bytes": size, **info}, (200 if same else 201)


@blp.route("/areas/<string:code>/map.mbtiles")
@requires(*READ)
@blp.alt_response(304, description="Unchanged since the ETag sent in If-None-Match")
@blp.doc(parameters=[{"in": "header", "name": "If-None-Match", "required": False, "schema": {"type": "string"},
                      "description": "the ETag of the copy the phone keeps"}],
         description="404 also when no map has been placed for the area yet.")
def area_map(code: str):  # type: ignore[no-untyped-def]
    """The area's base map as an MBTiles file, for those who work in the area."""
    _seen_area(code)
    _table()
    with reading() as conn:
        etag = conn.execute(sa.select(area_maps.c.sha256).where(area_maps.c.area == code)).scalar()
    if etag is None:
        raise Problem(404, f"no map placed for area '{code}'")
    if etag in request.if_none_match:
        resp = Response(status=304)
    else:
        resp = send_file(_local_copy(code, etag), mimetype=MEDIA_TYPE, as_attachment=True,
                         download_name=f"{code}.mbtiles", conditional=False, etag=False)
    resp.headers["ETag"] = f'"{etag}"'
    resp.headers["Cache-Control"] = "private, no-cache"  # ask again each time; 304 costs nothing
    return resp


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def _local_copy(code: str, sha: str) -> Path:
    """This instance's copy of the map, fetched from the database the first time it is asked for
    (placed through another instance, or before a restore)."""
    path = _copy(sha)
    if not path.exists():
        with reading() as conn:
            data = conn.execute(sa.select(area_maps.c.data).where(area_maps.c.area == code,
                                                                  area_maps.c.sha256 == sha)).scalar()
        if data is None:  # replaced in between: the phone asks again and gets the new one
            raise Problem(404, f"no map placed for area '{code}'")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".part")
        with os.fdopen(fd, "wb") as out:
            out.write(bytes(data))
        os.replace(tmp, path)
    return path
