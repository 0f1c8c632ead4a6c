"""Other systems hear of what is recorded: signed, retried until acknowledged, nothing lost on a
crash, and restricted events only to receivers whose organisation may read them."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from helpers import observation
from koll.ledger.application import Ledger
from koll.ledger.webhooks.delivery import verify

SECRET = "hemlig-nyckel-for-kvitto"


class Receiver:
    """A real HTTP server that answers with the statuses it is told, then 200."""

    def __init__(self, fail_first: int = 0) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        self.refusals = fail_first
        self.signed_ok: list[bool] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                raw = self.rfile.read(int(self.headers["Content-Length"]))
                outer.signed_ok.append(verify(SECRET, self.headers.get("Koll-Signature", ""), raw))
                if outer.refusals > 0:
                    outer.refusals -= 1
                    self.send_response(503)
                    self.end_headers()
                    return
                outer.bodies.append(json.loads(raw))
                outer.headers.append(dict(self.headers))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/koll"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_for(self, n: int, seconds: float = 20) -> list[dict[str, Any]]:
        deadline = time.monotonic() + seconds
        while len(self.bodies) < n and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.bodies

    def close(self) -> None:
        self.server.shutdown()


@pytest.fixture
def receivers():
    made: list[Receiver] = []

    def make(**kw: Any) -> Receiver:
        made.append(Receiver(**kw))
        return made[-1]

    yield make
    for r in made:
        r.close()


def _settled(service, hook: str) -> list[dict[str, Any]]:
    """The receiver's deliveries once none is being sent (the courier records the answer after it)."""
    deadline = time.monotonic() + 10
    while True:
        listed = service.client("admin").get(f"/api/v1/webhooks/{hook}/deliveries").json()["deliveries"]
        if all(d["state"] == "delivered" for d in listed) or time.monotonic() > deadline:
            return listed
        time.sleep(0.05)


def _register(service, receiver: Receiver, org: str = "sdf", **filters: Any) -> str:
    r = service.client("admin").post("/api/v1/webhooks", {"url": receiver.url, "secret": SECRET, "org": org,
                                                          "filters": filters})
    assert r.status_code == 201, r.text
    assert "secret" not in r.json()
    return r.json()["id"]


def test_a_receiver_hears_each_event_signed_with_its_position_and_is_retried_until_it_answers(service, receivers):
    service.ledger.webhooks.courier.base_backoff = 0.2
    receiver = receivers(fail_first=2)
    hook = _register(service, receiver, event_types=["Case.*"])
    case_id = service.client("reporter").post("/api/v1/observations", observation()).json()["case_id"]
    staff = service.client("operational")
    assert staff.post(f"/api/v1/cases/{case_id}/triage", {"priority": 2}, headers={"If-Match": "1"}).status_code == 200
    assert staff.post(f"/api/v1/cases/{case_id}/assign", {"org": "trafikkontoret"},
                      headers={"If-Match": "2"}).status_code == 200
    got = receiver.wait_for(3)
    assert [b["event"] for b in got] == ["Case.Opened", "Case.Triaged", "Case.Assigned"]  # no Observation.*
    assert all(receiver.signed_ok) and len(receiver.signed_ok) == 5  # two refusals, three deliveries
    assigned = got[2]
    assert assigned["aggregate_id"] == case_id and assigned["event_id"] == f"{case_id}:3"
    assert assigned["changes"]["assigned_org"] == [None, "trafikkontoret"]
    assert receiver.headers[2]["Koll-Event-Position"] == str(assigned["position"])
    listed = _settled(service, hook)
    assert [(d["event"], d["state"]) for d in listed] == [
        ("Case.Assigned", "delivered"), ("Case.Triaged", "delivered"), ("Case.Opened", "delivered")]
    assert listed[2]["attempts"] == 3 and listed[2]["last_status"] == 204
    # only admins see receivers and their deliveries
    assert service.client("operational").get(f"/api/v1/webhooks/{hook}/deliveries").status_code == 403


def test_a_forged_or_old_signature_does_not_verify():
    body = b'{"event": "Case.Opened"}'
    from koll.ledger.webhooks.delivery import signature

    now = int(time.time())
    assert verify(SECRET, signature(SECRET, now, body), body)
    assert not verify(SECRET, signature("another-secret-xxxxx", now, body), body)
    assert not verify(SECRET, signature(SECRET, now, body), body + b" ")
    assert not verify(SECRET, signature(SECRET, now - 3600, body), body)  # replayed an hour later


def test_restricted_events_reach_only_receivers_whose_organisation_may_read_them(service, receivers):
    city, police = receivers(), receivers()
    _register(service, city, org="sdf")
    _register(service, police, org="polisen")
    reporter = service.client("reporter")
    reporter.post("/api/v1/observations", observation(category="SOC-01"))  # open drug dealing: restricted
    reporter.post("/api/v1/observations", observation())  # litter: public
    assert len(police.wait_for(4)) == 4
    time.sleep(0.5)
    assert {b["category"] for b in city.bodies} == {"REN-01"} and len(city.bodies) == 2
    assert "SOC-01" in {b["category"] for b in police.bodies}


def test_a_delivery_queued_before_a_crash_is_sent_by_the_next_process(service, receivers):
    receiver = receivers()
    _register(service, receiver)
    service.ledger.webhooks.courier.stop()  # this process dies before it sends anything
    service.ledger.webhooks.courier._thread = threading.Thread()  # and never starts again
    case_id = service.client("reporter").post("/api/v1/observations", observation()).json()["case_id"]
    time.sleep(0.5)
    assert receiver.bodies == []
    again = Ledger(service.koll.store)  # a new process on the same database
    try:
        got = receiver.wait_for(2)
        assert {b["aggregate_id"] for b in got} >= {case_id} and len(got) == 2
    finally:
        again.webhooks.courier.stop()


def test_registration_refuses_bad_input_and_records_nothing(service):
    admin = service.client("admin")
    for body, field in [({"url": "ftp://x", "secret": SECRET, "org": "sdf"}, "url"),
                        ({"url": "http://127.0.0.1:1/x", "secret": "kort", "org": "sdf"}, "secret"),
                        ({"url": "http://127.0.0.1:1/x", "secret": SECRET, "org": "okänd"}, "org"),
                        ({"url": "http://127.0.0.1:1/x", "secret": SECRET, "org": "sdf",
                          "filters": {"event_types": ["drop table"]}}, "filters")]:
        r = admin.post("/api/v1/webhooks", body)
        assert r.status_code == 422 and any(k.split(".")[0] == field for k in r.json()["errors"]), (body, r.text)
    assert admin.get("/api/v1/webhooks").json()["webhooks"] == []
