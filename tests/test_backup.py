"""Backups that restore, on SQLite and PostgreSQL: `koll backup DIR` while the service serves,
`koll restore DIR` onto a machine that lost everything, and the restored copy verifies and serves
the very boards the original served; an erasure made after the backup is re-applied."""

from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server

from helpers import PG_URL, Client, observation
from koll.ledger import cli, demo
from koll.ledger.audit import outside, publish_digest
from koll.ledger.config import Settings
from koll.ledger.server import create_app, open_ledger
from test_audit_chain import fill
from test_photos import jpeg_with_gps

BOARDS = ["/api/v1/situation", "/api/v1/cases?limit=500", "/api/v1/measures", "/api/v1/meetings", "/api/v1/walks"]


def env_of(settings: Settings) -> dict[str, str]:
    return {"KOLL_DATABASE_URL": settings.database_url, "KOLL_VAR_DIR": str(settings.var_dir),
            "KOLL_BLOB_DIR": str(settings.blob_dir), "KOLL_BLOB_STORE": settings.blob_store}


def settings_at(url: str, folder: Path, blob_store: str = "folder") -> Settings:
    return Settings.from_env({"KOLL_DATABASE_URL": url, "KOLL_VAR_DIR": str(folder / "var"),
                              "KOLL_BLOB_DIR": str(folder / "blobs"), "KOLL_BLOB_STORE": blob_store})


@contextmanager
def serving(settings: Settings):
    """The real app over HTTP on the installation ``settings`` name; yields (client maker, ledger)."""
    koll = open_ledger(settings)
    app = create_app(settings, koll=koll)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    try:
        yield (lambda name: Client(base, koll.ledger.credentials.issue_token(name, label="test"))), koll.ledger
    finally:
        server.shutdown()
        thread.join(timeout=5)
        koll.store.dispose()


def boards(client: Client) -> dict[str, object]:
    answers = {}
    for path in BOARDS:
        r = client.get(path)
        assert r.status_code == 200, (path, r.text)
        answers[path] = r.json()
    return answers


def run(monkeypatch, capsys, settings: Settings, *args: str) -> tuple[int, str, str]:
    for k, v in env_of(settings).items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("KOLL_SECRET_KEY", raising=False)
    capsys.readouterr()
    code = cli.main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def lose_everything(settings: Settings, tmp_path: Path) -> Settings:
    """A new machine: an empty database where the old one was (PostgreSQL: the same schema, emptied),
    no data folder, no photos."""
    if settings.database_url.startswith("sqlite"):
        return settings_at(f"sqlite:///{tmp_path / 'new' / 'koll.sqlite'}", tmp_path / "new", settings.blob_store)
    schema = settings.database_url.split("search_path%3D")[1]
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    admin.dispose()
    return settings_at(settings.database_url, tmp_path / "new", settings.blob_store)


def a_square_with_a_photo(settings: Settings) -> tuple[dict[str, object], str, str]:
    """The demo story (two weeks) and one report with a photo; returns the boards, the report and the photo."""
    with serving(settings) as (client, ledger):
        demo.load(ledger, weeks=2)
        reporter = client("vardare")
        body = observation(note="Namn Namnsson vid trappan")
        assert reporter.post("/api/v1/observations", json=body).status_code == 201
        r = reporter.session.post(f"{reporter.base}/api/v1/observations/{body['id']}/photos",
                                  headers={"Authorization": f"Bearer {reporter.token}"},
                                  files={"file": ("p.jpg", jpeg_with_gps(), "image/jpeg")})
        assert r.status_code == 201, r.text
        publish_digest(ledger, "på begäran")  # the head published, as the hour would …
        ledger.outside_digests.round()  # … and carried outside
        return boards(client("admin")), body["id"], r.json()["sha256"]


