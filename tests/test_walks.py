"""Safety walks on SQLite and PostgreSQL: planned once, walked in order, findings only while
the walk is on, walkers' names sealed, and a protocol for each responsible organisation."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from helpers import observation
from test_api import events_in
from koll.ledger.application import ConflictingRepeat
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor, WorkflowError
from koll.ledger.store import events_table
from koll.ledger.vault import ERASED
from koll.schema.payloads_walks import WalkPlanSchema
from test_ledger import count, loaded

LEADER = Actor("leila", "reporter", "sdf")
OPS = Actor("operativ", "operational", "sdf")
EVENING = datetime(2026, 11, 20, 19, 0, tzinfo=timezone(timedelta(hours=1)))


def plan(**overrides):
    body = {
        "id": str(uuid.uuid4()), "title": "Kvällsvandring runt torget", "planned_at": EVENING.isoformat(),
        "route": ["tunnelbaneuppgangen", "torget", "garaget"], "organisations": ["sdf", "polisen", "civilsamhallet"],
        "participants": [{"name": "Karin Lindqvist", "kind": "boende"},
                         {"name": "Maja Berg", "kind": "forening", "org": "civilsamhallet"},
                         {"name": "Jonas Ek", "kind": "personal", "org": "sdf"}],
    }
    body.update(overrides)
    return body


def planned(ledger, **overrides):
    body = WalkPlanSchema().load(plan(**overrides))
    ledger.plan_walk(LEADER, body)
    return body["id"]


def walking(ledger, **overrides):
    walk_id = planned(ledger, **overrides)
    ledger.start_walk(LEADER, walk_id, 1)
    return walk_id


# --- The ledger ------------------------------------------------------------------------------


def test_a_walk_is_planned_once_and_a_repeat_is_answered_alike(ledger):
    body = WalkPlanSchema().load(plan())
    first = ledger.plan_walk(LEADER, body)
    again = ledger.plan_walk(LEADER, body)
    assert (first.created, again.created, first.id, again.id) == (True, False, str(body["id"]), str(body["id"]))
    before = count(ledger, events_table)
    with pytest.raises(ConflictingRepeat):
        ledger.plan_walk(LEADER, dict(body, title="En annan vandring"))
    assert count(ledger, events_table) == before


def test_an_evening_walk_in_november_is_in_darkness_unless_the_plan_says_otherwise(ledger):
    assert ledger.walk(planned(ledger)).light == "morker"
    noon = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc).isoformat()
    assert ledger.walk(planned(ledger, planned_at=noon)).light == "dagsljus"
    assert ledger.walk(planned(ledger, light="dagsljus")).light == "dagsljus"


def test_participants_names_are_sealed_and_gone_when_the_key_is_destroyed(ledger):
    walk_id = planned(ledger)
    walk = ledger.walk(walk_id)
    assert "Karin" not in walk.participants and walk.participants.startswith("sealed:")
    assert walk.participant_counts == {"boende": 1, "forening": 1, "personal": 1}
    with ledger.store.read() as conn:
        stored = b"".join(bytes(r[0]) for r in conn.execute(events_table.select().with_only_columns(
            events_table.c.state)))
    assert b"Karin" not in stored
    assert "Karin Lindqvist" in ledger.vault.open(str(walk_id), walk.participants)
    with ledger.store.write() as conn:
        ledger.vault.destroy(conn, str(walk_id))
    assert ledger.vault.open(str(walk_id), walk.participants) == ERASED


def test_a_walk_goes_planned_started_ended_and_never_back(ledger):
    walk_id = planned(ledger)
    with pytest.raises(WorkflowError):
        ledger.end_walk(LEADER, walk_id, 1)
    ledger.start_walk(LEADER, walk_id, 1)
    with pytest.raises(WorkflowError):
        ledger.start_walk(LEADER, walk_id, 2)
    ledger.end_walk(LEADER, walk_id, 2, summary="Lampan i gångtunneln är trasig")
    walk = ledger.walk(walk_id)
    assert (walk.status, walk.version) == ("ended", 3)
    assert walk.summary.startswith("sealed:")


def test_findings_carry_the_walk_and_are_counted_positive_notes_apart(ledger):
    walk_id = walking(ledger)
    ledger.file_observation(LEADER, loaded(walk_id=str(walk_id)))
    ledger.file_observation(LEADER, loaded(walk_id=str(walk_id), category="UPP-05"))
    from koll.ledger.queries.walks import get_walk

    with ledger.store.read() as conn:
        row = get_walk(conn, OPS, str(walk_id), ledger.vault)
    assert (row["findings"], row["positive"], row["status"]) == (2, 1, "started")
    assert [p["name"] for p in row["participants"]] == ["Karin Lindqvist", "Maja Berg", "Jonas Ek"]


def test_a_finding_for_an_unknown_walk_is_refused_and_records_nothing(ledger):
    before = count(ledger, events_table)
    answer = ledger.file_observations(LEADER, [loaded(walk_id=str(uuid.uuid4()))])[0]
    assert answer.details == {"field": "walk_id"}
    assert count(ledger, events_table) == before


def test_an_ended_walk_takes_what_was_seen_during_it_but_not_after(ledger):
    now = datetime.now(timezone.utc)
    with clock.frozen_at(now - timedelta(hours=3)):
        walk_id = planned(ledger)
    with clock.frozen_at(now - timedelta(hours=2, minutes=30)):
        ledger.start_walk(LEADER, walk_id, 1)
    with clock.frozen_at(now - timedelta(hours=2)):
        ledger.end_walk(LEADER, walk_id, 2)
    seen_during = (now - timedelta(hours=2, minutes=15)).isoformat()
    late_sync = ledger.file_observation(LEADER, loaded(walk_id=str(walk_id), observed_at=seen_during))
    assert late_sync.created  # the phone was offline on the square and synced afterwards
    before = count(ledger, events_table)
    seen_after = (now - timedelta(hours=1)).isoformat()
    refused = ledger.file_observation(LEADER, loaded(walk_id=str(walk_id), observed_at=seen_after))
    assert refused.code == "walk_ended"
    assert count(ledger, events_table) == before


def test_the_protocol_groups_findings_by_the_organisation_responsible(ledger):
    from koll.ledger.queries.walks import protocol

    walk_id = walking(ledger)
    lamp = ledger.file_observation(LEADER, loaded(walk_id=str(walk_id), category="BEL-01", note="Släckt lampa"))
    ledger.file_observation(LEADER, loaded(walk_id=str(walk_id), category="REN-01"))
    ledger.file_observation(LEADER, loaded(walk_id=str(walk_id), category="UPP-02"))
    ledger.file_observation(LEADER, loaded(walk_id=str(walk_id), category="SOC-01"))  # restricted
    ledger.file_observation(LEADER, loaded())  # not on the walk
    with ledger.store.read() as conn:
        doc = protocol(conn, OPS, str(walk_id), ledger.vault)
    groups = {g["org"]: [f["category"] for f in g["findings"]] for g in doc["organisations"]}
    assert groups == {"trafikkontoret": ["BEL-01"], "sdf": ["REN-01"]}  # the owners; SOC-01 not for sdf's eyes
    assert [f["category"] for f in doc["positive"]] == ["UPP-02"]
    assert [g for g in doc["organisations"] if g["org"] == "trafikkontoret"][0]["findings"][0]["note"] == "Släckt lampa"
    # Once the case is assigned, the protocol follows the assignment.
    case_id = uuid.UUID(lamp.case_id)
    ledger.decide_case(case_id, 1, lambda c: c.triage(OPS, priority=1, category=None, group=None, note=None))
    ledger.decide_case(case_id, 2, lambda c: c.assign(OPS, org="fastighetsagare", person=None))
    with ledger.store.read() as conn:
        doc = protocol(conn, Actor("polis", "operational", "polisen"), str(walk_id), ledger.vault)
    groups = {g["org"]: [f["category"] for f in g["findings"]] for g in doc["organisations"]}
    assert groups == {"fastighetsagare": ["BEL-01"], "sdf": ["REN-01"], "polisen": ["SOC-01"]}


def test_a_rebuild_gives_the_same_walks(ledger):
    from koll.ledger.projections.walks import walks

    walk_id = walking(ledger)
    ledger.file_observation(LEADER, loaded(walk_id=str(walk_id)))
    with ledger.store.read() as conn:
        before = [tuple(r) for r in conn.execute(walks.select())]
    ledger.rebuild()
    with ledger.store.read() as conn:
        assert [tuple(r) for r in conn.execute(walks.select())] == before


# --- The API ---------------------------------------------------------------------------------


def test_planning_answers_201_then_200_then_409(service):
    phone = service.client("reporter")
    body = plan()
    first = phone.post("/api/v1/walks", body)
    assert first.status_code == 201, first.text
    code = first.json()["join_code"]
    assert first.json() == {"id": body["id"], "join_code": code}
    again = phone.post("/api/v1/walks", body)
    assert (again.status_code, again.json()["join_code"]) == (200, code)  # the same code on a retry
    before = events_in(service)
    other = phone.post("/api/v1/walks", dict(body, title="Annan"))
    assert other.status_code == 409
    assert other.headers["Content-Type"] == "application/problem+json"
    assert events_in(service) == before


def test_a_planned_walk_is_found_by_its_short_join_code(service):
    """A walker joins by six characters read out in the dark, never the walk's 36-character id."""
    leader, walker = service.client("reporter"), service.client("reporter")
    body = plan()
    code = leader.post("/api/v1/walks", body).json()["join_code"]
    assert len(code) == 6 and not set(code) & set("0O1I"), code
    assert leader.get(f"/api/v1/walks/{body['id']}").json()["join_code"] == code
    found = walker.get(f"/api/v1/walks/join/{code}")
    assert found.status_code == 200, found.text
    assert (found.json()["id"], found.json()["title"]) == (body["id"], "Kvällsvandring runt torget")
    spaced = f"{code[:3].lower()} {code[3:]}"
    assert walker.get(f"/api/v1/walks/join/{spaced}").json()["id"] == body["id"]
    other = plan()
    assert leader.post("/api/v1/walks", other).json()["join_code"] != code


