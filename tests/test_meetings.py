"""Meetings (möten) and the report-back on SQLite and PostgreSQL: decisions that name what they
touch, holding a meeting, and what the operational group reports for its period."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest

from helpers import observation
from koll.ledger.application import ConflictingRepeat
from koll.ledger.domain import clock
from koll.ledger.domain.base import DomainError, WorkflowError
from koll.ledger.queries.meetings import report_back
from koll.schema.payloads_measures import DecisionSchema, MeetingSchema
from test_measures import OPS, events, measure_body, propose, step


def at(day: str, hour: int = 13) -> datetime:
    return datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00")


def schedule(ledger, day: str, group: str = "operational", **extra):
    body = MeetingSchema().load({"id": str(uuid.uuid4()), "group": group, "date": day, **extra})
    with clock.frozen_at(at(day, 8)):
        return uuid.UUID(ledger.schedule_meeting(OPS, body).id)


def decision(**overrides):
    body = {"id": str(uuid.uuid4()), "text": "Insatsen beslutas"}
    body.update(overrides)
    return DecisionSchema().load(body)


def file_at(ledger, when: datetime, category: str = "REN-01"):
    # Told after the fact like the demo: past the API's one-year window, so not through its schema.
    report = observation(observed_at=when.isoformat(), category=category)
    with clock.frozen_at(when):
        return ledger.file_observation(OPS, report)


def test_a_decision_names_what_it_touches_and_a_retry_is_recorded_once(ledger):
    meeting = schedule(ledger, "2018-06-07", attendees=[{"name": "Eva", "org": "sdf"}])
    mid = propose(ledger)
    case_id = file_at(ledger, at("2018-06-01")).case_id
    body = decision(measures=[str(mid)], cases=[case_id])
    assert ledger.record_decision(OPS, meeting, body).created is True
    before = events(ledger)
    assert ledger.record_decision(OPS, meeting, body).created is False
    with pytest.raises(ConflictingRepeat):
        ledger.record_decision(OPS, meeting, dict(body, text="Något annat"))
    for wrong in ({"measures": [str(uuid.uuid4())]}, {"cases": [str(mid)]}):  # a measure is no case
        with pytest.raises(DomainError) as refused:
            ledger.record_decision(OPS, meeting, decision(**wrong))
        assert refused.value.details["field"] in ("measures", "cases")
    assert events(ledger) == before
    recorded = ledger.history(meeting)[-1]
    assert (recorded.measures, recorded.cases) == ([str(mid)], [case_id])


def test_a_held_meeting_takes_no_more_decisions(ledger):
    meeting = schedule(ledger, "2018-06-07")
    ledger.record_decision(OPS, meeting, decision())
    ledger.hold_meeting(OPS, meeting, 2, conclusions="Fortsätt", attendees=None)
    assert ledger.meeting(meeting).status == "held"
    before = events(ledger)
    with pytest.raises(WorkflowError):
        ledger.record_decision(OPS, meeting, decision())
    with pytest.raises(WorkflowError):
        ledger.hold_meeting(OPS, meeting, 3, conclusions=None, attendees=None)
    assert events(ledger) == before


def test_the_report_back_covers_the_period_since_the_groups_previous_meeting(ledger):
    schedule(ledger, "2018-05-17")
    schedule(ledger, "2018-06-01", group="strategic")  # another group's meeting does not cut the period
    meeting = schedule(ledger, "2018-06-07")

    def measure(day: str, *moves):
        with clock.frozen_at(at(day, 9)):
            mid = propose(ledger, what=f"Insats {len(moves)} {day}", end="2018-06-05")
            for move in moves:
                step(ledger, mid, move)
        return mid

    decide, start = (lambda m: m.decide(OPS)), (lambda m: m.start_work(OPS))
    full = measure("2018-05-20", decide, start,
                   lambda m: m.complete(OPS, outcome="full", success_factors="Fastighetsägaren ställde upp"))
    partly = measure("2018-05-25", decide, start,
                     lambda m: m.complete(OPS, outcome="partly", deviation_reason="Försenad leverans"))
    before_period = measure("2018-05-10", decide, start,
                            lambda m: m.complete(OPS, outcome="not_reached", deviation_reason="Gammal"))
    late = measure("2018-05-30", decide, start, lambda m: m.escalate(OPS, support_needed="Beslut om kameror"))
    with clock.frozen_at(at("2018-05-12")):
        step(ledger, before_period, lambda m: m.move_to_operations(OPS))
    for day, n in (("2018-05-01", 1), ("2018-05-20", 3)):  # the period before, and this one
        for i in range(n):
            file_at(ledger, at(day, 10 + i))
    file_at(ledger, at("2018-05-22"), "KLO-01")
    ledger.record_decision(OPS, meeting, decision(text="Eskalera kamerafrågan", measures=[str(late)]))
    ledger.hold_meeting(OPS, meeting, 2, conclusions="Långsiktigt: belysningen i ordinarie drift", attendees=None)

    with ledger.store.read() as conn:
        rb = report_back(conn, OPS, str(meeting))
    assert rb["period"] == {"from": "2018-05-18", "to": "2018-06-07"}
    assert rb["goals"]["by_outcome"] == {"full": 1, "partly": 1}
    assert [m["id"] for m in rb["goals"]["deviations"]] == [str(partly)]
    assert rb["goals"]["deviations"][0]["deviation_reason"] == "Försenad leverans"
    assert [s["id"] for s in rb["success_factors"]] == [str(full)]
    assert [s["support_needed"] for s in rb["support_needed"]] == ["Beslut om kameror"]
    assert {m["id"] for m in rb["measures"]["started"]} == {str(full), str(partly), str(late)}
    assert [m["id"] for m in rb["measures"]["late"]] == [str(late)]
    assert rb["conclusions"]["text"].startswith("Långsiktigt")
    assert rb["conclusions"]["decisions"][0]["measures"] == [str(late)]
    # Done three weeks later: the meeting of 7 June still reports it as late then, the next one does not.
    with clock.frozen_at(at("2018-06-20")):
        step(ledger, late, lambda m: m.complete(OPS, outcome="partly", deviation_reason="Kamerorna kom sent"))
    following = schedule(ledger, "2018-06-28")
    with ledger.store.read() as conn:
        assert [m["id"] for m in report_back(conn, OPS, str(meeting))["measures"]["late"]] == [str(late)]
        assert report_back(conn, OPS, str(following))["measures"]["late"] == []
    by_category = {s["category"]: s for s in rb["situation"]}
    assert (by_category["REN-01"]["observations"], by_category["REN-01"]["previous"],
            by_category["REN-01"]["change"]) == (3, 1, 2)
    assert by_category["KLO-01"]["change_pct"] is None  # nothing to compare with


def test_the_first_meeting_of_a_group_reports_on_the_three_weeks_before_it(ledger):
    meeting = schedule(ledger, "2018-06-07", group="strategic")
    with ledger.store.read() as conn:
        rb = report_back(conn, OPS, str(meeting))
    assert rb["previous_meeting"] is None
    assert rb["period"] == {"from": "2018-05-18", "to": "2018-06-07"}


# --- The API --------------------------------------------------------------------------------


def test_meetings_over_http_schedule_decide_close_and_report_back(service):
    ops = service.client("operational")
    body = {"id": str(uuid.uuid4()), "group": "operational", "date": "2018-06-07",
            "attendees": [{"name": "Eva", "org": "sdf"}, {"name": "Ali", "org": "polisen"}]}
    first = ops.post("/api/v1/meetings", body)
    assert first.status_code == 201, first.text
    assert ops.post("/api/v1/meetings", body).status_code == 200
    assert ops.post("/api/v1/meetings", dict(body, date="2018-06-08")).status_code == 409
    meeting = first.json()["id"]
    mid = ops.post("/api/v1/measures", measure_body()).json()["id"]
    d = {"id": str(uuid.uuid4()), "text": "Beslut om häckarna", "measures": [mid]}
    created = ops.post(f"/api/v1/meetings/{meeting}/decisions", d)
    assert created.status_code == 201, created.text
    assert ops.post(f"/api/v1/meetings/{meeting}/decisions", d).status_code == 200
    assert ops.post(f"/api/v1/meetings/{meeting}/decisions", dict(d, text="annat")).status_code == 409
    got = ops.get(f"/api/v1/meetings/{meeting}")
    assert got.json()["decisions_list"][0]["measures"] == [mid] and got.headers["ETag"] == '"2"'
    assert ops.post(f"/api/v1/meetings/{meeting}/close", {"conclusions": "Klart"}).status_code == 428
    assert ops.post(f"/api/v1/meetings/{meeting}/close", {}, headers={"If-Match": "1"}).status_code == 412
    closed = ops.post(f"/api/v1/meetings/{meeting}/close", {"conclusions": "Klart"}, headers={"If-Match": "2"})
    assert closed.status_code == 200 and closed.json()["status"] == "held"
    assert [h["event"] for h in closed.json()["history"]][-1] == "Meeting.Held"
    rb = service.client("strategic").get(f"/api/v1/meetings/{meeting}/report-back")
    assert rb.status_code == 200 and rb.json()["conclusions"]["text"] == "Klart"
    listed = service.client("auditor").get("/api/v1/meetings", params={"group": "operational"}).json()
    assert [m["id"] for m in listed["meetings"]] == [meeting]


def test_meeting_roles_and_bad_input_record_nothing(service):
    before = service.ledger.recorder.max_notification_id()
    body = {"id": str(uuid.uuid4()), "group": "operational", "date": "2018-06-07"}
    assert service.client("reporter").post("/api/v1/meetings", body).status_code == 403
    assert service.client("auditor").post("/api/v1/meetings", body).status_code == 403
    bad = service.client("strategic").post("/api/v1/meetings", dict(body, group="kaffe", date="igår"))
    assert bad.status_code == 422 and {"group", "date"} <= set(bad.json()["errors"])
    missing = service.client("operational").post(f"/api/v1/meetings/{uuid.uuid4()}/decisions",
                                                  {"id": str(uuid.uuid4()), "text": "x"})
    assert missing.status_code == 404
    assert service.client("operational").get(f"/api/v1/meetings/{uuid.uuid4()}/report-back").status_code == 404
    assert service.ledger.recorder.max_notification_id() == before
