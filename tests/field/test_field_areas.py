"""The phone in a deployment of two areas (issue 11, the phone's part; issue 15, the map): the
areas its user may report in, chosen and remembered, that area's places and categories, reports
naming it, and the area's base map (MBTiles) served by the real server with an ETag, fetched only
when it changed, and kept from a user of another area."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from fieldkit import run_scenario

pytestmark = pytest.mark.field

ROOT = Path(__file__).resolve().parents[2]
DEMO_AREAS = ROOT / "services/ledger/koll/ledger/demo_areas"


def definition(code: str) -> dict:
    return json.loads((DEMO_AREAS / f"{code}.json").read_text(encoding="utf-8"))


@pytest.fixture
def two_areas(own_service, tmp_path):
    """Hässelby torg and Husby torg defined through the API, Husby's base map placed by an admin."""
    from tilesmaker import make_mbtiles

    svc = own_service
    admin = svc.user(role="admin")
    for code in ("hasselby-torg", "husby-torg"):
        r = admin.api("POST", "/areas", json=definition(code))
        assert r.status_code == 200, r.text
    husby_map = make_mbtiles(tmp_path / "upload" / "husby.mbtiles", 59.4105, 17.9262, name="Husby torg (test)")
    r = _place_map(admin, "husby-torg", husby_map)
    assert r.status_code == 201, r.text
    return svc, admin, husby_map


def _place_map(user, code: str, path: Path) -> requests.Response:
    with open(path, "rb") as f:
        return user.api("POST", f"/areas/{code}/map", files={"file": (path.name, f, "application/vnd.sqlite3")})


