"""The work done in a meeting, on SQLite and PostgreSQL: the mobilisation's conference and
workshops beside the two groups, attendance by organisation, decisions that take measures
from the gross list in the meeting, and escalations that stay open until the strategic group
answers them."""

from __future__ import annotations

import uuid

import pytest

from koll.ledger.application import StaleVersion
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.history import describe
from koll.ledger.queries.meetings import agenda, get_meeting, report_back
from koll.schema.payloads_measures import AttendanceSchema
from test_measures import OPS, events, propose, step
from test_meetings import at, decision, schedule

STRATEGIC = Actor("chef", "strategic", "polisen")


def test_the_conference_and_workshops_are_meetings_with_attendance_by_organisation(ledger):
    conference = schedule(ledger, "2018-05-15", group="mobilisation", title="Mobiliseringskonferensen")
    workshop = schedule(ledger, "2018-05-29", group="workshop", title="Workshop om lägesbilden")
    assert ledger.meeting(workshop).group == "workshop"
    came = AttendanceSchema().load({"attendance": [
        {"org": "polisen", "count": 12, "names": ["Ali", "Bo"]}, {"org": "sdf", "count": 30},
        {"org": "mtr", "names": ["Mira"]}, {"org": None, "count": 27}]})["attendance"]
    ledger.record_attendance(OPS, conference, 1, came)
    with ledger.store.read() as conn:
        m = get_meeting(conn, None, str(conference))
    assert m["attendance_total"] == 70
    assert {a["org"]: (a["count"], a["names"]) for a in m["attendance"]} == {
        "polisen": (12, ["Ali", "Bo"]), "sdf": (30, []), "mtr": (1, ["Mira"]), None: (27, [])}
    before = events(ledger)
    with pytest.raises(StaleVersion):  # a form from before the attendance was recorded
        ledger.record_attendance(OPS, conference, 1, came[:1])
    with pytest.raises(DomainError):
        ledger.record_attendance(OPS, conference, 2, [*came, came[0]])  # one organisation twice
    assert events(ledger) == before


def test_a_decision_in_the_meeting_decides_the_ideas_it_names_and_says_in_which_meeting(ledger):
    meeting = schedule(ledger, "2018-06-07", title="Operativa gruppen 7 juni")
    idea, running = propose(ledger), propose(ledger, what="Kameror vid garaget")
    step(ledger, running, lambda m: m.decide(OPS))
    with ledger.store.read() as conn:
        listed = agenda(conn, OPS, get_meeting(conn, None, str(meeting)), at("2018-06-07").date())
    assert [m["id"] for m in listed["to_decide"]] == [str(idea)]
    body = decision(text="Häckarna beskärs och kamerorna sätts upp", measures=[str(idea), str(running)],
                    decide_measures=True)
    with pytest.raises(StaleVersion):  # the page showed an older meeting
        ledger.record_decision(OPS, meeting, body, expected_version=0)
    assert ledger.measure(idea).status == "idea"
    ledger.record_decision(OPS, meeting, body, expected_version=1)
    assert ledger.measure(idea).status == "decided"
    decided = ledger.history(idea)[-1]
    assert (type(decided).__name__, decided.meeting_id) == ("Decided", str(meeting))
    assert len(ledger.history(running)) == 2  # already decided: the meeting only names it
    assert ledger.history(meeting)[-1].decided == [str(idea)]
    with ledger.store.read() as conn:
        listed = get_meeting(conn, None, str(meeting))["decisions_list"]
    assert [x["what"] for x in listed[0]["measure_list"]] == ["Beskära häckarna vid tunnelbaneuppgången",
                                                              "Kameror vid garaget"]
    assert describe(decided)["data"]["meeting_id"] == str(meeting)


