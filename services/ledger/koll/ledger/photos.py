"""Photos from the square: checked by their bytes, re-encoded so nothing but the pixels survives,
and kept by the sha256 of what is stored: as files in a folder, or as rows in the database
that every instance of a deployment shares (KOLL_BLOB_STORE).

A phone's JPEG carries EXIF: the camera, the time and often the exact GPS position of the
person holding it. Copying the pixels into a fresh image and encoding that anew leaves every
such block behind. Photos are immutable and content-addressed: the same photo twice is kept once.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import warnings
import weakref
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
import sqlalchemy.dialects.sqlite  # noqa: F401 - the idempotent inserts
from PIL import Image, ImageOps

MAX_BYTES = 10 * 1024 * 1024
# Decoding costs its pixels, not its bytes: a 0.14 MB PNG of 7000×7000 is 147 MB of RGB. The
# header says the size before a pixel is decoded, so what would cost too much is refused there.
MAX_PIXELS = 50_000_000  # a JPEG: decoded at 1/2 … 1/8 of its size (Image.draft), never whole
MAX_DECODED_PIXELS = 16_000_000  # PNG and WebP are decoded whole: 64 MB at most, in RGBA
MAX_SIDE = 2560  # plenty to see a broken lamp; a phone's 48 MP original is not needed
THUMB_SIDE = 320

# Pillow's format name -> (the media type served, how it is re-encoded)
FORMATS: dict[str, tuple[str, dict]] = {
    "JPEG": ("image/jpeg", {"format": "JPEG", "quality": 85, "optimize": True}),
    "PNG": ("image/png", {"format": "PNG", "optimize": True}),
    "WEBP": ("image/webp", {"format": "WEBP", "quality": 85, "method": 4}),
}


class PhotoRefused(Exception):
    """A photo the store will not take; ``reason`` is 'too_large' (bytes, or pixels when ``limit``
    is set) or 'type'."""

    def __init__(self, reason: str, message: str, limit: int = 0) -> None:
        super().__init__(message)
        self.reason = reason
        self.limit = limit  # the pixels allowed, when there were too many


@dataclass(frozen=True)
class StoredPhoto:
    sha256: str
    media_type: str
    width: int
    height: int


def is_sha256(value: str) -> bool:
    return len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def media_type_of(data: bytes) -> str | None:
    """The media type of stored bytes, by their signature (files carry no extension)."""
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """The image in ``data`` and its format, or PhotoRefused: only what Pillow can fully
    decode as JPEG, PNG or WebP passes, whatever the file is called."""
    if len(data) > MAX_BYTES:
        raise PhotoRefused("too_large", f"the photo is {len(data)} bytes; at most {MAX_BYTES}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=list(FORMATS))
            fmt = img.format or ""
            limit = MAX_PIXELS if fmt == "JPEG" else MAX_DECODED_PIXELS
            if img.width * img.height > limit:
                raise PhotoRefused("too_large", f"the photo has {img.width}×{img.height} pixels; "
                                                      f"at most {limit // 1_000_000} million", limit)
            if fmt == "JPEG":
                img.draft(None, (MAX_SIDE, MAX_SIDE))  # the decoder scales down as it reads
            img.load()
    except PhotoRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRefused("too_large", "the photo has too many pixels", MAX_PIXELS) from None
    except Exception:  # noqa: BLE001 - Pillow raises many kinds for bad bytes; all mean "not a photo"
        raise PhotoRefused("type", "not a JPEG, PNG or WebP image") from None
    return img, fmt


def _pixels_only(img: Image.Image, fmt: str) -> Image.Image:
    """A new image holding only the pixels: upright as the camera meant, nothing else kept."""
    keep_alpha = fmt != "JPEG" and (img.mode in ("RGBA", "LA") or "transparency" in img.info)
    mode = "RGBA" if keep_alpha else "RGB"
    if img.mode != mode:  # convert copies the pixels: only when it must (it keeps the EXIF)
        img = img.convert(mode)
    img.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)  # smaller first, then turned
    ImageOps.exif_transpose(img, in_place=True)  # the orientation tag goes, so turn the pixels instead
    return Image.frombytes(img.mode, img.size, img.tobytes())


def _encode(img: Image.Image, fmt: str) -> bytes:
    out = io.BytesIO()
    img.save(out, **FORMATS[fmt][1])
    return out.getvalue()


def _thumbnail(img: Image.Image) -> bytes:
    thumb = img.copy()
    thumb.thumbnail((THUMB_SIDE, THUMB_SIDE), Image.Resampling.LANCZOS)
    if thumb.mode == "RGBA":  # thumbnails are JPEG: lay transparency on white
        flat = Image.new("RGB", thumb.size, (255, 255, 255))
        flat.paste(thumb, mask=thumb.getchannel("A"))
        thumb = flat
    return _encode(thumb, "JPEG")


class PhotoStore:
    """Where photos are kept, by the sha256 of their stored bytes, each with its thumbnail.

    Two homes: a folder (the embedded default: beside the SQLite file) and the database (every
    instance of a deployment reaches the same photos through its one PostgreSQL). Both are
    content-addressed, so a write that is repeated, or raced by another instance, is a no-op.
    """

    def put(self, data: bytes) -> StoredPhoto:
        """Checks, cleans and stores a photo; the same photo again finds the same bytes."""
        img, fmt = _decode(data)
        clean = _pixels_only(img, fmt)
        encoded = _encode(clean, fmt)
        sha = hashlib.sha256(encoded).hexdigest()
        self._keep(sha, encoded, _thumbnail(clean))
        return StoredPhoto(sha, FORMATS[fmt][0], clean.width, clean.height)

    def read(self, sha256: str, thumb: bool = False) -> bytes | None:
        raise NotImplementedError

    def delete(self, sha256: str) -> bool:
        """Removes a photo and its thumbnail (erasure); True when there was something to remove."""
        raise NotImplementedError

    def _keep(self, sha256: str, photo: bytes, thumb: bytes) -> None:
        raise NotImplementedError


def open_photo_store(kind: str, blob_dir: Path | str, engine: sa.Engine | None = None) -> PhotoStore:
    """The store a deployment is configured with (KOLL_BLOB_STORE): 'folder' or 'database'."""
    if kind == "database":
        if engine is None:
            raise ValueError("the database photo store needs the ledger's engine")
        return DatabasePhotoStore(engine)
    return FolderPhotoStore(blob_dir)


class FolderPhotoStore(PhotoStore):
    """Files under ``root``: ``ab/abcdef…`` for the photo, ``thumbs/ab/abcdef…`` for its thumbnail."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, sha256: str, thumb: bool = False) -> Path:
        if not is_sha256(sha256):
            raise ValueError("not a sha256")  # never let a name walk out of the store
        base = self.root / "thumbs" if thumb else self.root
        return base / sha256[:2] / sha256

    def _keep(self, sha256: str, photo: bytes, thumb: bytes) -> None:
        self._write(self.path(sha256), photo)
        self._write(self.path(sha256, thumb=True), thumb)

    def read(self, sha256: str, thumb: bool = False) -> bytes | None:
        try:
            return self.path(sha256, thumb).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def delete(self, sha256: str) -> bool:
        removed = False
        for thumb in (False, True):
            try:
                self.path(sha256, thumb).unlink()
                removed = True
            except (FileNotFoundError, ValueError):
                pass
        return removed

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        if path.exists():
            return  # content-addressed: what is there is already these bytes
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)  # readers see the whole file or none
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


