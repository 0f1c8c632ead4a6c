"""Photos in the ledger's database (KOLL_BLOB_STORE=database): the store every instance of a
deployment reaches. The same interface as the folder, on both back-ends."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from koll.ledger.photos import DatabasePhotoStore, FolderPhotoStore, open_photo_store, photos_table
from koll.ledger.store import Store
from test_photos import filed, jpeg_with_gps, png_bytes, upload


@pytest.fixture
def database_photos(database_url):
    store = Store(database_url)
    yield DatabasePhotoStore(store.engine)
    store.dispose()


def rows(photos: DatabasePhotoStore) -> int:
    with photos.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(photos_table)).scalar()


def test_the_database_keeps_a_photo_once_however_often_and_by_however_many_it_is_stored(database_photos):
    data = png_bytes()
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(database_photos.put(data))) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({a.sha256 for a in answers}) == 1 and len(answers) == 6  # no conflict reached a caller
    sha = answers[0].sha256
    assert rows(database_photos) == 2  # the photo and its thumbnail
    assert database_photos.read(sha)[:8] == b"\x89PNG\r\n\x1a\n" and database_photos.read(sha, thumb=True)[:3] == b"\xff\xd8\xff"
    assert database_photos.read("0" * 64) is None and database_photos.read("../../etc/passwd") is None
    assert database_photos.delete(sha) is True and database_photos.read(sha) is None and rows(database_photos) == 0
    assert database_photos.delete(sha) is False


def test_the_setting_chooses_the_store(tmp_path, database_url):
    store = Store(database_url)
    try:
        assert isinstance(open_photo_store("folder", tmp_path, store.engine), FolderPhotoStore)
        assert isinstance(open_photo_store("database", tmp_path, store.engine), DatabasePhotoStore)
    finally:
        store.dispose()


@pytest.fixture
def settings(database_url, tmp_path):
    from koll.ledger.config import Settings

    return Settings.from_env({"KOLL_DATABASE_URL": database_url, "KOLL_BLOB_DIR": str(tmp_path / "blobs"),
                              "KOLL_VAR_DIR": str(tmp_path / "var"), "KOLL_SECRET_KEY": "test-secret",
                              "KOLL_BLOB_STORE": "database"})


def test_over_the_api_photos_go_to_the_database_and_erasure_deletes_them(service):
    oid = filed(service)
    answer = upload(service.client("reporter"), oid, jpeg_with_gps())
    assert answer.status_code == 201, answer.text
    sha = answer.json()["sha256"]
    assert not service.koll.settings.blob_dir.exists()  # nothing on this machine's disk
    assert service.client("operational").get(f"/api/v1/photos/{sha}").status_code == 200
    erased = service.client("admin").post(f"/api/v1/observations/{oid}/erase", json={"reason": "begäran"})
    assert erased.status_code == 200, erased.text
    assert erased.json()["photo_files_deleted"] == 1
    assert DatabasePhotoStore(service.koll.store.engine).read(sha) is None
