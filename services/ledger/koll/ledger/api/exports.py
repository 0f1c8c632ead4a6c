"""Exports for spreadsheets and GIS, one route a file; the work is done in ``koll.ledger.exports``.

Sections: cases (CSV with WGS 84 and SWEREF 99 TM, GeoJSON); measures (CSV, xlsx) below.
"""

from __future__ import annotations

from typing import Any

from flask import Response, stream_with_context
from flask_smorest import Blueprint

from koll.ledger.api.auth import READ, requires
from koll.ledger.api.common import actor, reading
from koll.ledger.exports import case_features, case_records, cases_csv, cases_xlsx, geojson_text
from koll.ledger.kml import MIMETYPE as KML, cases_kml
from koll.ledger.spreadsheet import XLSX_MIMETYPE as XLSX, sep_field
from koll.schema.payloads import CaseQuerySchema

blp = Blueprint("exports", __name__, url_prefix="/api/v1", description="Exports (CSV, GeoJSON, Excel)")


def attachment(body: Any, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- Cases -----------------------------------------------------------------------------------

# The list's filters, without paging: an export is the whole selection.
CaseExportQuerySchema = CaseQuerySchema(exclude=("limit", "offset"))


class CaseCsvQuerySchema(CaseQuerySchema):
    sep = sep_field()


@blp.route("/exports/cases.csv")
@requires(*READ)
@blp.arguments(CaseCsvQuerySchema(exclude=("limit", "offset")), location="query")
def export_cases_csv(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The cases the reader may see, one row each, with lat/lon and SWEREF 99 TM (EPSG:3006);
    `?sep=;` for an Excel set to Swedish."""
    sep = args.pop("sep")
    with reading() as conn:
        body = cases_csv(conn, actor(), args, sep)
    return attachment(body, "text/csv", "arenden.csv")


@blp.route("/exports/cases.kml")
@requires(*READ)
@blp.arguments(CaseExportQuerySchema, location="query")
def export_cases_kml(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The cases as KML placemarks (Google Earth, QGIS, what KoboToolbox users open)."""
    who = actor()

    def body():  # type: ignore[no-untyped-def]
        with reading() as conn:
            yield from cases_kml(case_records(conn, who, args))

    return attachment(stream_with_context(body()), KML, "arenden.kml")


@blp.route("/exports/cases.xlsx")
@requires(*READ)
@blp.arguments(CaseExportQuerySchema, location="query")
def export_cases_xlsx(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The cases as an Excel sheet: the CSV's columns, with dates as dates."""
    with reading() as conn:
        data = cases_xlsx(conn, actor(), args)
    return attachment(data, XLSX, "arenden.xlsx")


@blp.route("/exports/cases.geojson")
@requires(*READ)
@blp.arguments(CaseExportQuerySchema, location="query")
def export_cases_geojson(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The cases as a GeoJSON FeatureCollection (WGS 84), SWEREF 99 TM in the properties."""
    who = actor()

    def body():  # type: ignore[no-untyped-def]
        with reading() as conn:
            yield from geojson_text(case_features(conn, who, args))

    return attachment(stream_with_context(body()), "application/geo+json", "arenden.geojson")


# --- Measures --------------------------------------------------------------------------------
