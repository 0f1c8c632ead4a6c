"""The real app, headless (SDL2 offscreen, Mesa), driven by taps and typing in its own process,
against a real ``koll serve``. Screenshots of the main screens go to tests/artifacts/field/."""

from __future__ import annotations

import os
import signal
import time
import uuid

import pytest

from fieldkit import run_scenario
from fieldhelpers import report

pytestmark = pytest.mark.field

def test_sign_in_and_file_a_report_by_tapping(service, user, tmp_path, photo):
    result = run_scenario("smoke", tmp_path / "phone", service.url, shots=True,
                          args={"token": user.token, "photo": photo})
    mine = user.mine()
    assert [o["id"] for o in mine] == result["ids"]
    assert mine[0]["category"] == "REN-02"
    seen = user.api("GET", f"/observations/{mine[0]['id']}").json()
    assert len(seen["photos"]) == 1  # the photo went up after its report
    assert result["cold_start_s"] < 10


def test_offline_then_killed_then_restarted_sends_each_report_exactly_once(own_service, tmp_path):
    svc = own_service
    user = svc.user()
    phone = tmp_path / "phone"
    run_scenario("sign_in_only", phone, svc.url, args={"token": user.token})
    svc.stop()  # the network is gone
    proc, out = run_scenario("file_offline", phone, svc.url, background=True, shots=True)
    deadline = time.monotonic() + 90
    while not (phone / "filed").exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the offline scenario did not finish filing"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)  # the phone dies with three reports unsent
    proc.wait()
    import json

    filed = json.loads(out.read_text())["ids"] if out.exists() else None
    svc.start()  # the network is back
    result = run_scenario("wait_sent", phone, svc.url, args={"n": 3})
    mine = sorted(o["id"] for o in user.mine())
    assert mine == sorted(result["ids"])
    assert len(mine) == 3
    if filed:
        assert sorted(filed) == mine


def test_same_as_this_nearby_and_my_reports(service, user, tmp_path):
    other = service.user()
    first = report("KLO-06", place="biblioteket", note="Affischer på pelaren")
    r = other.api("POST", "/observations", json=first)
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    lib = first["location"]
    result = run_scenario("nearby_same_as_this", tmp_path / "phone", service.url, token=user.token,
                          gps=f"{lib['lat']},{lib['lon']},8", shots=True, args={"case": case_id})
    assert result["case_id"] == case_id
    mine = user.mine()
    assert [o["case_id"] for o in mine] == [case_id]
    near = other.api("GET", "/cases/nearby", params={"lat": lib["lat"], "lon": lib["lon"], "group": "KLO"}).json()
    assert [c["observations"] for c in near["cases"] if c["id"] == case_id] == [2]


def test_pin_restricted_urgent_and_english(service, user, tmp_path):
    run_scenario("pin_and_rules", tmp_path / "phone", service.url, token=user.token, shots=True)
    assert user.mine() == []  # nothing was filed: urgent refused, photo missing, draft kept


def test_walk_mode(service, tmp_path):
    user = service.user()
    result = run_scenario("walk_mode", tmp_path / "phone", service.url, token=user.token,
                          gps="59.3674,17.8448,6", shots=True)
    mine = user.mine()
    assert sorted(o["id"] for o in mine) == sorted(result["ids"])
    assert {o.get("walk_id") for o in mine} == {result["walk_id"]}


def test_a_second_walker_joins_the_walk_by_its_code_and_files_on_it(service, tmp_path):
    leader, walker = service.user(), service.user()
    walk = str(uuid.uuid4())
    planned = leader.api("POST", "/walks", json={"id": walk, "title": "Kvällsvandring med föreningen",
                                                  "planned_at": "2026-11-20T19:00:00+01:00",
                                                  "organisations": ["sdf", "civilsamhallet"]})
    assert planned.status_code == 201, planned.text
    assert leader.api("POST", f"/walks/{walk}/start", headers={"If-Match": "1"}).status_code == 200
    result = run_scenario("join_and_file", tmp_path / "phone", service.url, token=walker.token, shots=True,
                          gps="59.3669,17.8441,8", args={"walk": walk, "code": planned.json()["join_code"]})
    assert result["title"] == "Kvällsvandring med föreningen"  # fetched from the server once joined
    mine = walker.mine()
    assert [o["id"] for o in mine] == result["ids"] and mine[0]["walk_id"] == walk
    protocol = leader.api("GET", f"/walks/{walk}/protocol").json()
    assert protocol["counts"]["findings"] == 1


def test_a_report_being_typed_survives_the_paused_app_being_ended(service, user, tmp_path):
    phone = tmp_path / "phone"
    run_scenario("sign_in_only", phone, service.url, args={"token": user.token})
    note = "Lampan vid trappan blinkar, halvskrivet"
    proc, _out = run_scenario("typing_then_paused", phone, service.url, background=True, args={"note": note})
    deadline = time.monotonic() + 60
    while not (phone / "paused").exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the app was not paused"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)  # Android ends the paused app
    proc.wait()
    result = run_scenario("drafts_kept", phone, service.url)
    assert result["drafts"] == [{"category": "BEL-01", "note": note}]
    assert result["states"] == ["draft"]  # on the outbox screen, and not sent
    assert user.mine() == []
