"""Sign-in against a hostile user, over real HTTP on SQLite and PostgreSQL: where /login?next=
leads, wrong passwords slowed and refused across instances, logout and deactivation ending
sessions on the server, tokens listed, revoked and expired at once, Secure cookies."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from werkzeug.serving import make_server

from koll.ledger import credentials
from koll.ledger.application import Ledger
from koll.ledger.config import Settings
from koll.ledger.server import Koll, create_app
from koll.ledger.store import Store

PASSWORD = "hemligt"


def events_in(service) -> int:
    return service.ledger.recorder.max_notification_id() or 0


def form_token(session: requests.Session, base: str, path: str = "/login") -> str:
    page = session.get(base + path, timeout=30)
    assert page.status_code in (200, 401), page.status_code
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def board_login(base: str, user: str, password: str = PASSWORD, next_: str | None = None,
                session: requests.Session | None = None) -> requests.Response:
    s = session or requests.Session()
    data = {"csrf_token": form_token(s, base), "user": user, "password": password}
    if next_ is not None:
        data["next"] = next_
    return s.post(base + "/login", data=data, allow_redirects=False, timeout=30)


def signed_in(base: str, user: str) -> requests.Session:
    s = requests.Session()
    answer = board_login(base, user, session=s)
    assert answer.status_code in (302, 303), answer.text
    return s


def as_browser_resolves(base: str, location: str) -> tuple[str, str]:
    """(scheme, host) a browser goes to: it drops tabs and newlines and reads '\\' as '/'."""
    cleaned = re.sub(r"[\t\n\r]", "", location).strip("\x00 ").replace("\\", "/")
    parts = urlsplit(urljoin(base + "/login", cleaned))
    return parts.scheme, parts.netloc


HOSTILE_NEXT = [
    "//evil.example", "///evil.example", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "/\n/evil.example", "\t//evil.example", " //evil.example", "/\r\n/evil.example", "https://evil.example",
    "http:evil.example", "javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>1</script>",
    "//evil.example/%2e%2e", "/%2F%2Fevil.example", "/%5Cevil.example", "%2F%2Fevil.example",
    "/.//evil.example", "//@evil.example", "/\x00/evil.example", "\x00//evil.example", "/\u3000/evil.example",
    "／／evil.example", "/\u2028/evil.example", "evil.example", "", "//", "/" + "a" * 5000,
    "/%ff%fe", "http://127.0.0.1:1/", "\\/evil.example", "/\\/evil.example", "//evil.example\\@good",
]


def test_next_only_ever_leads_to_a_path_on_this_site(service):
    base = service.base
    site = urlsplit(base)
    for target in HOSTILE_NEXT:
        shown = requests.get(base + "/login", params={"next": target}, timeout=30)
        assert shown.status_code == 200, (target, shown.status_code)
        answer = board_login(base, "operativ", next_=target)
        assert answer.status_code in (302, 303), (target, answer.status_code, answer.text[:200])
        assert as_browser_resolves(base, answer.headers["Location"]) == (site.scheme, site.netloc), \
            (target, answer.headers["Location"])
    # an ordinary path (with its query) is kept
    kept = board_login(base, "operativ", next_="/insatser?status=late")
    assert kept.headers["Location"].endswith("/insatser?status=late")


def test_an_unknown_name_costs_a_scrypt_like_a_wrong_password(service, monkeypatch):
    calls: list[str] = []
    real = credentials.password_matches

    def counting(password: str, stored: str) -> bool:
        calls.append(stored)
        return real(password, stored)

    monkeypatch.setattr(credentials, "password_matches", counting)
    for name in ("operativ", "ingen-sadan"):
        answer = service.client(None).post("/api/v1/auth/token", {"username": name, "password": "fel"})
        assert answer.status_code == 401
    assert len(calls) == 2 and all(c.startswith("scrypt$") for c in calls)  # the same work for both


def _fail(client, name: str) -> requests.Response:
    return client.post("/api/v1/auth/token", {"username": name, "password": "gissning"})


@contextmanager
def another_instance(settings: Settings) -> Iterator[str]:
    """A second Koll process-alike (its own engine, Ledger and app) on the same database."""
    store = Store(settings.database_url)
    app = create_app(settings, koll=Koll(settings=settings, store=store, ledger=Ledger(store)))
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)
        store.dispose()


def test_ten_wrong_passwords_for_a_user_are_refused_with_429_on_every_instance(service, settings):
    client = service.client(None)
    for _ in range(credentials.USER_LIMIT):
        assert _fail(client, "operativ").status_code == 401
    refused = _fail(client, "operativ")
    assert refused.status_code == 429
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert 0 < int(refused.headers["Retry-After"]) <= 15 * 60
    # even the right password waits: the guesser cannot tell when it hit
    right = client.post("/api/v1/auth/token", {"username": "operativ", "password": PASSWORD})
    assert right.status_code == 429
    with another_instance(settings) as other:
        again = requests.post(other + "/api/v1/auth/token", json={"username": "operativ", "password": PASSWORD},
                              timeout=30)
        assert again.status_code == 429  # the count is in the database, not in one worker
        # the boards' sign-in counts the same failures
        board = board_login(other, "operativ")
        assert board.status_code == 429 and "För många" in board.text
        assert int(board.headers["Retry-After"]) > 0
    # another user is not locked out by it
    assert client.post("/api/v1/auth/token", {"username": "strateg", "password": PASSWORD}).status_code == 200


def test_wrong_passwords_on_the_boards_count_and_a_right_one_clears_the_name(service):
    base = service.base
    for _ in range(credentials.USER_LIMIT - 1):
        assert board_login(base, "strateg", password="fel").status_code == 401
    assert board_login(base, "strateg").status_code in (302, 303)  # the ninth was not the limit
    for _ in range(credentials.USER_LIMIT - 1):
        assert board_login(base, "strateg", password="fel").status_code == 401  # counting from zero again
    assert board_login(base, "strateg", password="fel").status_code == 401
    assert board_login(base, "strateg", password="fel").status_code == 429


def test_one_address_guessing_many_names_is_refused(service):
    client = service.client(None)
    for i in range(credentials.ADDRESS_LIMIT):
        # a forged X-Forwarded-For does not make a new address: no proxy is trusted here
        answer = client.post("/api/v1/auth/token", {"username": f"namn{i}", "password": "gissning"},
                             headers={"X-Forwarded-For": f"10.9.{i}.1"})
        assert answer.status_code == 401
    refused = _fail(client, "ett-nytt-namn")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_logout_ends_the_session_on_the_server(service):
    base = service.base
    s = signed_in(base, "operativ")
    assert s.get(base + "/insatser", allow_redirects=False, timeout=30).status_code == 200
    assert s.get(base + "/api/v1/me", timeout=30).json()["user"] == "operativ"
    copied = dict(s.cookies)
    out = s.post(base + "/logout", data={"csrf_token": form_token(s, base, "/insatser")}, allow_redirects=False,
                 timeout=30)
    assert out.status_code in (302, 303)
    thief = requests.Session()
    thief.cookies.update(copied)  # the cookie as it was before signing out
    again = thief.get(base + "/insatser", allow_redirects=False, timeout=30)
    assert again.status_code == 302 and "/login" in again.headers["Location"]
    assert thief.get(base + "/api/v1/me", timeout=30).status_code == 401


def test_deactivation_is_recorded_and_refuses_token_and_session_at_once(service):
    base = service.base
    board = signed_in(base, "rapportor")
    phone = service.client("reporter")
    assert phone.get("/api/v1/me").status_code == 200  # looked up once: nothing may remember it
    before = events_in(service)
    admin = service.client("admin")
    answer = admin.post("/api/v1/users/rapportor/deactivate")
    assert answer.status_code == 200 and answer.json()["active"] is False and answer.json()["recorded"] is True
    assert events_in(service) == before + 1
    assert [e.__class__.__name__ for e in service.ledger.history(_user_id("rapportor"))][-1] == "Deactivated"
    assert phone.get("/api/v1/me").status_code == 401
    assert board.get(base + "/", allow_redirects=False, timeout=30).status_code == 302
    assert board_login(base, "rapportor").status_code == 401  # nor can they sign in again
    again = admin.post("/api/v1/users/rapportor/deactivate")
    assert again.status_code == 200 and again.json()["recorded"] is False and events_in(service) == before + 1
    listed = {u["name"]: u for u in admin.get("/api/v1/users").json()["users"]}
    assert listed["rapportor"]["active"] is False and listed["operativ"]["active"] is True
    assert admin.post("/api/v1/users/admin/deactivate").status_code == 422  # not oneself
    assert admin.post("/api/v1/users/ingen/deactivate").status_code == 404


def _user_id(name: str):
    from koll.ledger.domain.user import user_id_for

    return user_id_for(name)


def test_tokens_are_listed_revoked_one_by_one_or_all_and_expire(service):
    admin = service.client("admin")
    ledger = service.ledger
    second = ledger.credentials.issue_token("operativ", label="telefon")
    first = service.client("operational")
    assert first.get("/api/v1/me").status_code == 200
    listed = admin.get("/api/v1/users/operativ/tokens").json()["tokens"]
    assert {t["label"] for t in listed} == {"cli", "telefon"}
    assert all(second not in str(t) and len(t["id"]) == credentials.TOKEN_ID_LENGTH for t in listed)
    phone_id = next(t["id"] for t in listed if t["label"] == "telefon")
    revoked = admin.post(f"/api/v1/users/operativ/tokens/{phone_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked"] == 1
    headers = {"Authorization": f"Bearer {second}"}
    assert requests.get(service.base + "/api/v1/me", headers=headers, timeout=30).status_code == 401
    assert first.get("/api/v1/me").status_code == 200  # the other token lives on
    assert admin.post("/api/v1/users/operativ/tokens/abcdef123456/revoke").status_code == 404
    assert admin.post("/api/v1/users/operativ/tokens/revoke").json()["revoked"] == 1
    assert first.get("/api/v1/me").status_code == 401
    # a token past its expiry is refused; one before it works
    past = ledger.credentials.issue_token("strateg", expires_at=datetime.now(timezone.utc) - timedelta(seconds=1))
    future = ledger.credentials.issue_token("strateg", expires_at=datetime.now(timezone.utc) + timedelta(days=1))
    me = lambda tok: requests.get(service.base + "/api/v1/me", headers={"Authorization": f"Bearer {tok}"},  # noqa: E731
                                  timeout=30).status_code
    assert (me(past), me(future)) == (401, 200)
    # only admins see or revoke tokens
    for who in ("reporter", "police", "strategic", "auditor"):  # (the operational token is revoked)
        assert service.client(who).get("/api/v1/users/strateg/tokens").status_code == 403
        assert service.client(who).get("/api/v1/users").status_code == 403


def test_cookies_are_secure_when_the_setting_says_so(settings, database_url, tmp_path):
    assert Settings.from_env({"KOLL_VAR_DIR": str(tmp_path / "v"), "KOLL_SECRET_KEY": "x"}).cookie_secure is False
    secure = Settings.from_env({"KOLL_DATABASE_URL": database_url, "KOLL_BLOB_DIR": str(tmp_path / "blobs"),
                                "KOLL_VAR_DIR": str(tmp_path / "var"), "KOLL_SECRET_KEY": "test-secret",
                                "KOLL_COOKIE_SECURE": "1"})
    with another_instance(secure) as base:
        page = requests.get(base + "/login", timeout=30)
        cookie = page.headers["Set-Cookie"]
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with another_instance(settings) as base:
        assert "Secure" not in requests.get(base + "/login", timeout=30).headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/login", "/healthz", "/api/v1/me", "/api/v1/nowhere", "/static/koll.js",
                                  "/api/openapi.json"])
def test_security_headers_on_every_answer(service, path):
    answer = service.client("reporter").get(path)
    csp = answer.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "same-origin"
