"""The report's road map (färdplan) in a real browser, as a district new to the method walks it:
a workshop with attendance by organisation, what is already done recorded in the inventory, an
idea on the gross list, a goal with an indicator and its baseline, the idea decided in the
meeting, and the report-back showing the indicator before (the baseline) and after (at the
meeting), counted from the reports the square has had."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pytest
from webhelpers import shoot, sign_in

from helpers import observation
from koll.ledger import demo

pytestmark = pytest.mark.browser
AREA = "hasselby-torg"


def test_a_new_district_walks_the_road_map_from_workshop_to_report_back(service: Any, page: Any) -> None:
    ledger = service.ledger
    ledger.import_area(demo.SYSTEM, demo.area_definition(AREA))
    reporter = service.client("reporter")
    for _ in range(8):  # two weeks of litter at the metro entrance: the indicator has something to count
        assert reporter.post("/api/v1/observations", observation(category="REN-01")).status_code == 201

    # 1. The workshop, and who came for which organisation.
    sign_in(page, service.base, "operativ", path="/moten/nytt")
    page.get_by_label("Typ av möte").select_option("workshop")
    page.get_by_label("Rubrik").fill("Workshop: vad gör vi redan?")
    page.get_by_label("Datum").fill(date.today().isoformat())
    page.get_by_role("button", name="Planera mötet").click()
    page.wait_for_selector("#meeting-message")
    meeting_id = page.url.split("/moten/")[1].split("?")[0]
    page.locator("#attendance summary").click()
    page.locator('input[name="count_polisen"]').fill("6")
    page.locator('input[name="count_mtr"]').fill("2")
    page.locator('input[name="count_sdf"]').fill("9")
    page.get_by_role("button", name="Registrera närvaro").click()
    page.wait_for_selector("#meeting-message")
    assert page.locator("#attendance-total").inner_text() == "17"

    # 2. What is already done, before any new idea.
    page.goto(f"{service.base}/insatser/ny?inventering=1")
    form = page.locator("#new-measure")
    form.locator("#new-what").fill("Städning av tunnelbaneuppgången varje morgon")
    form.locator("#new-owner_org").select_option("mtr")
    form.locator("#new-start").fill("2017-03-01")
    form.get_by_role("button", name="För in i inventeringen").click()
    page.wait_for_selector("#inventory-note")
    page.goto(f"{service.base}/insatser?vy=inventering")
    assert "Städning av tunnelbaneuppgången" in page.locator('.inventory-org[data-org="mtr"]').inner_text()

    # 3. A new idea on the gross list, with the report's sorting questions.
    page.goto(f"{service.base}/insatser/ny")
    form = page.locator("#new-measure")
    form.locator("#new-what").fill("Fler papperskorgar vid torget")
    form.locator("#new-owner_org").select_option("trafikkontoret")
    form.get_by_label("Enkelt eller komplext?").select_option("enkel")
    form.get_by_label("Inom gruppens mandat?").select_option("inom")
    form.get_by_role("button", name="Lägg till i bruttolistan").click()
    page.wait_for_selector("#measure-status")
    idea = page.url.split("/insatser/")[1].split("?")[0]
    assert page.locator("#measure-status").get_attribute("data-status") == "idea"

    # 4. A goal with an indicator and its baseline.
    page.goto(f"{service.base}/mal?area={AREA}")
    page.get_by_label("Mål", exact=True).fill("Ett renare torg")
    page.get_by_label("Indikator", exact=True).fill("Nedskräpning per vecka")
    page.get_by_label("Kategorier eller grupper (t.ex. SOC-01, REN)").fill("REN")
    page.get_by_label("Utgångsläge", exact=True).fill("12")
    page.get_by_label("Utgångslägets period").fill("hösten före arbetet")
    page.get_by_label("Målvärde").fill("1")
    page.locator("#goal-form").get_by_role("button", name="Spara").click()
    assert "hösten före arbetet" in page.locator("[data-goal] tbody tr").first.inner_text()

    # 5. The idea decided in the workshop, which is then held.
    page.goto(f"{service.base}/moten/{meeting_id}")
    decision = page.locator("#decision-form")
    decision.get_by_label("Beslut", exact=True).fill("Papperskorgarna sätts upp i vår")
    decision.get_by_label(re.compile("Fler papperskorgar vid torget")).check()
    decision.get_by_role("button", name="Registrera beslut").click()
    page.wait_for_selector("#meeting-message")
    assert "1 insats: Fler papperskorgar vid torget" in page.locator("#decision-list").inner_text()
    assert ledger.measure(uuid.UUID(idea)).status == "decided"
    page.get_by_label("Slutsatser").fill("Inventeringen och bruttolistan är gjorda")
    page.get_by_role("button", name="Mötet är genomfört").click()
    page.wait_for_selector("#meeting-message")

    # 6. The report-back: the decision, who came, and the indicator before and after.
    page.goto(f"{service.base}/moten/{meeting_id}/aterrapport")
    report = page.locator("article.report").inner_text()
    assert "Papperskorgarna sätts upp i vår" in report and "Polisen" in report
    # What already ran since 2017 was recorded in this period, but did not start in it.
    assert "Städning av tunnelbaneuppgången" not in page.locator("#rb-measures").inner_text()
    row = page.locator('#rb-area-goals tr[data-indicator]').first
    cells = row.locator("td").all_inner_texts()
    assert cells[0].startswith("12") and "hösten före arbetet" in cells[0]  # before: the baseline
    assert cells[2] == "2.0"  # after: 8 reports over the last four weeks, a mean of 2 a week
    assert "Vid mötet" in page.locator("#rb-area-goals thead").inner_text()
    shoot(page, "report-back-road-map")
