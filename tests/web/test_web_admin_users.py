"""Användare in a real browser, as an administrator does it: add a user who chooses their own
password by a one-time link, change a role, reset a password, revoke tokens, deactivate."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from webhelpers import shoot, sign_in

pytestmark = pytest.mark.browser


def _card(page: Any, name: str) -> Any:
    card = page.locator(f'li.user[data-user="{name}"]')
    details = card.locator("details")
    if details.count() and not details.get_attribute("open"):
        card.locator("summary").click()
    return card


def test_add_a_user_who_chooses_their_password_by_a_one_time_link(board: Any, browser: Any, page: Any) -> None:
    sign_in(page, board.base, "admin", path="/admin/anvandare")
    form = page.locator("#add-user")
    form.get_by_label("Användarnamn").fill("kim.trygghet")
    form.get_by_label("Roll").select_option("operational")
    form.get_by_label("Organisation").select_option("polisen")
    form.get_by_role("button", name="Lägg till användare").click()
    link = page.locator("#signin-link-url").input_value()
    assert "/login/lank/" in link and "kim.trygghet" not in link
    assert "/login/lank/" not in page.url                               # never in the address bar
    shoot(page, "admin-users")
    assert board.ledger.user("kim.trygghet").role == "operational"
    assert board.ledger.user_tokens("kim.trygghet") == []               # no token nobody asked for

    newcomer = browser.new_context(locale="sv-SE")
    try:
        p = newcomer.new_page()
        p.goto(link)
        p.get_by_label("Nytt lösenord").fill("en lång mening")
        p.get_by_label("Samma lösenord igen").fill("en annan mening")
        p.get_by_role("button", name="Spara och logga in").click()
        assert "inte lika" in p.locator("#link-error").inner_text()
        p.get_by_label("Nytt lösenord").fill("en lång mening")
        p.get_by_label("Samma lösenord igen").fill("en lång mening")
        p.get_by_role("button", name="Spara och logga in").click()
        p.wait_for_url(board.base + "/")
        assert "kim.trygghet" in p.locator(".who").inner_text()
        assert p.goto(link).status == 404                               # the link works once
    finally:
        newcomer.close()
    assert board.ledger.credentials.check_password("kim.trygghet", "en lång mening")


def test_deactivate_a_user_and_their_token_is_refused(board: Any, page: Any) -> None:
    token = board.tokens["reporter"]
    mine = requests.get(board.base + "/api/v1/observations/mine", headers={"Authorization": f"Bearer {token}"},
                        timeout=30)
    assert mine.status_code == 200
    sign_in(page, board.base, "admin", path="/admin/anvandare")
    card = _card(page, "rapportor")
    assert card.locator("table.tokens tbody tr").count() >= 1
    card.locator('form[data-action="deactivate"] button').click()
    assert "inaktiverad" in page.locator("#user-message").inner_text()
    assert page.locator('li.user[data-user="rapportor"]').get_attribute("data-active") == "0"
    refused = requests.get(board.base + "/api/v1/observations/mine", headers={"Authorization": f"Bearer {token}"},
                           timeout=30)
    assert refused.status_code == 401
    assert board.ledger.user("rapportor") is None
    assert [type(e).__qualname__ for e in board.ledger.history(_user_id("rapportor"))][-1] == "User.Deactivated"


def _user_id(name: str) -> Any:
    from koll.ledger.domain.user import user_id_for

    return user_id_for(name)


def test_change_a_role_revoke_a_token_and_reset_a_password(board: Any, browser: Any, page: Any) -> None:
    sign_in(page, board.base, "admin", path="/admin/anvandare")
    card = _card(page, "strateg")
    card.locator('form[data-action="role"] select[name="role"]').select_option("operational")
    card.locator('form[data-action="role"] button').click()
    assert board.ledger.user("strateg").role == "operational"
    assert [type(e).__qualname__ for e in board.ledger.history(_user_id("strateg"))][-1] == "User.RoleChanged"

    token = board.tokens["strategic"]
    card = _card(page, "strateg")
    card.locator("table.tokens tbody tr").first.get_by_role("button", name="Återkalla").click()
    assert requests.get(board.base + "/api/v1/cases", headers={"Authorization": f"Bearer {token}"},
                        timeout=30).status_code == 401

    card = _card(page, "strateg")
    card.locator('form[data-action="reset"] button').click()
    assert "/login/lank/" in page.locator("#signin-link-url").input_value()
    assert not board.ledger.credentials.check_password("strateg", "hemligt")   # the old one no longer opens


def test_only_an_admin_sees_the_page(board: Any, page: Any) -> None:
    sign_in(page, board.base, "operativ")
    assert page.goto(board.base + "/admin/anvandare").status == 403
    assert page.locator("header nav").get_by_role("link", name="Användare").count() == 0


def test_the_users_page_fits_a_phone(board: Any, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="sv-SE", is_mobile=True)
    try:
        page = context.new_page()
        sign_in(page, board.base, "admin", path="/admin/anvandare")
        _card(page, "rapportor")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"/admin/anvandare scrolls sideways by {overflow} px on a phone"
    finally:
        context.close()
