"""Lägesbild in a real browser: sign in, the map and charts, filters, downloads, offline, English."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from webhelpers import shoot, sign_in, wait_map_ready

pytestmark = pytest.mark.browser


def test_sign_in_is_required_and_wrong_password_is_refused(board: Any, page: Any) -> None:
    page.goto(board.base + "/")
    assert "/login" in page.url
    page.get_by_label("Användarnamn").fill("operativ")
    page.get_by_label("Lösenord").fill("fel")
    page.get_by_role("button", name="Logga in").click()
    assert page.get_by_role("alert").inner_text().startswith("Fel användarnamn")
    shoot(page, "login")
    sign_in(page, board.base, "operativ")
    assert "Operativa gruppen" in page.locator("header").inner_text()
    page.get_by_role("button", name="Logga ut").click()
    page.wait_for_url("**/login")
    page.goto(board.base + "/insatser")
    assert "/login" in page.url


def test_a_form_without_its_csrf_token_is_refused(board: Any, page: Any) -> None:
    response = page.request.post(board.base + "/login", form={"user": "operativ", "password": "hemligt"})
    assert response.status == 400
    page.goto(board.base + "/")
    assert "/login" in page.url


def test_situation_map_filters_and_charts(board: Any, page: Any) -> None:
    sign_in(page, board.base, "operativ")
    wait_map_ready(page)
    shown = int(page.locator("#map").get_attribute("data-features"))
    assert shown == int(page.locator("#case-total").inner_text()) > 0
    assert page.locator(".place-label", has_text="Tunnelbaneuppgången").count() == 1
    assert page.locator(".marker-cluster, .case-dot").count() > 0       # clustered where dense
    assert page.locator("canvas.leaflet-heatmap-layer").count() == 1     # the heat layer
    assert page.evaluate("window.kollCharts.filter(Boolean).length") == 3
    # Long group names are drawn on two lines, whole, not cut at the axis.
    labels = page.evaluate("window.kollCharts[0].data.labels")
    assert ["Nedskräpning och", "renhållning"] in labels
    shoot(page, "situation")

    page.get_by_label("Kategorigrupp", exact=True).select_option("REN")
    page.get_by_label("Status", exact=True).select_option("all")
    page.get_by_role("button", name="Visa").click()
    page.wait_for_url("**group=REN**")
    wait_map_ready(page)
    filtered = int(page.locator("#map").get_attribute("data-features"))
    assert 0 < filtered == int(page.locator("#case-total").inner_text())
    assert "Nedskräpning" in page.locator("#t-category").inner_text() or filtered
    assert "Klotter" not in page.locator(".legend").inner_text()


def test_download_this_view_as_csv_geojson_and_png(board: Any, page: Any, tmp_path: Any) -> None:
    sign_in(page, board.base, "operativ", path="/?group=KLO&status=all")
    wait_map_ready(page)
    expected = int(page.locator("#case-total").inner_text())

    with page.expect_download() as info:
        page.locator("#dl-csv").click()
    rows = list(csv.DictReader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert len(rows) == expected and {r["group"] for r in rows} == {"KLO"}

    with page.expect_download() as info:
        page.locator("#dl-geojson").click()
    fc = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == expected
    assert info.value.suggested_filename.endswith(".geojson")

    with page.expect_download() as info:
        page.get_by_role("button", name="Diagram som bild (PNG)").first.click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_nothing_leaves_localhost(board: Any, page: Any) -> None:
    outside: list[str] = []

    def guard(route: Any) -> None:
        host = urlparse(route.request.url).hostname
        if host in ("127.0.0.1", "localhost") or route.request.url.startswith("data:"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    sign_in(page, board.base, "strateg")
    wait_map_ready(page)
    assert page.locator(".leaflet-container").count() == 1
    assert page.evaluate("typeof Chart") == "function"
    assert outside == []


def test_english_with_lang_en(board: Any, page: Any) -> None:
    sign_in(page, board.base, "operativ")
    page.goto(board.base + "/?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Situation – Hässelby torg"
    assert page.get_by_label("Category group", exact=True).count() == 1
    wait_map_ready(page)
    shoot(page, "situation-en")
    page.get_by_role("link", name="På svenska").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Lägesbild – Hässelby torg"


def _categories_seen(page: Any, base: str, user: str) -> str:
    sign_in(page, base, user)
    page.goto(base + "/?status=all")
    wait_map_ready(page)
    text = page.locator("#t-category").inner_text()
    page.get_by_role("button", name="Logga ut").click()
    return text


def test_each_role_sees_only_the_categories_it_may(board: Any, page: Any) -> None:
    # The demo has open drug dealing (SOC-01, restricted) and public drinking (SOC-03, internal).
    dealing, drinking, litter = "Misstänkt narkotikaförsäljning", "Alkoholförtäring", "Nedskräpning"
    police = _categories_seen(page, board.base, "polis")
    assert dealing in police and drinking in police and litter in police
    staff = _categories_seen(page, board.base, "operativ")  # the district's staff: internal, not restricted
    assert drinking in staff and litter in staff and dealing not in staff
    reporter = _categories_seen(page, board.base, "rapportor")
    assert litter in reporter and drinking not in reporter and dealing not in reporter


def test_a_reporter_opens_no_page_the_role_may_not(board: Any, page: Any) -> None:
    sign_in(page, board.base, "rapportor")
    wait_map_ready(page)
    # no menu entries the role may not open
    assert page.get_by_role("link", name="Revision").count() == 0
    page.goto(board.base + "/revision")
    assert page.get_by_role("alert").inner_text() == "Din roll får inte se den här sidan."
