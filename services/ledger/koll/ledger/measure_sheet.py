"""The operational group's Excel model of measures: reading a sheet into rows the ledger can
check, and writing the board back out (xlsx, csv) so that an export imports again unchanged.

Cells hold what people write: Swedish labels ("Situationell prevention"), codes
("situationell") or English labels are all understood; exports write the Swedish labels.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from marshmallow import ValidationError

from koll.ledger.spreadsheet import (MAX_COLUMNS, MAX_UNPACKED, csv_text, print_on_a4_landscape, text_cell,
                                     unpacked_size)
from koll.schema import taxonomy, vocabulary
from koll.schema.messages import bilingual, flatten, msg
from koll.schema.payloads_measures import SheetRowSchema


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "text"  # text | date | term | org | orgs | bool | int
    terms: tuple[Any, ...] = ()


_ORGS = taxonomy.ORGANISATIONS
COLUMNS: tuple[Column, ...] = (
    Column("Id", "id"),
    # The measure's version when the sheet was exported: a row changed in Koll since then is a
    # conflict on import, never silently reverted to the older copy.
    Column("Version", "version", "int"),
    Column("Vad ska göras?", "what"),
    Column("När ska arbetet inledas?", "start", "date"),
    Column("När ska det vara slutfört?", "end", "date"),
    Column("Vad ska uppnås?", "goal"),
    Column("Vilka resurser behövs/ska tillföras?", "resources"),
    Column("Vilka indikatorer finns för framgång?", "indicators_text"),
    Column("Vad har vi uppnått?", "achieved"),
    Column("Vem har ansvar?", "owner_org", "org", _ORGS),
    Column("Ansvarig person", "owner_person"),
    Column("Hur ska det följas upp?", "follow_up"),
    Column("Insatsgrupp", "palette", "term", vocabulary.PALETTE),
    Column("Spår", "track", "term", vocabulary.TRACKS),
    Column("Tidshorisont", "horizon", "term", vocabulary.HORIZONS),
    Column("Fokusområde", "focus_area", "term", vocabulary.FOCUS_AREAS),
    Column("Status", "status", "term", vocabulary.MEASURE_STATUSES),
    Column("Måluppfyllelse", "outcome", "term", vocabulary.OUTCOMES),
    Column("Orsak till avvikelse", "deviation_reason"),
    Column("Framgångsfaktorer", "success_factors"),
    Column("Samverkanspartner", "partners", "orgs", _ORGS),
    Column("Ordinarie drift", "in_operations", "bool"),
    *(Column(d.sv, f"sorting.{d.code}", "term", vocabulary.SORTINGS[d.code]) for d in vocabulary.SORTING_DIMENSIONS),
    Column("Prioritet", "sorting.priority", "int"),
    Column("Synergi", "sorting.synergy", "bool"),
)
BY_HEADER = {c.header.casefold(): c for c in COLUMNS}
HEADER_OF = {c.field: c.header for c in COLUMNS}
REQUIRED = "Vad ska göras?"
_YES, _NO = {"ja", "yes", "true", "1", "x"}, {"nej", "no", "false", "0", ""}
MAX_ROWS = 20_000  # rows read, empty or not: a sheet of a million empty rows costs what it says


@dataclass
class Read:
    """A sheet as read: its rows, the cells that could not be read, and what its header says."""

    rows: list[tuple[int, dict[str, Any]]]
    errors: list["SheetError"]
    ignored: list[str]  # headers Koll does not know: reported, not silently dropped
    columns: set[str]  # the fields the sheet has a column for


@dataclass
class SheetError:
    row: int
    column: str
    message: dict[str, str]

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "message": self.message}


class SheetInvalid(Exception):
    """A sheet that cannot be read or has bad rows: every error, with its row and column."""

    status = 422

    def __init__(self, errors: list[SheetError]) -> None:
        super().__init__(f"{len(errors)} error(s) in the sheet")
        self.errors = errors

    def by_cell(self) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for e in self.errors:
            key = f"rad {e.row}: {e.column}" if e.column else f"rad {e.row}" if e.row else "file"
            out.setdefault(key, []).append(e.message)
        return out


class SheetTooLarge(SheetInvalid):
    """More than a sheet of measures can be: refused before it costs the server its time."""

    status = 413

    def __init__(self) -> None:
        super().__init__([SheetError(0, "", msg("sheet_too_large", max_mb=MAX_UNPACKED // (1024 * 1024),
                                                max_rows=MAX_ROWS))])


def header_of(field: str) -> str:
    """The column an error belongs to (domain errors name fields, people read headers)."""
    return HEADER_OF.get(field) or HEADER_OF.get(field.split(".")[0], field if field != "_" else "")


# --- Reading ---------------------------------------------------------------------------------


OTHER_FORMATS = {
    b"application/vnd.oasis.opendocument.spreadsheet": "ods",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old binary .xls


def refuse_other_formats(data: bytes) -> None:
    """An ODS or an old .xls is not read as garbage: the answer says to save it as xlsx."""
    if data.startswith(OLE_MAGIC) or (data[:4] == b"PK\x03\x04" and any(
            mime in data[30:120] for mime in OTHER_FORMATS)):
        raise SheetInvalid([SheetError(0, "", msg("save_as_xlsx"))])


def read_xlsx(data: bytes) -> Read:
    """Rows of a sheet as the ledger's import takes them, (row number, payload), and the cells
    that could not be read; raises SheetInvalid when there is no sheet or no header."""
    from openpyxl import load_workbook

    refuse_other_formats(data)

    try:
        too_large = unpacked_size(data) > MAX_UNPACKED
        book = None if too_large else load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any unreadable file is the same answer to the user
        raise SheetInvalid([SheetError(0, "", msg("not_a_sheet"))]) from None
    if book is None:
        raise SheetTooLarge()
    try:
        sheet = book.worksheets[0]
        return read_rows(_bounded(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True)))
    finally:
        book.close()


def _bounded(rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The sheet's rows as openpyxl reads them, lazily: at most MAX_ROWS of them, empty or not, and a
    cell openpyxl cannot read (a number cell holding text) named by its row."""
    number = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as e:  # noqa: BLE001 - openpyxl raises what its parsing of the cell raised
            raise SheetInvalid([SheetError(number + 1, "", msg("unreadable_cell", value=str(e)[:120]))]) from None
        number += 1
        if number > MAX_ROWS:
            raise SheetTooLarge()
        yield values


