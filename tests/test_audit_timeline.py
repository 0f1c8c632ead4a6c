"""The decision history: who decided what and when, before → after, filtered and paged; the auditor
reads it all and can write nothing."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from helpers import observation
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor
from koll.ledger.history import event_data, to_json
from koll.ledger.projections.audit import audit_events, audit_state
from koll.ledger.queries.audit import timeline
from koll.ledger.store import events_table
from koll.schema.payloads import ObservationSchema

ANNA = Actor("anna", "reporter", "sdf")
OPS = Actor("operativ", "operational", "sdf")
POLIS = Actor("polis", "operational", "polisen")
AUDITOR = Actor("revisor", "auditor", "staden")
T0 = (datetime.now(timezone.utc) - timedelta(days=30)).replace(microsecond=0)


def story(ledger) -> str:
    with clock.frozen_at(T0):
        filed = ledger.file_observation(ANNA, ObservationSchema().load(observation()))
    case_id = uuid.UUID(filed.case_id)
    with clock.frozen_at(T0 + timedelta(days=1)):
        ledger.decide_case(case_id, 1, lambda c: c.triage(OPS, priority=1, category=None, group=None, note=None))
    with clock.frozen_at(T0 + timedelta(days=2)):
        ledger.decide_case(case_id, 2, lambda c: c.assign(OPS, org="trafikkontoret", person="Eva"))
    with clock.frozen_at(T0 + timedelta(days=3)):
        ledger.decide_case(case_id, 3, lambda c: c.assign(POLIS, org="polisen", person=None))
    with clock.frozen_at(T0 + timedelta(days=4)):
        ledger.decide_case(case_id, 4, lambda c: c.resolve(POLIS, public_note="Klart"))
    return filed.case_id


def test_each_decision_says_who_when_and_before_after(ledger):
    case_id = story(ledger)
    with ledger.store.read() as conn:
        page = timeline(conn, AUDITOR, {"aggregate": case_id})
    got = [(e["event"], e["who"]["user"], e["changes"]) for e in page["events"]]
    assert got == [
        ("Case.Opened", "anna", {"status": {"before": None, "after": "new"}}),
        ("Case.Triaged", "operativ", {"status": {"before": "new", "after": "triaged"},
                                      "priority": {"before": None, "after": 1}}),
        ("Case.Assigned", "operativ", {"status": {"before": "triaged", "after": "assigned"},
                                       "assigned_org": {"before": None, "after": "trafikkontoret"},
                                       "assigned_person": {"before": None, "after": "Eva"}}),
        ("Case.Assigned", "polis", {"assigned_org": {"before": "trafikkontoret", "after": "polisen"},
                                    "assigned_person": {"before": "Eva", "after": None}}),
        ("Case.Resolved", "polis", {"status": {"before": "assigned", "after": "resolved"}}),
    ]
    first = page["events"][0]
    assert first["who"] == {"user": "anna", "role": "reporter", "org": "sdf"}
    assert first["at"] == T0.isoformat() and first["position"] == 1 and page["next"] is None


def test_filters_by_kind_actor_org_and_period(ledger):
    story(ledger)
    story(ledger)

    def events(**args):
        with ledger.store.read() as conn:
            return [e["event"] for e in timeline(conn, AUDITOR, args)["events"]]

    assert events(kind="Case.Assigned") == ["Case.Assigned"] * 4
    assert set(events(kind="Observation")) == {"Observation.Recorded"}
    assert events(actor="polis") == ["Case.Assigned", "Case.Resolved"] * 2
    assert events(org="polisen") == events(actor="polis")
    assert events(**{"from": T0 + timedelta(days=1), "to": T0 + timedelta(days=2)}) == [
        "Case.Triaged", "Case.Assigned"] * 2
    assert events(kind="Nothing") == []


def test_paging_by_cursor_visits_every_event_once(ledger):
    for _ in range(3):
        story(ledger)
    seen, cursor = [], None
    with ledger.store.read() as conn:
        while True:
            page = timeline(conn, AUDITOR, {"after": cursor, "limit": 4})
            seen += [e["position"] for e in page["events"]]
            cursor = page["next"]
            if cursor is None:
                break
        newest = timeline(conn, AUDITOR, {"limit": 2, "order": "desc"})
    assert seen == list(range(1, 19))
    assert [e["position"] for e in newest["events"]] == [18, 17] and newest["next"] == 17


def test_the_timeline_is_the_same_after_a_rebuild(ledger):
    story(ledger)
    story(ledger)

    def snapshot():
        with ledger.store.read() as conn:
            return [sorted(map(tuple, conn.execute(sa.select(t)))) for t in (audit_events, audit_state)]

    live = snapshot()
    ledger.rebuild()
    assert snapshot() == live and len(live[0]) == 12


def test_each_row_tells_the_data_its_event_carries(ledger):
    """The timeline keeps no copy of an event's data: read from the event's own row by position,
    it is what the event in hand carries (dates, ids, sealed notes, nested locations alike)."""
    story(ledger)
    mid = uuid.uuid4()
    ledger.propose_measure(OPS, {"id": str(mid), "what": "Belysning vid garaget", "owner_org": "sdf",
                                 "start": "2026-01-10", "end": "2026-06-30"})
    with ledger.store.read() as conn:
        shown = {e["position"]: e["data"] for e in timeline(conn, AUDITOR, {"limit": 1000})["events"]}
    told = {n.id: json.loads(to_json(event_data(ledger.mapper.to_domain_event(n))))
            for n in ledger.recorder.select_notifications(1, 1000)}
    assert shown == told and len(shown) == 7
    assert shown[1]["location"]["lat"] and shown[7]["end"] == "2026-06-30"
    assert "note" in shown[2]  # the observation's sealed note, as recorded


def test_other_aggregates_are_described_without_the_timeline_knowing_them(ledger):
    mid = uuid.uuid4()
    meeting = str(uuid.uuid4())
    ledger.propose_measure(OPS, {"id": str(mid), "what": "Belysning vid garaget", "owner_org": "sdf",
                                 "start": "2026-01-10", "end": "2026-06-30"})
    ledger.decide_measure(mid, 1, lambda m: m.decide(OPS, meeting_id=meeting))
    ledger.decide_measure(mid, 2, lambda m: m.assign(OPS, org="trafikkontoret", person=None))
    with ledger.store.read() as conn:
        page = timeline(conn, AUDITOR, {"kind": "Measure"})
        by_meeting = timeline(conn, AUDITOR, {"meeting": meeting})
    changes = [e["changes"] for e in page["events"]]
    assert changes[0]["status"] == {"before": None, "after": "idea"}
    assert changes[0]["end"] == {"before": None, "after": "2026-06-30"}
    assert changes[1] == {"status": {"before": "idea", "after": "decided"}}
    assert changes[2]["owner_org"] == {"before": "sdf", "after": "trafikkontoret"}
    assert [e["event"] for e in by_meeting["events"]] == ["Measure.Decided"]
    assert page["events"][1]["meeting_id"] == meeting


def test_the_auditor_reads_the_history_over_http(service):
    case_id = story(service.ledger)
    auditor = service.client("auditor")
    r = auditor.get("/api/v1/audit/events", params={"aggregate": case_id, "limit": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [e["event"] for e in body["events"]] == ["Case.Opened", "Case.Triaged"] and body["next"]
    r = auditor.get("/api/v1/audit/events", params={"aggregate": case_id, "after": body["next"]})
    assert [e["event"] for e in r.json()["events"]] == ["Case.Assigned", "Case.Assigned", "Case.Resolved"]
    r = auditor.get("/api/v1/audit/events", params={"from": (T0 + timedelta(days=3, hours=12)).isoformat(),
                                                     "kind": "Case"})
    assert [e["event"] for e in r.json()["events"]] == ["Case.Resolved"]
    assert auditor.get("/api/v1/audit/events", params={"from": "då"}).status_code == 422
    assert auditor.get("/api/v1/audit/events", params={"limit": 0}).status_code == 422
    assert service.client("reporter").get("/api/v1/audit/events").status_code == 403
    assert service.client(None).get("/api/v1/audit/events").status_code == 401
    r = auditor.get("/api/v1/audit/verify")
    assert r.status_code == 200 and r.json()["ok"] is True


# Endpoints anyone may POST to because they are how one signs in or out, not how one writes.
SIGN_IN = {"/api/v1/auth/token", "/login", "/logout", "/logga-in", "/logga-ut"}


# POSTs that only read: the digests an auditor kept are too many for a query string.
READS_BY_POST = {"/api/v1/audit/verify"}


def test_the_auditor_writes_nothing_anywhere(service):
    flask_app = _app_of(service)
    auditor = service.client("auditor")
    case_id = story(service.ledger)
    with service.ledger.store.read() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(events_table)).scalar()
    posts = [r for r in flask_app.url_map.iter_rules() if "POST" in (r.methods or set())]
    assert len(posts) >= 5
    checked = []
    for rule in posts:
        if rule.rule in SIGN_IN:
            continue
        path = re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: str(42) if m.group(1) == "int" else
                      "json" if m.group(2) == "fmt" else case_id, rule.rule)
        r = auditor.post(path, json={"id": str(uuid.uuid4()), "reason": "revision", "text": "x"},
                         headers={"If-Match": "1"})
        if rule.rule in READS_BY_POST:  # a check that needs a body; it records nothing (counted below)
            assert r.status_code in (200, 422), (rule.rule, r.status_code)
        elif rule.rule.startswith("/api/"):
            assert r.status_code == 403, (rule.rule, r.status_code, r.text[:200])
        else:  # a board's form: refused before any role check when the CSRF token is missing
            assert r.status_code in (400, 401, 403), (rule.rule, r.status_code)
        checked.append(rule.rule)
    assert "/api/v1/observations" in checked and "/api/v1/audit/digests" in checked
    with service.ledger.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(events_table)).scalar() == before


def _app_of(service):
    """The Flask app behind the test server (the werkzeug server keeps it)."""
    import gc

    from flask import Flask

    for obj in gc.get_objects():
        if isinstance(obj, Flask) and obj.extensions.get("koll") is service.koll:
            return obj
    raise AssertionError("no app")
