"""What a spreadsheet does to text, how Koll's exports keep text as text, and what a sheet may
cost to open."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

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
