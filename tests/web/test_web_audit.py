"""Revision in a real browser: the timeline with filters, a case's history, the boards as of a date."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from webhelpers import shoot, sign_in

from koll.ledger import demo
from koll.ledger.domain.daylight import STOCKHOLM

pytestmark = pytest.mark.browser


def test_audit_timeline_filters_history_and_as_of(board: Any, page: Any) -> None:
    sign_in(page, board.base, "revisor", path="/revision")
    assert page.locator("#timeline tbody tr").count() == 50
    assert page.locator("#more").count() == 1                                  # paged
    page.get_by_label("Slag").select_option("Case")
    page.get_by_role("button", name="Visa").last.click()
    kinds = page.locator("#timeline tbody td[data-event]").evaluate_all("els => els.map(e => e.dataset.event)")
    assert kinds and all(k.startswith("Case.") for k in kinds)
    told = page.locator("#timeline tbody td[data-event] strong").all_inner_texts()
    assert all(w.startswith("Ärendet") for w in told) and not any("Case." in w for w in told)
    page.locator("#timeline tbody tr").first.get_by_role("link", name="Ärende").click()
    assert page.locator("#case-history li").count() >= 1

    then_at = demo.STORY_END + demo.story_shift() - timedelta(weeks=8)  # within the reports the board has
    page.get_by_label("Tidpunkt (svensk tid)").fill(then_at.astimezone(STOCKHOLM).strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Visa läget då").click()
    page.wait_for_selector("#as-of-summary")
    then = int(page.locator("#as-of-cases").inner_text())
    with board.koll.store.read() as conn:
        now = conn.exec_driver_sql("select count(*) from rm_cases").scalar()
    assert 0 < then < now                                                     # the square as it stood then
    shoot(page, "audit")


def test_a_reporter_may_not_open_the_audit(board: Any, page: Any) -> None:
    sign_in(page, board.base, "rapportor")
    response = page.goto(board.base + "/revision")
    assert response.status == 403