def test_an_escalation_stays_open_until_the_strategic_group_answers_it(ledger):
    mid = propose(ledger)
    step(ledger, mid, lambda m: m.decide(OPS))
    with clock.frozen_at(at("2018-06-10")):
        step(ledger, mid, lambda m: m.escalate(OPS, support_needed="Budget för belysning"))
    escalation = f"{mid}:{ledger.measure(mid).version}"
    operational = schedule(ledger, "2018-06-12")
    strategic = schedule(ledger, "2018-06-20", group="strategic", title="Strategiska gruppen juni")
    with ledger.store.read() as conn:
        assert [e["id"] for e in report_back(conn, OPS, str(operational))["escalations"]["open"]] == [escalation]
    before = events(ledger)
    with pytest.raises(DomainError) as refused:  # only the strategic group answers
        ledger.record_decision(OPS, operational, decision(escalation=escalation, answer="granted"))
    assert refused.value.details["field"] == "escalation"
    with pytest.raises(DomainError) as refused:
        ledger.record_decision(OPS, strategic, decision(escalation="no-such", answer="granted"))
    assert refused.value.details["field"] == "escalation"
    assert events(ledger) == before
    answered = decision(text="Belysningen bekostas centralt", escalation=escalation, answer="granted")
    with clock.frozen_at(at("2018-06-20", 15)):
        assert ledger.record_decision(STRATEGIC, strategic, answered).created is True
    assert ledger.record_decision(STRATEGIC, strategic, answered).created is False  # a retry, answered alike
    with pytest.raises(DomainError):  # answered once
        ledger.record_decision(STRATEGIC, strategic, decision(escalation=escalation, answer="declined"))
    following = schedule(ledger, "2018-07-03")
    with ledger.store.read() as conn:
        report = report_back(conn, OPS, str(following))["escalations"]
        decided = get_meeting(conn, None, str(strategic))["decisions_list"][0]
    assert report["open"] == []
    assert [(a["id"], a["outcome"], a["text"], a["meeting_title"]) for a in report["answered"]] == [
        (escalation, "granted", "Belysningen bekostas centralt", "Strategiska gruppen juni")]
    assert decided["measures"] == [str(mid)] and decided["answer"]["outcome"] == "granted"
    assert ledger.rebuild() >= 0  # the answers are a read model like the others, rebuilt the same
    with ledger.store.read() as conn:
        assert report_back(conn, OPS, str(following))["escalations"]["open"] == []


def test_a_meeting_of_an_unknown_kind_is_refused(ledger):
    from koll.ledger.domain.meeting import Meeting

    with pytest.raises(DomainError):
        Meeting.schedule(OPS, id=uuid.uuid4(), group="fika", date="2018-06-01", title=None, attendees=[],
                         fingerprint="x")


def test_over_http_a_workshop_takes_attendance_and_the_strategic_group_answers(service):
    ops, strategic = service.client("operational"), service.client("strategic")
    workshop = {"id": str(uuid.uuid4()), "group": "workshop", "date": "2018-05-29", "title": "Workshop"}
    assert ops.post("/api/v1/meetings", workshop).status_code == 201
    came = {"attendance": [{"org": "polisen", "count": 8}, {"org": "sdf", "names": ["Eva", "Ali"]}]}
    url = f"/api/v1/meetings/{workshop['id']}/attendance"
    assert ops.post(url, came).status_code == 428
    assert ops.post(url, came, headers={"If-Match": "0"}).status_code == 412
    bad = ops.post(url, {"attendance": [{"org": "nobody", "count": 1}]}, headers={"If-Match": "1"})
    assert bad.status_code == 422 and "attendance.0.org" in bad.json()["errors"]
    got = ops.post(url, came, headers={"If-Match": "1"})
    assert got.status_code == 200, got.text
    assert got.json()["attendance_total"] == 10 and got.headers["ETag"] == '"2"'

    mid = ops.post("/api/v1/measures", {"id": str(uuid.uuid4()), "what": "Belysta planer"}).json()["id"]
    assert ops.post(f"/api/v1/measures/{mid}/escalate", {"support_needed": "Budget"},
                    headers={"If-Match": "1"}).status_code == 200
    meeting = {"id": str(uuid.uuid4()), "group": "strategic", "date": "2018-06-20"}
    assert ops.post("/api/v1/meetings", meeting).status_code == 201
    answer = {"id": str(uuid.uuid4()), "text": "Beviljas", "escalation": f"{mid}:2", "answer": "granted"}
    wrong = strategic.post(f"/api/v1/meetings/{meeting['id']}/decisions", dict(answer, answer="maybe"))
    assert wrong.status_code == 422
    done = strategic.post(f"/api/v1/meetings/{meeting['id']}/decisions", answer)
    assert done.status_code == 201, done.text
    assert done.json()["decisions_list"][0]["answer"]["outcome"] == "granted"
    again = strategic.post(f"/api/v1/meetings/{meeting['id']}/decisions", dict(answer, id=str(uuid.uuid4())))
    assert again.status_code == 422 and "escalation" in again.json()["errors"]
