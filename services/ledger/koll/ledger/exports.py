"""Cases out of Koll for spreadsheets and GIS: CSV with WGS 84 and SWEREF 99 TM, and GeoJSON.

The same filters and the same visibility as ``GET /api/v1/cases``: an export shows a reader
nothing the list would not. No web framework here: the API and the command line share it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from pyproj import Transformer

from koll.ledger.domain.base import Actor
from koll.ledger.domain.daylight import STOCKHOLM
from koll.ledger.spreadsheet import csv_text, table_xlsx
from koll.ledger.projections.situation import cases
from koll.ledger.queries.cases import case_filters, case_row, hidden_reports
from koll.ledger.queries.walks import responsible_org
from koll.schema import taxonomy

SWEREF99TM = "EPSG:3006"  # the national grid Swedish municipalities' GIS works in

CASE_COLUMNS = (
    "id", "category", "category_sv", "group", "place", "status", "priority", "assigned_org",
    "responsible_org", "visibility", "opened_at", "updated_at", "first_observed_at", "last_observed_at",
    "time_of_day", "dark", "observations", "walk_id", "lat", "lon", "sweref99tm_e", "sweref99tm_n",
    "public_note",
)


@lru_cache(maxsize=1)
def _to_sweref() -> Transformer:
    return Transformer.from_crs("EPSG:4326", SWEREF99TM, always_xy=True)


def sweref99tm(lat: float, lon: float) -> tuple[float, float]:
    """(easting, northing) in metres, rounded to the centimetre."""
    e, n = _to_sweref().transform(lon, lat)
    return round(e, 2), round(n, 2)


def case_records(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every case the reader may see that matches the filters, oldest first, with both grids."""
    q = sa.select(cases).where(*case_filters(actor, args)).order_by(cases.c.opened_at, cases.c.case_id)
    hidden = hidden_reports(conn, actor)
    for r in conn.execute(q.execution_options(yield_per=1000)):
        row = case_row(r)
        row["observations"] -= hidden.get(row["id"], 0)
        row["category_sv"] = taxonomy.category(row["category"]).sv
        row["responsible_org"] = responsible_org(row["assigned_org"], row["category"])
        row["sweref99tm_e"], row["sweref99tm_n"] = sweref99tm(row["lat"], row["lon"])
        yield row


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def to_csv(rows: Iterable[dict[str, Any]], columns: Sequence[str], sep: str = ",") -> str:
    """CSV safe to open in a spreadsheet (see ``spreadsheet.csv_text``)."""
    return csv_text(columns, ([_cell(row.get(c)) for c in columns] for row in rows), sep)


def cases_csv(conn: sa.Connection, actor: Actor, args: dict[str, Any], sep: str = ",") -> str:
    return to_csv(case_records(conn, actor, args), CASE_COLUMNS, sep)


def cases_xlsx(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> bytes:
    """The CSV's columns as a sheet, times in local time (a spreadsheet's cells have no offset)."""
    def local(v: Any) -> Any:
        return v.astimezone(STOCKHOLM) if isinstance(v, datetime) else v

    rows = ([local(row.get(c)) for c in CASE_COLUMNS] for row in case_records(conn, actor, args))
    return table_xlsx("Ärenden", CASE_COLUMNS, rows)


def case_features(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Features in WGS 84 (GeoJSON's only CRS); SWEREF 99 TM rides in the properties."""
    for row in case_records(conn, actor, args):
        props = {c: _plain(row.get(c)) for c in CASE_COLUMNS if c not in ("lat", "lon")}
        yield {"type": "Feature", "id": row["id"],
               "geometry": {"type": "Point", "coordinates": [row["lon"], row["lat"]]}, "properties": props}


def cases_geojson(conn: sa.Connection, actor: Actor, args: dict[str, Any]) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(case_features(conn, actor, args))}


def geojson_text(features: Iterable[dict[str, Any]]) -> Iterator[str]:
    """A FeatureCollection written as it is read: a whole city's map never sits in a worker's memory."""
    yield '{"type": "FeatureCollection", "features": ['
    for i, feature in enumerate(features):
        yield ("," if i else "") + json.dumps(feature, ensure_ascii=False)
    yield "]}"


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
