"""Ärenden in a real browser: a case handler triages and assigns from the list and from the case's
page, in bulk, and is told when someone else got there first; what they do is in the ledger."""

from __future__ import annotations

import re
import uuid
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from helpers import observation
from webhelpers import shoot, sign_in

pytestmark = pytest.mark.browser


def _cases(board: Any, where: str) -> list[tuple[str, int]]:
    with board.koll.store.read() as conn:
        return [(r[0], r[1]) for r in conn.exec_driver_sql(
            f"select case_id, version from rm_cases where {where} order by opened_at desc, case_id")]


def _events(board: Any, case_id: str) -> list[str]:
    return [type(e).__qualname__ for e in board.ledger.history(uuid.UUID(case_id))]


def test_triage_and_assign_a_case_from_the_list(board: Any, page: Any) -> None:
    sign_in(page, board.base, "operativ", path="/arenden?status=new")
    case_id, version = _cases(board, "status = 'new' and visibility != 'restricted'")[0]
    row = page.locator(f'tr[data-case="{case_id}"]')
    assert row.get_attribute("data-version") == str(version)
    row.get_by_role("checkbox").check()
    page.get_by_label("Prioritet").select_option("1")
    page.locator("#b-org").select_option("polisen")
    page.locator("#b-person").fill("Kim på närpolisen")
    page.get_by_role("button", name="Registrera för valda ärenden").click()
    assert "Registrerat för 1 ärende." in page.locator("#bulk-report").inner_text()
    case = board.ledger.case(uuid.UUID(case_id))
    assert (case.status, case.priority, case.assigned_org, case.assigned_person) == (
        "assigned", 1, "polisen", "Kim på närpolisen")
    assert _events(board, case_id)[-2:] == ["Case.Triaged", "Case.Assigned"]
    assert page.url.endswith("/arenden?status=new")           # the list's view is kept
    assert page.locator(f'tr[data-case="{case_id}"]').count() == 0  # no longer new
    page.goto(f"{board.base}/arenden?status=assigned&org=polisen&sort=updated")
    assert "Polisen" in page.locator(f'tr[data-case="{case_id}"]').inner_text()


def test_triage_and_assign_on_the_case_page_with_its_history_in_words(board: Any, page: Any) -> None:
    case_id, _ = _cases(board, "status = 'new' and visibility = 'public' and group_code != 'BEL'")[0]
    sign_in(page, board.base, "operativ", path=f"/arenden/{case_id}")
    assert page.locator("#case-status").get_attribute("data-status") == "new"
    assert page.locator("#case-observations > li").count() >= 1
    page.wait_for_selector("body[data-map-ready='1']", state="attached")  # the CSP forbids wait_for_function's eval
    assert page.locator("#map .case-dot").count() + page.locator("#map .marker-cluster").count() >= 1

    triage = page.locator('form.decision[data-action="triage"]')
    triage.get_by_label("Prioritet").select_option("1")
    triage.get_by_label("Kategori").select_option("BEL-01")
    triage.get_by_label("Anteckning").fill("Lampan vid trappan är trasig, inte skräp")
    triage.get_by_role("button", name="Bedöm").click()
    page.wait_for_selector("#decision-message")
    assert page.locator("#case-status").get_attribute("data-status") == "triaged"

    assign = page.locator('form.decision[data-action="assign"]')
    assign.get_by_label("Ansvarig organisation").select_option("fastighetsagare")
    assign.get_by_label("Handläggare").fill("Centrumchefen")
    assign.get_by_role("button", name="Tilldela").click()
    page.wait_for_selector("#decision-message")
    assert page.locator("#case-status").get_attribute("data-status") == "assigned"

    case = board.ledger.case(uuid.UUID(case_id))
    assert (case.category, case.group, case.priority, case.assigned_org) == ("BEL-01", "BEL", 1, "fastighetsagare")
    history = page.locator("#case-history > li")
    told = history.locator("strong").all_inner_texts()
    assert told[0] == "Ärendet öppnades" and told[-2:] == ["Ärendet bedömdes", "Ärendet tilldelades"]
    triaged, assigned = history.nth(-2).inner_text(), history.nth(-1).inner_text()
    assert "Lampan vid trappan är trasig, inte skräp" in triaged and "1 – hög" in triaged
    assert "Fastighetsägarföreningen" in assigned and "fastighetsagare" not in assigned and "Centrumchefen" in assigned
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "case", full_page=False)


