"""Insatser worked in a real browser as the operational group does it: an idea on the gross list
with its sorting questions, the inventory, the plan's columns changed and seen in the history, a
case linked, an indicator's baseline and target, the sheet downloaded, edited, previewed and
recorded; a stale form refused with nothing recorded and the typed text kept."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta
from typing import Any

import pytest
from webhelpers import seed_plan, shoot, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def plan(board: Any) -> dict[str, str]:
    return seed_plan(board.ledger)


def events(board: Any) -> int:
    return board.ledger.recorder.max_notification_id() or 0


def no_sideways_scroll(page: Any, name: str) -> None:
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(400)  # the charts redraw to the new width on their resize observer
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 390:
        print(page.evaluate("""() => [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 395 && !e.closest('.table-wrap'))
            .slice(0, 8).map(e => e.tagName + '#' + e.id + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""))
    shoot(page, f"{name}-390")
    page.set_viewport_size({"width": 1400, "height": 1000})
    assert width <= 390, f"{name} scrolls sideways at 390 px ({width})"


def test_add_an_idea_and_sort_the_gross_list(board: Any, plan: dict[str, str], page: Any) -> None:
    sign_in(page, board.base, "operativ", path="/insatser")
    page.locator("#new-idea").click()
    page.wait_for_url(f"{board.base}/insatser/ny")
    form = page.locator("#new-measure")
    # refused first: what is to be done left empty (the browser's check taken away), typed text kept
    form.get_by_label("Ansvarig person").fill("Centrumchefen Eva")
    form.locator("#new-what").evaluate("el => el.removeAttribute('required')")
    before = events(board)
    form.get_by_role("button", name="Lägg till i bruttolistan").click()
    assert "Vad ska göras?" in page.locator("#decision-message").inner_text()
    assert page.locator("#new-owner_person").input_value() == "Centrumchefen Eva"
    assert events(board) == before

    form = page.locator("#new-measure")
    form.locator("#new-what").fill("Städa tunnelbaneuppgången varje morgon")
    form.locator("#new-owner_org").select_option("mtr")
    form.get_by_label("Enkelt eller komplext?").select_option("enkel")
    form.get_by_label("Inom gruppens mandat?").select_option("inom")
    form.get_by_label("Bråttom eller kan vänta?").select_option("bradskande")
    form.get_by_label("Synlig effekt för de boende?").select_option("synlig")
    form.get_by_label("Stort eller smått?").select_option("liten")
    form.get_by_label("Symptom eller underliggande orsak?").select_option("symptom")
    form.get_by_label("Synergieffekter med andra insatser?").select_option("ja")
    shoot(page, "measure-new")
    form.get_by_role("button", name="Lägg till i bruttolistan").click()
    page.wait_for_selector("#measure-status")
    assert page.locator("#measure-status").get_attribute("data-status") == "idea"
    mid = page.url.split("/insatser/")[1].split("?")[0]
    m = board.ledger.measure(uuid.UUID(mid))
    assert (m.owner_org, m.owner_person) == ("mtr", "Centrumchefen Eva")
    assert m.sorting == {"complexity": "enkel", "mandate": "inom", "urgency": "bradskande", "visibility": "synlig",
                         "size": "liten", "level": "symptom", "synergy": True}

    page.goto(f"{board.base}/insatser?vy=bruttolista")
    page.get_by_label("Sortera efter").select_option("complexity")
    page.get_by_role("button", name="Visa").click()
    rows = page.locator("#gross-list tbody tr")
    answers = rows.locator('td[data-dim="complexity"]').all_inner_texts()
    simple = [a == "Enkel" for a in answers]
    assert simple == sorted(simple, reverse=True) and any(simple)  # the simple ones first
    ours = page.locator(f'#gross-list tr[data-measure="{mid}"]')
    assert simple[rows.evaluate_all("(rs, id) => rs.findIndex(r => r.dataset.measure === id)", mid)]
    assert "Börja här" in ours.inner_text()
    shoot(page, "measures-gross-list")
    page.locator("#where-to-start").click()
    assert page.locator(f'#gross-list tr[data-measure="{mid}"]').count() == 1
    assert all("Börja här" in r for r in page.locator("#gross-list tbody tr").all_inner_texts())
    assert page.get_by_role("heading", name="Var börjar vi?").count() == 1
    no_sideways_scroll(page, "measures-where-to-start")


