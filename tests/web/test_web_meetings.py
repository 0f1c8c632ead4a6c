"""Möten and vandringar in a real browser, as the groups do the work: schedule a meeting (the next
date three weeks on offered), record who came for which organisation, decide a measure from the
gross list in the meeting and find the meeting's title in the measure's history, answer an
escalation in the strategic group and see it closed in the report-back, plan a walk and join it
with its code as the phone does; a stale form is refused with nothing recorded and the text kept."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from webhelpers import shoot, sign_in

from koll.ledger.domain.base import Actor

pytestmark = pytest.mark.browser

OPS = Actor("operativ", "operational", "sdf")
PHONE = {"width": 390, "height": 844}


def _idea(board: Any, what: str = "Klotterplank vid tunnelbanan") -> str:
    mid = str(uuid.uuid4())
    board.ledger.propose_measure(OPS, {"id": mid, "what": what, "owner_org": "mtr", "palette": "situationell"})
    return mid


def _meeting(board: Any, group: str = "operational", title: str = "Operativa gruppen", day: date | None = None) -> str:
    mid = str(uuid.uuid4())
    board.ledger.schedule_meeting(OPS, {"id": mid, "group": group, "date": (day or date.today()).isoformat(),
                                        "title": title, "attendees": []})
    return mid


def _events(board: Any) -> int:
    return board.ledger.recorder.max_notification_id() or 0


def test_schedule_a_meeting_record_attendance_and_decide_a_measure_in_it(service: Any, page: Any) -> None:
    board = service
    idea = _idea(board)
    earlier = _meeting(board, title="Förra mötet", day=date.today() - timedelta(days=7))
    sign_in(page, board.base, "operativ", path="/moten")
    page.locator("#new-meeting").click()
    page.wait_for_url(f"{board.base}/moten/nytt")
    offered = (date.today() - timedelta(days=7) + timedelta(weeks=3)).isoformat()
    assert page.get_by_label("Datum").input_value() == offered  # three weeks after the last meeting
    page.get_by_label("Typ av möte").select_option("workshop")
    page.get_by_label("Rubrik").fill("Workshop om lägesbilden")
    shoot(page, "meeting-new")
    page.get_by_role("button", name="Planera mötet").click()
    page.wait_for_selector("#meeting-message")
    meeting_id = page.url.split("/moten/")[1].split("?")[0]
    meeting = board.ledger.meeting(uuid.UUID(meeting_id))
    assert (meeting.group, meeting.title, meeting.date) == ("workshop", "Workshop om lägesbilden", offered)
    assert earlier

    # attendance by organisation: a count and names
    page.locator("#attendance summary").click()
    page.locator('input[name="count_polisen"]').fill("12")
    page.locator('input[name="names_polisen"]').fill("Ali, Bo")
    page.locator('input[name="count_mtr"]').fill("3")
    page.locator('input[name="count__"]').fill("40")
    page.get_by_role("button", name="Registrera närvaro").click()
    page.wait_for_selector("#meeting-message")
    assert page.locator("#attendance-total").inner_text() == "55"
    assert "Polisen, lokalpolisområdet: 12 – Ali, Bo" in page.locator("#attendance-list").inner_text()

    # the idea is on the agenda; deciding it in the meeting decides the measure
    assert "Klotterplank vid tunnelbanan" in page.locator("#agenda-to-decide").inner_text()
    form = page.locator("#decision-form")
    form.get_by_label("Beslut", exact=True).fill("Klotterplanket sätts upp före sommaren")
    form.get_by_label(re.compile("Klotterplank vid tunnelbanan")).check()
    form.get_by_role("button", name="Registrera beslut").click()
    page.wait_for_selector("#meeting-message")
    listed = page.locator("#decision-list").inner_text()
    assert "Klotterplanket sätts upp före sommaren" in listed and "1 insats: Klotterplank vid tunnelbanan" in listed
    assert board.ledger.measure(uuid.UUID(idea)).status == "decided"
    shoot(page, "meeting")

    page.goto(f"{board.base}/insatser/{idea}")
    history = page.locator("#measure-history, ol.history").first.inner_text()
    assert "Insatsen beslutades" in history and "Workshop om lägesbilden" in history
    assert meeting_id not in history  # the meeting's title, not its id
    assert page.get_by_role("link", name="Workshop om lägesbilden").get_attribute("href") == f"/moten/{meeting_id}"
    shoot(page, "measure-decided-in-meeting")

    page.goto(f"{board.base}/moten/{meeting_id}")  # the meeting is held: its record closes
    page.get_by_label("Slutsatser").fill("Lägesbilden är gemensam; bruttolistan nästa gång")
    page.get_by_role("button", name="Mötet är genomfört").click()
    page.wait_for_selector("#meeting-message")
    assert page.locator("#meeting-status").get_attribute("data-status") == "held"
    assert page.locator("#decision-form").count() == 0 and "bruttolistan nästa gång" in page.locator("#hold").inner_text()
    page.goto(f"{board.base}/moten/{meeting_id}/aterrapport")  # the report-back says who came
    assert "Polisen, lokalpolisområdet 12 (Ali, Bo)" in page.locator("article.report").inner_text()
    assert board.ledger.meeting(uuid.UUID(meeting_id)).conclusions == "Lägesbilden är gemensam; bruttolistan nästa gång"


def test_the_strategic_group_answers_an_escalation_which_closes_it(service: Any, page: Any) -> None:
    board = service
    mid = str(uuid.uuid4())
    board.ledger.propose_measure(OPS, {"id": mid, "what": "Kvällsfotboll på torget", "owner_org": "civilsamhallet"})
    board.ledger.decide_measure(uuid.UUID(mid), 1, lambda m: m.decide(OPS))
    board.ledger.decide_measure(uuid.UUID(mid), 2, lambda m: m.escalate(OPS, support_needed="Budget för belysta planer"))
    strategic = _meeting(board, "strategic", "Strategiska gruppen december")
    operational = _meeting(board, "operational", "Operativa gruppen")
    sign_in(page, board.base, "strateg", path=f"/moten/{strategic}")
    waiting = page.locator("#agenda-escalations")
    assert "Budget för belysta planer" in waiting.inner_text()
    form = waiting.locator("form.answer-form").first
    form.get_by_label("Stöd beviljas").check()
    form.get_by_label("Beslut och motivering").fill("Staden bekostar belysningen 2019")
    form.get_by_role("button", name="Besvara eskaleringen").click()
    page.wait_for_selector("#meeting-message")
    assert "Eskaleringen är besvarad" in page.locator("#meeting-message").inner_text()
    assert page.locator("#agenda-escalations form").count() == 0  # closed: no longer waiting
    assert "Stöd beviljas" in page.locator("#decision-list").inner_text()

    page.goto(f"{board.base}/moten/{operational}/aterrapport")
    assert "Inget att rapportera" in page.locator("#rb-escalations-open").inner_text()
    answered = page.locator("#rb-escalations-answered").inner_text()
    assert "Kvällsfotboll på torget" in answered and "Stöd beviljas" in answered
    assert "Staden bekostar belysningen 2019" in answered and "Strategiska gruppen december" in answered
    shoot(page, "report-back-answered")

    page.goto(f"{board.base}/insatser/{mid}")  # the answer is in the measure's history, with the meeting
    answer = page.locator('#measure-history li[data-event="Meeting.DecisionRecorded"]')
    assert "Staden bekostar belysningen 2019" in answer.inner_text()
    answer.get_by_role("link", name="Strategiska gruppen december").click()
    page.wait_for_url(f"{board.base}/moten/{strategic}")


def test_a_stale_decision_form_is_refused_nothing_recorded_and_the_text_kept(service: Any, context: Any) -> None:
    board = service
    _idea(board)
    meeting = _meeting(board)
    first, second = context.new_page(), context.new_page()
    sign_in(first, board.base, "operativ", path=f"/moten/{meeting}")
    second.goto(f"{board.base}/moten/{meeting}")
    first.locator("#attendance summary").click()
    first.locator('input[name="count_sdf"]').fill("4")
    first.get_by_role("button", name="Registrera närvaro").click()
    first.wait_for_selector("#meeting-message")
    before = _events(board)

    form = second.locator("#decision-form")
    form.get_by_label("Beslut", exact=True).fill("Skrivet i en gammal flik")
    form.get_by_label(re.compile("Klotterplank")).check()
    with second.expect_response(lambda r: r.request.method == "POST") as got:
        form.get_by_role("button", name="Registrera beslut").click()
    assert got.value.status == 409
    assert "Inget sparades" in second.locator("#meeting-message").inner_text()
    assert _events(board) == before
    form = second.locator("#decision-form")
    assert form.get_by_label("Beslut", exact=True).input_value() == "Skrivet i en gammal flik"
    assert form.get_by_label(re.compile("Klotterplank")).is_checked()
    shoot(second, "meeting-stale")
    form.get_by_role("button", name="Registrera beslut").click()  # read it through, and send again
    second.wait_for_selector("#decision-list")
    assert "Skrivet i en gammal flik" in second.locator("#decision-list").inner_text()


def test_a_refused_meeting_and_walk_name_the_field_and_keep_what_was_typed(service: Any, page: Any) -> None:
    board = service
    sign_in(page, board.base, "operativ", path="/moten/nytt")
    before = _events(board)
    page.get_by_label("Rubrik").fill("Konferensen")
    page.get_by_label("Datum").evaluate("e => { e.removeAttribute('required'); e.type = 'text'; e.value = '' }")
    with page.expect_response(lambda r: r.request.method == "POST") as got:
        page.get_by_role("button", name="Planera mötet").click()
    assert got.value.status == 422
    assert "Datum" in page.locator("#form-message").inner_text()
    assert page.get_by_label("Rubrik").input_value() == "Konferensen"

    page.goto(f"{board.base}/vandringar/ny")
    page.get_by_label("Rubrik").fill("  ")
    page.get_by_label("Rubrik").evaluate("e => e.removeAttribute('required')")
    page.get_by_label("Hässelby torg").check()
    with page.expect_response(lambda r: r.request.method == "POST") as got:
        page.get_by_role("button", name="Planera vandringen").click()
    assert got.value.status == 422
    assert "Rubrik" in page.locator("#form-message").inner_text()
    assert page.get_by_label("Hässelby torg").is_checked()
    assert _events(board) == before


def test_plan_a_walk_and_join_it_with_the_code_as_the_phone_does(service: Any, page: Any) -> None:
    board = service
    sign_in(page, board.base, "operativ", path="/vandringar")
    page.locator("#new-walk").click()
    page.get_by_label("Rubrik").fill("Kvällsvandring i december")
    page.get_by_label("Datum").fill("2026-12-10")
    page.get_by_label("Klockslag").fill("21:40")
    page.get_by_label("Hässelby torg").check()
    page.get_by_label("Garaget").check()
    page.get_by_label("Polisen").check()
    page.get_by_label("MTR").check()
    page.get_by_role("button", name="Planera vandringen").click()
    page.wait_for_selector("#walk-message")
    code = page.locator("#join-code").inner_text()
    assert re.fullmatch(r"[A-HJ-NP-Z2-9]{6}", code)
    assert page.locator("#join-qr svg").count() == 1
    assert "Hässelby torg → Garaget" in page.locator("#walk-route").inner_text()
    assert "21:40" in page.locator("#walk-map-h + p").inner_text()  # the square's own clock
    assert "planerad och har inte börjat" in page.locator("#protocol-empty").inner_text()
    shoot(page, "walk-planned")
    walk_id = page.url.split("/vandringar/")[1].split("?")[0]

    phone = board.client("reporter")  # a walker's phone: the code typed as read out
    joined = phone.get(f"/api/v1/walks/join/{code[:3].lower()}-{code[3:]}")
    assert joined.status_code == 200
    body = joined.json()
    assert (body["id"], body["organisations"], body["route"]) == (walk_id, ["polisen", "mtr"], ["torget", "garaget"])
    assert body["planned_at"].startswith("2026-12-10T20:40")  # 21:40 in Stockholm is 20:40 UTC

    page.goto(f"{board.base}/vandringar/kod/{code}")  # the QR code's link, followed in a browser
    assert page.url.endswith(f"/vandringar/{walk_id}")


def test_the_new_pages_fit_a_phone(service: Any, browser: Any) -> None:
    board = service
    _idea(board)
    meeting = _meeting(board, "strategic", "Strategiska gruppen")
    mid = str(uuid.uuid4())
    board.ledger.propose_measure(OPS, {"id": mid, "what": "Kvällsfotboll", "owner_org": "civilsamhallet"})
    board.ledger.decide_measure(uuid.UUID(mid), 1, lambda m: m.escalate(OPS, support_needed="Budget"))
    walk = board.ledger.plan_walk(OPS, {"id": str(uuid.uuid4()), "title": "Vandring",
                                        "planned_at": "2026-12-10T20:40:00+00:00", "route": ["torget"]})
    context = browser.new_context(viewport=PHONE, locale="sv-SE", is_mobile=True)
    try:
        page = context.new_page()
        sign_in(page, board.base, "operativ", path="/moten")
        for path in ("/moten", "/moten/nytt", f"/moten/{meeting}", "/vandringar/ny", f"/vandringar/{walk.id}"):
            page.goto(board.base + path)
            page.locator("details").evaluate_all("ds => ds.forEach(d => d.open = true)")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow} px on a phone"
        shoot(page, "walk-phone")
        page.goto(f"{board.base}/moten/{meeting}")
        shoot(page, "meeting-phone")
    finally:
        context.close()


def test_a_decision_names_a_case_by_its_short_id_and_the_case_history_tells_the_meeting(service: Any,
                                                                                          page: Any) -> None:
    from helpers import observation

    from koll.schema.payloads import ObservationSchema

    board = service
    case_id = board.ledger.file_observation(OPS, ObservationSchema().load(observation())).case_id
    meeting = _meeting(board, title="Operativa gruppen vecka 49")
    sign_in(page, board.base, "operativ", path=f"/moten/{meeting}")
    form = page.locator("#decision-form")
    form.get_by_label("Beslut", exact=True).fill("Renhållningen vid trappan tätas")
    form.get_by_label("Beslutet gäller ärendena").fill("nosuchcase")
    with page.expect_response(lambda r: r.request.method == "POST") as got:
        form.get_by_role("button", name="Registrera beslut").click()
    assert got.value.status == 422 and "nosuchcase" in page.locator("#decision-cases-error").inner_text()
    form = page.locator("#decision-form")
    assert form.get_by_label("Beslut", exact=True).input_value() == "Renhållningen vid trappan tätas"
    form.get_by_label("Beslutet gäller ärendena").fill(case_id[:8])  # as the boards show a case
    form.get_by_role("button", name="Registrera beslut").click()
    page.wait_for_selector("#meeting-message")
    assert "1 ärende" in page.locator("#decision-list").inner_text()
    page.goto(f"{board.base}/arenden/{case_id}")
    told = page.locator('#case-history li[data-event="Meeting.DecisionRecorded"]').inner_text()
    assert "Renhållningen vid trappan tätas" in told and "Operativa gruppen vecka 49" in told