def test_resolve_with_a_public_note_then_reopen(board: Any, page: Any) -> None:
    case_id, _ = _cases(board, "status = 'assigned' and visibility = 'public'")[0]
    sign_in(page, board.base, "operativ", path=f"/arenden/{case_id}")
    resolve = page.locator('form.decision[data-action="resolve"]')
    resolve.locator("textarea").fill("Tack! Klottret är sanerat.")
    resolve.get_by_role("button").click()
    page.wait_for_selector("#decision-message")
    assert page.locator("#case-public-note").inner_text() == "Tack! Klottret är sanerat."
    # the reporter reads the answer in the API's "mine"
    assert board.ledger.case(uuid.UUID(case_id)).public_note == "Tack! Klottret är sanerat."
    reopen = page.locator('form.decision[data-action="reopen"]')
    reopen.locator("textarea").fill("Nytt klotter samma kväll")
    reopen.get_by_role("button").click()
    page.wait_for_selector("#decision-message")
    assert page.locator("#case-status").get_attribute("data-status") == "triaged"
    assert "Nytt klotter samma kväll" in page.locator("#case-history > li").last.inner_text()


def test_the_resolve_form_says_who_will_hear_by_mail_without_showing_the_address(board: Any, page: Any) -> None:
    case_id, _ = _cases(board, "status = 'assigned' and visibility = 'public'")[0]
    joining = observation(case_id=case_id, notify_email="boende@example.se")
    r = board.client("reporter").post("/api/v1/observations", joining)
    assert r.status_code == 201, r.text
    sign_in(page, board.base, "operativ", path=f"/arenden/{case_id}")
    assert page.locator("#resolve-notice").inner_text().startswith("1 rapportör får besked")
    assert "boende@example.se" not in page.content()


def test_mark_a_duplicate_of_a_nearby_case(board: Any, page: Any) -> None:
    from koll.ledger.queries import cases as q
    from koll.ledger.domain.base import Actor

    op = Actor("operativ", "operational", "sdf")
    with board.koll.store.read() as conn:
        for cid, _ in _cases(board, "status = 'new' and visibility = 'public'"):
            c = q.get_case(conn, op, cid)
            near = [n for n in q.nearby(conn, op, c["lat"], c["lon"], 150) if n["id"] != cid]
            if near:
                break
    sign_in(page, board.base, "operativ", path=f"/arenden/{cid}")
    form = page.locator('form.decision[data-action="duplicate"]')
    offered = form.locator('input[name="duplicate_of"]').evaluate_all("els => els.map(e => e.value)")
    assert 1 <= len(offered) <= 8 and set(offered) <= {n["id"] for n in near}
    original = offered[0]
    form.locator(f'input[value="{original}"]').check()
    form.get_by_role("button").click()
    page.wait_for_selector("#decision-message")
    case = board.ledger.case(uuid.UUID(cid))
    assert (case.status, case.close_reason, case.duplicate_of) == ("closed", "duplicate", original)
    assert "Dubblett" in page.locator("#case-facts").inner_text()


def test_bulk_assign_three_cases_and_the_stale_one_is_reported(board: Any, page: Any) -> None:
    sign_in(page, board.base, "operativ", path="/arenden?status=new&sort=opened")
    chosen = _cases(board, "status = 'new' and visibility != 'restricted'")[:4]
    for case_id, _ in chosen:
        page.locator(f'tr[data-case="{case_id}"]').get_by_role("checkbox").check()
    # meanwhile a colleague triages the fourth through the API
    stale_id = chosen[3][0]
    r = board.client("operational").post(f"/api/v1/cases/{stale_id}/triage", json={"priority": 3},
                                         headers={"If-Match": str(chosen[3][1])})
    assert r.status_code == 200, r.text
    page.get_by_label("Prioritet").select_option("2")
    page.locator("#b-org").select_option("trafikkontoret")
    page.get_by_role("button", name="Registrera för valda ärenden").click()
    report = page.locator("#bulk-report").inner_text()
    assert "Registrerat för 3 ärenden." in report
    assert "inget registrerat: 1 ärende." in report
    assert page.locator(f'#bulk-report [data-stale="{stale_id}"]').count() == 1
    for case_id, _ in chosen[:3]:
        c = board.ledger.case(uuid.UUID(case_id))
        assert (c.status, c.priority, c.assigned_org) == ("assigned", 2, "trafikkontoret")
    stale = board.ledger.case(uuid.UUID(stale_id))
    assert (stale.status, stale.priority, stale.assigned_org) == ("triaged", 3, None)  # nothing recorded
    # the typed choices stay, to do again on what is there now
    assert page.locator("#b-org").input_value() == "trafikkontoret"
    assert page.locator("#b-priority").input_value() == "2"
    shoot(page, "cases-bulk")


