"""Open311 GeoReport v2, driven by an Open311 client library (georeport, from PyPI) in JSON and
XML, and POSTed as the spec's form: public categories and cases only, idempotent filing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
import requests
from georeport import GeoReport

from helpers import observation
from koll.schema import taxonomy
from test_areas import ADMIN, definition


@pytest.fixture
def area_service(service):
    service.ledger.import_area(ADMIN, definition("hasselby-torg"))
    return service


def _client(service, fmt: str = "json") -> GeoReport:
    return GeoReport(service.base + "/open311/v2", jurisdiction="hasselby-torg", output_format=fmt)


def test_services_are_the_areas_public_categories_with_their_attributes(area_service):
    for fmt in ("json", "xml"):
        listed = _client(area_service, fmt).get_service_list()
        codes = {s["service_code"] for s in listed}
        assert "REN-01" in codes and "BEL-01" in codes
        assert not codes & {c.code for c in taxonomy.CATEGORIES if c.visibility != "public"}  # never restricted
        litter = next(s for s in listed if s["service_code"] == "REN-01")
        assert litter["service_name"] == taxonomy.category("REN-01").sv
    definition_ = _client(area_service).get_service_definition("REN-01")
    assert definition_["service_code"] == "REN-01"
    safety = next(a for a in definition_["attributes"] if a["code"] == "upplevd_trygghet")
    assert safety["datatype"] == "number"
    xml = _client(area_service, "xml").get_service_definition("REN-01")
    assert xml["service_code"] == "REN-01"


def test_a_request_posted_with_a_reporters_token_is_a_case_and_a_retry_is_the_same_request(area_service):
    form = {"api_key": area_service.tokens["reporter"], "jurisdiction_id": "hasselby-torg", "service_code": "REN-01",
            "lat": "59.3669", "long": "17.8441", "description": "Skräp vid trappan",
            "attribute[upplevd_trygghet]": "2"}
    first = requests.post(area_service.base + "/open311/v2/requests.json", data=form, timeout=30)
    assert first.status_code == 201, first.text
    case_id = first.json()[0]["service_request_id"]
    again = requests.post(area_service.base + "/open311/v2/requests.json", data=form, timeout=30)
    assert again.status_code == 200 and again.json()[0]["service_request_id"] == case_id
    seen = _client(area_service).get_service_request(case_id)
    assert (seen["service_code"], seen["status"]) == ("REN-01", "open")
    assert "Skräp vid trappan" not in str(seen)  # a reporter's words are not published
    listed = _client(area_service, "xml").get_service_requests(status="open")
    listed = listed if isinstance(listed, list) else [listed]
    assert case_id in {r["service_request_id"] for r in listed}
    # the public note when the case is resolved
    ops = area_service.client("operational")
    for step, body in (("triage", {"priority": 2}), ("assign", {"org": "sdf"}), ("resolve", {"public_note": "Städat"})):
        version = ops.get(f"/api/v1/cases/{case_id}").json()["version"]
        r = ops.post(f"/api/v1/cases/{case_id}/{step}", body, headers={"If-Match": str(version)})
        assert r.status_code == 200, (step, r.text)
    done = _client(area_service).get_service_request(case_id)
    assert (done["status"], done["status_notes"]) == ("closed", "Städat")


def test_restricted_cases_are_never_listed_and_bad_requests_get_open311_errors(area_service):
    restricted = area_service.client("reporter").post("/api/v1/observations",
                                                      observation(category="SOC-01")).json()["case_id"]
    listed = requests.get(area_service.base + "/open311/v2/requests.json",
                          params={"jurisdiction_id": "hasselby-torg"}, timeout=30).json()
    assert restricted not in {r["service_request_id"] for r in listed}
    assert requests.get(area_service.base + f"/open311/v2/requests/{restricted}.json",
                        params={"jurisdiction_id": "hasselby-torg"}, timeout=30).status_code == 404
    base = {"jurisdiction_id": "hasselby-torg", "lat": "59.3669", "long": "17.8441"}
    for form, status in [({**base, "service_code": "REN-01"}, 403),  # no api_key
                         ({**base, "service_code": "SOC-01", "api_key": area_service.tokens["reporter"]}, 404),
                         ({**base, "service_code": "REN-01", "api_key": area_service.tokens["reporter"],
                           "lat": "40.7", "long": "-74.0"}, 400)]:  # New York is in no area
        r = requests.post(area_service.base + "/open311/v2/requests.json", data=form, timeout=30)
        assert r.status_code == status, (form, r.text)
        assert r.json()[0]["code"] == status and r.json()[0]["description"]
    xml = requests.get(area_service.base + "/open311/v2/services.xml", params={"jurisdiction_id": "nowhere"},
                       timeout=30)
    assert xml.status_code == 404 and "<errors><error><code>404</code>" in xml.text
