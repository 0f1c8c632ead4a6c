"""The case lifecycle in the domain alone: allowed steps happen, others are refused."""

from __future__ import annotations

import uuid

import pytest

from koll.ledger.domain.base import Actor, DomainError, WorkflowError
from koll.ledger.domain.case import Case

OPS = Actor("operativ", "operational", "sdf")


def new_case() -> Case:
    return Case(id=uuid.uuid4(), category="BEL-01", group="BEL", place="torget",
                location={"lat": 59.3665, "lon": 17.8435, "source": "gps"}, visibility="public",
                first_observation=str(uuid.uuid4()), related_case=None, by=OPS.as_dict(), area="hasselby-torg")


def test_the_whole_way_from_new_to_resolved_and_back():
    case = new_case()
    case.triage(OPS, priority=1, category=None, group=None, note="Mörkt vid trappan")
    case.assign(OPS, org="trafikkontoret", person="Belysningsjouren")
    case.start_work(OPS, note=None)
    case.resolve(OPS, public_note="Lampan bytt")
    assert case.status == "resolved"
    case.reopen(OPS, reason="Släckt igen")
    assert case.status == "triaged"
    assert [type(e).__name__ for e in case.collect_events()] == [
        "Opened", "Triaged", "Assigned", "WorkStarted", "Resolved", "Reopened"]


def test_every_event_says_who_acted():
    case = new_case()
    case.triage(OPS, priority=2, category=None, group=None, note=None)
    for event in case.collect_events():
        assert event.by == {"user": "operativ", "role": "operational", "org": "sdf"}
        assert event.timestamp.tzinfo is not None


@pytest.mark.parametrize("step", [
    lambda c: c.resolve(OPS, public_note=None),
    lambda c: c.start_work(OPS, note=None),
    lambda c: c.assign(OPS, org="sdf", person=None),
    lambda c: c.reopen(OPS, reason="x"),
])
def test_steps_outside_the_workflow_are_refused(step):
    case = new_case()
    with pytest.raises(WorkflowError) as refused:
        step(case)
    assert "new" in str(refused.value)
    assert case.status == "new"
    assert len(case.collect_events()) == 1  # nothing but the opening


def test_a_closed_case_takes_no_more_decisions_until_reopened():
    case = new_case()
    case.close(OPS, reason="not_ours")
    with pytest.raises(WorkflowError):
        case.triage(OPS, priority=1, category=None, group=None, note=None)
    case.reopen(OPS, reason="Det var vårt ändå")
    case.assign(OPS, org="sdf", person=None)
    assert case.status == "assigned"


def test_a_duplicate_must_name_another_case():
    case = new_case()
    with pytest.raises(DomainError):
        case.close(OPS, reason="duplicate")
    with pytest.raises(DomainError):
        case.close(OPS, reason="duplicate", duplicate_of=str(case.id))
    other = str(uuid.uuid4())
    case.close(OPS, reason="duplicate", duplicate_of=other)
    assert (case.status, case.duplicate_of) == ("closed", other)