def read_rows(cells: Iterable[tuple[Any, ...]]) -> Read:
    """Rows (first the header) into payloads; the header row is the first of the first five
    that has "Vad ska göras?", so a title above the table is fine."""
    rows = iter(cells)
    header: list[Column | None] | None = None
    number = 0
    for number, values in enumerate(rows, start=1):
        names = [str(v).strip().casefold() if v is not None else "" for v in values]
        if REQUIRED.casefold() in names:
            header = [BY_HEADER.get(n) for n in names]
            break
        if number >= 5:
            break
    if header is None:
        raise SheetInvalid([SheetError(1, REQUIRED, msg("column_missing", value=REQUIRED))])
    present = {c.field for c in header if c}
    ignored = [str(v).strip() for v, c in zip(values, header, strict=False) if c is None and v is not None
               and str(v).strip()]
    errors: list[SheetError] = []
    out: list[tuple[int, dict[str, Any]]] = []
    schema = SheetRowSchema()
    for number, values in enumerate(rows, start=number + 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        raw: dict[str, Any] = {"sorting": {}}
        for column, value in zip(header, values, strict=False):
            if column is None:
                continue
            try:
                parsed = _cell(column, value)
            except ValidationError as e:
                errors.append(SheetError(number, column.header, e.messages))  # type: ignore[arg-type]
                continue
            if column.field.startswith("sorting."):
                if parsed is not None:
                    raw["sorting"][column.field[8:]] = parsed
            elif parsed is not None or column.field in present:
                raw[column.field] = parsed
        try:
            loaded = schema.load(raw)
        except ValidationError as e:
            for field, messages in flatten(e.messages).items():
                errors.extend(SheetError(number, header_of(field), m) for m in messages)
            continue
        # Only the columns the sheet has: a missing column leaves the measure's value as it is.
        row = {k: v for k, v in loaded.items() if k in present or k in ("id",)}
        sorting_keys = [f[8:] for f in present if f.startswith("sorting.")]
        if sorting_keys:
            row["sorting"] = loaded["sorting"]
            row["sorting_columns"] = sorting_keys
        out.append((number, row))
    return Read(out, errors, ignored, present)


def _cell(column: Column, value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
    if value is None or value == "":
        return [] if column.kind == "orgs" else None
    if column.kind == "date":
        if isinstance(value, (datetime, date)):
            return value.isoformat()[:10]
        try:
            return date.fromisoformat(str(value)[:10]).isoformat()
        except ValueError:
            raise ValidationError(msg("not_a_date", value=value)) from None  # type: ignore[arg-type]
    if column.kind in ("term", "org"):
        return _term(column, value)
    if column.kind == "orgs":
        return [_term(column, part.strip()) for part in str(value).split(";") if part.strip()]
    if column.kind == "bool":
        text = str(value).strip().casefold()
        if text in _YES or value is True:
            return True
        if text in _NO or value is False:
            return False
        raise ValidationError(msg("unknown_value", value=value, choices="Ja, Nej"))  # type: ignore[arg-type]
    if column.kind == "int":
        try:
            return int(value)
        except (TypeError, ValueError):
            raise ValidationError(bilingual("Not a valid integer.")) from None  # type: ignore[arg-type]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _term(column: Column, value: Any) -> str:
    text = str(value).strip().casefold()
    for t in column.terms:
        if text in (t.code.casefold(), t.sv.casefold(), t.en.casefold()):
            return t.code
    choices = ", ".join(t.sv for t in column.terms)
    raise ValidationError(msg("unknown_value", value=value, choices=choices))  # type: ignore[arg-type]


def import_sheet(ledger: Any, by: Any, data: bytes, area: str | None = None) -> Any:
    """Read and record a sheet, all or nothing; SheetInvalid names every bad cell, whether the
    cell cannot be read or the row breaks a rule of the domain."""

    return check_sheet(ledger, by, data, record=True, area=area)


def check_sheet(ledger: Any, by: Any, data: bytes, record: bool = False, area: str | None = None) -> Any:
    """What importing the sheet would do (created, changed column by column, conflicts), without
    recording unless ``record``: the boards show this as the preview before the import."""
    from koll.ledger.usecases.measures import SheetRejected

    sheet = read_xlsx(data)
    errors = list(sheet.errors)
    done = None
    try:
        # Rows that could be read are still checked against the domain's rules, so that one
        # answer names every bad row; with any error, nothing is recorded.
        done = ledger.import_measures(by, sheet.rows, record=record and not errors,
                                      versioned="version" in sheet.columns, with_ids="id" in sheet.columns,
                                      area=area)
    except SheetRejected as e:
        errors += [SheetError(r.row, header_of(r.field), {"sv": r.message, "en": r.message}) for r in e.errors]
    if errors:
        raise SheetInvalid(sorted(errors, key=lambda e: e.row))
    done.ignored_columns = sheet.ignored
    return done


# --- Writing ---------------------------------------------------------------------------------


def _label(column: Column, code: Any) -> Any:
    for t in column.terms:
        if t.code == code:
            return t.sv
    return code


def cells(measure: dict[str, Any]) -> list[Any]:
    """One board row as the sheet's cells, in COLUMNS order."""
    out: list[Any] = []
    for c in COLUMNS:
        if c.field.startswith("sorting."):
            value = measure["sorting"].get(c.field[8:])
        else:
            value = measure.get(c.field)
        if c.kind in ("term", "org"):
            value = _label(c, value)
        elif c.kind == "orgs":
            value = "; ".join(_label(c, v) for v in value) or None
        elif c.kind == "bool" and value is not None:
            value = "Ja" if value else "Nej"
        elif c.kind == "date" and value:
            value = date.fromisoformat(value)
        out.append(value)
    return out


# Widths in characters, by what a column holds: enough to read without widening by hand.
_WIDTH = {"id": 38, "version": 9, "what": 40, "date": 12, "term": 22, "org": 26, "orgs": 30, "bool": 10, "int": 9,
          "text": 32}
LISTS = "Listor"  # the hidden sheet the drop-down lists read their choices from


def _choices(column: Column) -> list[str]:
    if column.kind == "bool":
        return ["Ja", "Nej"]
    return [t.sv for t in column.terms]


def write_xlsx(rows: Iterable[dict[str, Any]]) -> bytes:
    """The board as the group's own plan: a bold, frozen, filtered header, widths and wrapped
    text, real dates, drop-down lists for the vocabulary columns, and A4 landscape one page wide."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import Cell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Insatser")
    lists = book.create_sheet(LISTS)
    lists.sheet_state = "hidden"
    for i, c in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = _WIDTH.get(c.field, _WIDTH[c.kind])
    sheet.freeze_panes = "C2"  # the header and what is to be done stay in view
    sheet.print_title_rows = "1:1"
    print_on_a4_landscape(sheet)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDE7F0")
    wrap = Alignment(wrap_text=True, vertical="top")
    header = []
    for c in COLUMNS:
        cell = WriteOnlyCell(sheet, value=c.header)
        cell.font, cell.fill, cell.alignment = bold, fill, wrap
        header.append(cell)
    sheet.append(header)
    count = 0
    for m in rows:
        out = []
        for c, v in zip(COLUMNS, cells(m), strict=True):
            cell = text_cell(sheet, v)
            if not isinstance(cell, Cell):
                cell = WriteOnlyCell(sheet, value=cell)
            if c.kind == "date":
                cell.number_format = "yyyy-mm-dd"
            cell.alignment = wrap
            out.append(cell)
        sheet.append(out)
        count += 1
    last = get_column_letter(len(COLUMNS))
    sheet.auto_filter.ref = f"A1:{last}{count + 1}"
    # Drop-down lists: a column of choices each on the hidden sheet (a list written inline is
    # capped at 255 characters, which the organisations' names pass).
    listed = [c for c in COLUMNS if c.kind in ("term", "org", "bool")]
    longest = max(len(_choices(c)) for c in listed)
    for i in range(longest):
        lists.append([(_choices(c)[i] if i < len(_choices(c)) else None) for c in listed])
    for j, c in enumerate(listed, start=1):
        col, target = get_column_letter(j), get_column_letter(COLUMNS.index(c) + 1)
        rule = DataValidation(type="list", formula1=f"{LISTS}!${col}$1:${col}${len(_choices(c))}",
                              allow_blank=True, showErrorMessage=False)
        rule.add(f"{target}2:{target}{max(count + 200, 1000)}")
        sheet.data_validations.append(rule)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_csv(rows: Iterable[dict[str, Any]], sep: str = ",") -> bytes:
    return csv_text([c.header for c in COLUMNS],
                    ([v.isoformat() if isinstance(v, date) else v for v in cells(m)] for m in rows), sep).encode("utf-8")


def board_rows(conn: Any, viewer: Any = None, area: str | None = None) -> list[dict[str, Any]]:
    """Every measure as the export writes it, oldest first (of the viewer's areas, or ``area``)."""
    import sqlalchemy as sa

    from koll.ledger.projections.measures import measures
    from koll.ledger.queries.measures import in_measure_areas, measure_row, today

    q = (sa.select(measures).where(*in_measure_areas(viewer, area))
         .order_by(measures.c.proposed_at, measures.c.measure_id))
    return [measure_row(r, today()) for r in conn.execute(q)]

