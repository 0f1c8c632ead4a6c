"""The boards under their Content-Security-Policy in a real Chromium: the map and the charts still
draw with no violation, the API docs still work, and a page on another origin cannot frame them."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from webhelpers import seed_plan, seed_walk, shoot, sign_in, wait_map_ready

pytestmark = pytest.mark.browser

WATCH_CSP = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', function (e) {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI);
});
"""


def watched(page: Any) -> list[str]:
    """Console lines that speak of a Content Security Policy (Chromium reports each violation)."""
    seen: list[str] = []
    page.on("console", lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None)
    page.add_init_script(WATCH_CSP)
    return seen


def no_violation(page: Any, console: list[str]) -> None:
    assert page.evaluate("window.__csp") == []
    assert console == []


def test_the_boards_draw_their_map_and_charts_under_the_policy(board: Any, page: Any) -> None:
    ids = seed_plan(board.ledger)
    walk = seed_walk(board.ledger)
    console = watched(page)
    sign_in(page, board.base, "operativ", path="/")
    wait_map_ready(page)
    assert page.evaluate("window.kollCharts.filter(Boolean).length") == 3
    assert page.locator("#map .leaflet-marker-icon, #map .marker-cluster, #map path").count() > 0
    no_violation(page, console)
    page.goto(f"{board.base}/vandringar?walk={walk}")
    wait_map_ready(page)
    no_violation(page, console)
    page.goto(f"{board.base}/insatser/{ids['lights']}")
    assert page.evaluate("window.kollCharts.filter(Boolean).length") == 1
    no_violation(page, console)
    page.goto(f"{board.base}/moten/{ids['meeting']}/aterrapport")
    no_violation(page, console)
    shoot(page, "csp-report-back")


def test_the_api_docs_still_work_under_their_own_policy(service: Any, page: Any) -> None:
    console = watched(page)
    page.goto(f"{service.base}/api/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "Koll" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() > 10  # the operations were drawn from openapi.json
    no_violation(page, console)


@pytest.fixture
def other_origin(board: Any) -> Iterator[tuple[str, dict[str, str]]]:
    """A page on another port that tries to frame the measure page with its decision buttons."""
    target: dict[str, str] = {}

    class Framer(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            body = f'<!doctype html><title>Fint erbjudande</title><iframe id="f" src="{target["url"]}" ' \
                   f'width="900" height="600"></iframe>'.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_a: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Framer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/", target
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_a_page_on_another_origin_cannot_frame_the_measure_page(board: Any, page: Any,
                                                                 other_origin: tuple[str, dict[str, str]]) -> None:
    ids = seed_plan(board.ledger)
    url, target = other_origin
    target["url"] = f"{board.base}/insatser/{ids['lights']}"
    console: list[str] = []
    page.on("console", lambda m: console.append(m.text))
    sign_in(page, board.base, "operativ", path=f"/insatser/{ids['lights']}")
    assert page.locator("form.decision").count() > 0  # the buttons a framer would want clicked
    page.goto(url)
    page.wait_for_timeout(1500)  # the frame's answer arrives and is refused; nothing to wait for on success
    framed = [f for f in page.frames if f != page.main_frame]
    assert framed, "the iframe exists"
    frame = framed[0]
    assert frame.url != target["url"] or frame.locator("form.decision").count() == 0
    assert any("frame-ancestors" in line or "X-Frame-Options" in line for line in console), console
    shoot(page, "csp-framed")
