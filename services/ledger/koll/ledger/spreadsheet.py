"""What a spreadsheet does to text, and how Koll's exports keep text as text."""

from __future__ import annotations

from typing import Any

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
