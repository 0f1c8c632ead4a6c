"""Insatser, möten and revision in a real browser, on the demo plus today's plan."""

from __future__ import annotations

from typing import Any

import pytest
from webhelpers import ARTIFACTS, seed_plan, shoot, sign_in

from koll.ledger.queries.measures import portfolio

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(board: Any) -> dict[str, str]:
    return seed_plan(board.ledger)


def test_measure_board_columns_table_and_late(board: Any, plan: dict[str, str], page: Any) -> None:
    sign_in(page, board.base, "strateg", path="/insatser")
    with board.koll.store.read() as conn:
        figures = portfolio(conn, None)  # no viewer: every area
    assert int(page.locator("#p-critical .big").inner_text()) == figures["critical_mass"]["active"] >= 1
    late = page.locator(f'.mcard[data-measure="{plan["late"]}"]')
    assert "late" in late.get_attribute("class") and "Försenad" in late.inner_text()
    assert page.locator('.column[data-status="idea"] .mcard').count() >= 1
    shoot(page, "measures")
    page.get_by_role("link", name="Tabell (Excel-kolumnerna)").click()
    header = page.locator("table.measures thead").inner_text()
    for column in ("Vad ska göras?", "När ska arbetet inledas?", "När ska det vara slutfört?", "Vad ska uppnås?",
                   "Vilka resurser behövs/ska tillföras?", "Vilka indikatorer finns för framgång?", "Vad har vi uppnått?"):
        assert column in header
    assert "late" in page.locator(f'tr[data-measure="{plan["late"]}"]').get_attribute("class")
    page.get_by_label("Gruppera efter").select_option("palette")
    page.get_by_role("button", name="Visa").click()
    assert page.get_by_role("heading", name="Situationell prevention").count() == 1
    shoot(page, "measures-table")
    # a strategic user reads but records no decisions
    page.goto(f"{board.base}/insatser/{plan['lights']}")
    assert page.locator("form.decision").count() == 0


def test_move_a_measure_through_its_states(board: Any, plan: dict[str, str], page: Any) -> None:
    sign_in(page, board.base, "operativ", path=f"/insatser/{plan['lights']}")
    assert page.locator("#measure-status").get_attribute("data-status") == "idea"
    assert page.locator("#measure-history li").count() >= 2               # proposed, case linked
    assert page.locator("#linked-cases tbody tr").count() == 1         # the linked case
    assert page.evaluate("window.kollCharts.filter(Boolean).length") == 1  # the indicator's trend

    def act(action: str, fill: dict[str, str] | None = None) -> None:
        form = page.locator(f'form.decision[data-action="{action}"]')
        for name, value in (fill or {}).items():
            form.locator(f'[name="{name}"]').fill(value)
        form.get_by_role("button").click()
        page.wait_for_selector("#decision-message")

    act("decide", {"note": "Beslutat på mötet"})
    assert page.locator("#measure-status").get_attribute("data-status") == "decided"
    act("start")
    act("progress", {"achieved": "Hälften av lamporna bytta"})
    assert page.locator("#measure-achieved").inner_text() == "Hälften av lamporna bytta"
    act("escalate", {"support_needed": "Mer budget"})
    act("complete", {"achieved": "Alla lampor bytta"})
    assert page.locator("#measure-status").get_attribute("data-status") == "done"
    events = page.locator("#measure-history > li").evaluate_all("els => els.map(e => e.dataset.event)")
    assert events[-5:] == ["Measure.Decided", "Measure.Started", "Measure.ProgressReported", "Measure.Escalated",
                           "Measure.Completed"]
    # told in the users' words, with what was reported
    told = page.locator("#measure-history > li strong").all_inner_texts()
    assert told[-5:] == ["Insatsen beslutades", "Insatsen påbörjades", "Framsteg rapporterades",
                         "Insatsen eskalerades till strategiska gruppen", "Insatsen avslutades"]
    assert "Mer budget" in page.locator("#measure-history > li").nth(-2).inner_text()
    shoot(page, "measure")


def test_a_stale_form_says_so_instead_of_overwriting(board: Any, plan: dict[str, str], context: Any) -> None:
    first, second = context.new_page(), context.new_page()
    sign_in(first, board.base, "operativ", path=f"/insatser/{plan['late']}")
    second.goto(f"{board.base}/insatser/{plan['late']}")
    first.locator('form.decision[data-action="pause"] [name="reason"]').fill("Vintern")
    first.locator('form.decision[data-action="pause"]').get_by_role("button").click()
    first.wait_for_selector("#decision-message")
    assert first.locator("#measure-status").get_attribute("data-status") == "paused"

    second.locator('form.decision[data-action="cancel"] [name="reason"]').fill("Ingen finansiering")
    second.locator('form.decision[data-action="cancel"]').get_by_role("button").click()
    message = second.locator("#decision-message")
    assert "Någon annan har ändrat insatsen" in message.inner_text()
    assert second.locator("#measure-status").get_attribute("data-status") == "paused"   # not cancelled
    # the form keeps what was typed so it can be sent again on the new version
    assert second.locator('form.decision[data-action="cancel"] [name="reason"]').input_value() == "Ingen finansiering"
    shoot(second, "measure-stale")


def test_print_a_report_back(board: Any, plan: dict[str, str], page: Any) -> None:
    sign_in(page, board.base, "strateg", path="/moten")
    assert page.locator(f'tr[data-meeting="{plan["meeting"]}"]').count() == 1
    shoot(page, "meetings")
    page.locator(f'tr[data-meeting="{plan["meeting"]}"]').get_by_role("link", name="Återrapportering").click()
    headings = page.locator(".report h2").all_inner_texts()
    for expected in ("1. Uppsatta mål", "2. Framgångsfaktorer", "3. Behov av stöd", "4. Slutsatser"):
        assert any(h.startswith(expected) for h in headings), headings
    assert "Entreprenören hann inte" in page.locator("#rb-goals").inner_text()
    assert "Budget för belysta planer" in page.locator("#rb-support").inner_text()
    assert "Fortsätt med situationell prevention" in page.locator("#rb-conclusions").inner_text()
    shoot(page, "report-back")
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden() and page.locator("button.print").is_hidden()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = page.pdf(path=str(ARTIFACTS / "report-back.pdf"), format="A4")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 5000


def test_audit_measure_and_case_side_by_side(board: Any, plan: dict[str, str], page: Any) -> None:
    sign_in(page, board.base, "revisor", path=f"/revision?measure={plan['lights']}&case={plan['case']}")
    assert page.locator("#measure-history li").count() >= 2
    assert page.locator("#case-history li").count() >= 1
    # an auditor records nothing
    page.goto(f"{board.base}/insatser/{plan['lights']}")
    assert page.locator("form.decision").count() == 0
