"""More formats people use: the cases as KML and as an Excel sheet, a walk's protocol as KML;
the map pages with limit/offset; coordinates with seven decimals at most."""

from __future__ import annotations

import io
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime

from openpyxl import load_workbook

from helpers import observation
from koll.schema import taxonomy

KML = "{http://www.opengis.net/kml/2.2}"


def _filed(service, **kw) -> str:
    r = service.client("reporter").post("/api/v1/observations", observation(**kw))
    assert r.status_code == 201, r.text
    return r.json()["case_id"]


def test_cases_as_kml_hold_what_the_reader_may_see_with_escaped_text(service):
    public = _filed(service, location={"lat": 59.366912345678901, "lon": 17.8441, "accuracy_m": 5.0, "source": "gps"})
    restricted = _filed(service, category="SOC-01")
    ops = service.client("operational")
    r = ops.get("/api/v1/exports/cases.kml")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("application/vnd.google-earth.kml+xml")
    root = ET.fromstring(r.content)  # a real XML parser: the document is well-formed
    marks = root.findall(f".//{KML}Placemark")
    ids = {d.find(f"{KML}value").text for m in marks for d in m.iter(f"{KML}Data") if d.get("name") == "id"}
    assert ids == {public} and restricted not in r.text
    lon, lat = marks[0].find(f".//{KML}coordinates").text.split(",")
    assert (float(lon), lat) == (17.8441, "59.3669123")  # seven decimals, not a float's noise
    assert marks[0].find(f"{KML}name").text == taxonomy.category("REN-01").sv
    police = service.client("police").get("/api/v1/exports/cases.kml")
    assert restricted in police.text


def test_a_walks_protocol_as_kml_draws_the_route_and_its_findings(service):
    staff = service.client("operational")
    walk = str(uuid.uuid4())
    assert staff.post("/api/v1/walks", {"id": walk, "title": "Kvällsvandring <torget> & tunnelbanan",
                                        "planned_at": "2026-11-20T18:00:00+01:00",
                                        "route": ["torget", "tunnelbaneuppgangen"], "organisations": ["sdf"]}).status_code == 201
    assert staff.post(f"/api/v1/walks/{walk}/start", {}, headers={"If-Match": "1"}).status_code == 200
    _filed(service, walk_id=walk, note="Trasig lampa vid trappan")
    r = staff.get(f"/api/v1/walks/{walk}/protocol.kml")
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)
    assert root.find(f".//{KML}Document/{KML}name").text == "Kvällsvandring <torget> & tunnelbanan"
    line = root.find(f".//{KML}LineString/{KML}coordinates").text.split()
    assert len(line) == 2
    notes = [d.find(f"{KML}value").text for d in root.iter(f"{KML}Data") if d.get("name") == "anteckning"]
    assert notes == ["Trasig lampa vid trappan"]


def test_cases_as_xlsx_have_the_csvs_columns_and_local_times(service):
    case_id = _filed(service)
    book = load_workbook(io.BytesIO(service.client("operational").get("/api/v1/exports/cases.xlsx").content))
    sheet = book["Ärenden"]
    header = [c.value for c in sheet[1]]
    assert header[0] == "id" and "sweref99tm_e" in header and all(c.font.b for c in sheet[1])
    row = {h: c.value for h, c in zip(header, sheet[2])}
    assert row["id"] == case_id and isinstance(row["opened_at"], datetime)
    assert sheet.freeze_panes == "B2" and sheet.page_setup.orientation == "landscape"


def test_the_map_honours_limit_and_offset_and_without_them_gives_every_point(service):
    ids = [_filed(service) for _ in range(5)]
    ops = service.client("operational")
    everything = ops.get("/api/v1/situation/map").json()["features"]
    assert [f["id"] for f in everything] == ids  # oldest first
    page = ops.get("/api/v1/situation/map", params={"limit": 2, "offset": 2}).json()["features"]
    assert [f["id"] for f in page] == ids[2:4]
    assert ops.get("/api/v1/situation/map", params={"limit": 0}).status_code == 422