@pytest.mark.parametrize("code, status", [("ABC", 422), ("ABCDE0", 422), ("ABCDEI", 422), ("ZZZZZZ", 404)])
def test_a_wrong_join_code_is_refused_at_once(service, code, status):
    answer = service.client("reporter").get(f"/api/v1/walks/join/{code}")
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    if status == 422:
        assert {"sv", "en"} == set(answer.json()["errors"]["code"][0])


def test_an_ended_walk_is_no_longer_joined_by_its_code(service):
    phone = service.client("reporter")
    body = plan()
    code = phone.post("/api/v1/walks", body).json()["join_code"]
    path = f"/api/v1/walks/{body['id']}"
    phone.post(path + "/start", headers={"If-Match": "1"})
    phone.post(path + "/end", {}, headers={"If-Match": "2"})
    assert phone.get(f"/api/v1/walks/join/{code}").status_code == 404


@pytest.mark.parametrize("bad, field", [
    ({"route": ["ingenstans"]}, "route.0"),
    ({"organisations": ["sdf", "sdf"]}, "organisations"),
    ({"organisations": ["maffian"]}, "organisations.0"),
    ({"light": "skymning"}, "light"),
    ({"participants": [{"name": "", "kind": "boende"}]}, "participants.0.name"),
    ({"participants": [{"name": "X", "kind": "turist"}]}, "participants.0.kind"),
    ({"planned_at": "2026-11-20T19:00:00"}, "planned_at"),
    ({"id": "inte-ett-id"}, "id"),
])
def test_a_bad_plan_names_the_field_and_records_nothing(service, bad, field):
    before = events_in(service)
    answer = service.client("reporter").post("/api/v1/walks", plan(**bad))
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert field in answer.json()["errors"]
    assert {"sv", "en"} == set(answer.json()["errors"][field][0])
    assert events_in(service) == before