def test_an_area_map_is_served_to_its_users_only_and_with_an_etag(two_areas, tmp_path):
    svc, admin, husby_map = two_areas
    data = husby_map.read_bytes()
    again = _place_map(admin, "husby-torg", husby_map)
    assert again.status_code == 200 and again.json()["bytes"] == len(data)  # the same file: nothing new
    assert again.json()["minzoom"] == 16 and again.json()["maxzoom"] == 18

    husby = svc.user(areas=("husby-torg",))
    got = husby.api("GET", "/areas/husby-torg/map.mbtiles")
    assert got.status_code == 200 and got.content == data
    assert got.headers["Content-Type"] == "application/vnd.sqlite3"
    etag = got.headers["ETag"]
    assert etag.strip('"') == again.json()["sha256"]
    unchanged = husby.api("GET", "/areas/husby-torg/map.mbtiles", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.content == b""

    hasselby = svc.user(areas=("hasselby-torg",))
    assert hasselby.api("GET", "/areas/husby-torg/map.mbtiles").status_code == 404  # not theirs to see
    assert hasselby.api("GET", "/areas/hasselby-torg/map.mbtiles").status_code == 404  # none placed yet
    assert requests.get(f"{svc.url}/api/v1/areas/husby-torg/map.mbtiles", timeout=10).status_code == 401

    assert _place_map(husby, "husby-torg", husby_map).status_code == 403  # only admins place maps
    bad = tmp_path / "not-a-map.mbtiles"
    bad.write_bytes(b"PK\x03\x04 a zip, not tiles")
    refused = _place_map(admin, "husby-torg", bad)
    assert refused.status_code == 422 and "file" in refused.json()["errors"]
    assert husby.api("GET", "/areas/husby-torg/map.mbtiles").content == data  # the refused file changed nothing


def test_an_instance_without_its_own_copy_serves_the_map_from_the_database(two_areas):
    """Several instances share one database, not one var folder: the map placed through one is
    served by another (here: this instance's copy gone, as on a new instance or after a restore)."""
    svc, _admin, husby_map = two_areas
    copies = list((svc.dir / "var" / "area-maps").glob("*.mbtiles"))
    assert len(copies) == 1
    for copy in copies:
        copy.unlink()
    got = svc.user(areas=("husby-torg",)).api("GET", "/areas/husby-torg/map.mbtiles")
    assert got.status_code == 200 and got.content == husby_map.read_bytes()


def test_the_phone_of_a_user_of_one_area_goes_straight_there_and_gets_no_other_areas_map(two_areas, tmp_path):
    from koll.field.controller import FieldController
    from koll.field.sync import ApiError

    svc, _admin, _map = two_areas
    user = svc.user(areas=("hasselby-torg",))
    ctl = FieldController(str(tmp_path / "phone"), server=svc.url, token=user.token)
    ctl.signed_in(ctl.client().me())
    listed = ctl.load_areas(ctl.client())
    assert [a["code"] for a in listed] == ["hasselby-torg"]
    assert ctl.settings.area == "hasselby-torg" and not ctl.must_choose_area()
    assert "torget" in [p.code for p in ctl.area.places] and ctl.area.boundary
    assert ctl.fetch_map(ctl.client()) == "none"  # no map placed for Hässelby
    with pytest.raises(ApiError) as e:
        ctl.client().area_map("husby-torg", tmp_path / "stolen.mbtiles")
    assert e.value.status == 404 and not (tmp_path / "stolen.mbtiles").exists()


def test_choosing_an_area_among_two_on_the_phone_its_places_its_map_and_reports_naming_it(two_areas, tmp_path):
    svc, _admin, husby_map = two_areas
    user = svc.user(areas=("hasselby-torg", "husby-torg"))
    phone = tmp_path / "phone"
    result = run_scenario("choose_area", phone, svc.url, args={"token": user.token}, shots=True,
                          gps="manual", timeout=150)
    assert [n.split("\n")[0] for n in result["names"]] == ["Husby torg", "Hässelby torg"]
    assert result["places"] == ["Husby torg", "Tunnelbaneuppgången (Husby)", "Husby träff", "Husby bibliotek",
                                "Parkeringsgaraget vid centrum", "Gångbron mot Husby allé"]  # Husby's, not Hässelby's
    assert result["local_category"], "Husby's own category (the housing company's) is offered"
    assert result["map_places"][0].startswith("husby") and result["boundary"] == 1
    body = result["report"]
    assert body["area"] == "husby-torg" and body["place"] == "husby-torget" and body["category"] == "FYS-H01"
    assert result["report_state"] == "sent"
    [seen] = user.mine()
    assert seen["category"] == "FYS-H01"
    kept = phone / "tiles" / "husby-torg.mbtiles"
    assert kept.read_bytes() == husby_map.read_bytes()
    inode = kept.stat().st_ino

    # Started again: straight home in Husby torg, the map asked for with its ETag and not fetched again.
    again = run_scenario("area_remembered", phone, svc.url, timeout=90)
    assert again["area_line"] == "Område: Husby torg" and again["map_line"] == ""
    assert kept.stat().st_ino == inode, "an unchanged map is not downloaded again"

    # Offline, the last loaded definition serves.
    svc.stop()
    from koll.field.controller import FieldController

    ctl = FieldController(str(phone))
    assert ctl.area.code == "husby-torg" and "husby-torget" in [p.code for p in ctl.area.places]
    assert "FYS-H01" in [c.code for c in ctl.area.categories]


def test_a_walk_planned_on_the_phone_of_a_user_of_two_areas_belongs_to_the_area_chosen(two_areas, tmp_path):
    from koll.field.controller import FieldController
    from koll.field.sync import Syncer

    svc, _admin, _map = two_areas
    user = svc.user(areas=("hasselby-torg", "husby-torg"))
    ctl = FieldController(str(tmp_path / "phone"), server=svc.url, token=user.token)
    ctl.signed_in(ctl.client().me())
    ctl.load_areas(ctl.client())
    assert ctl.must_choose_area() and ctl.settings.area == ""
    ctl.choose_area("husby-torg", ctl.client())
    husby_orgs = [o.code for o in ctl.organisations()]
    assert "bostadsbolaget" in husby_orgs and "ica" not in husby_orgs
    walk_id = ctl.plan_walk("Kvällsvandring runt torget", True, ["bostadsbolaget", "polisen"], ["Amina"])
    Syncer(ctl.outbox, ctl.sync_client()).flush()
    assert [(c["kind"], c["state"], c.get("error")) for c in ctl.outbox.commands()] == [
        ("walk_create", "sent", None), ("walk_start", "sent", None)]
    walk = user.api("GET", f"/walks/{walk_id}").json()
    assert walk["area"] == "husby-torg" and walk["organisations"] == ["bostadsbolaget", "polisen"]
