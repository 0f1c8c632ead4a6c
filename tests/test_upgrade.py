"""Upgrades: the schema carries its version (Alembic), a ledger written by Koll 0.1 opens, is
migrated, verifies and serves the boards it served then; read models are rebuilt when their
shape changes; a database written by a newer Koll refuses this one with a clear message."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from koll.ledger import cli
from koll.ledger.application import Ledger
from koll.ledger.migrations import BASELINE, SchemaTooNew, current_revision, head_revision
from koll.ledger.store import Store
from test_audit_chain import fill
from test_backup import boards, run, serving, settings_at

FIXTURES = Path(__file__).parent / "fixtures"

def holds(new, old, where: str = "") -> None:
    """Everything the old answer said, the new one says alike (it may say more: fields added since)."""
    if isinstance(old, dict):
        assert isinstance(new, dict), where
        for k, v in old.items():
            assert k in new, f"{where}.{k} is gone"
            if k == "as_of":  # the day the board was asked (today), not what the ledger holds
                continue
            holds(new[k], v, f"{where}.{k}")
    elif isinstance(old, list):
        assert isinstance(new, list) and len(new) == len(old), f"{where}: {len(new)} items, were {len(old)}"
        for i, (a, b) in enumerate(zip(new, old, strict=True)):
            holds(a, b, f"{where}[{i}]")
    elif isinstance(old, float) and isinstance(new, (int, float)):
        # Positions are served to seven decimals since (about a centimetre); the old code gave a float's noise.
        assert abs(new - old) <= 1e-6, f"{where}: {new!r}, was {old!r}"
    else:
        assert new == old, f"{where}: {new!r}, was {old!r}"


def old_ledger(tmp_path: Path) -> Path:
    path = tmp_path / "old" / "koll.sqlite"
    path.parent.mkdir()
    with gzip.open(FIXTURES / "ledger-v0.sqlite.gz", "rb") as src, open(path, "wb") as dst:
        shutil.copyfileobj(src, dst)
    return path


def test_a_ledger_written_by_koll_0_1_opens_migrates_verifies_and_serves_the_same_boards(
        tmp_path, monkeypatch, capsys, caplog):
    path = old_ledger(tmp_path)
    url = f"sqlite:///{path}"
    assert current_revision(sa.create_engine(url)) is None  # written before the schema had a version
    settings = settings_at(url, tmp_path / "old")
    code, out, err = run(monkeypatch, capsys, settings, "verify")
    assert code == 0 and "ok: 403 events" in out, out + err  # the chain as it was written
    caplog.set_level(logging.INFO, logger="koll.upgrade")
    expected = json.loads((FIXTURES / "ledger-v0.boards.json").read_text())
    with serving(settings) as (client, ledger):
        assert current_revision(ledger.store.engine) == head_revision() != BASELINE
        messages = [r.getMessage() for r in caplog.records if r.name == "koll.upgrade"]
        assert any("stamped 0001" in m for m in messages)
        assert any("rebuilding the read models: 403 of 403 events" in m for m in messages)
        holds(boards(client("admin")), expected)
        erased = "6f1d2c3b-0000-4000-8000-000000000001"
        assert client("admin").get(f"/api/v1/observations/{erased}").json()["note"] == "[raderad]"
    code, out, err = run(monkeypatch, capsys, settings, "verify", "--read-models")
    assert code == 0 and "equal a rebuild" in out, out + err
    caplog.clear()
    with serving(settings) as (_client, _ledger):  # opened again: nothing left to do
        assert not [r for r in caplog.records if r.name == "koll.upgrade"]


def test_a_database_written_by_a_newer_koll_refuses_this_one(ledger, monkeypatch, capsys, tmp_path):
    fill(ledger, 1)
    with ledger.store.engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '0099'"))
    with pytest.raises(SchemaTooNew, match="revision 0099, written by a newer Koll"):
        Ledger(Store(ledger.store.url))
    code, _out, err = run(monkeypatch, capsys, settings_at(ledger.store.url, tmp_path), "rebuild")
    assert code == 1 and "newer Koll" in err and "Traceback" not in err
    with ledger.store.read() as conn:  # and it touched nothing
        assert conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "0099"


def test_read_models_are_rebuilt_when_their_shape_changes(ledger, caplog):
    fill(ledger, 2)
    with ledger.store.engine.begin() as conn:
        case_id = conn.execute(sa.text("SELECT case_id FROM rm_cases ORDER BY case_id LIMIT 1")).scalar()
        conn.execute(sa.text("UPDATE rm_cases SET status = 'closed' WHERE case_id = :c"), {"c": case_id})
        # What a new Koll whose rm_cases has another shape finds: a fingerprint that is not its own.
        conn.execute(sa.text("UPDATE koll_schema SET value = 'an older shape' WHERE key = 'read_model:rm_cases'"))
    caplog.set_level(logging.INFO, logger="koll.upgrade")
    again = Ledger(Store(ledger.store.url))
    assert any("changed shape (rm_cases)" in r.getMessage() for r in caplog.records)
    with again.store.read() as conn:
        assert conn.execute(sa.text("SELECT status FROM rm_cases WHERE case_id = :c"), {"c": case_id}).scalar() == "triaged"
    again.store.dispose()


def test_a_ledger_from_before_versions_is_stamped_and_upgraded(ledger):
    """On either back-end: the tables Koll 0.1 made, without alembic_version or koll_schema."""
    fill(ledger, 1)
    with ledger.store.engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE alembic_version"))
        conn.execute(sa.text("DROP TABLE koll_schema"))
    store = Store(ledger.store.url)
    Ledger(store)
    assert current_revision(store.engine) == head_revision()
    assert "koll_schema" in sa.inspect(store.engine).get_table_names()
    store.dispose()
