"""The field app as it behaves on a phone: the camera and the GPS through the Android layer
(a fake ``jnius``/``android`` that acts as Android does), fixes that need a yes, and a duty
phone shared by two people. The real app, headless, against a real ``koll serve``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import pytest

from fieldkit import android_env, android_log, run_scenario

pytestmark = pytest.mark.field


def test_the_camera_writes_through_a_content_uri_and_the_phone_keeps_no_photo(service, user, tmp_path):
    phone = tmp_path / "phone"
    result = run_scenario("android_photo", phone, service.url, token=user.token, camera="android", shots=True,
                          env=android_env(phone))
    log = android_log(phone)
    asked = [e["names"] for e in log if e["kind"] == "permissions.request"]
    assert ["android.permission.CAMERA"] in asked  # asked at run time, before the camera opens
    capture = [e for e in log if e["kind"] == "activity.start_for_result"
               and e["action"] == "android.media.action.IMAGE_CAPTURE"]
    assert len(capture) == 1 and capture[0]["output"].startswith(
        "content://se.stockholm.hasselby.kollfield.fileprovider/"), capture
    assert capture[0]["flags"] & 0x3 == 0x3  # the camera app may write (and read) that one file
    assert max(result["size"]) <= 1600
    assert result["purged"] and result["leftovers"] == []  # neither the capture nor the copy stays
    seen = user.api("GET", f"/observations/{result['ids'][0]}").json()
    assert len(seen["photos"]) == 1


def test_refused_camera_and_location_say_so_and_the_gallery_still_works(service, user, tmp_path, photo):
    phone = tmp_path / "phone"
    result = run_scenario("android_refused", phone, service.url, token=user.token, camera="android",
                          gps="android", shots=True,
                          env=android_env(phone, FAKE_ANDROID_DENY="CAMERA,ACCESS_FINE_LOCATION",
                                          FAKE_ANDROID_GALLERY=photo))
    assert "inställningar" in result["location"] and "galleriet" in result["problem"]
    assert result["photo"].endswith(".jpg")
    log = android_log(phone)
    assert not [e for e in log if e.get("action") == "android.media.action.IMAGE_CAPTURE"]  # never opened
    assert [e for e in log if e.get("action") == "android.intent.action.GET_CONTENT"]


@pytest.mark.parametrize("gps, words, source", [
    ("59.3669,17.8441,80", "Osäker position (80 m)", "gps"),
    ("59.3669,17.8441,8,gps,45", "Gammal GPS-position", "gps"),
    ("59.3669,17.8441,20,network", "från mobilnätet", "network"),
])
def test_a_doubtful_fix_is_shown_and_needs_one_tap(service, user, tmp_path, gps, words, source):
    result = run_scenario("fix_gating", tmp_path / "phone", service.url, token=user.token, gps=gps,
                          shots=True, args={"words": words})
    assert result["source"] == source  # a network fix is never sent as "gps"
    seen = [user.api("GET", f"/observations/{o['id']}").json() for o in user.mine()]
    assert [o.get("location_source") or (o.get("location") or {}).get("source") for o in seen] == [source]


def test_a_network_fix_from_android_is_labelled_network(service, user, tmp_path):
    phone = tmp_path / "phone"
    result = run_scenario("fix_gating", phone, service.url, token=user.token, gps="android",
                          args={"words": "från mobilnätet"},
                          env=android_env(phone, FAKE_ANDROID_FIXES="network:59.3669,17.8441,30"))
    assert result["source"] == "network"
    assert {e["provider"] for e in android_log(phone) if e["kind"] == "location.request"} == {"gps", "network"}


def test_a_shared_phone_files_each_report_as_the_person_who_filed_it(own_service, tmp_path):
    """A files two reports with no network and signs out; B signs in and files one: the server
    records A's two as A's and B's one as B's (before, all three were B's)."""
    svc, phone = own_service, tmp_path / "phone"
    a, b = svc.user("anna"), svc.user("bo")
    run_scenario("sign_in_only", phone, svc.url, args={"token": a.token})
    svc.stop()  # the network is gone
    filed = run_scenario("file_offline_and_sign_out", phone, svc.url, shots=True)
    assert a.token not in (phone / "settings.json").read_text()
    svc.start()
    result = run_scenario("sign_in_as_b_and_file", phone, svc.url, args={"token": b.token}, shots=True)
    assert sorted(o["id"] for o in a.mine()) == sorted(filed["ids"])
    b_ids = [o["id"] for o in b.mine()]
    assert len(b_ids) == 1 and b_ids[0] not in filed["ids"]
    assert result["authors"][b_ids[0]] == "bo" and {result["authors"][i] for i in filed["ids"]} == {"anna"}
    assert result["tokens_left"] == []  # sent: no token kept for them any more


def test_the_background_sender_empties_the_outbox_with_the_app_closed(own_service, tmp_path):
    """Three reports filed with no network, the app ended (its screens gone); the network back:
    python-for-android's service process sends them, each once, and then ends."""
    svc, phone = own_service, tmp_path / "phone"
    user = svc.user()
    run_scenario("sign_in_only", phone, svc.url, args={"token": user.token})
    svc.stop()
    proc, _out = run_scenario("file_offline", phone, svc.url, background=True)
    deadline = time.monotonic() + 90
    while not (phone / "filed").exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "the offline scenario did not finish filing"
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)  # the app is gone; only the service is left
    proc.wait()
    svc.start()
    env = {**os.environ, "PYTHON_SERVICE_ARGUMENT": str(phone)}  # as python-for-android starts it
    sender = subprocess.run([sys.executable, "-m", "koll.field.service"], env=env, timeout=90,
                            capture_output=True, text=True)
    assert sender.returncode == 0, sender.stderr[-2000:]
    assert len(user.mine()) == 3
    from koll.field.outbox import Outbox

    assert Outbox(phone).pending() == 0