def test_change_end_date_and_owner_and_see_it_in_the_history(board: Any, plan: dict[str, str], page: Any) -> None:
    sign_in(page, board.base, "operativ", path=f"/insatser/{plan['lights']}")
    page.locator("#plan summary").click()
    form = page.locator("#plan-form")
    new_end = (date.today() + timedelta(days=120)).isoformat()
    form.locator("#plan-end").fill(new_end)
    form.locator("#plan-owner_org").select_option("trafikkontoret")
    form.locator("#plan-owner_person").fill("Gatuchefen")
    form.get_by_role("button", name="Spara planen").click()
    page.wait_for_selector("#decision-message")
    m = board.ledger.measure(uuid.UUID(plan["lights"]))
    assert (m.end, m.owner_org, m.owner_person) == (new_end, "trafikkontoret", "Gatuchefen")
    assert type(board.ledger.history(uuid.UUID(plan["lights"]))[-1]).__qualname__ == "Measure.Revised"
    last = page.locator("#measure-history > li").last.inner_text()
    assert "Insatsens plan ändrades" in last and "Trafikkontoret" in last and new_end in last
    assert "trafikkontoret" not in last  # the name, not the code


def test_a_stale_plan_form_is_refused_with_nothing_recorded_and_the_text_kept(board: Any, plan: dict[str, str],
                                                                              page: Any) -> None:
    from koll.ledger.domain.base import Actor

    sign_in(page, board.base, "operativ", path=f"/insatser/{plan['lights']}")
    page.locator("#plan summary").click()
    page.locator("#plan-goal").fill("Ingen ska behöva gå i mörker")
    mid = uuid.UUID(plan["lights"])
    other = Actor("polis", "operational", "polisen")
    board.ledger.decide_measure(mid, board.ledger.measure(mid).version,
                                lambda m: m.revise(other, {"resources": "Elektriker, 120 tkr"}))
    before = events(board)
    page.get_by_role("button", name="Spara planen").click()
    assert "Någon annan har ändrat insatsen" in page.locator("#decision-message").inner_text()
    assert page.locator("#plan-goal").input_value() == "Ingen ska behöva gå i mörker"
    assert events(board) == before
    assert board.ledger.measure(mid).goal == "Inga mörka hörn"
    # sent again on the page's new version, it is recorded
    page.get_by_role("button", name="Spara planen").click()
    page.wait_for_selector("#decision-message.ok")
    assert board.ledger.measure(mid).goal == "Ingen ska behöva gå i mörker"
    assert board.ledger.measure(mid).resources == "Elektriker, 120 tkr"  # the other change is kept


def test_link_and_unlink_a_case_and_set_baseline_and_target(board: Any, plan: dict[str, str], page: Any) -> None:
    mid = uuid.UUID(plan["lights"])
    sign_in(page, board.base, "operativ", path=f"/insatser/{plan['lights']}")
    choice = page.locator("#link-case-id option").nth(1)
    case_id = choice.get_attribute("value")
    page.locator("#link-case-id").select_option(case_id)
    page.locator("#link-case").get_by_role("button", name="Koppla").click()
    page.wait_for_selector("#decision-message")
    assert case_id in board.ledger.measure(mid).cases
    assert page.locator(f'#linked-cases tr[data-case="{case_id}"]').count() == 1
    page.locator(f'#linked-cases tr[data-case="{case_id}"]').get_by_role("button", name="Koppla bort").click()
    page.wait_for_selector("#decision-message")
    assert case_id not in board.ledger.measure(mid).cases
    assert "Ett ärende kopplades bort från insatsen" in page.locator("#measure-history").inner_text()

    ind = page.locator('.indicator[data-indicator="morka"]')
    start = date.fromisoformat(board.ledger.measure(mid).start)
    b_from, b_to = (start - timedelta(days=56)).isoformat(), (start - timedelta(days=1)).isoformat()
    ind.get_by_label("Utgångsläge", exact=True).fill("5")
    ind.get_by_label("Målvärde").fill("2")
    ind.get_by_label("Utgångslägets första dag").fill(b_from)
    ind.get_by_label("Utgångslägets sista dag").fill(b_to)
    ind.get_by_role("button", name="Spara").click()
    page.wait_for_selector("#decision-message")
    spec = board.ledger.measure(mid).indicators[0]
    assert (spec["baseline"], spec["target"], spec["baseline_from"], spec["baseline_to"]) == (5.0, 2.0, b_from, b_to)
    ind = page.locator('.indicator[data-indicator="morka"]')
    assert ind.locator(".ind-target").inner_text() == "2.0"
    assert ind.locator(".ind-baseline-period").inner_text() == f"{b_from} – {b_to}"
    assert ind.locator(".ind-period").inner_text().startswith(start.isoformat())
    legend = page.evaluate("window.kollCharts[0].data.datasets.map(d => d.label)")
    assert legend == ["Utgångslägets period", "Insatsens period", "Målvärde"]
    page.evaluate("window.scrollTo(0, 0)")
    shoot(page, "measure-page")
    no_sideways_scroll(page, "measure-page")


