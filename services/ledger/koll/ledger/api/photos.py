"""Photos of observations: uploaded as multipart, cleaned and stored by sha256, shown to those
who may see the observation."""

from __future__ import annotations

from uuid import UUID

import sqlalchemy as sa
from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from koll.ledger.api.auth import DECIDE, FILE, READ, requires
from koll.ledger.api.common import actor, koll, ledger, reading
from koll.ledger.api.openapi import upload
from koll.ledger.api.errors import Problem
from koll.ledger.application import refuse_photo
from koll.ledger.photos import MAX_BYTES, PhotoRefused, PhotoStore, is_sha256, media_type_of, open_photo_store
from koll.ledger.projections.situation import observations
from koll.ledger.policy import Policy
from koll.schema import taxonomy
from koll.schema.messages import msg

blp = Blueprint("photos", __name__, url_prefix="/api/v1", description="Photos (foton)")


class PhotoUploadSchema(Schema):
    file = fields.Raw(metadata={"type": "string", "format": "binary"}, required=True)


class PhotoSchema(Schema):
    sha256 = fields.String()


def photo_store() -> PhotoStore:
    settings = koll().settings
    return open_photo_store(settings.blob_store, settings.blob_dir, koll().store.engine)


@blp.route("/observations/<uuid:observation_id>/photos", methods=["POST"])
@requires(*FILE)
@upload("the photo (JPEG, PNG or WebP)")
@blp.arguments(PhotoUploadSchema, location="files")
@blp.response(201, PhotoSchema)
@blp.alt_response(200, schema=PhotoSchema, description="Already attached: the same answer as the first time")
def attach(_files: dict, observation_id: UUID):  # type: ignore[no-untyped-def]
    """A JPEG, PNG or WebP of at most 10 MB, told apart by its bytes; EXIF and GPS are removed."""
    who = actor()
    observation = ledger().observation(observation_id)  # 404 when there is none
    o = observations
    with reading() as conn:  # held as its case is now, which a recategorisation may have tightened
        seen = conn.execute(sa.select(o.c.observation_id).where(
            o.c.observation_id == str(observation_id), Policy(who).clause(o, "reporter"))).first()
    if seen is None:
        raise Problem(404, f"no observation with id {observation_id}")
    if observation.by["user"] != who.user and who.role not in DECIDE:
        raise Problem(403, "only the reporter and operational staff may add photos to a report",
                      type_="/problems/not_allowed")
    if taxonomy.category(observation.category).photo == "blocked":  # before reading a byte of it
        raise Problem(422, "photos are not allowed for this category", type_="/problems/photo_blocked",
                      errors={"file": [msg("photo_blocked")]})
    refuse_photo(observation)  # an erased report: its photos are not stored again by a phone's retry
    upload = request.files["file"]
    data = upload.stream.read(MAX_BYTES + 1)
    try:
        stored = photo_store().put(data)
    except PhotoRefused as e:
        if e.reason == "too_large":
            why = msg("photo_too_many_pixels", max_mp=e.limit // 1_000_000) if e.limit else msg(
                "photo_too_large", max_mb=MAX_BYTES // (1024 * 1024))
            raise Problem(413, str(e), type_="/problems/photo_too_large", errors={"file": [why]}) from None
        raise Problem(415, str(e), type_="/problems/photo_type", errors={"file": [msg("photo_type")]}) from None
    created = ledger().attach_photo(who, observation_id, stored.sha256, stored.media_type)
    return {"sha256": stored.sha256}, (201 if created else 200)


@blp.route("/photos/<string:sha256>")
@requires(*READ)
def photo(sha256: str):  # type: ignore[no-untyped-def]
    return _serve(sha256, thumb=False)


@blp.route("/photos/<string:sha256>/thumb")
@requires(*READ)
def thumbnail(sha256: str):  # type: ignore[no-untyped-def]
    return _serve(sha256, thumb=True)


def _serve(sha256: str, thumb: bool) -> Response:
    sha256 = sha256.lower()
    if not is_sha256(sha256) or not _may_see(sha256):
        raise Problem(404, "no such photo")
    data = photo_store().read(sha256, thumb)
    if data is None:  # erased, or never stored
        raise Problem(404, "no such photo")
    resp = Response(data, mimetype=media_type_of(data) or "application/octet-stream")
    resp.headers["Cache-Control"] = "private, max-age=31536000, immutable"  # the name is the content
    resp.headers["ETag"] = f'"{sha256}{"-thumb" if thumb else ""}"'
    resp.headers["X-Content-Type-Options"] = "nosniff"
    return resp


def _may_see(sha256: str) -> bool:
    """A photo is seen by whoever may see an observation it is attached to."""
    o = observations
    with reading() as conn:
        return conn.execute(sa.select(o.c.observation_id).where(
            o.c.photos.contains(sha256), Policy(actor()).clause(o, "reporter")).limit(1)).first() is not None
