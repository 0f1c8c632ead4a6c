"""The plan's work beyond the lifecycle, on SQLite and PostgreSQL: the inventory (what already
runs), the gross list's sorting questions, unlinking a case, an indicator's baseline period and
target, reasons the server insists on, and indicators charted over the measure's own period."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest

from helpers import observation
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.queries import measures as q
from koll.ledger.usecases.measures import DECISIONS
from koll.schema.payloads import ObservationSchema
from koll.schema.payloads_measures import MeasureSchema
from marshmallow import ValidationError

OPS = Actor("operativ", "operational", "sdf")


def propose(ledger, **plan):
    body = MeasureSchema().load({"id": str(uuid.uuid4()), "what": "Klotterplank vid tunnelbanan", **plan})
    return uuid.UUID(ledger.propose_measure(OPS, body).id)


def decide(ledger, mid, name, body):
    schema, decision = DECISIONS[name]
    loaded = schema().load(body)
    return ledger.decide_measure(mid, ledger.measure(mid).version, lambda m: decision(m, OPS, loaded))


def row(ledger, mid):
    with ledger.store.read() as conn:
        return q.get_measure(conn, str(mid), None)


def test_the_inventory_records_what_already_runs_since_a_day_in_the_past(ledger):
    mid = propose(ledger, inventory=True, start="2017-09-01", owner_org="polisen", partners=["sdf"])
    m = ledger.measure(mid)
    assert (m.status, m.inventory, m.start) == ("started", True, "2017-09-01")
    assert [type(e).__qualname__ for e in ledger.history(mid)] == ["Measure.Proposed", "Measure.Decided",
                                                                  "Measure.Started"]
    assert ledger.history(mid)[-1].on == "2017-09-01"
    r = row(ledger, mid)
    assert r["inventory"] is True and r["status"] == "started"
    idea = propose(ledger, what="Ny idé")
    assert row(ledger, idea)["inventory"] is False
    before = ledger.recorder.max_notification_id()
    future = (date.today() + timedelta(days=3)).isoformat()
    for plan, field in (({"start": future, "owner_org": "polisen"}, "start"), ({"owner_org": "polisen"}, "start"),
                        ({"start": "2017-01-01"}, "owner_org")):
        with pytest.raises(DomainError) as e:
            propose(ledger, inventory=True, **plan)
        assert e.value.details["field"] == field
    assert ledger.recorder.max_notification_id() == before  # nothing recorded on refusal


def test_the_sorting_questions_are_kept_and_visibility_is_one_of_them(ledger):
    mid = propose(ledger, sorting={"size": "liten", "complexity": "enkel", "level": "symptom", "mandate": "inom",
                                   "urgency": "bradskande", "visibility": "synlig", "synergy": True, "priority": 2})
    assert row(ledger, mid)["sorting"]["visibility"] == "synlig"
    with pytest.raises(ValidationError):
        MeasureSchema().load({"id": str(uuid.uuid4()), "what": "x", "sorting": {"visibility": "kanske"}})


def test_a_case_is_linked_and_unlinked_and_the_board_follows(ledger):
    case_id = uuid.UUID(ledger.file_observation(OPS, ObservationSchema().load(observation())).case_id)
    mid = propose(ledger)
    ledger.link_case_to_measure(OPS, mid, 1, case_id)
    assert row(ledger, mid)["cases"] == [str(case_id)]
    decide(ledger, mid, "unlink-case", {"case_id": str(case_id), "note": "Fel ärende"})
    assert row(ledger, mid)["cases"] == [] and ledger.measure(mid).cases == []
    with pytest.raises(DomainError):
        decide(ledger, mid, "unlink-case", {"case_id": str(case_id)})


def test_an_indicator_gets_a_baseline_period_and_a_target(ledger):
    mid = propose(ledger, start="2018-06-01", end="2018-09-30")
    decide(ledger, mid, "indicators", {"code": "klotter", "name": "Klotter per vecka", "source": "computed",
                                       "categories": ["KLO"]})
    decide(ledger, mid, "indicator-revise", {"code": "klotter", "baseline": 4, "target": 1,
                                             "baseline_from": "2018-03-01", "baseline_to": "2018-05-31"})
    ind = row(ledger, mid)["indicators"][0]
    assert (ind["baseline"], ind["target"], ind["baseline_from"], ind["baseline_to"]) == (
        4.0, 1.0, "2018-03-01", "2018-05-31")
    version = ledger.measure(mid).version
    decide(ledger, mid, "indicator-revise", {"code": "klotter", "target": 1})  # the same: nothing recorded
    assert ledger.measure(mid).version == version
    with pytest.raises(DomainError) as e:
        decide(ledger, mid, "indicator-revise", {"code": "klotter", "baseline_from": "2018-05-01",
                                                 "baseline_to": "2018-04-01"})
    assert e.value.details["field"] == "baseline_to"


def test_a_2018_measure_is_charted_over_2018_with_its_baseline_before_it(ledger):
    mid = propose(ledger, start="2018-06-04", end="2018-07-29")
    decide(ledger, mid, "indicators", {"code": "klotter", "name": "Klotter", "source": "computed",
                                       "categories": ["KLO"], "baseline_from": "2018-05-07",
                                       "baseline_to": "2018-06-03"})
    for when in ("2018-05-10T20:00:00+00:00", "2018-05-20T20:00:00+00:00", "2018-06-20T20:00:00+00:00"):
        body = ObservationSchema().load(observation(category="KLO-01"))
        body["observed_at"] = datetime.fromisoformat(when)  # the demo's way: told as it happened then
        with clock.frozen_at(body["observed_at"] + timedelta(hours=1)):
            ledger.file_observation(OPS, body)
    ind = row(ledger, mid)["indicators"][0]
    points = ind["own_points"]
    assert points[0]["at"] == "2018-W19" and points[-1]["at"] == "2018-W30"
    assert [p["at"] for p in points if p["baseline"]] == ["2018-W19", "2018-W20", "2018-W21", "2018-W22"]
    assert sum(p["value"] for p in points if p["baseline"]) == 2
    assert sum(p["value"] for p in points if not p["baseline"]) == 1
    assert ind["baseline_computed"] == 0.5 and ind["period"] == {"from": "2018-06-04", "to": "2018-07-29"}


def test_empty_reasons_are_refused_by_the_domain_not_only_the_browser(ledger):
    mid = propose(ledger)
    for name, body in (("cancel", {"reason": "   "}), ("escalate", {"support_needed": "  "})):
        with pytest.raises(DomainError):
            decide(ledger, mid, name, body)
    assert ledger.measure(mid).version == 1
    decide(ledger, mid, "cancel", {"reason": "Ingen budget i år"})
    assert row(ledger, mid)["deviation_reason"] == "Ingen budget i år"


def test_the_api_takes_the_same_commands_with_if_match(service):
    ops = service.client("operational")
    made = ops.post("/api/v1/measures", {"id": str(uuid.uuid4()), "what": "Nattvandring", "inventory": True,
                                         "start": "2017-05-01", "owner_org": "civilsamhallet"})
    assert made.status_code == 201, made.text
    mid = made.json()["id"]
    m = ops.get(f"/api/v1/measures/{mid}").json()
    assert (m["status"], m["inventory"], m["version"]) == ("started", True, 3)
    path = f"/api/v1/measures/{mid}/indicators"
    r = ops.post(path, {"code": "rop", "name": "Trygghetsmätning", "baseline_from": "2017-01-01",
                        "baseline_to": "2017-04-30"}, headers={"If-Match": "3"})
    assert r.status_code == 200, r.text
    r = ops.post(f"/api/v1/measures/{mid}/indicator-revise", {"code": "rop", "target": 4.0}, headers={"If-Match": "3"})
    assert r.status_code == 412  # stale: nothing recorded
    r = ops.post(f"/api/v1/measures/{mid}/indicator-revise", {"code": "rop", "target": 4.0},
                 headers={"If-Match": "4"})
    assert r.status_code == 200, r.text
    assert r.json()["indicators"][0]["target"] == 4.0
    assert r.json()["indicators"][0]["baseline_period"] == {"from": "2017-01-01", "to": "2017-04-30"}
    r = ops.post(f"/api/v1/measures/{mid}/cancel", {"reason": "  "}, headers={"If-Match": "5"})
    assert r.status_code == 422 and ops.get(f"/api/v1/measures/{mid}").json()["version"] == 5
