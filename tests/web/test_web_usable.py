"""Usable as people expect: on a phone's width, with the keyboard alone, labelled for a screen reader."""

from __future__ import annotations

from typing import Any

import pytest
from webhelpers import shoot

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_signing_in_and_moving_around_with_the_keyboard_alone(board: Any, page: Any) -> None:
    page.goto(board.base + "/login")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.labels ? [...document.activeElement.labels].map(l => l.innerText) : []")
    while "Användarnamn" not in " ".join(focused):  # past any skip link to the first field
        page.keyboard.press("Tab")
        focused = page.evaluate("[...(document.activeElement.labels || [])].map(l => l.innerText)")
    page.keyboard.type("operativ")
    page.keyboard.press("Tab")
    assert page.evaluate("[...document.activeElement.labels].map(l => l.innerText).join()") == "Lösenord"
    page.keyboard.type("hemligt")
    page.keyboard.press("Enter")
    page.wait_for_url(board.base + "/")
    # Every control on the situation page has a name a screen reader can say.
    unnamed = page.evaluate("""[...document.querySelectorAll('main input, main select, main button, main a')]
        .filter(e => e.offsetParent !== null)
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.innerText.trim()
                     && !e.getAttribute('title'))
        .map(e => e.outerHTML.slice(0, 80))""")
    assert unnamed == []
    # The focused control is visibly marked.
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline not in ("", "none")


@pytest.mark.parametrize("path", ["/", "/insatser", "/moten", "/vandringar", "/revision"])
def test_every_board_fits_a_phone_without_sideways_scrolling(board: Any, browser: Any, path: str) -> None:
    context = browser.new_context(viewport=PHONE, locale="sv-SE", device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    try:
        page.goto(board.base + f"/login?next={path}")
        page.get_by_label("Användarnamn").fill("operativ")
        page.get_by_label("Lösenord").fill("hemligt")
        page.get_by_role("button", name="Logga in").click()
        page.wait_for_url(f"{board.base}{path}")
        page.wait_for_load_state("networkidle")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow} px on a phone"
        font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
        assert font >= 14
        if path == "/":
            shoot(page, "phone-situation")
    finally:
        context.close()