def test_a_stale_case_form_is_refused_nothing_recorded_and_the_text_kept(board: Any, context: Any) -> None:
    case_id, _ = _cases(board, "status = 'new' and visibility = 'public'")[0]
    first, second = context.new_page(), context.new_page()
    sign_in(first, board.base, "operativ", path=f"/arenden/{case_id}")
    second.goto(f"{board.base}/arenden/{case_id}")
    first.locator('form.decision[data-action="triage"]').get_by_role("button").click()
    first.wait_for_selector("#decision-message")
    before = _events(board, case_id)

    form = second.locator('form.decision[data-action="triage"]')
    form.get_by_label("Prioritet").select_option("3")
    form.get_by_label("Anteckning").fill("Skrivet i en gammal flik")
    with second.expect_response(lambda r: r.request.method == "POST") as got:
        form.get_by_role("button").click()
    assert got.value.status == 409
    message = second.locator("#decision-message").inner_text()
    assert "Någon annan har ändrat ärendet" in message and "Ingenting registrerades" in message
    assert _events(board, case_id) == before                       # nothing recorded
    form = second.locator('form.decision[data-action="triage"]')
    assert form.get_by_label("Anteckning").input_value() == "Skrivet i en gammal flik"
    assert form.get_by_label("Prioritet").input_value() == "3"
    assert second.locator("#case-status").get_attribute("data-status") == "triaged"  # the new state shown
    shoot(second, "case-stale")


def test_a_nul_in_a_form_is_refused_by_field_with_nothing_recorded(board: Any, page: Any) -> None:
    case_id, _ = _cases(board, "status = 'new' and visibility = 'public'")[0]
    before = _events(board, case_id)
    sign_in(page, board.base, "operativ", path=f"/arenden/{case_id}")
    form = page.locator('form.decision[data-action="triage"]')
    form.get_by_label("Anteckning").fill("Trasig\x00lampa")
    with page.expect_response(lambda r: r.request.method == "POST") as got:
        form.get_by_role("button").click()
    assert got.value.status == 400
    assert "note: texten innehåller tecken som inte kan lagras" in page.locator("main").inner_text()
    assert _events(board, case_id) == before


def test_a_refused_decision_names_the_field_and_keeps_the_text(board: Any, page: Any) -> None:
    case_id, _ = _cases(board, "status = 'resolved' and visibility = 'public'")[0]
    sign_in(page, board.base, "operativ", path=f"/arenden/{case_id}")
    before = _events(board, case_id)
    form = page.locator('form.decision[data-action="reopen"]')
    form.locator("textarea").evaluate("t => t.removeAttribute('required')")  # the server decides, not the browser
    form.locator("textarea").fill("   ")
    with page.expect_response(lambda r: r.request.method == "POST") as got:
        form.get_by_role("button").click()
    assert got.value.status == 422
    assert page.locator("#reopen-reason-error").count() == 1
    assert _events(board, case_id) == before


def test_filters_sorting_and_paging_live_in_the_link(board: Any, page: Any) -> None:
    sign_in(page, board.base, "operativ", path="/arenden")
    total_open = len(_cases(board, "status in ('new','triaged','assigned','in_progress') and visibility != 'restricted'"))
    assert page.locator("#case-total").inner_text() == f"{total_open} ärenden"
    page.get_by_label("Status", exact=True).select_option("all")
    page.get_by_label("Kategorigrupp").select_option("REN")
    page.get_by_label("Ljus").select_option("1")
    page.get_by_label("Sortera").select_option("observations")
    page.get_by_role("button", name="Visa").click()
    args = parse_qs(urlparse(page.url).query)
    assert args["group"] == ["REN"] and args["dark"] == ["1"] and args["sort"] == ["observations"]
    expected = _cases(board, "group_code = 'REN' and dark and visibility != 'restricted'")
    n = len(expected)
    assert page.locator("#case-total").inner_text() == (f"{n} ärende" if n == 1 else f"{n} ärenden")
    counts = page.locator("#case-list tbody td.num").all_inner_texts()
    assert [int(c) for c in counts] == sorted((int(c) for c in counts), reverse=True)
    shoot(page, "cases", full_page=False)
    # the same link, opened afresh, shows the same view
    again = page.url
    page.goto(again)
    assert page.get_by_label("Kategorigrupp").input_value() == "REN"
    # pages of 50
    page.goto(f"{board.base}/arenden?status=all")
    assert page.locator("#case-list tbody tr").count() == 50
    page.locator("#next-page").click()
    assert "page=2" in page.url and page.locator("#case-list tbody tr").count() >= 1
    # the status tabs count what the other filters leave
    assert re.search(r"\d", page.locator('.tabs a[data-status="resolved"] .badge').inner_text())


