"""What a spreadsheet does to text, how Koll's exports keep text as text, and what a sheet may
cost to open."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# An xlsx is a zip of XML. 0.2 MB of it can unpack to 160 MB of empty rows, and openpyxl reads
# whatever it is given: these bound a sheet before it is opened and while it is read.
MAX_UNPACKED = 64 * 1024 * 1024  # twenty thousand rows of long texts fit in a fraction of it
MAX_MEMBERS = 1_000
MAX_COLUMNS = 200  # the column model has some thirty; a header wider than this is not ours


def unpacked_size(data: bytes) -> int:
    """What a zip unpacks to, from its directory alone: Python's zipfile never hands out more
    than a member declares, so the sum bounds what openpyxl can get. Raises zipfile.BadZipFile."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        members = z.infolist()
    if len(members) > MAX_MEMBERS:
        return MAX_UNPACKED + 1
    return sum(m.file_size for m in members)


# Excel and LibreOffice run a cell that starts with one of these as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defused(value: Any) -> Any:
    """For CSV, which carries no types: text that a spreadsheet would run gets a leading apostrophe."""
    if isinstance(value, str) and value[:1] in FORMULA_START:
        return "'" + value
    return value


def text_cell(sheet: Any, value: Any) -> Any:
    """For xlsx, which does: a string is written as a string cell, so '=…' stays text and reads back the
    same, and the control characters XML cannot hold are left out instead of failing the export."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return value
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"  # openpyxl took a leading '=' for a formula
    return cell


SEPARATORS = (",", ";")


def sep_field() -> Any:
    """The query argument that picks the separator."""
    from marshmallow import fields, validate

    return fields.String(load_default=",", validate=validate.OneOf(SEPARATORS),
                         metadata={"description": "the CSV's separator: ',' or ';' (for an Excel set to Swedish)"})



def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]], sep: str = ",",
               every: int = 500) -> Iterator[str]:
    """Every CSV Koll writes, one way, in pieces for streaming: UTF-8 with a byte-order mark
    (Excel reads UTF-8 only then; GDAL, pandas and Python's "utf-8-sig" skip it), a header row,
    text a spreadsheet would run defused, and ``sep=";"`` for an Excel set to Swedish, where the
    comma is the decimal sign."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else defused(v) for v in row])
        if n % every == 0:
            yield out.getvalue()
            out.seek(0)
            out.truncate()
    yield out.getvalue()


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]], sep: str = ",") -> str:
    return "".join(csv_chunks(header, rows, sep))


def print_on_a4_landscape(sheet: Any) -> None:
    """Printed, every column fits one A4 page's width, landscape, as many pages down as needed."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def table_xlsx(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """A plain table as people expect one: bold frozen header with a filter, columns wide enough
    for what they hold (up to a point), times as times, A4 landscape one page wide."""
    from datetime import date, datetime

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(title)
    body: list[list[Any]] = []
    widths = [len(h) + 2 for h in header]
    for row in rows:
        out = []
        for i, v in enumerate(row):
            if isinstance(v, datetime):
                v = v.replace(tzinfo=None)  # Excel has no offsets: the caller gives local time
            cell = text_cell(sheet, v)
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(sheet, value=cell)
            if isinstance(v, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(v, date):
                cell.number_format = "yyyy-mm-dd"
            widths[i] = min(max(widths[i], len(str(v)) + 2 if v is not None else 0), 50)
            out.append(cell)
        body.append(out)
    for i, w in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = max(w, 16 if i == 1 else 8)
    sheet.freeze_panes = "B2"
    print_on_a4_landscape(sheet)
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(body) + 1}"
    bold = Font(bold=True)
    heads = []
    for h in header:
        cell = WriteOnlyCell(sheet, value=h)
        cell.font = bold
        heads.append(cell)
    sheet.append(heads)
    for out in body:
        sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
