"""E-mail to the responsible organisation, through a real SMTP server (aiosmtpd): a case
assigned, a measure escalated, a meeting scheduled; never a restricted report's content."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
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
    raw = mail.as_string()
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
    assert all("2026-12-20" in m["Subject"] for m in got[1:])
    service.client("reporter").post("/api/v1/observations", observation())  # a report mails nobody
    time.sleep(0.5)
    assert len(inbox.messages) == 1 + len(addresses)
