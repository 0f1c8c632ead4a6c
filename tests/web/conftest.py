"""Board tests in a real browser: Debian's Chromium driven by Playwright, against the real service.

With CI=true a missing browser is a failure, never a skip. Screenshots go to tests/artifacts/web/;
what tests import (sign-in, screenshots, seeds) is in webhelpers.py.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from koll.ledger import demo
from koll.ledger.domain.base import DomainError

CHROMIUM = os.environ.get("KOLL_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The boards read the same queries on both back-ends (the API tests cover both); SQLite is enough here."""
    return f"sqlite:///{tmp_path / 'koll.sqlite'}"


def _missing(message: str) -> None:
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed (pip install playwright)")
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        _missing(f"no Chromium at {CHROMIUM} (run infra/system-deps)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    ctx = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000}, locale="sv-SE")
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


@pytest.fixture
def board(service: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The service with the Hässelby torg demo told into its ledger (the fixture's users kept)."""
    add_user = service.ledger.add_user

    def keep_existing(name: str, role: str, org: str, **kw: Any) -> str:
        try:
            return add_user(name, role, org, **kw)
        except DomainError:
            return ""  # the fixture already made this user, with the test password

    monkeypatch.setattr(service.ledger, "add_user", keep_existing)
    # One square, the boards as one district sees them; the story's last 20 weeks of reports (quicker).
    demo.load(service.ledger, second_area=False, weeks=20)
    monkeypatch.undo()
    return service