def test_start_and_end_need_the_version(service):
    phone = service.client("reporter")
    body = plan()
    phone.post("/api/v1/walks", body)
    path = f"/api/v1/walks/{body['id']}"
    got = phone.get(path)
    assert (got.status_code, got.headers["ETag"], got.json()["status"]) == (200, '"1"', "planned")
    assert phone.post(path + "/start").status_code == 428
    started = phone.post(path + "/start", headers={"If-Match": '"1"'})
    assert (started.status_code, started.headers["ETag"], started.json()["status"]) == (200, '"2"', "started")
    assert phone.post(path + "/end", {}, headers={"If-Match": "1"}).status_code == 412
    assert phone.post(path + "/start", headers={"If-Match": "2"}).status_code == 409
    ended = phone.post(path + "/end", {"summary": "Bra uppslutning"}, headers={"If-Match": "2"})
    assert ended.json()["status"] == "ended" and ended.json()["summary"] == "Bra uppslutning"
    assert phone.get(f"/api/v1/walks/{uuid.uuid4()}").status_code == 404
    assert service.client("auditor").post(path + "/end", {}, headers={"If-Match": "3"}).status_code == 403


def test_names_are_shown_to_the_planner_and_the_groups_not_to_other_reporters(service):
    body = plan()
    service.client("operational").post("/api/v1/walks", body)
    path = f"/api/v1/walks/{body['id']}"
    assert len(service.client("operational").get(path).json()["participants"]) == 3
    assert len(service.client("strategic").get(path).json()["participants"]) == 3
    other = service.client("reporter").get(path).json()
    assert other["participants"] is None and other["participant_counts"] == {"boende": 1, "forening": 1,
                                                                              "personal": 1}
    listed = service.client("operational").get("/api/v1/walks").json()["walks"]
    assert [w["id"] for w in listed] == [body["id"]] and listed[0]["participants"] is None


