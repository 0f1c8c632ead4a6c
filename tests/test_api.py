"""The API over real HTTP, on SQLite and PostgreSQL: what a phone, a script and the boards see."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest

from helpers import ROLE_USERS, last_november_evening, observation


def events_in(service) -> int:
    return service.ledger.recorder.max_notification_id() or 0


def test_filing_answers_201_then_200_for_the_same_report_and_409_for_another(service):
    phone = service.client("reporter")
    body = observation()
    first = phone.post("/api/v1/observations", body)
    assert first.status_code == 201, first.text
    assert first.json()["id"] == body["id"]
    again = phone.post("/api/v1/observations", body)
    assert (again.status_code, again.json()) == (200, first.json())
    other = phone.post("/api/v1/observations", dict(body, note="annat"))
    assert other.status_code == 409
    assert other.headers["Content-Type"] == "application/problem+json"
    assert events_in(service) == 2 + 6  # the case and the observation, besides six users


def test_a_get_right_after_the_201_shows_the_case(service):
    phone = service.client("reporter")
    case_id = phone.post("/api/v1/observations", observation()).json()["case_id"]
    case = phone.get(f"/api/v1/cases/{case_id}")
    assert case.status_code == 200
    assert case.json()["status"] == "new"
    assert case.headers["ETag"] == '"1"'
    assert [h["event"] for h in case.json()["history"]] == ["Case.Opened"]


def test_bad_input_names_the_field_in_swedish_and_english_and_records_nothing(service):
    phone = service.client("reporter")
    before = events_in(service)
    bad = observation(category="XYZ-99", location={"lat": 120, "lon": 17.8, "source": "gps"})
    answer = phone.post("/api/v1/observations", bad)
    assert answer.status_code == 422
    problem = answer.json()
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert {"type", "title", "status", "detail", "errors"} <= set(problem)
    assert problem["errors"]["category"][0]["sv"] == "okänd kategori 'XYZ-99'"
    assert "location.lat" in problem["errors"]
    assert {"sv", "en"} == set(problem["errors"]["location.lat"][0])
    assert events_in(service) == before


def test_an_urgent_report_is_refused_with_a_call_112(service):
    answer = service.client("reporter").post("/api/v1/observations",
                                             observation(attributes={"akut": True}))
    assert answer.status_code == 422
    assert "112" in answer.json()["errors"]["attributes.akut"][0]["sv"]


def test_not_json_is_a_clear_400_or_422_never_500(service):
    phone = service.client("reporter")
    r = phone.session.post(service.base + "/api/v1/observations", data="{not json",
                           headers={"Authorization": f"Bearer {phone.token}", "Content-Type": "application/json"})
    assert r.status_code in (400, 422)
    assert r.headers["Content-Type"] == "application/problem+json"


def test_a_batch_gets_one_result_per_item_in_order(service):
    phone = service.client("reporter")
    good = observation()
    phone.post("/api/v1/observations", good)
    items = [good, observation(), {"id": "nope"}, observation(category="SOC-01")]
    answer = phone.post("/api/v1/observations/batch", {"observations": items})
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == [200, 201, 422, 201]
    assert results[2]["errors"]["id"]
    again = phone.post("/api/v1/observations/batch", {"observations": items})
    assert [r["status"] for r in again.json()["results"]] == [200, 200, 422, 200]


@pytest.mark.parametrize("role, path, body, expected", [
    (None, "/api/v1/cases", None, 401),
    ("auditor", "/api/v1/observations", observation(), 403),
])
def test_roles_are_enforced(service, role, path, body, expected):
    client = service.client(role)
    answer = client.post(path, body) if body else client.get(path)
    assert answer.status_code == expected
    assert answer.headers["Content-Type"] == "application/problem+json"


def test_a_reporter_cannot_triage_and_a_bad_token_is_401(service):
    case_id = service.client("reporter").post("/api/v1/observations", observation()).json()["case_id"]
    r = service.client("reporter").post(f"/api/v1/cases/{case_id}/triage", {"priority": 1},
                                        headers={"If-Match": "1"})
    assert r.status_code == 403
    stranger = service.client(None)
    stranger.token = "not-a-token"
    assert stranger.get("/api/v1/cases").status_code == 401


def test_decisions_need_the_version_and_refuse_a_stale_one(service):
    case_id = service.client("reporter").post("/api/v1/observations", observation()).json()["case_id"]
    ops = service.client("operational")
    path = f"/api/v1/cases/{case_id}/triage"
    assert ops.post(path, {"priority": 1}).status_code == 428
    ok = ops.post(path, {"priority": 1}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "triaged" and ok.headers["ETag"] == '"2"'
    stale = ops.post(f"/api/v1/cases/{case_id}/assign", {"org": "sdf"}, headers={"If-Match": "1"})
    assert stale.status_code == 412
    assert stale.json()["current"] == 2
    wrong_step = ops.post(f"/api/v1/cases/{case_id}/resolve", {}, headers={"If-Match": "2"})
    assert wrong_step.status_code == 409
    assigned = ops.post(f"/api/v1/cases/{case_id}/assign", {"org": "trafikkontoret", "person": "Kim"},
                        headers={"If-Match": "2"})
    assert assigned.json()["assigned_org"] == "trafikkontoret"
    for step, body in [("status", {"status": "in_progress"}), ("resolve", {"public_note": "Klart"}),
                       ("reopen", {"reason": "Tillbaka"})]:
        version = ops.get(f"/api/v1/cases/{case_id}").json()["version"]
        r = ops.post(f"/api/v1/cases/{case_id}/{step}", body, headers={"If-Match": str(version)})
        assert r.status_code == 200, (step, r.text)
    assert ops.get(f"/api/v1/cases/{case_id}").json()["status"] == "triaged"


def test_marking_a_duplicate_closes_the_case_and_names_the_original(service):
    phone = service.client("reporter")
    original = phone.post("/api/v1/observations", observation()).json()["case_id"]
    copy = phone.post("/api/v1/observations", observation()).json()["case_id"]
    ops = service.client("operational")
    r = ops.post(f"/api/v1/cases/{copy}/duplicate", {"duplicate_of": original}, headers={"If-Match": "1"})
    assert r.status_code == 200
    assert (r.json()["status"], r.json()["close_reason"], r.json()["duplicate_of"]) == ("closed", "duplicate", original)
    missing = ops.post(f"/api/v1/cases/{original}/duplicate", {"duplicate_of": str(uuid.uuid4())},
                       headers={"If-Match": "1"})
    assert missing.status_code == 404


def test_filters_nearby_and_visibility(service):
    phone = service.client("reporter")
    phone.post("/api/v1/observations", observation(category="KLO-01"))
    far = {"lat": 59.3700, "lon": 17.8500, "accuracy_m": 5.0, "source": "gps"}
    phone.post("/api/v1/observations", observation(category="REN-02", location=far))
    phone.post("/api/v1/observations", observation(category="SOC-01"))  # restricted
    ops = service.client("operational")
    assert {c["category"] for c in ops.get("/api/v1/cases").json()["cases"]} == {"KLO-01", "REN-02"}
    police = service.client("police")
    assert {c["category"] for c in police.get("/api/v1/cases").json()["cases"]} == {"KLO-01", "REN-02", "SOC-01"}
    assert [c["category"] for c in ops.get("/api/v1/cases?category=REN-02").json()["cases"]] == ["REN-02"]
    assert [c["category"] for c in ops.get("/api/v1/cases?bbox=17.849,59.369,17.851,59.371").json()["cases"]] == ["REN-02"]
    near = phone.get("/api/v1/cases/nearby?lat=59.3669&lon=17.8441&radius_m=50").json()["cases"]
    assert [c["category"] for c in near] == ["KLO-01"]
    assert near[0]["distance_m"] < 1
    assert ops.get("/api/v1/cases?bbox=1,2,3").status_code == 422


def test_situation_counts_and_map(service):
    phone = service.client("reporter")
    for category in ["REN-01", "REN-01", "KLO-01"]:
        phone.post("/api/v1/observations", observation(category=category))
    ops = service.client("operational")
    picture = ops.get("/api/v1/situation").json()
    assert picture["cases"] == 3
    assert picture["by_category"] == {"REN-01": 2, "KLO-01": 1}
    assert picture["by_darkness"] == {"dark": 3}
    assert picture["by_place"] == {"tunnelbaneuppgangen": 3}
    geo = ops.get("/api/v1/situation/map")
    assert geo.headers["Content-Type"].startswith("application/geo+json")
    feature = geo.json()["features"][0]
    assert feature["geometry"]["coordinates"] == [17.8441, 59.3669]
    seen = date.fromisoformat(last_november_evening()[:10])
    trends = ops.get(f"/api/v1/situation/trends?weeks=4&until={seen + timedelta(days=7)}T00:00:00Z").json()
    assert trends["series"]["REN"] == [0, 0, 2, 0]  # the week the reports were seen, one before the last
    year, week, _ = seen.isocalendar()
    assert trends["weeks"][2] == f"{year}-W{week:02d}"


def test_taxonomy_openapi_docs_and_health(service):
    anyone = service.client("reporter")
    tax = anyone.get("/api/v1/taxonomy").json()
    assert len(tax["categories"]) >= 40 and len(tax["groups"]) >= 8
    spec = anyone.get("/api/openapi.json").json()
    assert "/api/v1/observations/batch" in spec["paths"]
    docs = anyone.get("/api/docs")
    assert docs.status_code == 200
    assert "//cdn" not in docs.text and "unpkg" not in docs.text  # works without the internet
    asset = anyone.get("/api/docs/assets/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    assert anyone.get("/healthz").json()["status"] == "ok"
    assert "koll_ledger_position" in anyone.get("/metrics").text


def test_sign_in_with_a_password_gives_a_token_that_works(service):
    r = service.client(None).post("/api/v1/auth/token", {"username": "rapportor", "password": "hemligt"})
    assert r.status_code == 200
    me = service.client(None)
    me.token = r.json()["token"]
    assert me.get("/api/v1/me").json() == {"user": "rapportor", "role": "reporter", "org": "sdf"}
    wrong = service.client(None).post("/api/v1/auth/token", {"username": "rapportor", "password": "fel"})
    assert wrong.status_code == 401


def test_my_reports_follow_what_happened(service):
    phone = service.client("reporter")
    filed = phone.post("/api/v1/observations", observation()).json()
    service.client("operational").post(f"/api/v1/cases/{filed['case_id']}/triage", {"priority": 2},
                                       headers={"If-Match": "1"})
    mine = phone.get("/api/v1/observations/mine").json()["observations"]
    assert [(m["id"], m["status"]) for m in mine] == [(filed["id"], "triaged")]
    detail = phone.get(f"/api/v1/observations/{filed['id']}").json()
    assert detail["note"] == "Mycket skräp vid trappan"


def test_the_situation_tells_how_long_cases_have_been_open(service):
    from datetime import datetime, timezone

    from koll.ledger.domain import clock
    from koll.ledger.domain.base import Actor
    from koll.schema.payloads import ObservationSchema

    now = datetime.now(timezone.utc)
    reporter = Actor("rapportor", "reporter", "sdf")
    for days_ago in (0, 2, 12, 40, 200):  # opened: this week, this week, a fortnight, a month, long ago
        with clock.frozen_at(now - timedelta(days=days_ago)):
            service.ledger.file_observation(reporter, ObservationSchema().load(observation()))
    ops = service.client("operational")
    assert ops.get("/api/v1/situation").json()["by_age"] == {"vecka": 2, "manad": 1, "kvartal": 1, "aldre": 1}
    ages = sorted(f["properties"]["age_days"] for f in ops.get("/api/v1/situation/map").json()["features"])
    assert ages[0] < 1 and 199 < ages[-1] < 201
    labels = {t["code"]: t["sv"] for t in ops.get("/api/v1/taxonomy").json()["case_ages"]}
    assert labels["vecka"] == "Högst en vecka"


def _concrete(rule: str) -> str:
    """A route's path with its placeholders filled (the role check comes before any lookup)."""
    import re

    return re.sub(r"<(\w+:)?(\w+)>", lambda m: {"uuid:": str(uuid.uuid4()), "int:": "1"}.get(m.group(1) or "", "x"),
                  rule)


def test_every_api_command_refuses_every_role_it_does_not_name_and_records_nothing(service):
    app = service.app
    checked = 0
    before = events_in(service)
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or "POST" not in rule.methods:
            continue
        roles = getattr(app.view_functions[rule.endpoint], "__koll_roles__", None)
        if roles is None:
            assert rule.rule == "/api/v1/auth/token", f"{rule.rule} declares no roles"
            continue
        for who in ROLE_USERS:
            role = ROLE_USERS[who][1]
            if role in roles:
                continue
            answer = service.client(who).post(_concrete(rule.rule), {}, headers={"If-Match": "1"})
            assert answer.status_code == 403, (rule.rule, who, answer.status_code, answer.text)
            assert answer.headers["Content-Type"] == "application/problem+json"
            checked += 1
    assert checked > 40  # every command × every role it leaves out
    assert service.client(None).post("/api/v1/observations", observation()).status_code == 401
    assert events_in(service) == before