# Outside the ledger's metadata: photos are not events, and erasure deletes their rows.
_photo_metadata = sa.MetaData()
photos_table = sa.Table(
    "koll_photos",
    _photo_metadata,
    sa.Column("sha256", sa.String(64), primary_key=True),
    sa.Column("thumb", sa.Boolean, primary_key=True),
    sa.Column("data", sa.LargeBinary, nullable=False),
)
_ready: weakref.WeakSet[sa.Engine] = weakref.WeakSet()


class DatabasePhotoStore(PhotoStore):
    """Rows of ``koll_photos`` (sha256, thumb) → bytes, in the ledger's database."""

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        if engine not in _ready:
            _photo_metadata.create_all(engine, checkfirst=True)
            _ready.add(engine)

    def _keep(self, sha256: str, photo: bytes, thumb: bytes) -> None:
        insert = (sa.dialects.postgresql.insert if self.engine.dialect.name == "postgresql"
                  else sa.dialects.sqlite.insert)
        rows = [{"sha256": sha256, "thumb": False, "data": photo}, {"sha256": sha256, "thumb": True, "data": thumb}]
        with self.engine.begin() as conn:  # committed before the upload is acknowledged
            conn.execute(insert(photos_table).on_conflict_do_nothing(), rows)

    def read(self, sha256: str, thumb: bool = False) -> bytes | None:
        if not is_sha256(sha256):
            return None
        t = photos_table
        with self.engine.connect() as conn:
            data = conn.execute(sa.select(t.c.data).where(t.c.sha256 == sha256, t.c.thumb == thumb)).scalar()
        return None if data is None else bytes(data)

    def delete(self, sha256: str) -> bool:
        with self.engine.begin() as conn:
            return conn.execute(photos_table.delete().where(photos_table.c.sha256 == sha256)).rowcount > 0
