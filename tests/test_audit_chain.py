"""Tamper evidence on SQLite and PostgreSQL: change, delete, reorder and insert events straight in
the database, and each is caught; a chain rewritten and re-hashed is caught by the digests."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa

from helpers import observation
from koll.ledger import audit, cli
from koll.ledger.domain.base import Actor
from koll.ledger.store import GENESIS, chain_link, events_table
from koll.schema.payloads import ObservationSchema

ANNA = Actor("anna", "reporter", "sdf")
OPS = Actor("operativ", "operational", "sdf")


def fill(ledger, n: int = 6) -> None:
    for _ in range(n):
        filed = ledger.file_observation(ANNA, ObservationSchema().load(observation()))
        ledger.decide_case(uuid.UUID(filed.case_id), 1,
                           lambda c: c.triage(OPS, priority=2, category=None, group=None, note=None))
    # 6 reports: 3 events each (Case.Opened, Observation.Recorded, Case.Triaged) = 18


def sql(ledger, statement: str, **params) -> None:
    with ledger.store.engine.begin() as conn:
        conn.execute(sa.text(statement), params)


def rechain(ledger) -> None:
    """What a careful forger does after changing history: recompute every hash from the start."""
    with ledger.store.engine.begin() as conn:
        rows = conn.execute(sa.select(events_table).order_by(events_table.c.id)).all()
        previous = GENESIS
        for r in rows:
            previous = chain_link(previous, r.id, r.originator_id, r.originator_version, r.topic, bytes(r.state),
                                  r.occurred_us)
            conn.execute(events_table.update().where(events_table.c.id == r.id).values(chain_hash=previous))


def forge(state: bytes) -> bytes:
    changed = state.replace(b'"org":"sdf"', b'"org":"polisen"')
    assert changed != state
    return changed


def state_of(ledger, position: int) -> bytes:
    with ledger.store.read() as conn:
        return bytes(conn.execute(sa.select(events_table.c.state).where(events_table.c.id == position)).scalar())


def test_an_untouched_ledger_verifies(ledger):
    fill(ledger)
    report = audit.verify_chain(ledger.store)
    assert report.ok and report.events == 18 and report.head_position == 18
    with ledger.store.read() as conn:
        head = conn.execute(sa.select(events_table.c.chain_hash).where(events_table.c.id == 18)).scalar()
    assert report.head_hash == head


def test_a_changed_event_is_named(ledger):
    fill(ledger)
    forged = forge(state_of(ledger, 8))
    sql(ledger, "UPDATE koll_events SET state = :s WHERE id = 8", s=forged)
    report = audit.verify_chain(ledger.store)
    assert not report.ok and report.first_bad_position == 8 and "chain hash" in report.reason


def test_a_changed_time_is_caught(ledger):
    fill(ledger)
    sql(ledger, "UPDATE koll_events SET occurred_us = occurred_us - 86400000000 WHERE id = 5")
    assert audit.verify_chain(ledger.store).first_bad_position == 5


def test_a_deleted_event_is_named(ledger):
    fill(ledger)
    sql(ledger, "DELETE FROM koll_events WHERE id = 11")
    report = audit.verify_chain(ledger.store)
    assert report.first_bad_position == 11 and "missing" in report.reason


def test_reordered_events_are_caught(ledger):
    fill(ledger)
    with ledger.store.engine.begin() as conn:
        a, b = (conn.execute(sa.select(events_table).where(events_table.c.id == i)).one() for i in (4, 7))
        # Swap everything but the position, then move the rows back under each other's ids.
        for target, src in ((4, b), (7, a)):
            conn.execute(events_table.update().where(events_table.c.id == target).values(
                originator_id=src.originator_id, originator_version=-target, topic=src.topic, state=src.state,
                occurred_us=src.occurred_us, chain_hash=src.chain_hash))
        conn.execute(events_table.update().where(events_table.c.id == 4).values(originator_version=b.originator_version))
        conn.execute(events_table.update().where(events_table.c.id == 7).values(originator_version=a.originator_version))
    report = audit.verify_chain(ledger.store)
    assert report.first_bad_position == 4


def test_an_inserted_event_is_caught(ledger):
    fill(ledger)
    with ledger.store.engine.begin() as conn:
        # Make room at position 9 (two steps so no id collides midway), then slip a forged row in.
        conn.execute(sa.text("UPDATE koll_events SET id = -id WHERE id >= 9"))
        conn.execute(sa.text("UPDATE koll_events SET id = -id + 1 WHERE id < 0"))
        row = conn.execute(sa.select(events_table).where(events_table.c.id == 8)).one()
        conn.execute(events_table.insert().values(
            id=9, originator_id=str(uuid.uuid4()), originator_version=1, topic=row.topic, state=row.state,
            occurred_us=row.occurred_us, chain_hash=chain_link(row.chain_hash, 9, "x", 1, row.topic, row.state, 0)))
    report = audit.verify_chain(ledger.store)
    assert report.first_bad_position == 9


def test_an_event_appended_with_a_made_up_hash_is_caught(ledger):
    fill(ledger)
    with ledger.store.engine.begin() as conn:
        row = conn.execute(sa.select(events_table).where(events_table.c.id == 18)).one()
        conn.execute(events_table.insert().values(
            id=19, originator_id=row.originator_id, originator_version=row.originator_version + 1, topic=row.topic,
            state=row.state, occurred_us=row.occurred_us, chain_hash="f" * 64))
    assert audit.verify_chain(ledger.store).first_bad_position == 19


def test_a_rewritten_and_rehashed_chain_is_caught_by_the_published_digest(ledger):
    fill(ledger, 3)
    digest = audit.publish_digest(ledger, "möte")
    fill(ledger, 3)
    assert audit.verify_chain(ledger.store).ok
    forged = forge(state_of(ledger, 5))
    sql(ledger, "UPDATE koll_events SET state = :s WHERE id = 5", s=forged)
    rechain(ledger)
    report = audit.verify_chain(ledger.store)
    assert not report.ok
    assert report.window == (1, digest["position"]) and "digest" in report.reason
    # Without the digest kept in the ledger's own table the chain alone looks whole …
    sql(ledger, "DELETE FROM koll_digests")
    assert audit.verify_chain(ledger.store).ok
    # … but a copy kept outside the system still catches it.
    kept = [audit.Digest(position=digest["position"], chain_hash=digest["chain_hash"], source="kept")]
    assert audit.verify_chain(ledger.store, kept).window == (1, 9)


def test_outside_digests_pin_the_first_changed_event(ledger, tmp_path):
    fill(ledger)
    with ledger.store.read() as conn:
        hashes = [{"position": r[0], "chain_hash": r[1]} for r in
                  conn.execute(sa.select(events_table.c.id, events_table.c.chain_hash).order_by(events_table.c.id))]
    every = tmp_path / "kept.json"
    every.write_text(json.dumps({"events": hashes}))  # e.g. a signed bundle: one hash per event
    forged = forge(state_of(ledger, 13))
    sql(ledger, "UPDATE koll_events SET state = :s WHERE id = 13", s=forged)
    rechain(ledger)
    report = audit.verify_chain(ledger.store, audit.load_digests(every))
    assert report.first_bad_position == 13 and report.window == (13, 13)


def test_events_cut_from_the_end_are_caught_by_a_digest(ledger):
    fill(ledger)
    audit.publish_digest(ledger, "på begäran")
    sql(ledger, "DELETE FROM koll_events WHERE id > 15")
    report = audit.verify_chain(ledger.store)
    assert report.first_bad_position == 16 and "ends at 15" in report.reason


def test_verify_streams_in_pages(ledger):
    fill(ledger)
    assert audit.verify_chain(ledger.store, page=4).events == 18
    sql(ledger, "DELETE FROM koll_events WHERE id = 9")
    assert audit.verify_chain(ledger.store, page=4).first_bad_position == 9


def test_a_merkle_proof_shows_each_event_inside_the_digest(ledger):
    fill(ledger, 4)
    digest = audit.publish_digest(ledger, "möte")
    fill(ledger, 1)
    d = audit.Digest(position=digest["position"], chain_hash=digest["chain_hash"], merkle_root=digest["merkle_root"])
    for position in range(1, digest["position"] + 1):
        proof = audit.merkle_proof(ledger.store, position, d)
        assert proof["matches_published_root"] and audit.check_proof(proof)
    proof = audit.merkle_proof(ledger.store, 3)  # the first digest at or after position 3
    assert proof["digest"]["position"] == 12
    forged = dict(proof, event=dict(proof["event"], version=proof["event"]["version"] + 1))
    assert not audit.check_proof(forged)
    wrong_path = dict(proof, path=[dict(proof["path"][0], hash="0" * 64), *proof["path"][1:]])
    assert not audit.check_proof(wrong_path)


def test_koll_verify_exits_1_and_names_the_position(ledger, monkeypatch, capsys, tmp_path):
    fill(ledger)
    monkeypatch.setenv("KOLL_DATABASE_URL", ledger.store.url)
    monkeypatch.setenv("KOLL_VAR_DIR", str(tmp_path))
    assert cli.main(["verify"]) == 0
    assert "ok: 18 events" in capsys.readouterr().out
    assert cli.main(["digest", "--reason", "test"]) == 0
    kept = tmp_path / "digest.json"
    kept.write_text(capsys.readouterr().out)
    assert json.loads(kept.read_text())["position"] == 18
    forged = forge(state_of(ledger, 6))
    sql(ledger, "UPDATE koll_events SET state = :s WHERE id = 6", s=forged)
    assert cli.main(["verify"]) == 1
    assert "BROKEN at position 6" in capsys.readouterr().out
    rechain(ledger)
    sql(ledger, "DELETE FROM koll_digests")
    # `koll digest` also wrote the digest to the file beyond the database: the rewrite is caught.
    assert cli.main(["verify"]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at position 1" in out and "1–18" in out and "digests.jsonl" in out
    (tmp_path / "digests.jsonl").unlink()
    assert cli.main(["verify"]) == 0  # without any copy kept outside, a careful rewrite passes
    capsys.readouterr()
    assert cli.main(["verify", "--digests", str(kept)]) == 1
    out = capsys.readouterr().out
    assert "BROKEN at position 1" in out and "1–18" in out


def test_a_meeting_held_publishes_a_digest(ledger):
    fill(ledger, 1)
    meeting_id = uuid.uuid4()
    ledger.schedule_meeting(OPS, {"id": str(meeting_id), "group": "operational", "date": "2026-11-20"})
    ledger.hold_meeting(OPS, meeting_id, 1, conclusions="Bra möte", attendees=[])
    digests = audit.list_digests(ledger.store)
    with ledger.store.read() as conn:
        head = conn.execute(sa.select(events_table.c.id, events_table.c.chain_hash)
                            .order_by(events_table.c.id.desc()).limit(1)).one()
    assert [(d["position"], d["chain_hash"]) for d in digests] == [tuple(head)]
    assert str(meeting_id) in digests[0]["reason"] and digests[0]["published_by"] == "operativ"
    assert audit.verify_chain(ledger.store).digests_checked == 1


def test_the_api_checks_the_chain_against_digests_kept_outside(service):
    ledger = service.ledger
    fill(ledger, 3)
    assert service.client("admin").post("/api/v1/audit/digests", {"reason": "möte"}).status_code == 201
    auditor = service.client("auditor")
    kept = auditor.get("/api/v1/audit/digests").json()  # the copy an auditor keeps on their own disk
    assert auditor.post("/api/v1/audit/verify", kept).json()["ok"] is True
    position = events_in_ledger(ledger) - 4  # a report's event inside the digest
    sql(ledger, "UPDATE koll_events SET state = :s WHERE id = :i", s=forge(state_of(ledger, position)), i=position)
    rechain(ledger)
    sql(ledger, "DELETE FROM koll_digests")
    assert auditor.get("/api/v1/audit/verify").json()["ok"] is True  # the ledger alone looks whole …
    report = auditor.post("/api/v1/audit/verify", kept).json()  # … the kept digest does not match
    # The window ends at the admin's digest; it starts after the last digest that still matches
    # (a digest the publisher made on its own, every N events or every hour, may be one of them).
    first, last = report["window"]
    assert report["ok"] is False and last == max(d["position"] for d in kept["digests"]) and first <= position
    bad = auditor.post("/api/v1/audit/verify", {"digests": [{"position": 0, "chain_hash": "nej"}]})
    assert bad.status_code == 422 and any(k.startswith("digests") for k in bad.json()["errors"])
    assert service.client("reporter").post("/api/v1/audit/verify", kept).status_code == 403


def events_in_ledger(ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def _full_root(ledger) -> str:
    with ledger.store.read() as conn:
        hashes = [r[0] for r in conn.execute(sa.select(events_table.c.chain_hash).order_by(events_table.c.id))]
    return audit.merkle_root(hashes)


def test_the_merkle_frontier_gives_the_whole_trees_root_at_every_size():
    import hashlib

    from koll.ledger.audit.merkle import Frontier

    hashes = [hashlib.sha256(str(i).encode()).hexdigest() for i in range(300)]
    grown = Frontier()
    for n in range(len(hashes) + 1):
        assert grown.root() == audit.merkle_root(hashes[:n]), n
        if n < len(hashes):
            grown.extend(hashes[n:n + 1])
    halves = Frontier()
    halves.extend(hashes[:137])
    halves.extend(hashes[137:])
    assert halves.root() == audit.merkle_root(hashes) and halves.size == 300


def test_each_digest_vouches_for_the_whole_chain_as_it_is_then(ledger):
    """Digests are made from the frontier kept at the last one; each root is still the tree over
    every event, also after the chain was rewritten below the kept position (it starts over)."""
    fill(ledger, 2)
    first = audit.publish_digest(ledger, "på begäran")
    assert first["merkle_root"] == _full_root(ledger)
    fill(ledger, 3)
    second = audit.publish_digest(ledger, "på begäran")
    assert second["position"] == 15 and second["merkle_root"] == _full_root(ledger) != first["merkle_root"]
    with ledger.store.engine.begin() as conn:  # a forger rewrites event 3 and rehashes the chain
        conn.execute(events_table.update().where(events_table.c.id == 3).values(state=forge(state_of(ledger, 3))))
    rechain(ledger)
    fill(ledger, 1)
    third = audit.publish_digest(ledger, "på begäran")
    assert third["merkle_root"] == _full_root(ledger)