def test_a_2018_measure_is_charted_over_its_own_period(board: Any, page: Any) -> None:
    from koll.ledger.domain.base import Actor
    from koll.schema.payloads_measures import MeasureSchema

    mid = str(uuid.uuid4())
    board.ledger.propose_measure(Actor("operativ", "operational", "sdf"), MeasureSchema().load({
        "id": mid, "what": "Sanera klotter inom ett dygn", "start": "2018-06-04", "end": "2018-07-29",
        "indicators": [{"code": "klotter", "name": "Klotter per vecka", "source": "computed", "categories": ["KLO"],
                        "baseline_from": "2018-05-07", "baseline_to": "2018-06-03", "target": 1}]}))
    sign_in(page, board.base, "strateg", path=f"/insatser/{mid}")
    labels = page.evaluate("window.kollCharts[0].data.labels")
    assert (labels[0], labels[-1]) == ("2018-W19", "2018-W30")  # not the last weeks of today
    baseline = page.evaluate("window.kollCharts[0].data.datasets[0].data")
    assert [v is not None for v in baseline] == [True] * 4 + [False] * 8
    assert page.locator(".ind-period").inner_text() == "2018-06-04 – 2018-07-29"


def test_cancel_needs_a_reason_from_the_server_and_shows_why(board: Any, plan: dict[str, str], page: Any) -> None:
    mid = uuid.UUID(plan["idea"])
    sign_in(page, board.base, "operativ", path=f"/insatser/{plan['idea']}")
    form = page.locator('form.decision[data-action="cancel"]')
    form.locator("textarea").evaluate("el => el.removeAttribute('required')")
    form.locator("textarea").fill("   ")
    before = events(board)
    form.get_by_role("button", name="Avbryt").click()
    assert page.locator("#decision-message.error").count() == 1
    assert events(board) == before and board.ledger.measure(mid).status == "idea"
    form = page.locator('form.decision[data-action="cancel"]')
    form.locator("textarea").fill("MTR sköter det själva")
    form.get_by_role("button", name="Avbryt").click()
    page.wait_for_selector("#cancelled-why")
    assert "MTR sköter det själva" in page.locator("#cancelled-why").inner_text()
    assert page.locator("#measure-status").inner_text() == "Avbruten"
    assert "Insatsen avbröts" in page.locator("#measure-history").inner_text()


def test_download_edit_upload_and_confirm_the_sheet(board: Any, plan: dict[str, str], page: Any) -> None:
    from openpyxl import load_workbook

    sign_in(page, board.base, "operativ", path="/insatser")
    with page.expect_download() as got:
        page.locator("#download-xlsx").click()
    book = load_workbook(io.BytesIO(got.value.path().read_bytes()))
    sheet = book["Insatser"]
    header = [c.value for c in sheet[1]]
    col = {h: i + 1 for i, h in enumerate(header)}
    for r in range(2, sheet.max_row + 1):
        if sheet.cell(r, col["Id"]).value == plan["lights"]:
            sheet.cell(r, col["Vad ska uppnås?"], "Inga mörka hörn i garaget")
            break
    new_row = sheet.max_row + 1
    sheet.cell(new_row, col["Vad ska göras?"], "Läxhjälp på biblioteket")
    sheet.cell(new_row, col["Vem har ansvar?"], "Biblioteket")
    buf = io.BytesIO()
    book.save(buf)
    before = events(board)
    page.locator("#sheet-file").set_input_files(files=[{"name": "insatser.xlsx", "mimeType": "application/octet-stream",
                                                        "buffer": buf.getvalue()}])
    page.get_by_role("button", name="Visa vad som ändras").click()
    page.wait_for_selector("#sheet-preview, #sheet-errors")
    if page.locator("#sheet-errors").count():
        pytest.fail(page.locator("#sheet-errors").inner_text())
    assert events(board) == before  # the preview records nothing
    assert "Läxhjälp på biblioteket" in page.locator("#sheet-created").inner_text()
    change = page.locator(f'table.sheet-changes[data-measure="{plan["lights"]}"]').inner_text()
    assert "Vad ska uppnås?" in change and "Inga mörka hörn" in change and "Inga mörka hörn i garaget" in change
    shoot(page, "measure-sheet-preview")
    no_sideways_scroll(page, "measure-sheet-preview")
    page.get_by_role("button", name="Bekräfta och registrera").click()
    page.wait_for_selector("#sheet-recorded")
    assert board.ledger.measure(uuid.UUID(plan["lights"])).goal == "Inga mörka hörn i garaget"
    with board.koll.store.read() as conn:
        assert conn.exec_driver_sql("select count(*) from rm_measures where what = 'Läxhjälp på biblioteket'"
                                    ).scalar() == 1


