"""Measures (insatser) on SQLite and PostgreSQL: the lifecycle, the board, indicators, the four
principles, and the API's rules (client ids, If-Match, roles, clear refusals that record nothing)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from helpers import observation
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor, DomainError, WorkflowError
from koll.ledger.queries import measures as q
from koll.schema.payloads import ObservationSchema
from koll.schema.payloads_measures import MeasureSchema

OPS = Actor("operativ", "operational", "sdf")
ANNA = Actor("anna", "reporter", "sdf")
POLICE = Actor("polis", "operational", "polisen")


def measure_body(**overrides):
    body = {
        "id": str(uuid.uuid4()), "what": "Beskära häckarna vid tunnelbaneuppgången",
        "start": "2018-06-01", "end": "2018-08-31", "goal": "Fri sikt över torget",
        "resources": "Parkentreprenör", "indicators_text": "Färre iakttagelser av utsättning",
        "owner_org": "trafikkontoret", "owner_person": "Kim", "follow_up": "Trygghetsvandring i augusti",
        "palette": "situationell", "track": "trygghet", "horizon": "kort", "focus_area": "platser",
        "sorting": {"size": "liten", "complexity": "enkel", "urgency": "bradskande", "priority": 1},
        "partners": ["fastighetsagare"],
    }
    body.update(overrides)
    return body


def propose(ledger, by=OPS, **overrides):
    body = MeasureSchema().load(measure_body(**overrides))
    return uuid.UUID(ledger.propose_measure(by, body).id)


def events(ledger) -> int:
    return ledger.recorder.max_notification_id() or 0


def step(ledger, mid, decision):
    m = ledger.measure(mid)
    return ledger.decide_measure(mid, m.version, decision)


def board(ledger, **args):
    with ledger.store.read() as conn:
        return q.board(conn, None, args)


# --- The lifecycle ------------------------------------------------------------------------


def test_a_measure_goes_from_the_gross_list_to_done_with_its_outcome(ledger):
    mid = propose(ledger)
    assert ledger.measure(mid).status == "idea"
    step(ledger, mid, lambda m: m.decide(OPS, note="Beslut på mötet"))
    step(ledger, mid, lambda m: m.start_work(OPS))
    step(ledger, mid, lambda m: m.pause(OPS, reason="Väntar på entreprenören"))
    step(ledger, mid, lambda m: m.start_work(OPS, note="Återupptas"))
    before = events(ledger)
    with pytest.raises(DomainError) as refused:
        step(ledger, mid, lambda m: m.complete(OPS, outcome="partly"))
    assert refused.value.details["field"] == "deviation_reason"
    assert events(ledger) == before
    step(ledger, mid, lambda m: m.complete(OPS, outcome="partly", achieved="Hälften av häckarna",
                                           deviation_reason="Torka", success_factors="Snabbt beslut"))
    row = board(ledger)["measures"][0]
    assert (row["status"], row["outcome"], row["deviation_reason"], row["achieved"]) == (
        "done", "partly", "Torka", "Hälften av häckarna")
    assert row["started_at"] is not None and row["done_at"] is not None


@pytest.mark.parametrize("status_steps, command", [
    ([], lambda m: m.start_work(OPS)),
    ([], lambda m: m.complete(OPS, outcome="full")),
    (["decide"], lambda m: m.pause(OPS, reason="x")),
    (["decide", "start", "done"], lambda m: m.cancel(OPS, reason="x")),
    (["decide", "start", "done"], lambda m: m.escalate(OPS, support_needed="x")),
    (["decide"], lambda m: m.move_to_operations(OPS)),
])
def test_a_step_the_lifecycle_does_not_allow_is_refused_and_records_nothing(ledger, status_steps, command):
    mid = propose(ledger)
    moves = {"decide": lambda m: m.decide(OPS), "start": lambda m: m.start_work(OPS),
             "done": lambda m: m.complete(OPS, outcome="full")}
    for s in status_steps:
        step(ledger, mid, moves[s])
    before = events(ledger)
    with pytest.raises(WorkflowError):
        step(ledger, mid, command)
    assert events(ledger) == before


def test_ordinary_operations_escalation_and_linked_cases_show_on_the_board(ledger):
    mid = propose(ledger)
    filed = ledger.file_observation(OPS, ObservationSchema().load(observation()))
    step(ledger, mid, lambda m: m.decide(OPS))
    step(ledger, mid, lambda m: m.escalate(OPS, support_needed="Budget för belysning"))
    step(ledger, mid, lambda m: m.start_work(OPS))
    ledger.link_case_to_measure(OPS, mid, ledger.measure(mid).version, uuid.UUID(filed.case_id))
    step(ledger, mid, lambda m: m.move_to_operations(OPS, note="Ingår i skötselavtalet"))
    row = board(ledger)["measures"][0]
    assert row["in_operations"] is True
    assert row["support_needed"] == "Budget för belysning"
    assert row["cases"] == [filed.case_id]
    with pytest.raises(DomainError):
        ledger.link_case_to_measure(OPS, mid, ledger.measure(mid).version, uuid.uuid4())


def test_the_read_model_after_a_rebuild_is_the_one_built_live(ledger):
    for palette in ("situationell", "positiva", "inkapacitera"):
        mid = propose(ledger, palette=palette)
        step(ledger, mid, lambda m: m.decide(OPS))
        step(ledger, mid, lambda m: m.assign(POLICE, org="polisen", person="Ali", partners=["sdf", "mtr"]))
    live = board(ledger)
    ledger.rebuild()
    assert board(ledger) == live


# --- The board and the four principles ------------------------------------------------------


def test_the_board_filters_by_each_facet_and_flags_late_measures(ledger):
    late = propose(ledger, end="2018-07-01")
    step(ledger, late, lambda m: m.decide(OPS))
    step(ledger, late, lambda m: m.start_work(OPS))
    propose(ledger, end="2030-01-01", owner_org="polisen", palette="inkapacitera", track="arbete", horizon="lang",
            focus_area="drogfritt")
    propose(ledger, end="2018-07-01")  # an idea is not late: nobody has promised it yet
    all_ = board(ledger)
    assert all_["total"] == 3 and all_["late"] == 1
    assert [m["id"] for m in all_["measures"] if m["late"]] == [str(late)]
    assert [m["id"] for m in board(ledger, late=True)["measures"]] == [str(late)]
    assert board(ledger, late=False)["total"] == 2
    for arg, value in (("owner", "polisen"), ("palette", "inkapacitera"), ("track", "arbete"), ("horizon", "lang"),
                       ("focus_area", "drogfritt")):
        assert board(ledger, **{arg: value})["total"] == 1, arg
    assert board(ledger, status="started")["total"] == 1
    assert all_["counts"]["status"] == {"idea": 2, "started": 1}
    assert board(ledger, as_of=date(2018, 6, 1))["late"] == 0


def test_the_portfolio_shows_the_four_principles_and_what_each_organisation_does(ledger):
    start = datetime(2018, 6, 1, 9, tzinfo=timezone.utc)
    plans = [("situationell", "trafikkontoret", ["fastighetsagare"]), ("positiva", "civilsamhallet", []),
             ("inkapacitera", "polisen", ["sdf-ifo"]), ("positiva", "kulturskolan", [])]
    ids = []
    for i, (palette, org, partners) in enumerate(plans):
        with clock.frozen_at(start + timedelta(days=10 * i)):
            mid = propose(ledger, palette=palette, owner_org=org, partners=partners)
            step(ledger, mid, lambda m: m.decide(OPS))
            step(ledger, mid, lambda m: m.start_work(OPS))
        ids.append(mid)
    step(ledger, ids[0], lambda m: m.move_to_operations(OPS))
    step(ledger, ids[3], lambda m: m.cancel(OPS, reason="Ingen lokal"))
    propose(ledger)  # an idea counts in the portfolio, not in critical mass
    with ledger.store.read() as conn:
        p = q.portfolio(conn, None, as_of=date(2018, 7, 1))  # no viewer: every area
    assert p["measures"] == 5
    assert p["critical_mass"]["active"] == 3
    assert p["endurance"]["in_operations"] == 1
    assert p["endurance"]["share_in_operations"] == round(1 / 4, 3)
    assert p["endurance"]["median_age_days"] == 20  # 30, 20 and 10 days since their start
    kinds = p["many_kinds"]
    assert kinds["groups_used"] == 3 and kinds["groups"] == 7
    assert kinds["by_palette"]["positiva"] == 1 and kinds["by_palette"]["arenor"] == 0
    assert 0 < kinds["evenness"] < 1
    assert p["across_boundaries"] == {"with_several_organisations": 2, "share": round(2 / 3, 3)}
    police = p["by_organisation"]["polisen"]
    assert police["owner"] == 1 and police["measures"][0]["role"] == "owner"
    assert p["by_organisation"]["sdf-ifo"]["partner"] == 1


# --- Indicators -----------------------------------------------------------------------------


def test_hand_recorded_indicator_values_give_a_trend_towards_the_target(ledger):
    indicator = {"code": "otrygghet", "name": "Andel otrygga (trygghetsmätning)", "unit": "%", "baseline": 40,
                 "target": 25, "direction": "down", "source": "manual"}
    mid = propose(ledger, indicators=[indicator])
    for on, value in (("2018-05-01", 40), ("2018-09-01", 35), ("2019-05-01", 24)):
        step(ledger, mid, lambda m: m.record_indicator_value(OPS, indicator="otrygghet", value=value,
                                                             measured_on=on, source="trygghetsmätning"))
    ind = board(ledger)["measures"][0]["indicators"][0]
    assert [p["value"] for p in ind["points"]] == [40, 35, 24]
    assert (ind["latest"], ind["trend"], ind["reached"]) == (24, "improving", True)
    assert [p["value"] for p in board(ledger, as_of=date(2018, 12, 31))["measures"][0]["indicators"][0]["points"]] \
        == [40, 35]
    before = events(ledger)
    with pytest.raises(DomainError):
        step(ledger, mid, lambda m: m.record_indicator_value(OPS, indicator="okand", value=1, measured_on="2019-01-01"))
    assert events(ledger) == before


def test_a_computed_indicator_counts_observations_per_week_of_its_categories_at_its_places(ledger):
    indicator = {"code": "skrap", "source": "computed", "categories": ["REN"], "places": ["tunnelbaneuppgangen"],
                 "direction": "down"}
    propose(ledger, indicators=[indicator])
    now = datetime.now(timezone.utc)
    for weeks_ago, n in ((3, 4), (1, 1)):
        for _ in range(n):
            ledger.file_observation(OPS, ObservationSchema().load(observation(
                observed_at=(now - timedelta(weeks=weeks_ago)).isoformat())))
    ledger.file_observation(OPS, ObservationSchema().load(observation(category="KLO-01")))  # not counted
    ind = board(ledger, weeks=6)["measures"][0]["indicators"][0]
    values = [p["value"] for p in ind["points"]]
    assert len(values) == 6 and sum(values) == 5
    assert values[-4] == 4 and values[-2] == 1
    assert ind["trend"] == "improving"  # six weeks: 0, 0, 4, 0, 1, 0: fewer in the later half
    assert ind["points"][-1]["at"] == f"{now.isocalendar()[0]}-W{now.isocalendar()[1]:02d}"


def test_a_computed_indicator_over_restricted_reports_counts_them_only_for_those_who_may_see_them(ledger):
    dealing = {"code": "langning", "source": "computed", "categories": ["SOC-01"], "places": [], "direction": "down"}
    propose(ledger, indicators=[dealing])
    police = Actor("polis", "operational", "polisen")
    for _ in range(3):
        ledger.file_observation(police, ObservationSchema().load(observation(category="SOC-01")))

    def total(viewer):
        with ledger.store.read() as conn:
            ind = q.board(conn, viewer, {"weeks": 4})["measures"][0]["indicators"][0]
        return sum(p["value"] for p in ind["points"])

    assert total(police) == 3 and total(Actor("admin", "admin", "sdf")) == 3
    assert total(OPS) == 0 and total(ANNA) == 0  # the district's staff and a reporter see no count of them


# --- The API --------------------------------------------------------------------------------


def api_events(service) -> int:
    return service.ledger.recorder.max_notification_id() or 0


def test_creating_answers_201_then_200_for_the_same_body_and_409_for_another(service):
    ops = service.client("operational")
    body = measure_body()
    first = ops.post("/api/v1/measures", body)
    assert first.status_code == 201, first.text
    before = api_events(service)
    again = ops.post("/api/v1/measures", body)
    assert (again.status_code, again.json()) == (200, first.json())
    other = ops.post("/api/v1/measures", dict(body, what="Något annat"))
    assert other.status_code == 409 and other.headers["Content-Type"] == "application/problem+json"
    assert api_events(service) == before


def test_the_plan_is_revised_column_by_column_with_the_version_check(service):
    ops = service.client("operational")
    body = measure_body()
    mid = ops.post("/api/v1/measures", body).json()["id"]
    path = f"/api/v1/measures/{mid}/revise"
    assert ops.post(path, {"goal": "Ljust hela vägen"}).status_code == 428
    r = ops.post(path, {"goal": "Ljust hela vägen", "end": "2018-09-30"}, headers={"If-Match": "1"})
    assert r.status_code == 200, r.text
    m = r.json()
    assert (m["goal"], m["end"], m["what"], m["resources"]) == ("Ljust hela vägen", "2018-09-30", body["what"],
                                                                body["resources"])  # the rest stays
    assert m["version"] == 2 and m["history"][-1]["data"]["changes"] == {"goal": "Ljust hela vägen",
                                                                           "end": "2018-09-30"}
    before = api_events(service)
    same = ops.post(path, {"goal": "Ljust hela vägen"}, headers={"If-Match": "2"})
    assert same.status_code == 200 and same.json()["version"] == 2 and api_events(service) == before
    assert ops.post(path, {"goal": "Annat"}, headers={"If-Match": "1"}).status_code == 412
    early = ops.post(path, {"end": "2018-01-01"}, headers={"If-Match": "2"})
    assert early.status_code == 422 and "end" in early.json()["errors"]
    assert ops.post(path, {"colour": "röd"}, headers={"If-Match": "2"}).status_code == 422
    assert service.client("reporter").post(path, {"goal": "x"}, headers={"If-Match": "2"}).status_code == 403
    assert api_events(service) == before


def test_decisions_need_the_version_refuse_a_stale_one_and_answer_with_the_new_one(service):
    ops = service.client("operational")
    mid = ops.post("/api/v1/measures", measure_body()).json()["id"]
    got = ops.get(f"/api/v1/measures/{mid}")
    assert got.headers["ETag"] == '"1"' and got.json()["history"][0]["event"] == "Measure.Proposed"
    path = f"/api/v1/measures/{mid}/decide"
    assert ops.post(path, {}).status_code == 428
    ok = ops.post(path, {"note": "Beslut"}, headers={"If-Match": '"1"'})
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "decided" and ok.headers["ETag"] == '"2"'
    stale = ops.post(f"/api/v1/measures/{mid}/start", {}, headers={"If-Match": "1"})
    assert stale.status_code == 412 and stale.json()["current"] == 2
    wrong = ops.post(f"/api/v1/measures/{mid}/complete", {"outcome": "full"}, headers={"If-Match": "2"})
    assert wrong.status_code == 409
    for name, body in (("assign", {"org": "polisen", "person": "Ali", "partners": ["sdf"]}), ("start", {}),
                       ("progress", {"achieved": "Halvvägs"}), ("pause", {"reason": "Semester"}), ("start", {}),
                       ("escalate", {"support_needed": "Mer personal"}),
                       ("complete", {"outcome": "not_reached", "deviation_reason": "Ingen personal"}),
                       ("operations", {"note": "Permanent"})):
        version = ops.get(f"/api/v1/measures/{mid}").headers["ETag"]
        answer = ops.post(f"/api/v1/measures/{mid}/{name}", body, headers={"If-Match": version})
        assert answer.status_code == 200, (name, answer.text)
    final = ops.get(f"/api/v1/measures/{mid}").json()
    assert (final["status"], final["outcome"], final["in_operations"], final["owner_org"]) == (
        "done", "not_reached", True, "polisen")
    assert final["escalations"][0]["support_needed"] == "Mer personal"


def test_roles_decide_who_may_propose_decide_and_escalate(service):
    body = measure_body()
    assert service.client("reporter").post("/api/v1/measures", body).status_code == 403
    assert service.client("strategic").post("/api/v1/measures", body).status_code == 403
    mid = service.client("operational").post("/api/v1/measures", body).json()["id"]
    strategic = service.client("strategic")
    assert strategic.post(f"/api/v1/measures/{mid}/decide", {}, headers={"If-Match": "1"}).status_code == 403
    assert strategic.post(f"/api/v1/measures/{mid}/escalate", {"support_needed": "Beslut om kameror"},
                          headers={"If-Match": "1"}).status_code == 200
    assert service.client("auditor").get("/api/v1/measures").status_code == 200
    assert service.client(None).get("/api/v1/measures").status_code == 401


@pytest.mark.parametrize("overrides, field", [
    ({"palette": "magi"}, "palette"),
    ({"owner_org": "nasa"}, "owner_org"),
    ({"end": "2018-01-01"}, "end"),
    ({"what": ""}, "what"),
    ({"sorting": {"size": "enorm"}}, "sorting.size"),
    ({"partners": ["nasa"]}, "partners.0"),
    ({"indicators": [{"code": "x", "source": "computed"}]}, "indicators.0.categories"),
    ({"id": "inte-ett-uuid"}, "id"),
    ({"extra": 1}, "extra"),
])
def test_a_bad_measure_names_the_field_in_both_languages_and_records_nothing(service, overrides, field):
    before = api_events(service)
    answer = service.client("operational").post("/api/v1/measures", measure_body(**overrides))
    assert answer.status_code == 422, answer.text
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert set(answer.json()["errors"][field][0]) == {"sv", "en"}
    assert api_events(service) == before


def test_bad_decision_bodies_and_unknown_cases_are_refused_and_record_nothing(service):
    ops = service.client("operational")
    mid = ops.post("/api/v1/measures", measure_body()).json()["id"]
    before = api_events(service)
    partly = ops.post(f"/api/v1/measures/{mid}/complete", {"outcome": "partly"}, headers={"If-Match": "1"})
    assert partly.status_code == 422 and "deviation_reason" in partly.json()["errors"]
    unknown = ops.post(f"/api/v1/measures/{mid}/link-case", {"case_id": str(uuid.uuid4())}, headers={"If-Match": "1"})
    assert unknown.status_code == 422 and "case_id" in unknown.json()["errors"]
    value = ops.post(f"/api/v1/measures/{mid}/indicator-value",
                     {"indicator": "x", "value": "NaN", "measured_on": "2018-06-01"}, headers={"If-Match": "1"})
    assert value.status_code == 422
    missing = ops.post(f"/api/v1/measures/{uuid.uuid4()}/decide", {}, headers={"If-Match": "1"})
    assert missing.status_code == 404
    assert api_events(service) == before


def test_the_board_and_portfolio_over_http(service):
    ops = service.client("operational")
    for palette, owner in (("situationell", "trafikkontoret"), ("positiva", "civilsamhallet")):
        ops.post("/api/v1/measures", measure_body(palette=palette, owner_org=owner))
    board_ = ops.get("/api/v1/measures", params={"palette": "positiva"})
    assert board_.status_code == 200 and board_.json()["total"] == 1
    assert board_.json()["measures"][0]["owner_org"] == "civilsamhallet"
    assert ops.get("/api/v1/measures", params={"palette": "magi"}).status_code == 422
    portfolio = ops.get("/api/v1/measures/portfolio").json()
    assert portfolio["measures"] == 2 and set(portfolio["by_organisation"]) >= {"trafikkontoret", "civilsamhallet"}
    n = sa.func.count()
    with service.ledger.store.read() as conn:
        assert conn.execute(sa.select(n).select_from(sa.table("rm_measures"))).scalar() == 2