def test_restricted_cases_only_for_those_who_may_see_them(board: Any, browser: Any, page: Any) -> None:
    restricted = _cases(board, "visibility = 'restricted'")
    assert restricted
    rid = restricted[0][0]
    sign_in(page, board.base, "operativ", path="/arenden?status=all")
    assert page.locator(f'tr[data-case="{rid}"]').count() == 0
    assert page.goto(f"{board.base}/arenden/{rid}").status == 404
    police = browser.new_context(locale="sv-SE")
    try:
        p2 = police.new_page()
        sign_in(p2, board.base, "polis", path=f"/arenden/{rid}")
        assert p2.locator("#case-status").count() == 1
    finally:
        police.close()


def test_a_reader_sees_cases_but_no_forms(board: Any, page: Any) -> None:
    case_id, _ = _cases(board, "status = 'new' and visibility = 'public'")[0]
    sign_in(page, board.base, "strateg", path=f"/arenden/{case_id}")
    assert page.locator("form.decision").count() == 0
    page.goto(f"{board.base}/arenden")
    assert page.locator("#bulk").get_by_role("checkbox").count() == 0


def test_the_situation_map_links_to_the_case(board: Any, page: Any) -> None:
    sign_in(page, board.base, "operativ")
    page.wait_for_selector("body[data-map-ready='1']", state="attached")  # the CSP forbids wait_for_function's eval
    marker = page.locator("#map .case-dot").first
    if marker.count() == 0:  # clustered at this zoom: open a cluster first
        page.locator("#map .marker-cluster").first.click()
        page.wait_for_timeout(400)
        marker = page.locator("#map .case-dot").first
    marker.click()
    link = page.locator(".leaflet-popup a.case-link")
    assert link.inner_text() == "Öppna ärendet"
    link.click()
    page.wait_for_selector("#case-status")
    assert re.search(r"/arenden/[0-9a-f-]{36}$", page.url)


PHONE = {"width": 390, "height": 844}


def test_case_pages_fit_a_phone(board: Any, browser: Any) -> None:
    case_id, _ = _cases(board, "status = 'new' and visibility = 'public'")[0]
    context = browser.new_context(viewport=PHONE, locale="sv-SE", device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, board.base, "operativ", path="/arenden")
        for path in ("/arenden", f"/arenden/{case_id}", "/arenden?status=all&page=2"):
            page.goto(board.base + path)
            page.wait_for_load_state("networkidle")
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{path} scrolls sideways by {overflow} px on a phone"
        shoot(page, "phone-case")
    finally:
        context.close()


def test_bulk_says_why_a_case_was_refused_and_english_on_request(board: Any, page: Any) -> None:
    resolved = _cases(board, "status = 'resolved' and visibility = 'public'")[0][0]
    sign_in(page, board.base, "operativ", path="/arenden?status=resolved")
    page.locator(f'tr[data-case="{resolved}"]').get_by_role("checkbox").check()
    page.get_by_label("Prioritet").select_option("1")
    before = _events(board, resolved)
    with page.expect_response(lambda r: r.request.method == "POST") as got:
        page.get_by_role("button", name="Registrera för valda ärenden").click()
    assert got.value.status == 409
    report = page.locator("#bulk-report").inner_text()
    assert "Kunde inte registreras: 1 ärende." in report and "status Åtgärdad" in report
    assert _events(board, resolved) == before
    page.goto(f"{board.base}/arenden/{resolved}?lang=en")
    assert page.locator("#hist-h").inner_text() == "History"
    assert page.locator("#case-history > li strong").first.inner_text() == "The case was opened"
