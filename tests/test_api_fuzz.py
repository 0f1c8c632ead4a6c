"""Fuzzing the API with generated input: never a 500, always problem+json, nothing recorded."""

from __future__ import annotations

import json
import os
import uuid
from datetime import timedelta, timezone
from urllib.parse import quote

import pytest
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


# --- Driven by the OpenAPI document: every operation, as admin and as a reporter --------------

# Text no store can keep, the years that broke the walks board, and numbers past every column.
NASTY_TEXT = ["\x00", "ad\x00min", "\ud800", "a\udfffb", "", " ", "'; DROP TABLE x; --", "=1+1", "../../etc/passwd",
              "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "1999-12-31T23:00:00Z", "NaN", "-0", "1e400"]
NASTY_NUMBERS = [0, -1, 2**31, 2**63, 10**20, -(10**20), 1e308, -1e308, 0.1]
any_text = st.text(st.characters(exclude_categories=()), max_size=40) | st.sampled_from(NASTY_TEXT)
query_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40) | st.sampled_from(
    [t for t in NASTY_TEXT if "\ud800" not in t and "\udfff" not in t])  # a URL cannot carry half a pair
OFFSETS = st.sampled_from([timezone.utc, timezone(timedelta(hours=14)), timezone(timedelta(hours=-12)),
                           timezone(timedelta(hours=1)), timezone(timedelta(hours=-5, minutes=-30))])
moments = st.datetimes(timezones=OFFSETS).map(lambda d: d.isoformat()) | st.sampled_from(
    ["2000-01-01T00:00:00+14:00", "2100-12-31T23:59:59-12:00", "2026-11-20T19:30:00+01:00", "2026-11-20T19:30:00"])
days = st.dates().map(lambda d: d.isoformat()) | st.sampled_from(["2000-01-01", "2100-12-31", "2026-02-30"])


def _resolve(schema: dict, doc: dict) -> dict:
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    if "allOf" in schema:
        merged: dict = {}
        for part in schema["allOf"]:
            merged.update(_resolve(part, doc))
        schema = {**merged, **{k: v for k, v in schema.items() if k != "allOf"}}
    return schema


def from_schema(schema: dict, doc: dict, ids, text=any_text, depth: int = 0):
    """Values shaped like the OpenAPI schema says (so they reach the code behind the checks), with
    its edges and past them: out-of-range numbers, years 1 and 9999, NUL, half a UTF-16 pair."""
    schema = _resolve(schema, doc)
    kind, fmt = schema.get("type"), schema.get("format")
    if "enum" in schema:
        base = st.sampled_from(schema["enum"]) | text
    elif kind == "string" and fmt == "date-time":
        base = moments
    elif kind == "string" and fmt == "date":
        base = days
    elif kind == "string" and fmt == "uuid":
        base = ids | st.uuids().map(str)
    elif kind == "string":
        base = text
    elif kind == "integer":
        low, high = schema.get("minimum", -1000), schema.get("maximum", 10**6)
        base = st.integers(low - 2, high + 2) | st.sampled_from([n for n in NASTY_NUMBERS if isinstance(n, int)])
    elif kind == "number":
        base = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from(NASTY_NUMBERS)
    elif kind == "boolean":
        base = st.booleans()
    elif kind == "array" and depth < 4:
        base = st.lists(from_schema(schema.get("items", {}), doc, ids, text, depth + 1), max_size=3)
    elif (kind == "object" or "properties" in schema) and depth < 4:
        props = schema.get("properties", {})
        required = [k for k in schema.get("required", []) if k in props]
        base = st.fixed_dictionaries(
            {k: from_schema(props[k], doc, ids, text, depth + 1) for k in required},
            optional={k: from_schema(v, doc, ids, text, depth + 1) for k, v in props.items() if k not in required})
    else:
        base = json_values
    if schema.get("nullable"):
        base = base | st.none()
    return base | json_values if depth else base  # now and then anything at all, one level down


