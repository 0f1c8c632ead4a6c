"""The area's goals with indicators before and after, perceived safety summed per week and place,
and the safety survey imported as CSV – refused whole on a bad row, shown beside the reports."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests

from koll.ledger import demo
from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.queries import follow_up as q
from koll.schema import taxonomy

AREA = "hasselby-torg"
OPS = Actor("operativ", "operational", "sdf")
REPORTER = Actor("rapportor", "reporter", "sdf")
SURVEY = "datum;fråga;plats;värde;enhet\n2017-11-01;Andel otrygga kvällstid;;48;%\n2019-11-01;Andel otrygga kvällstid;;31,5;%\n"


def _file(ledger, code, place, at, safety):
    p = taxonomy.place(place)
    ledger.file_observation(REPORTER, {"id": str(uuid.uuid4()), "category": code, "observed_at": at.isoformat(),
                                       "place": place, "note": None, "attributes": {"upplevd_trygghet": safety},
                                       "location": {"lat": p.lat, "lon": p.lon, "accuracy_m": 8, "source": "gps"}})


@pytest.fixture
def area(ledger):
    ledger.import_area(demo.SYSTEM, demo.area_definition(AREA))
    return ledger


def test_goals_indicators_safety_and_the_survey(area):
    ledger = area
    now = datetime.now(timezone.utc)
    for safety in (2, 4):
        _file(ledger, "REN-01", "torget", now - timedelta(days=1), safety)
    _file(ledger, "REN-01", "parken", now - timedelta(days=1), 5)
    ledger.set_goal(OPS, AREA, {"code": "reducera-otrygghet", "horizon": "kort", "title": "Reducera otrygghet",
                                "indicators": [{"name": "Andel otrygga", "source": "survey",
                                                "question": "Andel otrygga kvällstid", "baseline": 48, "target": 30},
                                               {"name": "Upplevd trygghet", "source": "perceived_safety",
                                                "baseline": 2, "target": 4, "direction": "up"}]})
    ledger.set_goal(OPS, AREA, {"code": "bygga-tillit", "horizon": "lang", "title": "Bygga trygghet och socialt kapital",
                                "track": "trygghet", "indicators": []})
    with pytest.raises(DomainError):  # a bad row: nothing imported
        ledger.import_survey(OPS, AREA, "Fel", "datum;fråga;värde\n2019;Andel;mycket\n")
    assert ledger.follow_up(AREA).surveys == []
    ledger.import_survey(OPS, AREA, "Trygghetsmätningen", SURVEY)
    with ledger.store.read() as conn:
        goals = q.goals(conn, OPS, AREA, now, ledger.follow_up(AREA))
        safety = q.perceived_safety(conn, OPS, AREA, now)
    assert [g["horizon"] for g in goals] == ["kort", "lang"]
    survey, felt = goals[0]["indicators"]
    assert (survey["baseline"], survey["now"], survey["better"], survey["reached"]) == (48, 31.5, True, False)
    assert felt["now"] == round(11 / 3, 2) and felt["better"] is True
    rows = {r["place"]: r["weeks"][-1] for r in safety["rows"]}
    assert rows["torget"] == {"sum": 6, "n": 2, "mean": 3.0} and rows["parken"]["sum"] == 5
    with pytest.raises(DomainError):
        ledger.set_goal(REPORTER, AREA, {"code": "x", "horizon": "kort", "title": "X"})


def test_the_goals_page_takes_a_goal_and_a_survey_and_the_board_shows_them(service):
    from test_situation_description import Web, signed_in

    service.ledger.import_area(demo.SYSTEM, demo.area_definition(AREA))
    web = Web(service.base, signed_in(service.base, "operativ"))
    page = web.get("/mal")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    goal = {"csrf_token": token, "what": "goal", "title": "Stoppa det akuta våldet", "horizon": "kort", "track": "",
            "name": "Våld per vecka", "source": "observations", "categories": "SOC-18, SOC-11", "places": "",
            "question": "", "baseline": "tre", "baseline_period": "maj–aug 2018", "target": "0", "direction": "down",
            "unit": ""}
    refused = web.post("/mal", goal)
    assert refused.status_code == 422 and "Utgångsläge" in refused.text and 'value="Våld per vecka"' in refused.text
    assert service.ledger.follow_up(AREA) is None  # nothing recorded on refusal
    saved = web.post("/mal", {**goal, "baseline": "3"})
    assert saved.status_code == 200 and "Stoppa det akuta våldet" in saved.text and "maj–aug 2018" in saved.text
    files = {"file": ("trygghet.csv", SURVEY.encode("utf-8"), "text/csv")}
    imported = web.session.post(service.base + "/mal", data={"csrf_token": token, "what": "survey",
                                                             "survey_name": "Mätningen 2019"}, files=files, timeout=30)
    assert imported.status_code == 200 and "Trygghetsmätningen är inläst" in imported.text
    board = web.get(f"/?area={AREA}")
    assert "Trygghetsmätningar" in board.text and "31.5" in board.text and "Upplevd trygghet per vecka" in board.text
    assert requests.get(service.base + "/mal", timeout=30, allow_redirects=False).status_code in (302, 303)
