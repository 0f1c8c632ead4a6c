"""Fuzzing the API with generated input: never a 500, always problem+json, nothing recorded."""

from __future__ import annotations

import json
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpers import observation

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4),
    max_leaves=12,
)
FIELDS = ["id", "category", "observed_at", "location", "place", "note", "walk_id", "case_id", "attributes"]

# A valid report with some fields replaced by anything at all, or dropped, or extra ones added.
mutated_reports = st.builds(
    lambda base, replace, drop, extra: {**{k: v for k, v in base.items() if k not in drop}, **replace, **extra},
    st.just(observation()),
    st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=3),
    st.sets(st.sampled_from(FIELDS), max_size=2),
    st.dictionaries(st.text(min_size=1, max_size=8), json_values, max_size=1),
)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def post_raw(client, path: str, body, **headers):
    """JSON as any client might send it, NaN and Infinity included (requests refuses those)."""
    return client.session.post(client.base + path, data=json.dumps(body),
                               headers={"Authorization": f"Bearer {client.token}",
                                        "Content-Type": "application/json", **headers}, timeout=30)


def assert_clean_refusal(response, before: int, service) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == response.status_code and body["title"] and "detail" in body
        assert (service.ledger.recorder.max_notification_id() or 0) == before


def test_observations_never_500(service):
    phone = service.client("reporter")

    @FUZZ
    @given(body=mutated_reports | json_values)
    def check(body):
        if isinstance(body, dict) and "id" in body and isinstance(body["id"], str):
            body["id"] = str(uuid.uuid4())  # never collide with an earlier example
        before = service.ledger.recorder.max_notification_id() or 0
        assert_clean_refusal(post_raw(phone, "/api/v1/observations", body), before, service)

    check()


def test_batches_never_500(service):
    phone = service.client("reporter")

    @FUZZ
    @given(items=st.lists(mutated_reports | json_values, max_size=4) | json_values)
    def check(items):
        before = service.ledger.recorder.max_notification_id() or 0
        r = post_raw(phone, "/api/v1/observations/batch", {"observations": items})
        assert r.status_code < 500, r.text
        if r.status_code == 200:
            assert len(r.json()["results"]) == len(items)
        else:
            assert_clean_refusal(r, before, service)

    check()


def test_case_commands_and_queries_never_500(service):
    case_id = service.client("reporter").post("/api/v1/observations", observation()).json()["case_id"]
    ops = service.client("operational")
    commands = ["triage", "assign", "status", "resolve", "reopen", "duplicate"]

    @FUZZ
    @given(command=st.sampled_from(commands), body=json_values, version=st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), max_size=5),
           query=st.dictionaries(st.sampled_from(["status", "category", "bbox", "since", "limit", "lat", "lon",
                                                  "radius_m", "walk_id"]), st.text(max_size=20), max_size=3))
    def check(command, body, version, query):
        before = service.ledger.recorder.max_notification_id() or 0
        r = post_raw(ops, f"/api/v1/cases/{case_id}/{command}", body, **{"If-Match": version})
        assert r.status_code < 500, r.text
        if r.status_code >= 400:
            assert_clean_refusal(r, before, service)
        for path in ("/api/v1/cases", "/api/v1/cases/nearby", "/api/v1/situation", "/api/v1/situation/map"):
            assert ops.get(path, params=query).status_code < 500

    check()


def test_every_command_never_500s_on_any_body(service):
    """Every POST route of the API, on real ids, with bodies and versions of any shape."""
    import re

    ops = service.client("admin")
    ids = {
        "case_id": service.client("reporter").post("/api/v1/observations", observation()).json()["case_id"],
        "measure_id": str(uuid.uuid4()), "meeting_id": str(uuid.uuid4()), "walk_id": str(uuid.uuid4()),
    }
    ids["observation_id"] = service.client("reporter").post("/api/v1/observations", observation()).json()["id"]
    assert ops.post("/api/v1/measures", {"id": ids["measure_id"], "what": "Belysning"}).status_code == 201
    assert ops.post("/api/v1/meetings", {"id": ids["meeting_id"], "group": "operational",
                                         "date": "2026-11-20"}).status_code == 201
    assert ops.post("/api/v1/walks", {"id": ids["walk_id"], "title": "Kvällsvandring",
                                      "planned_at": "2026-11-20T19:00:00+01:00"}).status_code == 201
    skip = {"/api/v1/observations", "/api/v1/observations/batch"}  # fuzzed above, with reports' own shapes
    routes = []
    for rule in service.app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1") and "POST" in rule.methods and rule.rule not in skip:
            routes.append(re.sub(r"<(?:\w+:)?(\w+)>", lambda m: ids.get(m.group(1), "1"), rule.rule))
    assert len(routes) > 30

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(path=st.sampled_from(sorted(routes)), body=json_values,
           version=st.sampled_from(["1", '"1"', "2", "", "x", "-1", "99999999999999999999"]))
    def check(path, body, version):
        before = service.ledger.recorder.max_notification_id() or 0
        assert_clean_refusal(post_raw(ops, path, body, **{"If-Match": version}), before, service)

    check()
