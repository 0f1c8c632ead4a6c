"""Times as the people on the square read them: Swedish time (Europe/Stockholm) on every page,
never UTC unlabelled, whatever the read models keep."""

from __future__ import annotations

from datetime import timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from webhelpers import seed_plan, seed_walk, shoot, sign_in

from koll.ledger import demo
from koll.ledger.projections.audit import audit_events
from koll.ledger.projections.situation import observations

pytestmark = pytest.mark.browser
STOCKHOLM = ZoneInfo("Europe/Stockholm")


def _local(moment: Any, fmt: str) -> str:
    return moment.replace(tzinfo=timezone.utc).astimezone(STOCKHOLM).strftime(fmt)


def test_the_walk_protocol_says_the_time_on_the_square(board: Any, page: Any) -> None:
    walk = seed_walk(board.ledger)
    o = observations.c
    with board.koll.store.read() as conn:
        seen = conn.execute(sa.select(o.observed_at).where(o.walk_id == walk).order_by(o.observed_at)).scalars().all()
    sign_in(page, board.base, "operativ", path=f"/vandringar?walk={walk}")
    protocol = page.locator("#protocol").inner_text()
    local, utc = _local(seen[0], "%H:%M"), seen[0].strftime("%H:%M")
    assert local in protocol
    assert local == utc or utc not in protocol                   # 19:40 UTC is 20:40 or 21:40 on the square
    assert "iakttagelse" in page.locator(".walk-list").inner_text()  # "3 iakttagelser", not a bare number


def test_revision_shows_swedish_time_and_takes_it(board: Any, page: Any) -> None:
    with board.koll.store.read() as conn:
        last = conn.execute(sa.select(audit_events.c.at).order_by(audit_events.c.position.desc()).limit(1)).scalar()
    sign_in(page, board.base, "revisor", path="/revision")
    first = page.locator("#timeline tbody tr").first.locator("time").inner_text()
    assert first == _local(last, "%Y-%m-%d %H:%M")
    assert page.get_by_label("Tidpunkt (svensk tid)").count() == 1
    # the as-of moment is read on the square's clock too: 00:30 on 1 July is 22:30 UTC on 30 June
    day = (demo.STORY_END + demo.story_shift() - timedelta(weeks=8)).date().isoformat()  # the demo is dated from today
    page.get_by_label("Tidpunkt (svensk tid)").fill(f"{day}T00:30")
    page.get_by_role("button", name="Visa läget då").click()
    page.wait_for_selector("#as-of-summary")
    assert page.locator("#as-of-summary").inner_text().startswith(f"{day} 00:30")
    shoot(page, "audit-local")


def test_the_measure_table_prints_on_a4_landscape_with_every_column(board: Any, page: Any) -> None:
    import re

    seed_plan(board.ledger)
    sign_in(page, board.base, "operativ", path="/insatser?view=table")
    page.emulate_media(media="print")
    page.set_viewport_size({"width": 1047, "height": 740})  # A4 landscape less 10 mm margins, at 96 dpi
    headers = page.locator("table.measures thead th")
    assert headers.count() == 10
    fits = page.evaluate("""[...document.querySelectorAll('table.measures')].every(t =>
        t.getBoundingClientRect().right <= document.documentElement.clientWidth + 1)""")
    assert fits, "a column of the table falls off the printed page"
    pdf = page.pdf(prefer_css_page_size=True, print_background=False)
    box = re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert box and float(box.group(1)) > float(box.group(2))      # landscape
    assert abs(float(box.group(1)) - 841.9) < 2                    # A4: 297 mm
