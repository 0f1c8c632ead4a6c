"""The steps around the plan in a real browser, as a new district walks them: the shared situation
description written and revised (a stale version keeps what was typed), a goal with an indicator
and its baseline, a safety survey read in, both beside the counted picture; and the residents'
page opened without signing in. Then the demo's boards, loaded today."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from webhelpers import shoot, sign_in

from koll.ledger import demo
from koll.ledger.domain.base import Actor

pytestmark = pytest.mark.browser
AREA = "hasselby-torg"
SURVEY = "datum;fråga;plats;värde;enhet\n2018-11-14;Andel otrygga kvällstid;;44;%\n2019-09-04;Andel otrygga kvällstid;;37;%\n"


def test_a_new_district_describes_sets_a_goal_reads_a_survey_and_tells_the_residents(service: Any, page: Any,
                                                                                      tmp_path: Path) -> None:
    service.ledger.import_area(demo.SYSTEM, demo.area_definition(AREA))
    sign_in(page, service.base, "operativ", path="/lagesbeskrivning")
    assert page.locator("#description-none").is_visible()
    page.get_by_label("Symptom – vad syns och vad händer?").fill("Öppen droghandel vid tunnelbaneuppgången kvällstid")
    page.get_by_label("Det subtila").fill("Platsen upplevs ägd av gänget")
    page.get_by_label("Vem kan påverka vad?").fill("Polisen, MTR, fastighetsägaren")
    page.get_by_role("button", name="Spara").click()
    assert "version 1" in page.locator("#description-saved").inner_text()

    # Someone else revises meanwhile: our form is at version 1 still.
    other = Actor("polis", "operational", "polisen")
    service.ledger.describe_situation(other, AREA, 1, {"symptoms": "Droghandeln har flyttat in i gångtunneln"})
    page.get_by_label("Det konkreta").fill("Garaget används som bostad eller toalett")
    page.get_by_role("button", name="Spara").click()
    assert "du såg version 1" in page.locator("#description-error").inner_text()
    assert page.get_by_label("Det konkreta").input_value() == "Garaget används som bostad eller toalett"  # kept
    assert page.locator("#description-history li").count() == 2
    shoot(page, "description-stale")
    page.get_by_role("button", name="Spara").click()  # read the new version; now at 2
    assert "version 3" in page.locator("#description-saved").inner_text()

    page.goto(service.base + "/mal")
    page.get_by_label("Mål", exact=True).fill("Återerövra det offentliga rummet")
    page.get_by_label("Indikator", exact=True).fill("Öppen droghandel per vecka")
    page.get_by_label("Kategorier eller grupper (t.ex. SOC-01, REN)").fill("SOC-01")
    page.get_by_label("Utgångsläge", exact=True).fill("3")
    page.get_by_label("Utgångslägets period").fill("maj–augusti 2018")
    page.get_by_label("Målvärde").fill("0,5")
    page.locator("#goal-form").get_by_role("button", name="Spara").click()
    row = page.locator("[data-goal] tbody tr").first
    assert "maj–augusti 2018" in row.inner_text() and "0.5" in row.inner_text()
    csv = tmp_path / "trygghet.csv"
    csv.write_text(SURVEY, encoding="utf-8")
    page.get_by_label("Fil (CSV)").set_input_files(str(csv))
    page.locator("#survey-form").get_by_role("button", name="Läs in trygghetsmätning (CSV)").click()
    assert "inläst" in page.locator("#goals-message").inner_text()
    assert page.locator("#survey-results tbody tr").count() == 2
    shoot(page, "goals")

    page.goto(f"{service.base}/?area={AREA}")
    assert "Garaget används som bostad" in page.locator("#situation-description").inner_text()
    assert page.locator("#survey-results tbody tr").count() == 2
    shoot(page, "situation-with-description")

    residents = page.context.browser.new_context(locale="sv-SE").new_page()  # nobody signed in
    residents.goto(f"{service.base}/omrade/{AREA}")
    assert residents.locator("h1").inner_text() and residents.locator("#done").is_visible()
    assert "Logga ut" not in residents.content()
    shoot(residents, "residents")
    residents.context.close()


def test_the_demo_loaded_today_makes_sense_today(board: Any, page: Any) -> None:
    sign_in(page, board.base, "operativ", path="/insatser")
    late = page.locator("#p-critical .badge.late")
    assert late.count() == 0 or int(late.inner_text().split()[0]) <= 3  # not "23 försenade"
    assert "sju insatsgrupper" in page.locator("#p-kinds").inner_text()
    shoot(page, "demo-measures-today")
    page.goto(f"{board.base}/omrade/{AREA}")
    assert "Höstens trygghetsvandring i mörker" in page.locator("#next-walk").inner_text()
    assert "IOP Brommapojkarna" in page.locator("#done").inner_text()
    shoot(page, "demo-residents")
