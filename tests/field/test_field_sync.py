"""The outbox and the sync client against a real ``koll serve`` (subprocess, temp SQLite)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from fieldkit import HERE
from fieldhelpers import report, reports
from koll.field.outbox import Outbox
from koll.field.sync import ApiClient, Offline, Syncer, SyncWorker, Unauthorized, backoff


def _ids(observations):
    return [o["id"] for o in observations]


def test_flush_sends_every_report_once_in_batches(service, user, tmp_path):
    outbox = Outbox(tmp_path / "phone")
    ids = outbox.queue_many(reports(620))
    res = Syncer(outbox, ApiClient(service.url, user.token), batch_size=250).flush()
    assert (res.sent, res.failed, res.batches) == (620, 0, 3)
    assert outbox.counts()["sent"] == 620
    mine = user.mine()
    assert sorted(_ids(mine)) == sorted(ids)
    assert all(outbox.get(i).case_id for i in ids)


def test_a_retry_after_a_lost_answer_is_recognised_not_duplicated(service, user, tmp_path):
    outbox = Outbox(tmp_path / "phone")
    ids = outbox.queue_many(reports(4))
    client = ApiClient(service.url, user.token)
    rows = outbox.claim(10)
    from koll.field.sync import _stable

    first = client.send_batch([_stable(r.body) for r in rows])  # the server records them...
    assert {r["status"] for r in first} == {201}
    outbox.close()  # ...and the phone dies before it writes down the answer
    outbox = Outbox(tmp_path / "phone")
    res = Syncer(outbox, client).flush()
    assert res.sent == 4
    assert {outbox.get(i).http_status for i in ids} == {200}
    assert {outbox.get(i).case_id for i in ids} == {r["case_id"] for r in first}
    assert sorted(_ids(user.mine())) == sorted(ids)


def test_no_network_keeps_everything_and_backs_off(service, user, tmp_path):
    outbox = Outbox(tmp_path / "phone")
    ids = outbox.queue_many(reports(3))
    closed = f"http://127.0.0.1:{_closed_port()}"
    res = Syncer(outbox, ApiClient(closed, user.token)).flush()
    assert res.offline and res.sent == 0
    rows = [outbox.get(i) for i in ids]
    assert {r.state for r in rows} == {"ready"} and all(r.attempts == 1 for r in rows)
    assert all(r.next_attempt > time.time() for r in rows)  # backing off
    assert outbox.claim(10) == []
    for r in rows:  # the back-off passes (or the user taps "send now")
        outbox._db().execute("UPDATE reports SET next_attempt=0 WHERE id=?", (r.id,))
    res = Syncer(outbox, ApiClient(service.url, user.token)).flush()
    assert res.sent == 3
    assert sorted(_ids(user.mine())) == sorted(ids)


def test_back_off_grows_and_is_capped():
    assert backoff(0) <= 1.0 and 4 <= backoff(3) * 2 <= 16.1
    assert backoff(50, cap=60) <= 60


def test_a_bad_token_stops_sending_and_loses_nothing(service, tmp_path):
    outbox = Outbox(tmp_path / "phone")
    outbox.queue_many(reports(2))
    res = Syncer(outbox, ApiClient(service.url, "not-a-token")).flush()
    assert res.unauthorized and res.sent == 0
    assert outbox.counts()["ready"] == 2
    with pytest.raises(Unauthorized):
        ApiClient(service.url, "not-a-token").me()


def test_the_servers_refusal_is_kept_with_its_reason(service, user, tmp_path):
    outbox = Outbox(tmp_path / "phone")
    body = report("REN-05")
    body["case_id"] = str(uuid.uuid4())  # "same as this" for a case that does not exist
    rid = outbox.queue(body)
    ok = outbox.queue(report())
    res = Syncer(outbox, ApiClient(service.url, user.token)).flush()
    assert (res.sent, res.failed) == (1, 1)
    row = outbox.get(rid)
    assert row.state == "failed" and row.http_status in (404, 409, 422)
    assert row.error and (row.error.get("errors") or row.error.get("title") or row.error.get("detail"))
    assert outbox.get(ok).state == "sent"
    assert _ids(user.mine()) == [ok]


def test_same_as_this_joins_the_nearby_case(service, user, tmp_path):
    outbox = Outbox(tmp_path / "phone")
    client = ApiClient(service.url, user.token)
    first = outbox.queue(report("KLO-06", place="biblioteket"))
    Syncer(outbox, client).flush()
    case_id = outbox.get(first).case_id
    lib = report("KLO-06", place="biblioteket")
    near = client.nearby(lib["location"]["lat"], lib["location"]["lon"], 50, "KLO")
    assert case_id in [c["id"] for c in near]
    lib["case_id"] = case_id
    second = outbox.queue(lib)
    Syncer(outbox, client).flush()
    assert outbox.get(second).case_id == case_id
    assert [c["observations"] for c in client.nearby(lib["location"]["lat"], lib["location"]["lon"], 50, "KLO")
            if c["id"] == case_id] == [2]


def test_photos_go_up_after_their_report(service, user, tmp_path, photo):
    outbox = Outbox(tmp_path / "phone")
    rid = outbox.queue(report("BEL-01"), photo)
    res = Syncer(outbox, ApiClient(service.url, user.token)).flush()
    assert res.sent == 1 and outbox.get(rid).state == "sent"
    row = outbox.get(rid)
    assert row.photo_state == "sent" and len(row.photo_sha) == 64


def test_the_background_worker_empties_the_outbox(service, user, tmp_path):
    outbox = Outbox(tmp_path / "phone")
    statuses = []
    worker = SyncWorker(outbox, lambda: ApiClient(service.url, user.token), on_status=statuses.append, idle=0.2)
    worker.start()
    try:
        ids = [outbox.queue(report()) for _ in range(5)]
        worker.wake()
        deadline = time.monotonic() + 15
        while outbox.counts()["sent"] < 5 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        worker.stop()
        worker.join(5)
    assert outbox.counts()["sent"] == 5
    assert statuses and statuses[-1].online
    assert sorted(_ids(user.mine())) == sorted(ids)


def test_killed_mid_sync_and_restarted_sends_everything_exactly_once(service, user, tmp_path):
    data = tmp_path / "phone"
    outbox = Outbox(data)
    ids = outbox.queue_many(reports(1500))
    outbox.close()
    cmd = [sys.executable, str(HERE / "flusher.py"), str(data), service.url, user.token, "40"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    # Wait until some, not all, have gone, then kill it without warning.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if len(user.mine()) >= 200:
            break
        time.sleep(0.02)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    got = len(user.mine())
    assert 0 < got < 1500, got
    again = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    outbox = Outbox(data)
    assert outbox.counts()["sent"] == 1500 and outbox.pending() == 0
    mine = _ids(user.mine())
    assert len(mine) == len(set(mine)) == 1500
    assert set(mine) == set(ids)


def _closed_port() -> int:
    from fieldkit import free_port

    return free_port()
