"""Restricted reports (open drug dealing, threats, people in need) stay with the police and IFO:
not through a recategorisation, not through a decision, not through an auditor's export."""

from __future__ import annotations

import uuid

from helpers import observation
from test_api import events_in


def _filed(service, category: str = "REN-01") -> str:
    r = service.client("reporter").post("/api/v1/observations", observation(category=category))
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


def test_a_case_recategorised_as_drug_dealing_is_held_as_closely(service):
    case_id = _filed(service)  # litter: public
    staff, police = service.client("operational"), service.client("police")
    assert staff.get(f"/api/v1/cases/{case_id}").json()["visibility"] == "public"
    r = staff.post(f"/api/v1/cases/{case_id}/triage", {"priority": 1, "category": "SOC-01"},
                   headers={"If-Match": "1"})
    assert r.status_code == 200, r.text
    assert r.json()["visibility"] == "restricted" and "restricted" in r.json()["detail"]
    assert staff.get(f"/api/v1/cases/{case_id}").status_code == 404
    assert case_id not in {c["id"] for c in staff.get("/api/v1/cases").json()["cases"]}
    assert case_id not in {f["id"] for f in staff.get("/api/v1/situation/map").json()["features"]}
    seen = police.get(f"/api/v1/cases/{case_id}").json()
    assert (seen["category"], seen["visibility"], seen["status"]) == ("SOC-01", "restricted", "triaged")
    # Triaged back to litter it stays restricted: its report was filed under what it was then.
    r = police.post(f"/api/v1/cases/{case_id}/triage", {"priority": 2, "category": "REN-01"},
                    headers={"If-Match": "2"})
    assert r.status_code == 200 and r.json()["visibility"] == "restricted"
    service.ledger.rebuild()
    assert staff.get(f"/api/v1/cases/{case_id}").status_code == 404


def test_a_restricted_case_cannot_be_decided_linked_or_joined_by_those_who_may_not_see_it(service):
    case_id = _filed(service, "SOC-01")
    staff = service.client("operational")
    before = events_in(service)
    for command, body in [("triage", {"priority": 1}), ("assign", {"org": "sdf"}),
                          ("status", {"status": "closed", "reason": "no_action"}),
                          ("resolve", {"public_note": "klart"})]:
        r = staff.post(f"/api/v1/cases/{case_id}/{command}", body, headers={"If-Match": "1"})
        assert r.status_code == 404, (command, r.text)
    other = _filed(service)
    r = staff.post(f"/api/v1/cases/{other}/duplicate", {"duplicate_of": case_id}, headers={"If-Match": "1"})
    assert r.status_code == 404
    # A reporter's "same as this" cannot find it either, nor a measure or a meeting's decision.
    joined = service.client("reporter").post("/api/v1/observations", observation(case_id=case_id))
    assert joined.status_code in (404, 422) and "case" in joined.text
    measure = str(uuid.uuid4())
    assert staff.post("/api/v1/measures", {"id": measure, "what": "Belysning", "owner_org": "sdf"}).status_code == 201
    r = staff.post(f"/api/v1/measures/{measure}/link-case", {"case_id": case_id}, headers={"If-Match": "1"})
    assert r.status_code == 422 and "case_id" in r.json()["errors"]
    meeting = str(uuid.uuid4())
    assert staff.post("/api/v1/meetings", {"id": meeting, "group": "operational",
                                           "date": "2026-11-20"}).status_code == 201
    r = staff.post(f"/api/v1/meetings/{meeting}/decisions", {"id": str(uuid.uuid4()), "text": "Stäng",
                                                            "cases": [case_id]})
    assert r.status_code == 422 and "cases" in r.json()["errors"]
    after = events_in(service)
    assert after == before + 2 + 1 + 1  # only the litter report (2 events), the measure and the meeting
    police = service.client("police")
    assert police.post(f"/api/v1/cases/{case_id}/triage", {"priority": 1}, headers={"If-Match": "1"}).status_code == 200


def test_an_auditors_bundle_and_proofs_hold_no_restricted_report_they_may_not_see(service):
    start = events_in(service)
    _filed(service)  # two public events
    _filed(service, "SOC-01")  # two restricted ones
    public, restricted = start + 1, start + 3
    service.client("admin").post("/api/v1/audit/digests", {"reason": "test"})
    city_auditor = service.client("auditor")  # staden: public and internal only
    whole = city_auditor.get("/api/v1/audit/bundle")
    assert whole.status_code == 403 and "restricted" in whole.json()["detail"]
    assert whole.headers["Content-Type"].startswith("application/problem+json")
    assert city_auditor.get(f"/api/v1/audit/proof/{restricted}").status_code == 403
    proof = city_auditor.get(f"/api/v1/audit/proof/{public}")
    assert proof.status_code == 200 and proof.json()["position"] == public
    police_auditor = service.client("police")  # the police may see their reports
    bundle = police_auditor.get("/api/v1/audit/bundle")
    assert bundle.status_code == 200 and len(bundle.json()["bundle"]["events"]) == start + 4
    assert police_auditor.get(f"/api/v1/audit/proof/{restricted}").status_code == 200


def test_a_police_report_on_a_public_case_does_not_move_the_times_its_readers_see(service):
    from datetime import datetime, timedelta, timezone

    seen_then = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(hours=5)
    public = service.client("reporter").post("/api/v1/observations", observation(observed_at=seen_then.isoformat()))
    case_id = public.json()["case_id"]
    police = service.client("police")
    later = seen_then + timedelta(hours=3)
    r = police.post("/api/v1/observations", observation(category="SOC-01", case_id=case_id,
                                                        observed_at=later.isoformat()))
    assert r.status_code == 201, r.text
    since = (seen_then + timedelta(hours=1)).isoformat()
    for reader in (service.client("reporter"), service.client("operational")):
        case = reader.get(f"/api/v1/cases/{case_id}").json()
        assert case["observations"] == 1
        assert case["last_observed_at"] == case["first_observed_at"] == seen_then.isoformat()
        assert "held_observed" not in case
        listed = {c["id"] for c in reader.get("/api/v1/cases", params={"since": since}).json()["cases"]}
        assert case_id not in listed  # "observed since" would tell of the police report
    # Held as closely as its report, the case counts the report's time for those who may see it.
    r = police.post(f"/api/v1/cases/{case_id}/triage", {"priority": 1, "category": "SOC-01"},
                    headers={"If-Match": "1"})
    assert r.status_code == 200, r.text
    assert police.get(f"/api/v1/cases/{case_id}").json()["last_observed_at"] == later.isoformat()
    service.ledger.rebuild()
    assert police.get(f"/api/v1/cases/{case_id}").json()["last_observed_at"] == later.isoformat()
