"""What the board tests share beyond fixtures: signing in, screenshots, a plan and a walk seeded
through the ledger. A real module (``from webhelpers import …``), not ``from conftest``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import quote

ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "web"
PASSWORD = "hemligt"


def sign_in(page: Any, base: str, user: str, password: str = PASSWORD, path: str = "/") -> None:
    page.goto(f"{base}/login?next={quote(path)}")
    page.get_by_label("Användarnamn").fill(user)
    page.get_by_label("Lösenord").fill(password)
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_url(f"{base}{path}")


def shoot(page: Any, name: str, full_page: bool = True) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def seed_plan(ledger: Any) -> dict[str, str]:
    """Measures and a meeting with its report-back, recorded now
    through the ledger's commands (the demo's 2018 story has the cases; this adds today's plan)."""
    import uuid
    from datetime import date, timedelta

    from koll.ledger.domain.base import Actor

    op = Actor("operativ", "operational", "sdf")
    today = date.today()
    ids = {k: str(uuid.uuid4()) for k in ("late", "idea", "lights", "meeting")}
    with ledger.store.read() as conn:
        case_id = conn.exec_driver_sql("select case_id from rm_cases where group_code = 'BEL' limit 1").scalar()
    ledger.propose_measure(op, {
        "id": ids["lights"], "what": "Ny belysning i garaget", "start": (today - timedelta(days=30)).isoformat(),
        "end": (today + timedelta(days=60)).isoformat(), "goal": "Inga mörka hörn", "resources": "Elektriker, 80 tkr",
        "indicators_text": "Anmälda mörka platser per vecka", "owner_org": "fastighetsagare", "owner_person": "Centrumchefen",
        "follow_up": "Vid varje möte", "palette": "situationell", "track": "trygghet", "horizon": "kort",
        "focus_area": "platser", "partners": ["sdf"],
        "indicators": [{"code": "morka", "name": "Mörka platser per vecka", "source": "computed", "categories": ["BEL"],
                        "direction": "down", "baseline": 3, "target": 1}]})
    ledger.link_case_to_measure(op, uuid.UUID(ids["lights"]), 1, uuid.UUID(case_id))
    ledger.propose_measure(op, {
        "id": ids["late"], "what": "Kvällsfotboll på torget", "start": (today - timedelta(days=90)).isoformat(),
        "end": (today - timedelta(days=10)).isoformat(), "goal": "Unga har en trygg fritid", "owner_org": "civilsamhallet",
        "palette": "positiva", "track": "utbildning", "horizon": "kort", "focus_area": "fritid", "partners": ["sdf"]})
    late = uuid.UUID(ids["late"])
    ledger.decide_measure(late, 1, lambda m: m.decide(op))
    ledger.decide_measure(late, 2, lambda m: m.start_work(op))
    ledger.propose_measure(op, {"id": ids["idea"], "what": "Klotterplank vid tunnelbanan", "owner_org": "mtr",
                                "palette": "situationell", "track": "trygghet", "horizon": "kort"})
    done = str(uuid.uuid4())
    ledger.propose_measure(op, {"id": done, "what": "Röj buskarna vid parken", "owner_org": "trafikkontoret",
                                "palette": "situationell", "end": today.isoformat()})
    d = uuid.UUID(done)
    ledger.decide_measure(d, 1, lambda m: m.decide(op))
    ledger.decide_measure(d, 2, lambda m: m.start_work(op))
    ledger.decide_measure(d, 3, lambda m: m.complete(op, outcome="partly", achieved="Halva parken röjd",
                                                      deviation_reason="Entreprenören hann inte",
                                                      success_factors="Snabbt beslut i gruppen"))
    ledger.decide_measure(late, 3, lambda m: m.escalate(op, support_needed="Budget för belysta planer"))
    ledger.schedule_meeting(op, {"id": ids["meeting"], "group": "operational", "date": today.isoformat(),
                                 "title": "Operativa gruppen", "attendees": [{"name": "Anna", "org": "sdf"}]})
    meeting = uuid.UUID(ids["meeting"])
    ledger.record_decision(op, meeting, {"id": str(uuid.uuid4()), "text": "Belysningen i garaget prioriteras",
                                         "measures": [ids["lights"]]})
    ledger.hold_meeting(op, meeting, ledger.meeting(meeting).version, "Fortsätt med situationell prevention", None)
    ids["case"] = case_id
    return ids


def seed_walk(ledger: Any) -> str:
    """A safety walk held now with three findings; returns its id."""
    import uuid
    from datetime import datetime, timezone

    from koll.ledger.domain.base import Actor
    from koll.schema import taxonomy

    op = Actor("operativ", "operational", "sdf")
    ids = {"walk": str(uuid.uuid4())}
    ledger.plan_walk(op, {"id": ids["walk"], "title": "Kvällsvandring runt torget",
                          "planned_at": datetime.now(timezone.utc).isoformat(), "route": ["torget", "garaget"],
                          "organisations": ["sdf", "polisen"]})
    walk = uuid.UUID(ids["walk"])
    ledger.start_walk(op, walk, 1)
    for code, place in (("BEL-01", "garaget"), ("REN-01", "torget"), ("KLO-01", "tunnelbaneuppgangen")):
        p = taxonomy.place(place)
        ledger.file_observation(op, {
            "id": str(uuid.uuid4()), "category": code, "observed_at": datetime.now(timezone.utc).isoformat(),
            "location": {"lat": p.lat, "lon": p.lon, "accuracy_m": 5, "source": "gps"}, "place": place,
            "note": "Sett under vandringen", "walk_id": ids["walk"], "attributes": {}})
    ledger.end_walk(op, walk, ledger.walk(walk).version)
    return ids["walk"]


def wait_map_ready(page: Any) -> None:
    """Until koll.js has drawn the map. A selector, not wait_for_function: Playwright polls a
    function by eval, which the boards' Content-Security-Policy (no 'unsafe-eval') refuses."""
    page.wait_for_selector("body[data-map-ready='1']", state="attached")