@pytest.mark.parametrize("blob_store", ["folder", "database"])
def test_backup_restore_verify_and_the_boards_are_equal(settings, blob_store, tmp_path, monkeypatch, capsys):
    """Photos in a folder travel as files; photos in the database travel with its dump."""
    settings = settings_at(settings.database_url, tmp_path, blob_store)
    before, report_id, photo = a_square_with_a_photo(settings)
    assert outside.read_file(settings.var_dir / "digests.jsonl")

    code, out, err = run(monkeypatch, capsys, settings, "backup", str(tmp_path / "backup"))
    assert code == 0, err
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert (manifest["photos"] >= 1) == (blob_store == "folder")
    assert {"secret_key", "digests.jsonl"} <= set(manifest["var"])
    assert manifest["database"] in ("ledger.sqlite", "ledger.pgdump") and manifest["head"]["position"] > 100

    code, out, err = run(monkeypatch, capsys, settings, "restore", str(tmp_path / "backup"))
    assert code == 1 and "already holds a ledger" in err and "--force" in err

    fresh = lose_everything(settings, tmp_path)
    open_ledger(fresh).store.dispose()  # someone started Koll on the new machine first: empty tables
    code, out, err = run(monkeypatch, capsys, fresh, "restore", str(tmp_path / "backup"))
    assert code == 0, out + err
    assert "verified:" in out
    assert (fresh.var_dir / "secret_key").read_text() == (settings.var_dir / "secret_key").read_text()

    code, out, err = run(monkeypatch, capsys, fresh, "verify", "--read-models")
    assert code == 0, out + err
    assert "0 events not yet covered" in out and "equal a rebuild" in out

    with serving(fresh) as (client, _ledger):
        admin = client("admin")
        assert boards(admin) == before
        assert admin.get(f"/api/v1/observations/{report_id}").json()["note"] == "Namn Namnsson vid trappan"
        assert admin.get(f"/api/v1/photos/{photo}").status_code == 200


def test_a_backup_refuses_a_folder_in_use_and_a_restore_a_damaged_backup(settings, tmp_path, monkeypatch, capsys):
    with serving(settings) as (_client, ledger):
        fill(ledger, 1)
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    code, _out, err = run(monkeypatch, capsys, settings, "backup", str(tmp_path / "used"))
    assert code == 1 and "not empty" in err
    code, _out, err = run(monkeypatch, capsys, settings, "backup", str(tmp_path / "b"))
    assert code == 0, err
    database = next(p for p in (tmp_path / "b").iterdir() if p.name.startswith("ledger."))
    database.write_bytes(database.read_bytes()[:-10] + b"0123456789")
    code, _out, err = run(monkeypatch, capsys, settings, "restore", "--force", str(tmp_path / "b"))
    assert code == 1 and database.name in err and "sha256" in err


def test_an_erasure_made_after_the_backup_is_re_applied_by_the_restore(settings, tmp_path, monkeypatch, capsys):
    _before, report_id, photo = a_square_with_a_photo(settings)
    code, _out, err = run(monkeypatch, capsys, settings, "backup", str(tmp_path / "old"))
    assert code == 0, err
    with serving(settings) as (client, _ledger):
        admin = client("admin")
        r = admin.post(f"/api/v1/observations/{report_id}/erase", json={"reason": "Begäran enligt GDPR art. 17"})
        assert r.status_code == 200, r.text
    erased = outside.read_file(settings.var_dir / "erasures.jsonl")
    assert [e["subject_id"] for e in erased] == [report_id] and erased[0]["photos"] == [photo]

    code, out, err = run(monkeypatch, capsys, settings, "restore", "--force", str(tmp_path / "old"))
    assert code == 0, out + err
    assert "1 erasures re-applied, 1 keys destroyed again" in out
    with serving(settings) as (client, _ledger):
        admin = client("admin")
        assert admin.get(f"/api/v1/observations/{report_id}").json()["note"] == "[raderad]"
        assert admin.get(f"/api/v1/photos/{photo}").status_code == 404
    # The erasure list survives the restore, so the next restore of an old backup re-applies it too.
    assert [e["subject_id"] for e in outside.read_file(settings.var_dir / "erasures.jsonl")] == [report_id]


@pytest.mark.parametrize("url", ["postgresql+psycopg://u@h:5432/db?options=-csearch_path%3Dt_abc"])
def test_the_client_programs_get_a_libpq_address_and_the_schema(url):
    from koll.ledger.backup.database import libpq

    conninfo, schema = libpq(url)
    assert conninfo.startswith("postgresql://u@h:5432/db") and schema == "t_abc"
