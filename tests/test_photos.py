"""Photos over the API on SQLite and PostgreSQL: only real images, nothing hidden left in them,
stored once by their sha256, shown only to those who may see the observation."""

from __future__ import annotations

import hashlib
import io
import uuid

import pytest
from PIL import Image

from helpers import observation
from test_api import events_in
from koll.ledger.photos import MAX_BYTES, FolderPhotoStore, PhotoRefused

GPS_IFD = 0x8825
MAKE = 0x010F
ORIENTATION = 0x0112


def jpeg_with_gps(size=(640, 480), orientation: int | None = None) -> bytes:
    """A phone's photo: EXIF with the camera and the exact spot on the square it was taken."""
    img = Image.new("RGB", size, (180, 40, 40))
    for x in range(0, size[0] // 2):  # a left half of another colour, to see a rotation
        for y in range(size[1]):
            img.putpixel((x, y), (20, 20, 200))
    exif = Image.Exif()
    exif[MAKE] = "Telefon AB"
    if orientation:
        exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (59.0, 22.0, 0.84), 3: "E", 4: (17.0, 50.0, 38.76)})
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif, quality=90)
    return out.getvalue()


def png_bytes(size=(300, 200), mode="RGBA") -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, (10, 200, 10, 128) if mode == "RGBA" else (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def upload(client, observation_id: str, data: bytes, filename: str = "foto.jpg", content_type: str = "image/jpeg"):
    return client.session.post(f"{client.base}/api/v1/observations/{observation_id}/photos",
                               files={"file": (filename, data, content_type)},
                               headers={"Authorization": f"Bearer {client.token}"}, timeout=30)


def filed(service, **overrides) -> str:
    body = observation(**overrides)
    assert service.client("reporter").post("/api/v1/observations", body).status_code == 201
    return body["id"]


def test_the_exif_and_gps_of_a_photo_do_not_survive(service):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # the test photo does carry GPS
    phone = service.client("reporter")
    oid = filed(service)
    answer = upload(phone, oid, original)
    assert answer.status_code == 201, answer.text
    sha = answer.json()["sha256"]
    fetched = phone.get(f"/api/v1/photos/{sha}")
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "image/jpeg"
    assert hashlib.sha256(fetched.content).hexdigest() == sha
    img = Image.open(io.BytesIO(fetched.content))
    assert len(img.getexif()) == 0 and not img.getexif().get_ifd(GPS_IFD)
    assert "exif" not in img.info and b"Exif" not in fetched.content and b"Telefon AB" not in fetched.content
    assert img.size == (640, 480)
    thumb = Image.open(io.BytesIO(phone.get(f"/api/v1/photos/{sha}/thumb").content))
    assert max(thumb.size) == 320 and len(thumb.getexif()) == 0
    assert service.ledger.observation(uuid.UUID(oid)).photos == [sha]
    assert (service.koll.settings.blob_dir / sha[:2] / sha).read_bytes() == fetched.content


def test_an_upright_photo_stays_upright_when_the_orientation_tag_goes(service):
    oid = filed(service)
    sha = upload(service.client("reporter"), oid, jpeg_with_gps((640, 480), orientation=6)).json()["sha256"]
    img = Image.open(io.BytesIO(service.client("reporter").get(f"/api/v1/photos/{sha}").content))
    assert img.size == (480, 640)  # turned as the camera meant, since the tag that said so is gone


def test_the_same_photo_twice_is_one_event_and_one_file(service):
    phone = service.client("reporter")
    oid = filed(service)
    photo = jpeg_with_gps()
    first = upload(phone, oid, photo)
    before = events_in(service)
    again = upload(phone, oid, photo)
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == again.json()
    assert events_in(service) == before
    assert len(list(service.koll.settings.blob_dir.glob("??/*"))) == 1


def test_png_and_webp_are_taken_and_served_as_what_they_are(service):
    phone = service.client("reporter")
    oid = filed(service)
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (1, 2, 3)).save(out, "WEBP")
    for data, media in [(png_bytes(), "image/png"), (out.getvalue(), "image/webp")]:
        answer = upload(phone, oid, data, filename="bild.bin", content_type="application/octet-stream")
        assert answer.status_code == 201, answer.text
        assert phone.get(f"/api/v1/photos/{answer.json()['sha256']}").headers["Content-Type"] == media
    assert len(service.ledger.observation(uuid.UUID(oid)).photos) == 2


