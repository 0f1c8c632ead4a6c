"""Områden in a real browser: the strategic group's overview across areas, and an administrator
drawing a new area's boundary and a place on the map, seen afterwards in `koll area export`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from webhelpers import shoot, sign_in, wait_map_ready

from koll.ledger.domain.area import contains
from koll.ledger.domain.base import Actor
from tests.helpers import observation

pytestmark = pytest.mark.browser

DEMO_AREAS = Path(__file__).parents[2] / "services/ledger/koll/ledger/demo_areas"
ADMIN = Actor("admin", "admin", "sdf")


def husby_report() -> dict[str, Any]:
    return observation(location={"lat": 59.4105, "lon": 17.9262, "accuracy_m": 8.0, "source": "gps"})


@pytest.fixture
def two_areas(service: Any) -> Any:
    for code in ("hasselby-torg", "husby-torg"):
        service.ledger.import_area(ADMIN, json.loads((DEMO_AREAS / f"{code}.json").read_text(encoding="utf-8")))
    service.ledger.add_user("husbyoperativ", "operational", "sdf-rinkeby-kista", password="hemligt",
                            areas=["husby-torg"])
    reporter = service.client("reporter")
    for body in (observation(), observation(), observation(), husby_report()):
        assert reporter.post("/api/v1/observations", json=body).status_code == 201
    return service


def test_the_strategic_group_sees_its_areas_side_by_side_and_a_district_only_its_own(two_areas: Any, browser: Any,
                                                                                    page: Any) -> None:
    base = two_areas.base
    sign_in(page, base, "strateg")
    page.get_by_role("navigation").get_by_role("link", name="Översikt").click()
    page.wait_for_url(f"{base}/oversikt")
    rows = page.locator("#overview tbody tr")
    assert rows.count() == 2
    hasselby, husby = page.locator('tr[data-area="hasselby-torg"]'), page.locator('tr[data-area="husby-torg"]')
    assert hasselby.locator('[data-col="open"]').inner_text().strip() == "3"
    assert husby.locator('[data-col="open"]').inner_text().strip() == "1"
    assert "Kritisk massa" in husby.locator('[data-col="principles"]').inner_text()
    shoot(page, "areas-overview")
    husby.get_by_role("link", name="Husby torg").click()
    page.wait_for_url(f"{base}/?area=husby-torg")
    assert "Lägesbild – Husby torg" in page.locator("h1").inner_text()

    other = browser.new_context(locale="sv-SE", viewport={"width": 390, "height": 900})
    try:
        p = other.new_page()
        sign_in(p, base, "husbyoperativ")
        assert p.get_by_role("navigation").get_by_role("link", name="Översikt").count() == 0  # one area
        p.goto(f"{base}/oversikt")
        assert p.locator("#overview tbody tr").count() == 1
        text = p.locator("main").inner_text()
        assert "Husby torg" in text and "Hässelby" not in text
        shoot(p, "areas-overview-one-area")
    finally:
        other.close()


def _click_map(page: Any, fx: float, fy: float) -> None:
    """A click at a fraction of the map's width and height."""
    page.locator("#area-map").scroll_into_view_if_needed()
    box = page.locator("#area-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy)


def test_an_admin_draws_a_new_area_and_a_place_and_koll_area_export_has_them(two_areas: Any, page: Any) -> None:
    base = two_areas.base
    sign_in(page, base, "admin", path="/admin/omraden")
    wait_map_ready(page)
    form = page.locator("#new-area")
    form.get_by_label("Kod").fill("husby-norra")
    form.get_by_label("Namn (svenska)").fill("Husby norra")
    page.get_by_role("button", name="Rita gränsen").click()
    for fx, fy in ((0.35, 0.3), (0.65, 0.3), (0.7, 0.7), (0.3, 0.7)):
        _click_map(page, fx, fy)
    assert page.locator("#area-map").get_attribute("data-vertices") == "4"
    page.get_by_role("button", name="Ångra senaste hörnet").click()
    _click_map(page, 0.3, 0.72)
    assert page.locator("#vertex-count").inner_text() == "Gränsen har 4 hörn."
    shoot(page, "admin-areas-new")
    form.get_by_role("button", name="Skapa området").click()
    page.wait_for_url(f"{base}/admin/omraden/husby-norra?klart=created")
    assert "Området är skapat" in page.locator("#area-message").inner_text()
    wait_map_ready(page)

    # A place: picked on the map in the empty row, named, and a radius typed wrong first.
    row = page.locator("tr[data-place-row][data-new]")
    row.get_by_role("button", name="Välj på kartan").click()
    _click_map(page, 0.5, 0.5)
    assert row.locator("input[data-coord='lat']").input_value() != ""
    row.get_by_label("Plats 1: Kod").fill("norra-lekplatsen")
    row.get_by_label("Plats 1: Namn (svenska)").fill("Lekplatsen i norr")
    row.get_by_label("Plats 1: Radie (m)").fill("trettio")
    page.get_by_role("button", name="Spara platserna").click()
    assert "Inget registrerat" in page.locator("#area-message").inner_text()
    assert page.locator("#e-places-0-radius_m").is_visible()
    assert page.get_by_label("Plats 1: Namn (svenska)").input_value() == "Lekplatsen i norr"   # kept as typed
    page.get_by_label("Plats 1: Radie (m)").fill("35")
    page.get_by_role("button", name="Spara platserna").click()
    page.wait_for_url(f"{base}/admin/omraden/husby-norra?klart=platser#platser")
    assert "Platserna är sparade" in page.locator("#area-message").inner_text()
    wait_map_ready(page)
    assert page.locator(".place-label", has_text="Lekplatsen i norr").count() == 1
    shoot(page, "admin-area-place")

    env = {**os.environ, "KOLL_DATABASE_URL": two_areas.koll.settings.database_url}
    out = subprocess.run([str(Path(sys.executable).parent / "koll"), "area", "export", "husby-norra"], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    exported = json.loads(out.stdout)
    assert exported["name"]["sv"] == "Husby norra" and len(exported["boundary"]["coordinates"][0]) == 5
    (place,) = exported["places"]
    assert (place["code"], place["sv"], place["radius_m"]) == ("norra-lekplatsen", "Lekplatsen i norr", 35.0)
    lon, lat = place["geometry"]["coordinates"]
    assert contains(exported["boundary"], lat, lon)


def test_a_walk_is_planned_among_the_chosen_areas_own_places_and_organisations(two_areas: Any, page: Any) -> None:
    base = two_areas.base
    sign_in(page, base, "operativ", path="/vandringar/ny")  # operational staff of every area
    route = page.locator("#walk-route")
    assert route.get_by_label("Garaget", exact=True).count() == 1  # the first area's places
    assert route.get_by_label("Husby bibliotek").count() == 0
    with page.expect_navigation():  # choosing the area shows its places at once
        page.get_by_label("Område", exact=True).select_option(label="Husby torg")
    page.wait_for_url(f"{base}/vandringar/ny?area=husby-torg")
    assert route.get_by_label("Garaget", exact=True).count() == 0  # Hässelby's places are not Husby's
    assert "Husby torg" in page.locator("#walk-area-chosen").inner_text()
    page.get_by_label("Område", exact=True).select_option(label="Hässelby torg")  # and back
    page.wait_for_url(f"{base}/vandringar/ny?area=hasselby-torg")
    page.goto(f"{base}/vandringar/ny?area=husby-torg")
    assert page.locator("#walk-area-show").is_visible()  # the button for a browser without scripts
    page.get_by_label("Rubrik").fill("Kvällsvandring i Husby")
    page.get_by_label("Datum").fill("2026-12-10")
    page.get_by_label("Klockslag").fill("20:00")
    route.get_by_label("Husby bibliotek").check()
    route.get_by_label("Husby träff").check()
    page.locator("#walk-organisations").get_by_label("Bostadsbolaget i Husby").check()
    assert page.locator("#walk-organisations").get_by_label("Förskolan").count() == 0
    shoot(page, "walk-new-husby")
    page.set_viewport_size({"width": 390, "height": 844})  # a phone in the hand on the square
    shoot(page, "walk-new-husby-390")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.get_by_role("button", name="Planera vandringen").click()
    page.wait_for_selector("#walk-message")
    assert "Husby träff → Husby bibliotek" in page.locator("#walk-route").inner_text()  # the form's order
    walk_id = page.url.split("/vandringar/")[1].split("?")[0]
    walk = two_areas.client("operational").get(f"/api/v1/walks/{walk_id}").json()
    assert walk["area"] == "husby-torg", walk
