"""Every route the app serves × every caller × every kind of restricted data: no answer holds what
the policy denies its caller.

The routes are read from the Flask app itself (``url_map``), both ``/api/v1`` and the boards, so a
route added later is checked without anyone remembering to. The kinds of restricted data are the
story's: filed restricted, recategorised after filing (with a photo, on a walk), linked to a measure,
named in a meeting's decision, joined into a public case, and a public-category report joined into
a restricted case. What must not leak: case and observation ids, notes, the photo's sha256 and
coordinates. A secret the caller put in the request itself (an id in the path) does not count.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

from helpers import ROLE_USERS
from restricted_story import EXTRA_USERS, Board, tell
from koll.ledger.domain.base import Actor
from koll.ledger.policy import Policy

CALLERS = {**ROLE_USERS, **EXTRA_USERS}
SKIP = re.compile(r"^/(static|api/docs)/|^/(login|logout|logga-in|logga-ut)$|^/login/lank/")


def _values(story, service, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """What a route's placeholder is filled with: every id of that kind the story holds."""
    cases = [*story.restricted_cases.values(), story.public_case, story.public_linked]
    fill = {
        "case_id": cases, "observation_id": list(story.restricted_observations.values()),
        "measure_id": [story.measure], "meeting_id": [story.meeting], "walk_id": [story.walk],
        "sha256": [story.photo],
        "code": [story.area, story.join_code],  # an area's code, a walk's join code (each route takes one)
        "fmt": ["json"], "request_id": cases,  # Open311
        "webhook_id": [story.webhook], "name": sorted(set(story.filers.values())),
        "position": [str(p) for p in range(1, (service.ledger.recorder.max_notification_id() or 0) + 1)],
    }
    return fill.get(name, [f"unfilled-{name}"])  # a route added later with a new kind of placeholder: fails below


def _queries(story, now: str, before: str) -> dict[str, list[dict[str, str]]]:  # type: ignore[no-untyped-def]
    """Query strings worth asking on some routes, besides none at all."""
    ids = [*story.restricted_cases.values(), *story.restricted_observations.values(), story.measure]
    near = [{"lat": f"59.3671{n * 3}", "lon": f"17.8441{n * 3}", "radius_m": "500"} for n in range(1, 3)]
    return {
        "/api/v1/audit/as-of": [{"at": now}, {"at": before}],
        "/api/v1/audit/events": [{"limit": "1000"}, *({"aggregate": i} for i in ids)],
        "/api/v1/audit/bundle": [{"from": before}],
        "/revision": [{"at": now[:19]}, {"at": before[:19]}, {"measure": story.measure},
                      *({"case": c} for c in story.restricted_cases.values())],
        "/api/v1/cases": [{"status": "triaged"}, {"walk_id": story.walk}],
        "/api/v1/cases/nearby": near,
        "/api/v1/situation/map": [{"status": "all"}],
        "/api/v1/situation/trends": [{"weeks": "52", "until": now}],
        "/vandringar": [{"walk": story.walk}],
        "/insatser": [{"vy": v} for v in ("bruttolista", "inventering", "matris")],
        "/mal": [{"area": story.area}],
        "/lagesbeskrivning": [{"area": story.area}],
        "/oversikt": [{"area": story.area}],
        "/": [{"status": "all"}],
        "/lagesbild/punkter.json": [{"status": "all"}],
        "/lagesbild.csv": [{"status": "all"}],
        "/lagesbild.geojson": [{"status": "all"}],
    }


def _requests(service, story):  # type: ignore[no-untyped-def]
    """(route, path with query) for every GET route, each placeholder filled every way."""
    now = datetime.now(timezone.utc).isoformat()
    before = (datetime.now(timezone.utc) - timedelta(days=400)).isoformat()
    queries = _queries(story, now, before)
    out = []
    for rule in service.app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or SKIP.search(rule.rule):
            continue
        paths = [rule.rule]
        for name in rule.arguments:
            paths = [re.sub(r"<(?:[\w]+(?:\([^)]*\))?:)?" + name + ">", quote(v), p)
                     for p in paths for v in _values(story, service, name)]
        for path in paths:
            out.append((rule.rule, path))
            for q in queries.get(rule.rule, []):
                out.append((rule.rule, path + "?" + "&".join(f"{k}={quote(v)}" for k, v in q.items())))
    return out


