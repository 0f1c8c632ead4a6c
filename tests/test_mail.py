"""E-mail to the responsible organisation, through a real SMTP server (aiosmtpd): a case
assigned, a measure escalated, a meeting scheduled; never a restricted report's content."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
import requests
from aiosmtpd.controller import Controller
from werkzeug.serving import make_server

from helpers import ROLE_USERS, Service, free_port, observation
from koll.ledger.application import Ledger
from koll.ledger.config import Settings
from koll.ledger.server import Koll, create_app
from koll.ledger.store import Store
from test_areas import ADMIN, definition


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def wait_for(self, n: int, seconds: float = 20) -> list[Message]:
        deadline = time.monotonic() + seconds
        while len(self.messages) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages


@pytest.fixture
def mailing(database_url: str, tmp_path: Path) -> Iterator[tuple[Service, Inbox]]:
    inbox = Inbox()
    port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings = Settings.from_env({"KOLL_DATABASE_URL": database_url, "KOLL_BLOB_DIR": str(tmp_path / "blobs"),
                                  "KOLL_VAR_DIR": str(tmp_path / "var"), "KOLL_SECRET_KEY": "test-secret",
                                  "KOLL_SMTP_URL": f"smtp://127.0.0.1:{port}",
                                  "KOLL_PUBLIC_URL": "https://koll.example.se"})
    store = Store(settings.database_url)
    koll = Koll(settings=settings, store=store, ledger=Ledger(store))
    koll.ledger.import_area(ADMIN, definition("hasselby-torg"))
    app = create_app(settings, koll=koll)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    tokens = {key: koll.ledger.add_user(name, role, org, password="hemligt")
              for key, (name, role, org) in ROLE_USERS.items()}
    try:
        yield Service(f"http://127.0.0.1:{server.server_port}", koll, tokens, app), inbox
    finally:
        server.shutdown()
        smtp.stop()
        store.dispose()


def _assign(service: Service, case_id: str, org: str, who: str = "operational") -> None:
    staff = service.client(who)
    version = staff.get(f"/api/v1/cases/{case_id}").json()["version"]
    r = staff.post(f"/api/v1/cases/{case_id}/triage", {"priority": 2}, headers={"If-Match": str(version)})
    assert r.status_code == 200, r.text
    r = staff.post(f"/api/v1/cases/{case_id}/assign", {"org": org, "person": "Karin"},
                   headers={"If-Match": str(version + 1)})
    assert r.status_code == 200, r.text


def test_the_organisation_a_case_is_assigned_to_gets_a_short_swedish_mail_with_a_link(mailing):
    service, inbox = mailing
    case_id = service.client("reporter").post("/api/v1/observations",
                                              observation(category="BEL-01", note="Lampan är släckt")).json()["case_id"]
    _assign(service, case_id, "trafikkontoret")
    [mail] = inbox.wait_for(1)
    assert mail["To"] == "trafikkontoret.felanmalan@example.se"
    assert "Trafikkontoret" in mail["Subject"]
    text = mail.get_payload(decode=True).decode("utf-8")
    assert f"https://koll.example.se/arenden/{case_id}" in text and "prioritet 2" in text
    assert "Hej!" in text and "Lampan är släckt" not in text  # the reporter's note stays in Koll


def test_a_restricted_case_is_never_described_by_mail(mailing):
    service, inbox = mailing
    case_id = service.client("reporter").post("/api/v1/observations",
                                              observation(category="SOC-01", note="Langning vid trappan")).json()["case_id"]
    _assign(service, case_id, "polisen", who="police")
    [mail] = inbox.wait_for(1)
    raw = mail.as_string() + _readable(mail)
    assert mail["To"] == "lpo.vasterort@example.se" and "begränsad åtkomst" in mail.get_payload(decode=True).decode()
    for secret in ("Langning", "SOC-01", "narkotika", "Narkotika", "trappan", "Tunnelbane", "Torget"):
        assert secret not in raw, secret


def test_an_escalated_measure_and_a_scheduled_meeting_are_told_and_nothing_else_is(mailing):
    service, inbox = mailing
    staff = service.client("operational")
    measure = str(uuid.uuid4())
    assert staff.post("/api/v1/measures", {"id": measure, "what": "Belysning i garaget",
                                           "owner_org": "fastighetsagare"}).status_code == 201
    r = staff.post(f"/api/v1/measures/{measure}/escalate", {"support_needed": "Budget för armaturer"},
                   headers={"If-Match": "1"})
    assert r.status_code == 200, r.text
    got = inbox.wait_for(1)
    assert [m["To"] for m in got] == ["centrumagaren.hasselby@example.se"]
    assert "Budget för armaturer" in got[0].get_payload(decode=True).decode()
    meeting = str(uuid.uuid4())
    assert staff.post("/api/v1/meetings", {"id": meeting, "group": "operational",
                                           "date": "2026-12-20"}).status_code == 201
    addresses = sorted(o["email"] for o in definition("hasselby-torg")["organisations"] if o.get("email"))
    got = inbox.wait_for(1 + len(addresses))
    invited = sorted(m["To"] for m in got[1:])
    assert invited == addresses and "trafikkontoret.felanmalan@example.se" in invited
    assert all("20 december 2026" in m["Subject"] for m in got[1:])  # a date in running text
    service.client("reporter").post("/api/v1/observations", observation())  # a report mails nobody
    time.sleep(0.5)
    assert len(inbox.messages) == 1 + len(addresses)


def _readable(mail: Message) -> str:
    """The subject and the body as the recipient reads them (not as encoded on the wire)."""
    return str(make_header(decode_header(mail["Subject"]))) + "\n" + mail.get_payload(decode=True).decode("utf-8")


def _resolve(service: Service, case_id: str, note: str | None, who: str = "operational") -> None:
    staff = service.client(who)
    version = staff.get(f"/api/v1/cases/{case_id}").json()["version"]
    r = staff.post(f"/api/v1/cases/{case_id}/resolve", {"public_note": note}, headers={"If-Match": str(version)})
    assert r.status_code == 200, r.text


def test_a_reporter_who_asked_hears_when_the_case_is_resolved_and_one_who_did_not_hears_nothing(mailing):
    service, inbox = mailing
    reporter = service.client("reporter")
    first = observation(category="BEL-01", note="Lampan vid trappan är släckt")
    r = reporter.post("/api/v1/observations", first | {"notify_email": "boende@example.se"})
    assert r.status_code == 201, r.text
    case_id = r.json()["case_id"]
    # A second report of the same thing joins the case without asking to hear back.
    assert reporter.post("/api/v1/observations", observation(category="BEL-01") | {"case_id": case_id}).status_code == 201
    _assign(service, case_id, "trafikkontoret")
    inbox.wait_for(1)
    # The address is never shown, not even to the staff who work the case: only that one was given.
    seen = service.client("operational").get(f"/api/v1/cases/{case_id}").text
    assert "boende@example.se" not in seen and '"notify": true' in seen.replace('"notify":true', '"notify": true')
    _resolve(service, case_id, "Lampan är lagad.")
    got = inbox.wait_for(2)
    assert [m["To"] for m in got] == ["trafikkontoret.felanmalan@example.se", "boende@example.se"]
    text = _readable(got[1])
    assert "Koll: åtgärdat" in text and "Lampan är lagad." in text
    assert "Trasig/släckt belysning vid " in text and "Hässelby torg" in text
    assert "Lampan vid trappan" not in text  # the reporter's own note is not sent back over mail


def test_a_bad_address_is_refused_by_field_with_nothing_recorded(mailing):
    service, _ = mailing
    reporter = service.client("reporter")
    report = observation() | {"notify_email": "inte en adress"}
    r = reporter.post("/api/v1/observations", report)
    assert r.status_code == 422 and "notify_email" in r.json()["errors"], r.text
    assert reporter.get(f"/api/v1/observations/{report['id']}").status_code == 404


def test_a_restricted_case_tells_its_reporter_only_that_it_is_resolved_and_an_erased_one_nothing(mailing):
    service, inbox = mailing
    reporter = service.client("reporter")
    restricted = observation(category="SOC-01", note="Langning vid trappan") | {"notify_email": "boende@example.se"}
    case_id = reporter.post("/api/v1/observations", restricted).json()["case_id"]
    _assign(service, case_id, "polisen", who="police")
    _resolve(service, case_id, "Polisen har gripit två personer vid trappan", who="police")
    got = inbox.wait_for(2)
    assert got[1]["To"] == "boende@example.se"
    raw = _readable(got[1])
    assert "åtgärdats" in raw
    for secret in ("Langning", "SOC-01", "arkotika", "trappan", "gripit", "Torget", "Tunnelbane"):
        assert secret not in raw, secret
    # Erased, the report's key is gone: the address cannot be opened and nobody is told.
    erased = observation(category="BEL-01") | {"notify_email": "annan@example.se"}
    other = reporter.post("/api/v1/observations", erased).json()["case_id"]
    r = service.client("admin").post(f"/api/v1/observations/{erased['id']}/erase", {"reason": "begäran om radering"})
    assert r.status_code == 200, r.text
    _assign(service, other, "trafikkontoret")
    _resolve(service, other, "Lagad")
    time.sleep(1.0)
    assert "annan@example.se" not in [m["To"] for m in inbox.wait_for(4, seconds=3)]


def test_an_open311_request_with_an_email_hears_when_it_is_resolved(mailing):
    service, inbox = mailing
    form = {"api_key": service.tokens["reporter"], "jurisdiction_id": "hasselby-torg", "service_code": "KLO-01",
            "lat": "59.3669", "long": "17.8441", "description": "Klotter på väggen", "email": "granne@example.se"}
    r = requests.post(service.base + "/open311/v2/requests.json", data=form, timeout=30)
    assert r.status_code == 201, r.text
    case_id = r.json()[0]["service_request_id"]
    _assign(service, case_id, "trafikkontoret")
    _resolve(service, case_id, "Klottret är sanerat.")
    got = inbox.wait_for(2)
    assert got[-1]["To"] == "granne@example.se" and "Klottret är sanerat." in _readable(got[-1])
    bad = requests.post(service.base + "/open311/v2/requests.json", data=form | {"email": "nej", "description": "x"},
                        timeout=30)
    assert bad.status_code == 400 and "notify_email" in bad.text
