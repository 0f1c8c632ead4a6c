"""Trygghetsmätning as a CSV file: one row a result (datum; fråga; plats; värde; enhet).

The district's survey comes as a spreadsheet; saved as CSV (semicolon or comma, decimal comma
or point, UTF-8 with or without BOM) it reads here. Every row is checked before anything is
recorded; a refusal names the line and the column.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from koll.ledger.domain.base import DomainError

COLUMNS = {"datum": "date", "fråga": "question", "plats": "place", "värde": "value", "enhet": "unit"}
REQUIRED = ("date", "question", "value")
MAX_ROWS = 5000


def parse_survey(text: str) -> list[dict[str, Any]]:
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise DomainError("the file is empty", sv="filen är tom", field="file")
    delimiter = ";" if text.splitlines()[0].count(";") >= text.splitlines()[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader)]
    names = [COLUMNS.get(h) for h in header]
    missing = [sv for sv, en in COLUMNS.items() if en in REQUIRED and en not in names]
    if missing:
        raise DomainError(f"the first line lacks the column(s) {', '.join(missing)}",
                          sv=f"första raden saknar kolumnen {', '.join(missing)} (datum; fråga; plats; värde; enhet)",
                          field="file", line=1)
    rows = []
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        row = {n: c.strip() for n, c in zip(names, cells) if n}
        where = f"rad {line}"
        if not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", row.get("date", "")):
            raise DomainError(f"line {line}: the date is YYYY or YYYY-MM-DD",
                              sv=f"{where}, datum: skriv år eller ÅÅÅÅ-MM-DD", field="file", line=line)
        if not row.get("question"):
            raise DomainError(f"line {line}: the question is empty", sv=f"{where}, fråga: tom", field="file", line=line)
        try:
            value = float(row.get("value", "").replace(",", ".").replace("%", "").replace("\u00a0", "").strip())
        except ValueError:
            raise DomainError(f"line {line}: the value is not a number", sv=f"{where}, värde: inte ett tal",
                              field="file", line=line) from None
        rows.append({"date": row["date"], "question": row["question"][:300], "place": row.get("place") or None,
                     "value": value, "unit": (row.get("unit") or None)})
        if len(rows) > MAX_ROWS:
            raise DomainError(f"more than {MAX_ROWS} rows", sv=f"fler än {MAX_ROWS} rader", field="file")
    if not rows:
        raise DomainError("the survey has no rows", sv="mätningen har inga rader", field="file")
    return rows