def test_no_caller_sees_restricted_data_the_policy_denies_on_any_route(service):
    story = tell(service)
    requests = _requests(service, story)
    routes = {r for r, _ in requests}
    assert len(routes) > 45 and "/api/v1/observations/<uuid:observation_id>" in routes and "/revision" in routes
    # Every placeholder is filled with the story's own ids (a route left at "x" would be a hole).
    unfilled = {r for r, p in requests if "unfilled-" in p}
    assert not unfilled, unfilled
    secrets = story.secrets_by_filer()
    leaks: list[str] = []
    seen_by: dict[str, set[str]] = {}
    for who, (name, role, org) in CALLERS.items():
        policy = Policy(Actor(name, role, org))
        api, board = service.client(who), Board(service, who)
        seen = seen_by.setdefault(who, set())
        for rule, path in requests:
            answer = (api if path.startswith("/api/") else board).get(path)
            assert answer.status_code < 500, (who, path, answer.status_code, answer.text[:300])
            body = answer.text
            leaks += [f"{who} sees {what} on GET {path}" for what, secret in story.never.items() if secret in body]
            for what, secret, filer in secrets:
                if secret not in body or secret in path:
                    continue
                seen.add(what)
                if not policy.may_see("restricted", reporter=filer):
                    leaks.append(f"{who} ({role}, {org}) sees {what} on GET {path} ({answer.status_code})")
    # No one signed in: the residents' page of the area is theirs, the rest refuses; none shows a secret.
    import requests as http

    anonymous = http.Session()
    for rule, path in requests:
        answer = anonymous.get(service.base + path, timeout=30)
        assert answer.status_code < 500, ("anonymous", path, answer.status_code)
        leaks += [f"anonymous sees {what} on GET {path} ({answer.status_code})"
                  for what, secret in [*story.secrets().items(), *story.never.items()]
                  if secret in answer.text and secret not in path]
    public = anonymous.get(f"{service.base}/omrade/{story.area}", timeout=30)
    assert public.status_code == 200 and "Ljus vid trappan" not in public.text  # an idea is not told
    cells = re.findall(r'<td class="num">([^<]*)</td>', public.text)
    assert cells and all(c == "0" or c.startswith("färre än") or int(c) >= 3 for c in cells), cells
    assert not leaks, "\n".join(sorted(set(leaks))[:40])
    # The test can fail: those the policy lets see restricted data do see every piece of it somewhere.
    everything = {what for what, _, _ in secrets}
    for who in ("police", "admin", "ifo_auditor", "police_reporter"):
        assert seen_by[who] == everything, (who, sorted(everything - seen_by[who]))
    assert {"observation recategorised", "note recategorised", "photo"} <= seen_by["reporter2"]  # their own


def test_perceived_safety_holds_only_the_reports_its_reader_may_see(service):
    """A restricted report's 'upplevd trygghet' (1; every other report says 2) is in the police's
    sums, never in the district's."""
    from helpers import observation
    from koll.ledger.queries.follow_up import perceived_safety

    story = tell(service)
    end = datetime.fromisoformat(observation()["observed_at"]) + timedelta(days=1)

    def totals(who: str) -> tuple[int, int]:
        name, role, org = CALLERS[who]
        with service.ledger.store.read() as conn:
            cells = [c for r in perceived_safety(conn, Actor(name, role, org), story.area, end)["rows"]
                     for c in r["weeks"]]
        return sum(c["sum"] for c in cells), sum(c["n"] for c in cells)

    district, n = totals("operational")
    assert n >= 2 and district == 2 * n, (district, n)
    police, m = totals("police")
    assert m > n and police < 2 * m, (police, m)
