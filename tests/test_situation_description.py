"""The shared situation description: one an area, written and revised with its history kept in
the ledger, refused when stale or empty, and on the boards beside the counted picture."""

from __future__ import annotations

import re

import pytest
import requests

from koll.ledger.application import StaleVersion
from koll.ledger.domain.base import Actor, DomainError, NotAllowed

OPS = Actor("operativ", "operational", "sdf")
REPORTER = Actor("vardare", "reporter", "fastighetsagare")
AREA = "hasselby-torg"


@pytest.fixture
def area(ledger):
    from koll.ledger import demo

    ledger.import_area(demo.SYSTEM, demo.area_definition(AREA))
    return ledger


def test_written_then_revised_with_history_and_stale_refused(area):
    ledger = area
    assert ledger.situation_description(AREA) is None
    first = ledger.describe_situation(OPS, AREA, 0, {"symptoms": "Öppen droghandel vid tunnelbanan",
                                                     "subtle": "Platsen ägs av gänget"})
    assert first.version == 1
    with pytest.raises(StaleVersion):  # written by someone else meanwhile: nothing overwritten
        ledger.describe_situation(OPS, AREA, 0, {"symptoms": "Något annat"})
    ledger.describe_situation(OPS, AREA, 1, {"symptoms": "Droghandeln har flyttat till entrén",
                                             "subtle": "Platsen ägs av gänget"}, note="Efter ett år")
    now = ledger.situation_description(AREA)
    assert now.version == 2 and now.text["symptoms"].startswith("Droghandeln har flyttat")
    history = ledger.situation_description_history(AREA)
    assert [h["version"] for h in history] == [2, 1]
    assert history[1]["text"]["symptoms"] == "Öppen droghandel vid tunnelbanan" and history[0]["note"] == "Efter ett år"
    assert history[0]["by"] == "operativ"


def test_empty_unchanged_and_not_allowed_are_refused(area):
    ledger = area
    with pytest.raises(DomainError):
        ledger.describe_situation(OPS, AREA, 0, {"symptoms": "  "})
    ledger.describe_situation(OPS, AREA, 0, {"symptoms": "Skräp"})
    with pytest.raises(DomainError):
        ledger.describe_situation(OPS, AREA, 1, {"symptoms": "Skräp"})
    with pytest.raises(NotAllowed):
        ledger.describe_situation(REPORTER, AREA, 1, {"symptoms": "Annat"})
    assert ledger.situation_description(AREA).version == 1


def signed_in(base: str, user: str) -> requests.Session:
    """A board session, signed in through the login form as a person would."""
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(base + "/login", timeout=30).text).group(1)
    answer = s.post(base + "/login", data={"csrf_token": token, "user": user, "password": "hemligt"},
                    allow_redirects=False, timeout=30)
    assert answer.status_code in (302, 303), answer.text
    return s


class Web:
    def __init__(self, base: str, session: requests.Session) -> None:
        self.base, self.session = base, session

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.base + path, timeout=30)

    def post(self, path: str, data: dict) -> requests.Response:
        return self.session.post(self.base + path, data=data, timeout=30)


def test_the_form_keeps_typed_text_on_a_stale_version_and_saves_on_the_fresh_one(service):
    from koll.ledger import demo

    service.ledger.import_area(demo.SYSTEM, demo.area_definition(AREA))
    web = Web(service.base, signed_in(service.base, "operativ"))
    page = web.get("/lagesbeskrivning")
    assert page.status_code == 200 and "Ingen lägesbeskrivning" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    form = {"csrf_token": token, "version": "0", "area": AREA, "symptoms": "Öppen droghandel", "causes": "",
            "concrete": "Garaget används som bostad", "subtle": "", "influence": "Polisen, fastighetsägaren"}
    saved = web.post("/lagesbeskrivning", data=form)
    assert saved.status_code == 200 and "sparad som version 1" in saved.text
    stale = web.post("/lagesbeskrivning", data={**form, "symptoms": "Min nya text"})  # still version 0
    assert stale.status_code == 409 and "du såg version 0" in stale.text and "Min nya text" in stale.text
    assert service.ledger.situation_description(AREA).text["symptoms"] == "Öppen droghandel"
    assert web.post("/lagesbeskrivning", data={**form, "version": "1", "csrf_token": ""}).status_code == 400
    empty = web.post("/lagesbeskrivning", data={**form, "version": "1", "symptoms": "", "concrete": "",
                                                 "influence": ""})
    assert empty.status_code == 422 and "minst en del" in empty.text
    board = web.get(f"/?area={AREA}")
    assert "Gemensam lägesbeskrivning" in board.text and "Garaget används som bostad" in board.text