def test_the_inventory_by_organisation_and_the_matrix(board: Any, plan: dict[str, str], page: Any) -> None:
    sign_in(page, board.base, "operativ", path="/insatser/ny?inventering=1")
    form = page.locator("#new-measure")
    form.locator("#new-what").fill("Nattvandring fredagar")
    form.locator("#new-owner_org").select_option("civilsamhallet")
    form.locator("#new-start").fill("2016-09-02")
    form.locator("#new-track").select_option("trygghet")
    form.locator("#new-horizon").select_option("lang")
    form.get_by_role("button", name="För in i inventeringen").click()
    page.wait_for_selector("#inventory-note")
    assert page.locator("#measure-status").get_attribute("data-status") == "started"
    mid = page.url.split("/insatser/")[1].split("?")[0]
    page.goto(f"{board.base}/insatser?vy=inventering")
    org = page.locator('.inventory-org[data-org="civilsamhallet"]')
    assert "Nattvandring fredagar" in org.inner_text() and "2016-09-02" in org.inner_text()
    shoot(page, "measures-inventory")
    no_sideways_scroll(page, "measures-inventory")
    page.goto(f"{board.base}/insatser?vy=matris")
    cell = page.locator('#matrix td[data-row="trygghet"][data-horizon="lang"]')
    assert cell.locator(f'a[data-measure="{mid}"]').count() == 1
    assert page.get_by_role("columnheader", name="Strategiskt – lång sikt (5–15 år)").count() == 1
    shoot(page, "measures-matrix")
    no_sideways_scroll(page, "measures-matrix")


def test_the_strategic_group_lets_a_long_term_measure_span_another_area(board: Any, plan: dict[str, str],
                                                                        page: Any) -> None:
    from koll.ledger.demo import SYSTEM, area_definition

    board.ledger.import_area(SYSTEM, area_definition("husby-torg"))
    mid = uuid.UUID(plan["late"])
    sign_in(page, board.base, "strateg", path=f"/insatser/{plan['late']}")
    page.locator("#link-area-code").select_option("husby-torg")
    page.locator("#link-area").get_by_role("button", name="Koppla").click()
    page.wait_for_selector("#decision-message")
    assert "husby-torg" in board.ledger.measure(mid).areas
    assert "husby-torg" in page.locator("#measure-areas").inner_text()
    page.goto(f"{board.base}/insatser?vy=matris")
    assert page.locator(f'#matrix a[data-measure="{plan["late"]}"] .badge').inner_text() == "+1"


def test_a_stale_indicator_form_keeps_the_typed_target_and_records_nothing(board: Any, plan: dict[str, str],
                                                                          page: Any) -> None:
    from koll.ledger.domain.base import Actor

    mid = uuid.UUID(plan["lights"])
    sign_in(page, board.base, "operativ", path=f"/insatser/{plan['lights']}")
    ind = page.locator('.indicator[data-indicator="morka"]')
    ind.get_by_label("Målvärde").fill("0.5")
    board.ledger.decide_measure(mid, board.ledger.measure(mid).version,
                                lambda m: m.revise(Actor("polis", "operational", "polisen"), {"goal": "Ljust"}))
    before = events(board)
    ind.get_by_role("button", name="Spara").click()
    assert "Någon annan har ändrat insatsen" in page.locator("#decision-message").inner_text()
    assert page.locator('.indicator[data-indicator="morka"]').get_by_label("Målvärde").input_value() == "0.5"
    assert events(board) == before and board.ledger.measure(mid).indicators[0]["target"] == 1
