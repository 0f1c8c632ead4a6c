"""The outbox on its own: states, the server's schema run on the phone, crash recovery."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import pytest

from fieldhelpers import report, reports
from koll.field.outbox import InvalidReport, Outbox
from koll.field.report import Location, ReportForm, who_sees


@pytest.fixture
def outbox(tmp_path):
    o = Outbox(tmp_path / "phone")
    yield o
    o.close()


def test_a_report_is_checked_with_the_servers_schema_before_it_is_queued(outbox):
    body = report("UPP-02")
    body["location"]["lat"] = 123.0
    with pytest.raises(InvalidReport) as e:
        outbox.queue(body)
    assert "location.lat" in e.value.errors
    assert outbox.counts()["ready"] == 0


def test_urgent_is_refused_with_ring_112(outbox):
    body = report("SOC-05", akut=True)
    with pytest.raises(InvalidReport) as e:
        outbox.queue(body)
    assert "112" in e.value.errors["attributes.akut"][0]["sv"]


def test_photo_rules_required_and_blocked(outbox, tmp_path):
    with pytest.raises(InvalidReport) as e:
        outbox.queue(report("BEL-01"))  # a broken light needs its photo
    assert "photo" in e.value.errors
    pic = tmp_path / "p.jpg"
    pic.write_bytes(b"\xff\xd8\xff\xe0" + b"0" * 100)
    with pytest.raises(InvalidReport):
        outbox.queue(report("SOC-01"), str(pic))  # never a photo of social disorder
    rid = outbox.queue(report("BEL-01"), str(pic))
    row = outbox.get(rid)
    assert row.photo_state == "pending"
    assert row.photo_path.startswith(str(outbox.photos)) and Path(row.photo_path).read_bytes()[:3] == b"\xff\xd8\xff"


def test_attributes_that_do_not_fit_the_group_are_refused(outbox):
    body = report("BEL-02")
    body["attributes"]["antal_personer"] = "3-9"  # head counts only for social disorder
    with pytest.raises(InvalidReport) as e:
        outbox.queue(body)
    assert "attributes.antal_personer" in e.value.errors


def test_states_draft_ready_sending_sent_failed(outbox):
    draft = outbox.save_draft({"category": "REN-05", "note": "glas"})
    assert outbox.get(draft).state == "draft"
    a, b, c = (outbox.queue(report()) for _ in range(3))
    assert outbox.counts()["ready"] == 3
    claimed = outbox.claim(10)
    assert [r.id for r in claimed] == [a, b, c]  # oldest first
    assert outbox.counts()["sending"] == 3
    case = str(uuid.uuid4())
    counts = outbox.apply_results([
        {"id": a, "status": 201, "case_id": case},
        {"id": b, "status": 422, "errors": {"note": [{"sv": "för lång", "en": "too long"}]}},
        {"id": c, "status": 503},
    ], retry_after=30)
    assert counts == {"sent": 1, "failed": 1, "retry": 1}
    assert outbox.get(a).state == "sent" and outbox.get(a).case_id == case
    assert outbox.get(b).state == "failed" and outbox.get(b).error["errors"]["note"][0]["sv"] == "för lång"
    assert outbox.get(c).state == "ready" and outbox.get(c).next_attempt > time.time() + 10
    assert outbox.claim(10) == []  # c is backing off
    assert outbox.counts() == {"draft": 1, "ready": 1, "sending": 0, "sent": 1, "failed": 1,
                               "photos_pending": 0, "commands_pending": 0}


def test_rows_left_sending_by_a_killed_process_are_sent_again(tmp_path):
    first = Outbox(tmp_path / "phone")
    ids = first.queue_many(reports(5))
    first.claim(3)
    del first  # the process dies with three reports in flight
    second = Outbox(tmp_path / "phone")
    assert second.counts()["sending"] == 0 and second.counts()["ready"] == 5
    # The same bodies, byte for byte: the server recognises a retry and answers 200.
    again = second.claim(10)
    assert [r.id for r in again] == ids


def test_a_failed_report_reopens_as_a_draft_and_a_409_gets_a_fresh_id(outbox):
    rid = outbox.queue(report())
    outbox.claim(1)
    outbox.apply_results([{"id": rid, "status": 409}], retry_after=1)
    row = outbox.reopen(rid)
    assert row.state == "draft" and row.id != rid and outbox.get(rid) is None
    body = dict(row.body)
    assert outbox.queue(body) == row.id


def test_findings_of_a_walk_wait_until_the_walk_reaches_the_server(outbox):
    walk = str(uuid.uuid4())
    outbox.add_command("walk_create", walk, {"id": walk, "title": "Kvällsvandring"})
    outbox.add_command("walk_start", walk)
    finding = report()
    finding["walk_id"] = walk
    fid = outbox.queue(finding)
    loose = outbox.queue(report())
    assert [r.id for r in outbox.claim(10)] == [loose]
    due = outbox.commands_due()
    assert [c["kind"] for c in due] == ["walk_create"]  # start waits behind create
    outbox.command_done(due[0]["seq"])
    assert [c["kind"] for c in outbox.commands_due()] == ["walk_start"]
    assert [r.id for r in outbox.claim(10)] == [fid]


def test_queue_many_is_one_transaction(outbox):
    bad = reports(3)
    bad[2]["category"] = "XXX-99"
    with pytest.raises(InvalidReport):
        outbox.queue_many(bad)
    assert outbox.counts()["ready"] == 0


def test_the_form_knows_its_rules():
    form = ReportForm()
    form.choose_category("SOC-01")
    assert form.photo_rule == "blocked"
    assert "polisen" in who_sees(form.cat, "sv").lower() or "Polisen" in who_sees(form.cat, "sv")
    assert {a.code for a in form.fitting_attributes()} == {"tid_pa_dygnet", "upplevd_trygghet",
                                                           "antal_personer", "aterkommande"}
    form.choose_category("BEL-01")
    assert "antal_personer" not in {a.code for a in form.fitting_attributes()}
    assert form.problems()[0] == "ange en position"
    form.location = Location(59.3665, 17.8435, 120.0, "gps")
    assert form.location.poor  # worse than 50 m: the screen warns
    assert Location(59.3665, 17.8435, 12.0, "gps").poor is False
    pin = Location.of_pin(59.36651, 17.84351)
    assert pin.source == "pin" and pin.place == "torget"
    body = json.loads(json.dumps(form.body()))
    assert body["location"]["source"] == "gps"