@pytest.mark.parametrize("data, status, problem", [
    (b"Det h\xc3\xa4r \xc3\xa4r ingen bild, bara text.\n" * 20, 415, "/problems/photo_type"),
    (b"\xff\xd8\xff\xe0" + b"\x00" * 2000, 415, "/problems/photo_type"),  # a JPEG's first bytes, then nothing
    (b"%PDF-1.4\n" + b"x" * 500, 415, "/problems/photo_type"),
    (b"\xff\xd8\xff" + b"\x00" * (MAX_BYTES + 10), 413, "/problems/photo_too_large"),
])
def test_what_is_not_a_photo_is_refused_clearly_and_changes_nothing(service, data, status, problem):
    phone = service.client("reporter")
    oid = filed(service)
    before = events_in(service)
    answer = upload(phone, oid, data, filename="foto.jpg", content_type="image/jpeg")  # the name lies
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["type"] == problem
    assert {"sv", "en"} == set(answer.json()["errors"]["file"][0])
    assert events_in(service) == before
    assert service.ledger.observation(uuid.UUID(oid)).photos == []
    assert not list(service.koll.settings.blob_dir.glob("**/*.*")) and not list(
        service.koll.settings.blob_dir.glob("??/*"))


def test_a_decompression_bomb_is_refused_as_too_large():
    out = io.BytesIO()
    Image.new("1", (12_000, 12_000)).save(out, "PNG")  # a few kB that unpack to 144 megapixels
    with pytest.raises(PhotoRefused) as refused:
        FolderPhotoStore("/nonexistent").put(out.getvalue())
    assert refused.value.reason == "too_large"


def test_a_category_that_blocks_photos_refuses_them_bilingually(service):
    oid = filed(service, category="SOC-04", attributes={})
    before = events_in(service)
    answer = upload(service.client("reporter"), oid, jpeg_with_gps())
    assert answer.status_code == 422
    assert answer.json()["type"] == "/problems/photo_blocked"
    assert answer.json()["errors"]["file"][0] == {"sv": "foton får inte bifogas för den här kategorin",
                                                   "en": "photos are not allowed for this category"}
    assert events_in(service) == before
    assert not service.koll.settings.blob_dir.exists() or not any(service.koll.settings.blob_dir.iterdir())


def test_unknown_observation_missing_file_and_roles(service):
    phone = service.client("reporter")
    assert upload(phone, str(uuid.uuid4()), jpeg_with_gps()).status_code == 404
    oid = filed(service)
    missing = phone.session.post(f"{phone.base}/api/v1/observations/{oid}/photos", data={"x": "1"},
                                 headers={"Authorization": f"Bearer {phone.token}"})
    assert missing.status_code == 422 and "file" in missing.json()["errors"]
    assert upload(service.client("auditor"), oid, jpeg_with_gps()).status_code == 403
    assert upload(service.client(None), oid, jpeg_with_gps()).status_code == 401


def test_a_photo_is_seen_by_those_who_may_see_its_observation(service):
    # SOC-03 blocks photos, so take an internal category that allows them: REN-04 (syringes).
    oid = filed(service, category="REN-04", attributes={})
    sha = upload(service.client("reporter"), oid, jpeg_with_gps()).json()["sha256"]
    assert service.client("reporter").get(f"/api/v1/photos/{sha}").status_code == 200  # the one who filed it
    assert service.client("operational").get(f"/api/v1/photos/{sha}/thumb").status_code == 200
    service.tokens["other"] = service.ledger.add_user("annan", "reporter", "sdf")
    other = service.client("other")
    assert other.get(f"/api/v1/photos/{sha}").status_code == 404  # internal: not for another reporter
    assert other.get("/api/v1/photos/" + "0" * 64).status_code == 404
    assert other.get("/api/v1/photos/../../etc/passwd").status_code == 404


def test_a_photo_can_be_deleted_for_erasure(tmp_path):
    store = FolderPhotoStore(tmp_path)
    stored = store.put(png_bytes())
    assert store.read(stored.sha256) and store.read(stored.sha256, thumb=True)
    assert store.delete(stored.sha256) is True
    assert store.read(stored.sha256) is None and store.read(stored.sha256, thumb=True) is None
    assert store.delete(stored.sha256) is False
