"""Tamper evidence that does not depend on the database it guards, on SQLite and PostgreSQL.

Someone who can write to the database deletes the newest events, truncates the ledger, rewrites
an event with its chain and the digests table consistently, or drops the digests table: each
passed `koll verify` before digests were kept outside the database, and each is caught now
(exit 1, naming what). The read models are checked against a rebuild.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import sqlalchemy as sa

from helpers import observation
from test_audit_chain import fill, sql  # 3 events a report; SQL straight at the database
from koll.ledger import cli
from koll.ledger.audit import outside
from koll.ledger.store import GENESIS, chain_link, events_table

def rechain(conn) -> dict[int, str]:
    """What a careful forger does after changing history: every hash again from the start."""
    rows = conn.execute(sa.select(events_table).order_by(events_table.c.id)).all()
    previous, hashes = GENESIS, {}
    for r in rows:
        previous = chain_link(previous, r.id, r.originator_id, r.originator_version, r.topic, bytes(r.state),
                              r.occurred_us)
        hashes[r.id] = previous
        conn.execute(events_table.update().where(events_table.c.id == r.id).values(chain_hash=previous))
    return hashes


@pytest.fixture
def kept(ledger, tmp_path, monkeypatch):
    """A ledger with digests at positions 6, 12 and 18, each also in var/digests.jsonl; the CLI
    pointed at it."""
    monkeypatch.setenv("KOLL_DATABASE_URL", ledger.store.url)
    monkeypatch.setenv("KOLL_VAR_DIR", str(tmp_path))
    publisher = outside.OutsidePublisher(ledger.store, outside.OutsideSettings(path=tmp_path / "digests.jsonl",
                                                                               every=5))
    for _ in range(3):
        fill(ledger, 2)
        publisher.round()
    lines = outside.read_file(tmp_path / "digests.jsonl")
    assert [d["position"] for d in lines] == [6, 12, 18]
    return publisher


def verify(capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = cli.main(["verify", *extra])
    return code, capsys.readouterr().out


def test_an_untouched_ledger_verifies_and_says_what_no_outside_digest_covers_yet(ledger, kept, capsys):
    code, out = verify(capsys)
    assert code == 0, out
    assert "3 digests in" in out and "latest at position 18" in out and "0 events not yet covered" in out
    fill(ledger, 1)
    code, out = verify(capsys)
    assert code == 0 and "3 events not yet covered by an outside digest" in out


def test_deleting_the_newest_events_and_their_digests_is_caught(ledger, kept, capsys):
    sql(ledger, "DELETE FROM koll_events WHERE id > 15")
    sql(ledger, "DELETE FROM koll_digests WHERE position > 15")
    code, out = verify(capsys)
    assert code == 1
    assert "published at position 18" in out and "outside file" in out
    assert "the ledger ends at 15: events were deleted from its end" in out


def test_truncating_the_ledger_is_caught(ledger, kept, capsys):
    sql(ledger, "DELETE FROM koll_events")
    sql(ledger, "DELETE FROM koll_digests")
    code, out = verify(capsys)
    assert code == 1 and "the ledger ends at 0" in out


def test_rewriting_an_event_its_chain_and_the_digests_table_together_is_caught(ledger, kept, capsys):
    with ledger.store.engine.begin() as conn:
        state = bytes(conn.execute(sa.select(events_table.c.state).where(events_table.c.id == 8)).scalar())
        forged = state.replace(b'"org":"sdf"', b'"org":"polisen"')
        assert forged != state
        conn.execute(events_table.update().where(events_table.c.id == 8).values(state=forged))
        hashes = rechain(conn)
        for position, chain_hash in hashes.items():  # the table now agrees with the forged chain
            conn.execute(sa.text("UPDATE koll_digests SET chain_hash = :h WHERE position = :p"),
                         {"h": chain_hash, "p": position})
    code, out = verify(capsys)
    assert code == 1
    assert "BROKEN at position 7" in out and "published at position 12" in out and "7–12" in out
    assert "outside file" in out


def test_dropping_the_digests_table_is_caught(ledger, kept, capsys):
    sql(ledger, "DROP TABLE koll_digests")
    code, out = verify(capsys)
    assert code == 1 and "koll_digests is missing" in out and "keeps 3 digests" in out


def test_emptying_the_digests_table_is_caught(ledger, kept, capsys):
    sql(ledger, "DELETE FROM koll_digests")
    code, out = verify(capsys)
    assert code == 1 and "no longer holds 3 of the 3 digests" in out


def test_a_changed_board_is_named_by_table_key_and_column(ledger, kept, capsys):
    code, out = verify(capsys, "--read-models")
    assert code == 0 and "equal a rebuild up to position 18" in out, out
    with ledger.store.read() as conn:
        case_id = conn.execute(sa.text("SELECT case_id FROM rm_cases ORDER BY case_id LIMIT 1")).scalar()
    sql(ledger, "UPDATE rm_cases SET status = 'closed' WHERE case_id = :c", c=case_id)
    code, out = verify(capsys, "--read-models")
    assert code == 1
    assert f"rm_cases: row {case_id}, column status: live 'closed'" in out
    sql(ledger, "DELETE FROM rm_walks")
    sql(ledger, "DELETE FROM rm_observations WHERE observation_id IN "
                "(SELECT observation_id FROM rm_observations ORDER BY observation_id LIMIT 1)")
    code, out = verify(capsys, "--read-models", "--json")
    report = json.loads(out)
    assert code == 1 and report["read_models"]["difference"]["table"] in ("rm_cases", "rm_observations")


class _Receiver(BaseHTTPRequestHandler):
    got: list[dict] = []

    def do_POST(self):  # noqa: N802 - the library's name
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).got.append(json.loads(body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def wait_for(check, seconds: float = 20.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("not within the time")


def test_digests_reach_the_file_the_log_and_a_webhook_after_the_commit(service, tmp_path, caplog):
    """Through the real app: every N events a digest, published on its own thread after the commit."""
    _Receiver.got = []
    receiver = HTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    publisher = service.ledger.outside_digests
    path = tmp_path / "var" / "digests.jsonl"
    assert publisher.settings.path == path
    publisher.settings = outside.OutsideSettings(path=path, every=10,
                                                 webhook=f"http://127.0.0.1:{receiver.server_port}/digests")
    caplog.set_level(logging.INFO, logger="koll.digest")
    client = service.client("reporter")
    for _ in range(12):
        assert client.post("/api/v1/observations", json=observation()).status_code == 201
    lines = wait_for(lambda: [d for d in outside.read_file(path) if d["position"] >= 20])
    assert lines[0]["reason"] == "every 10 events"
    assert {"id", "position", "chain_hash", "merkle_root", "published_at", "reason"} <= set(lines[0])
    wait_for(lambda: any(d["position"] >= 20 for d in _Receiver.got))
    assert any(r.name == "koll.digest" and lines[0]["chain_hash"] in r.getMessage() for r in caplog.records)
    receiver.shutdown()
    receiver.server_close()
    # The file's digests are the table's: each one verifies against the chain.
    assert outside.verify_with_outside(service.koll.store, path).ok


def test_a_failing_publication_never_fails_an_append_and_is_caught_up_later(service, tmp_path, caplog):
    publisher = service.ledger.outside_digests
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    publisher.settings = outside.OutsideSettings(path=blocked, every=3, webhook="http://127.0.0.1:9/closed")
    caplog.set_level(logging.INFO, logger="koll.digest")
    client = service.client("reporter")
    for _ in range(4):
        assert client.post("/api/v1/observations", json=observation()).status_code == 201
    wait_for(lambda: publisher.failures > 0)
    assert any("publishing digests failed" in r.getMessage() for r in caplog.records)
    assert any("not delivered to the webhook" in r.getMessage() for r in caplog.records)
    # The log still got each digest while the file could not be written.
    wait_for(lambda: any(r.name == "koll.digest" and r.getMessage().startswith("digest {") for r in caplog.records))
    publisher.settings = outside.OutsideSettings(path=tmp_path / "later.jsonl", every=3)
    for _ in range(2):  # 4 events: at least one more digest is due
        assert client.post("/api/v1/observations", json=observation()).status_code == 201
    before = {d["id"] for d in outside.read_file(tmp_path / "var" / "digests.jsonl")}  # the first, if any

    def every_digest_outside():
        with service.koll.store.read() as conn:
            in_table = {r[0] for r in conn.execute(sa.text("SELECT id FROM koll_digests"))}
        written = {d["id"] for d in outside.read_file(tmp_path / "later.jsonl")}
        return len(in_table) >= 2 and written | before == in_table

    wait_for(every_digest_outside)  # the ones that could not be written then are written now


def test_another_installations_digests_file_is_named_not_mistaken_for_tampering(ledger, kept, capsys, tmp_path):
    """Two ledgers pointed at one data folder: the second must not write into, nor be checked
    against, the first one's digests."""
    from koll.ledger.application import Ledger
    from koll.ledger.store import Store

    other = Store(f"sqlite:///{tmp_path / 'other.sqlite'}")
    fill(Ledger(other), 1)
    stranger = outside.OutsidePublisher(other, outside.OutsideSettings(path=tmp_path / "digests.jsonl", every=1))
    stranger.round()
    assert stranger.failures == 1  # logged, and tried again on the next round
    assert [d["position"] for d in outside.read_file(tmp_path / "digests.jsonl")] == [6, 12, 18]
    code, out = verify(capsys)
    assert code == 0, out  # this ledger's own file
    capsys.readouterr()
    assert not outside.verify_with_outside(other, tmp_path / "digests.jsonl").ok
    assert "holds the digests of ledger" in outside.verify_with_outside(other, tmp_path / "digests.jsonl").reason
    other.dispose()