def test_filing_on_an_unknown_walk_is_422_on_walk_id(service):
    before = events_in(service)
    unknown = str(uuid.uuid4())
    answer = service.client("reporter").post("/api/v1/observations", observation(walk_id=unknown))
    assert answer.status_code == 422
    assert answer.json()["errors"]["walk_id"] == [{"sv": f"ingen trygghetsvandring med id {unknown}",
                                                   "en": f"no walk with id {unknown}"}]
    batch = service.client("reporter").post("/api/v1/observations/batch",
                                            {"observations": [observation(walk_id=unknown)]}).json()["results"]
    assert batch[0]["status"] == 422 and batch[0]["errors"]["walk_id"][0]["sv"].startswith("ingen trygghetsvandring")
    assert events_in(service) == before


def _walk_with_findings(service):
    phone = service.client("reporter")
    body = plan()
    phone.post("/api/v1/walks", body)
    phone.post(f"/api/v1/walks/{body['id']}/start", headers={"If-Match": "1"})
    for category, note in [("BEL-01", "=1+2"), ("REN-01", "Skräp"), ("UPP-05", None)]:
        r = phone.post("/api/v1/observations", observation(walk_id=body["id"], category=category, note=note))
        assert r.status_code == 201, r.text
    return body["id"]


def test_the_protocol_as_json_csv_and_a_printable_page(service):
    walk_id = _walk_with_findings(service)
    ops = service.client("operational")
    doc = ops.get(f"/api/v1/walks/{walk_id}/protocol").json()
    assert [g["org"] for g in doc["organisations"]] == ["sdf", "trafikkontoret"]
    assert doc["counts"] == {"findings": 2, "positive": 1, "hidden": 0}
    assert doc["walk"]["findings"] == 3
    datetime.fromisoformat(doc["organisations"][0]["findings"][0]["observed_at"])  # ISO, not an HTTP date

    for path in (f"/api/v1/walks/{walk_id}/protocol.csv", f"/api/v1/walks/{walk_id}/protocol?format=csv"):
        answer = ops.get(path)
        assert answer.headers["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
        assert [(r["organisation"], r["category"], r["positive"]) for r in rows] == [
            ("sdf", "REN-01", "nej"), ("trafikkontoret", "BEL-01", "nej"), ("sdf", "UPP-05", "ja")]
        assert rows[1]["note"].startswith("'=")  # a spreadsheet will not run it

    page = ops.get(f"/api/v1/walks/{walk_id}/protocol.html")
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    html = page.text
    assert '<html lang="sv">' in html and "Trafikkontoret" in html and "Karin Lindqvist" in html
    assert "Det här fungerar bra" in html
    assert "<script" not in html and "<link" not in html and "http" not in html  # no external assets
    assert "Karin" not in service.client("auditor").get(f"/api/v1/walks/{walk_id}/protocol.html").text


def test_a_bad_protocol_format_is_422_and_an_unknown_walk_404(service):
    walk_id = _walk_with_findings(service)
    ops = service.client("operational")
    assert ops.get(f"/api/v1/walks/{walk_id}/protocol?format=pdf").status_code == 422
    missing = ops.get(f"/api/v1/walks/{uuid.uuid4()}/protocol.csv")
    assert missing.status_code == 404 and missing.headers["Content-Type"] == "application/problem+json"


def test_the_demo_has_walks_by_day_and_by_night(ledger):
    from koll.ledger import demo
    from koll.ledger.queries.walks import list_walks

    demo.load(ledger, weeks=1)
    with ledger.store.read() as conn:
        walks = list_walks(conn, OPS, {})
    by_light = {w["light"]: w for w in walks if w["status"] == "ended"}
    assert set(by_light) == {"dagsljus", "morker"}
    assert by_light["morker"]["dark_at_start"] is True and by_light["dagsljus"]["dark_at_start"] is False
    assert all(w["findings"] >= 5 and w["positive"] >= 1 for w in by_light.values())
    assert set(by_light["dagsljus"]["participant_counts"]) == {"boende", "forening", "personal"}


def test_an_admin_erases_a_walks_people_and_its_protocol_and_counts_stay(service):
    from koll.ledger import audit

    ops, admin = service.client("operational"), service.client("admin")
    body = plan()
    ops.post("/api/v1/walks", body)
    path = f"/api/v1/walks/{body['id']}"
    assert ops.post(f"{path}/start", {}, headers={"If-Match": "1"}).status_code == 200
    assert ops.post("/api/v1/observations", observation(walk_id=body["id"])).status_code == 201
    assert ops.post(f"{path}/end", {"summary": "Karin tyckte att tunneln var mörk"},
                    headers={"If-Match": "2"}).status_code == 200
    protocol = ops.get(f"{path}/protocol").json()
    assert ops.post(f"{path}/erase", {"reason": "begäran"}).status_code == 403
    assert admin.post(f"{path}/erase", {}).status_code == 422
    r = admin.post(f"{path}/erase", {"reason": "Begäran från deltagare"})
    assert r.status_code == 200 and r.json()["key_destroyed"] is True
    walk = ops.get(path).json()
    assert [p["name"] for p in walk["participants"]] == [ERASED] * 3 and walk["summary"] == ERASED
    assert walk["participant_counts"] == {"boende": 1, "forening": 1, "personal": 1}
    after = ops.get(f"{path}/protocol").json()
    assert after["counts"] == protocol["counts"] == {"findings": 1, "positive": 0, "hidden": 0}
    assert after["organisations"] == protocol["organisations"]
    assert audit.verify_chain(service.ledger.store).ok
    again = admin.post(f"{path}/erase", {"reason": "igen"})
    assert again.status_code == 200 and again.json()["already_erased"] is True
    history = service.client("auditor").get("/api/v1/audit/events", params={"aggregate": body["id"]}).json()
    assert [e["event"] for e in history["events"]].count("Walk.PeopleErased") == 1
    service.ledger.rebuild()
    assert [p["name"] for p in ops.get(path).json()["participants"]] == [ERASED] * 3