@st.composite
def requests_for(draw, operations, doc, ids):
    path, method, op, shared = draw(st.sampled_from(operations))
    params = [*shared, *op.get("parameters", [])]
    url = path
    query = {}
    for p in params:
        schema = p.get("schema", {})
        if p["in"] == "path":
            value = draw(from_schema(schema, doc, ids, query_text) if schema.get("format") != "uuid" else ids)
            url = url.replace("{" + p["name"] + "}", quote(str(value), safe=""))
        elif p["in"] == "query" and (p.get("required") or draw(st.booleans())):
            value = draw(from_schema(schema, doc, ids, query_text))
            if not isinstance(value, (dict, list)):
                shown = str(value).lower() if isinstance(value, bool) else str(value)
                query[p["name"]] = "" if value is None else shown
    content = op.get("requestBody", {}).get("content", {})
    body, files = None, None
    if "application/json" in content:
        schema = content["application/json"].get("schema", {})
        body = draw(from_schema(schema, doc, ids) | json_values)
    elif "multipart/form-data" in content or (method == "post" and draw(st.booleans())):
        files = {"file": ("f.bin", draw(st.binary(max_size=600)))}
    version = draw(st.sampled_from(["1", '"1"', "2", "", "x", "-1", "99999999999999999999", "W/\"1\""]))
    return method, url, query, body, files, version


def _send(client, method, url, query, body, files, version):
    headers = {"Authorization": f"Bearer {client.token}", "If-Match": version}
    if body is not None:
        headers["Content-Type"] = "application/json"
        data = json.dumps(body)  # ASCII: half a UTF-16 pair travels as its \\u escape, as a client would send it
        return client.session.request(method, client.base + url, params=query, data=data, headers=headers,
                                      timeout=60)
    return client.session.request(method, client.base + url, params=query, files=files, headers=headers, timeout=60)


def _openapi_fuzz(service, role: str, examples: int) -> int:
    doc = service.client(role).get("/api/openapi.json").json()
    admin = service.client("admin")
    made = [admin.post("/api/v1/observations", observation()).json() for _ in range(2)]
    measure, meeting, walk = (str(uuid.uuid4()) for _ in range(3))
    assert admin.post("/api/v1/measures", {"id": measure, "what": "Belysning"}).status_code == 201
    assert admin.post("/api/v1/meetings", {"id": meeting, "group": "operational",
                                           "date": "2026-11-20"}).status_code == 201
    assert admin.post("/api/v1/walks", {"id": walk, "title": "Kväll", "planned_at": "2026-11-20T19:00:00+01:00"}
                      ).status_code == 201
    ids = st.sampled_from([made[0]["id"], made[0]["case_id"], made[1]["case_id"], measure, meeting, walk])
    operations = [(path, method, op, ops.get("parameters", [])) for path, ops in doc["paths"].items()
                  for method, op in ops.items() if method in ("get", "post", "put", "patch", "delete")]
    assert len(operations) > 60
    client = service.client(role)
    sent = {"requests": 0, "server_errors": []}

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(call=requests_for(operations, doc, ids))
    def check(call):
        before = service.ledger.recorder.max_notification_id() or 0
        r = _send(client, *call)
        sent["requests"] += 1
        if r.status_code >= 500:
            sent["server_errors"].append((call[0], call[1], r.status_code, r.text[:200]))
        assert r.status_code < 500, (call, r.text[:500])
        if r.status_code >= 400:
            assert r.headers["Content-Type"] == "application/problem+json", (call, r.headers["Content-Type"])
            assert r.json()["status"] == r.status_code
            assert (service.ledger.recorder.max_notification_id() or 0) == before, call

    check()
    return sent["requests"]


@pytest.mark.parametrize("role", ["admin", "reporter"])
def test_every_operation_in_the_openapi_document_never_500s(service, role):
    """Requests made from the OpenAPI document itself: every operation, its parameters and bodies
    shaped as documented and then pushed past their edges. 0 server errors, every refusal a
    problem document, and a refusal records nothing."""
    sent = _openapi_fuzz(service, role, int(os.environ.get("KOLL_FUZZ_EXAMPLES", "300")))
    print(f"OpenAPI fuzz as {role}: {sent} requests, 0 server errors")  # the figure in docs/security.md
