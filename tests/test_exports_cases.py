"""Cases out to spreadsheets and GIS on SQLite and PostgreSQL: both coordinate systems right,
the list's filters and visibility kept, and the same from the command line."""

from __future__ import annotations

import csv
import io
import json

import pytest
from pyproj import Transformer

from helpers import observation
from koll.ledger import cli
from koll.ledger.exports import sweref99tm
from koll.schema import taxonomy

METRO = taxonomy.place("tunnelbaneuppgangen")


def rows(answer) -> list[dict[str, str]]:
    assert answer.status_code == 200, answer.text
    return list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))  # every CSV starts with a BOM


def test_sweref_99_tm_of_the_metro_entrance_is_where_the_national_grid_has_it():
    e, n = sweref99tm(METRO.lat, METRO.lon)
    expected = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(METRO.lon, METRO.lat)
    assert (e, n) == pytest.approx(expected, abs=0.01)
    # Hässelby lies west of Stockholm's centre (E ~674 000) and north of it (N ~6 580 000).
    assert 655_000 < e < 668_000 and 6_580_000 < n < 6_590_000
    # 0.001° of latitude is ~111 m northwards on the grid: the axes are not swapped.
    _, n2 = sweref99tm(METRO.lat + 0.001, METRO.lon)
    assert n2 - n == pytest.approx(111.3, abs=1.5)


def _file(service, **overrides) -> str:
    answer = service.client("reporter").post("/api/v1/observations", observation(**overrides))
    assert answer.status_code == 201, answer.text
    return answer.json()["case_id"]


def test_cases_csv_has_both_grids_and_the_lists_filters(service):
    metro = _file(service)
    garage = _file(service, category="KLO-01", place="garaget",
                   location={"lat": 59.3660, "lon": 17.8426, "accuracy_m": 5.0, "source": "gps"})
    ops = service.client("operational")
    answer = ops.get("/api/v1/exports/cases.csv")
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in answer.headers["Content-Disposition"]
    found = {r["id"]: r for r in rows(answer)}
    assert set(found) == {metro, garage}
    row = found[metro]
    e, n = Transformer.from_crs("EPSG:4326", "EPSG:3006", always_xy=True).transform(float(row["lon"]),
                                                                                     float(row["lat"]))
    assert (float(row["sweref99tm_e"]), float(row["sweref99tm_n"])) == pytest.approx((e, n), abs=0.01)
    assert (row["category"], row["place"], row["responsible_org"], row["dark"]) == (
        "REN-01", "tunnelbaneuppgangen", "sdf", "true")
    assert [r["id"] for r in rows(ops.get("/api/v1/exports/cases.csv?category=KLO-01"))] == [garage]
    assert [r["id"] for r in rows(ops.get("/api/v1/exports/cases.csv?bbox=17.8440,59.3668,17.8442,59.3670"))] == [
        metro]
    listed = ops.get("/api/v1/cases?status=new").json()["cases"]
    assert sorted(r["id"] for r in rows(ops.get("/api/v1/exports/cases.csv?status=new"))) == sorted(
        c["id"] for c in listed)


def test_exports_show_nobody_what_the_list_would_not(service):
    mine = _file(service)
    restricted = _file(service, category="SOC-01", attributes={})
    assert {r["id"] for r in rows(service.client("police").get("/api/v1/exports/cases.csv"))} == {mine, restricted}
    assert {r["id"] for r in rows(service.client("operational").get("/api/v1/exports/cases.csv"))} == {mine}
    features = service.client("strategic").get("/api/v1/exports/cases.geojson").json()["features"]
    assert [f["id"] for f in features] == [mine]
    assert service.client(None).get("/api/v1/exports/cases.csv").status_code == 401


def test_cases_geojson_is_a_feature_collection_in_lon_lat_order(service):
    case_id = _file(service)
    answer = service.client("operational").get("/api/v1/exports/cases.geojson")
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("application/geo+json")
    doc = answer.json()
    assert doc["type"] == "FeatureCollection"
    (feature,) = doc["features"]
    assert feature["id"] == case_id and feature["geometry"] == {"type": "Point", "coordinates": [17.8441, 59.3669]}
    props = feature["properties"]
    assert (props["sweref99tm_e"], props["sweref99tm_n"]) == pytest.approx(sweref99tm(59.3669, 17.8441))
    assert props["category_sv"] == "Nedskräpning" and props["status"] == "new"


@pytest.mark.parametrize("query, field", [("status=nonsense", "status"), ("bbox=1,2,3", "bbox"),
                                          ("category=XYZ-99", "category"), ("since=igår", "since")])
def test_bad_filters_are_422_problems(service, query, field):
    answer = service.client("operational").get(f"/api/v1/exports/cases.geojson?{query}")
    assert answer.status_code == 422
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert field in answer.json()["errors"]


def test_koll_export_cases_from_the_command_line(service, monkeypatch, capsysbinary, tmp_path):
    case_id = _file(service)
    _file(service, category="SOC-01", attributes={})  # the command line acts as the system: sees all
    settings = service.koll.settings
    monkeypatch.setenv("KOLL_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("KOLL_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("KOLL_SECRET_KEY", "test")
    assert cli.main(["export", "cases", "--format", "csv"]) == 0
    exported = list(csv.DictReader(io.StringIO(capsysbinary.readouterr().out.decode("utf-8-sig"))))
    assert len(exported) == 2 and {"sweref99tm_e", "sweref99tm_n", "lat", "lon"} <= set(exported[0])
    out = tmp_path / "arenden.geojson"
    assert cli.main(["export", "cases", "--format", "geojson", "--category", "REN-01", "-o", str(out)]) == 0
    assert [f["id"] for f in json.loads(out.read_text("utf-8"))["features"]] == [case_id]
    assert cli.main(["export", "cases", "--format", "pdf"]) == 2
