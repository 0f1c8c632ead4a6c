"""Vandringar in a real browser: a walk's findings on the map and its protocol by organisation."""

from __future__ import annotations

from typing import Any

import pytest
from webhelpers import seed_walk, shoot, sign_in, wait_map_ready

pytestmark = pytest.mark.browser


def test_walk_findings_on_the_map_and_protocol_by_organisation(board: Any, page: Any) -> None:
    walk = seed_walk(board.ledger)
    sign_in(page, board.base, "operativ", path=f"/vandringar?walk={walk}")
    wait_map_ready(page)
    assert page.locator("#finding-count").inner_text() == "3"
    assert page.locator(".case-dot, .marker-cluster").count() >= 1
    orgs = page.locator("#protocol h3[data-org]").evaluate_all("els => els.map(e => e.dataset.org)")
    assert len(orgs) >= 2
    shoot(page, "walks")