def test_a_dead_connection_shows_within_seconds(own_service, tmp_path):
    svc, phone = own_service, tmp_path / "phone"
    user = svc.user()
    proc, out = run_scenario("online_then_gone", phone, svc.url, token=user.token, background=True, shots=True)
    deadline = time.monotonic() + 60
    while not (phone / "online").exists():
        assert proc.poll() is None, proc.stdout.read()
        assert time.monotonic() < deadline, "never online"
        time.sleep(0.1)
    svc.stop()
    (phone / "gone").write_text("1")
    assert proc.wait(60) == 0, proc.stdout.read()
    result = json.loads(out.read_text())
    assert result["ok"] and not result["status"].startswith("Ansluten")


def test_a_walk_is_joined_by_its_qr_code(service, tmp_path):
    leader, walker = service.user(), service.user()
    walk = str(uuid.uuid4())
    planned = leader.api("POST", "/walks", json={"id": walk, "title": "Nattvandring", "organisations": ["sdf"],
                                                  "planned_at": "2026-11-20T21:00:00+01:00"})
    code = planned.json()["join_code"]
    phone = tmp_path / "phone"
    result = run_scenario("join_by_qr", phone, service.url, token=walker.token,
                          env=android_env(phone, FAKE_ANDROID_QR=f"{service.url}/vandringar/kod/{code}"))
    assert (result["walk"]["id"], result["walk"]["code"], result["walk"]["leader"]) == (walk, code, False)
    scans = [e for e in android_log(phone) if e.get("action") == "com.google.zxing.client.android.SCAN"]
    assert len(scans) == 1


def test_ring_112_is_offered_for_violence_and_the_back_key_keeps_the_note(service, user, tmp_path):
    phone = tmp_path / "phone"
    result = run_scenario("back_key_and_112", phone, service.url, token=user.token, shots=True,
                          env=android_env(phone))
    dialled = [e for e in android_log(phone) if e["kind"] == "activity.start"]
    assert [(e["action"], e["data"]) for e in dialled] == [("android.intent.action.DIAL", "tel:112")]
    assert [(b["category"], b["note"]) for b in result["drafts"]] == [("SOC-06", "Två grupper bråkar vid entrén")]
    assert user.mine() == []


def test_the_area_base_map_from_mbtiles_pans_zooms_and_takes_a_pin(service, user, tmp_path):
    from koll.schema import taxonomy
    from tilesmaker import make_mbtiles

    phone = tmp_path / "phone"
    torget = taxonomy.place("torget")
    make_mbtiles(phone / "tiles" / "hasselby-torg.mbtiles", torget.lat, torget.lon)
    ring = [[17.8418, 59.3652], [17.8462, 59.3652], [17.8462, 59.3679], [17.8418, 59.3679], [17.8418, 59.3652]]
    (phone / "areas").mkdir(parents=True)
    (phone / "areas" / "hasselby-torg.json").write_text(json.dumps({
        "code": "hasselby-torg", "name": {"sv": "Hässelby torg", "en": "Hässelby square"},
        "boundary": {"type": "Polygon", "coordinates": [ring]},
        "places": [{"code": p.code, "sv": p.sv, "en": p.en, "radius_m": p.radius_m,
                    "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]}} for p in taxonomy.PLACES]}))
    result = run_scenario("map_pin", phone, service.url, token=user.token, gps="59.3666,17.8437,12", shots=True)
    assert result["zoom"] == 18
