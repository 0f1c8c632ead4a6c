"""The operational group's Excel model over HTTP: import a sheet of measures, export the board."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from flask_smorest import Blueprint
from marshmallow import fields, validate

from koll.ledger.api.auth import DECIDE, READ, requires
from koll.ledger.api.common import actor, ledger, reading
from koll.ledger.api.openapi import upload
from koll.ledger.api.errors import Problem
from koll.ledger.measure_sheet import SheetInvalid, board_rows, import_sheet, write_csv, write_xlsx
from koll.ledger.spreadsheet import XLSX_MIMETYPE as XLSX, sep_field
from koll.schema.payloads import StrictSchema

blp = Blueprint("measure_sheets", __name__, url_prefix="/api/v1",
                description="Measures as the operational group's Excel sheet: import and export")



@blp.route("/imports/measures", methods=["POST"])
@requires(*DECIDE)
@upload("the measure sheet (xlsx) in the operational group's column model")
def import_measures():  # type: ignore[no-untyped-def]
    """A sheet (xlsx, multipart field ``file``) in the operational group's column model.
    Every bad row is reported with its row number and column; a sheet with any error records nothing."""
    upload = request.files.get("file")
    if upload is None:
        raise Problem(422, "send the sheet as multipart form field 'file'", type_="/problems/invalid",
                      errors={"file": ["Missing data for required field."]})
    try:
        done = import_sheet(ledger(), actor(), upload.read(), area=request.args.get("area"))
    except SheetInvalid as e:
        raise Problem(e.status, f"{len(e.errors)} error(s) in the sheet; nothing was recorded",
                      type_="/problems/sheet", errors=e.by_cell(), rows=[x.as_dict() for x in e.errors]) from None
    return {"created": done.created, "updated": done.updated, "unchanged": done.unchanged,
            "changes": done.changes, "ignored_columns": done.ignored_columns}, 200


@blp.route("/exports/measures.xlsx")
@requires(*READ)
def export_xlsx():  # type: ignore[no-untyped-def]
    with reading() as conn:
        data = write_xlsx(board_rows(conn, actor(), request.args.get("area")))
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": 'attachment; filename="insatser.xlsx"'})


class CsvQuerySchema(StrictSchema):
    sep = sep_field()
    area = fields.String(validate=validate.Length(1, 40), metadata={"description": "one area's measures"})


@blp.route("/exports/measures.csv")
@requires(*READ)
@blp.arguments(CsvQuerySchema, location="query")
def export_csv(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    with reading() as conn:
        data = write_csv(board_rows(conn, actor(), args.get("area")), args["sep"])
    return Response(data, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="insatser.csv"'})
