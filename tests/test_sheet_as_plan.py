"""The measure sheet opens as the group's own plan and can never undo their work: an older copy
is a conflict, a sheet without ids is matched, extra columns are reported, ODS is refused with
advice, and every CSV has one rule for the BOM and a Swedish separator on request."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
import uuid
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from helpers import IN_CI, observation
from koll.ledger.measure_sheet import COLUMNS, SheetInvalid, board_rows, check_sheet, import_sheet, write_xlsx
from test_excel_measures import GOOD, xlsx
from test_measures import OPS, events, step


def _export(ledger) -> bytes:
    with ledger.store.read() as conn:
        return write_xlsx(board_rows(conn))


def _edited(data: bytes, row: int, header: str, value) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book["Insatser"]
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=row, column=headers.index(header) + 1, value=value)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _without_columns(data: bytes, *names: str) -> bytes:
    book = load_workbook(io.BytesIO(data))
    sheet = book["Insatser"]
    for name in names:
        headers = [c.value for c in sheet[1]]
        sheet.delete_cols(headers.index(name) + 1)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_the_export_reads_as_a_plan_header_frozen_dates_lists_and_a4_landscape(ledger):
    import_sheet(ledger, OPS, xlsx(GOOD))
    book = load_workbook(io.BytesIO(_export(ledger)))
    sheet = book["Insatser"]
    headers = [c.value for c in sheet[1]]
    assert headers == [c.header for c in COLUMNS]
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(row=1, column=len(COLUMNS)).column_letter}3"
    start = sheet.cell(row=2, column=headers.index("När ska arbetet inledas?") + 1)
    assert start.is_date and start.number_format == "yyyy-mm-dd"
    what = sheet.cell(row=2, column=headers.index("Vad ska göras?") + 1)
    assert what.alignment.wrap_text and sheet.column_dimensions[what.column_letter].width >= 30
    assert (sheet.page_setup.orientation, sheet.page_setup.paperSize, sheet.page_setup.fitToWidth) == ("landscape", 9, 1)
    assert book["Listor"].sheet_state == "hidden"
    lists = {str(v.sqref).split(":")[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    owner = sheet.cell(row=2, column=headers.index("Vem har ansvar?") + 1).column_letter
    assert f"{owner}2" in lists
    column = lists[f"{owner}2"].split("!")[1].split(":")[0].strip("$").rstrip("$1")
    choices = [c.value for c in book["Listor"][column] if c.value]
    assert "Trafikkontoret" in choices and len(choices) > 10


def test_an_older_copy_is_a_conflict_and_never_undoes_newer_work(ledger):
    import_sheet(ledger, OPS, xlsx(GOOD))
    old_copy = _export(ledger)
    with ledger.store.read() as conn:
        night = next(r for r in board_rows(conn) if r["what"] == "Nattvandring fredagar")
    step(ledger, uuid.UUID(night["id"]), lambda m: m.revise(OPS, {"goal": "Fler vuxna ute på kvällarna"}))
    before = events(ledger)
    # the older copy again, with someone's edit of another column in it
    stale = _edited(old_copy, 2, "Ansvarig person", "Karin")
    with pytest.raises(SheetInvalid) as refused:
        import_sheet(ledger, OPS, stale)
    [conflict] = refused.value.errors
    assert (conflict.row, conflict.column) == (2, "Version")
    assert "exportera arket igen" in conflict.message["sv"]
    assert events(ledger) == before
    with ledger.store.read() as conn:
        assert next(r for r in board_rows(conn) if r["id"] == night["id"])["goal"] == "Fler vuxna ute på kvällarna"
    # a fresh export takes the same edit
    done = import_sheet(ledger, OPS, _edited(_export(ledger), 2, "Ansvarig person", "Karin"))
    assert done.changes == {night["id"]: {"owner_person": ["Lena", "Karin"]}}


def test_a_sheet_without_the_id_column_is_matched_never_imported_as_copies(service):
    ledger, ops = service.ledger, service.client("operational")
    for what in ("Belysning i garaget", "Klottersanering"):
        assert ops.post("/api/v1/measures", {"id": str(uuid.uuid4()), "what": what, "owner_org": "sdf"}).status_code == 201
    before = events(ledger)
    bare = _without_columns(_export(ledger), "Id", "Version")
    done = import_sheet(ledger, OPS, bare)
    assert (done.created, done.updated, len(done.unchanged)) == ([], [], 2)
    assert events(ledger) == before
    with pytest.raises(SheetInvalid) as refused:  # an edit needs the version it was made on
        import_sheet(ledger, OPS, _edited(bare, 2, "Ansvarig person", "Per"))
    assert refused.value.errors[0].column == "Version" and events(ledger) == before


def test_columns_koll_does_not_know_are_reported_and_a_preview_records_nothing(service):
    ledger = service.ledger
    import_sheet(ledger, OPS, xlsx(GOOD))
    exported = _edited(_edited(_export(ledger), 1, "Framgångsfaktorer", "Framgångsfaktorer"), 2,
                       "Ansvarig person", "Karin")
    book = load_workbook(io.BytesIO(exported))
    book["Insatser"].cell(row=1, column=len(COLUMNS) + 1, value="Kommentar från mötet")
    book["Insatser"].cell(row=2, column=len(COLUMNS) + 1, value="Ta upp i maj")
    out = io.BytesIO()
    book.save(out)
    before = events(ledger)
    preview = check_sheet(ledger, OPS, out.getvalue())
    assert preview.ignored_columns == ["Kommentar från mötet"] and len(preview.updated) == 1
    assert events(ledger) == before
    r = service.client("operational").post("/api/v1/imports/measures",
                                           files={"file": ("insatser.xlsx", out.getvalue())})
    assert r.status_code == 200, r.text
    assert r.json()["ignored_columns"] == ["Kommentar från mötet"]
    assert list(r.json()["changes"].values()) == [{"owner_person": ["Lena", "Karin"]}]


def test_an_ods_or_old_xls_file_is_refused_with_save_as_xlsx(service):
    ods = io.BytesIO()
    with zipfile.ZipFile(ods, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", "<office:document-content/>")
    for name, data in (("insatser.ods", ods.getvalue()), ("insatser.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)):
        r = service.client("operational").post("/api/v1/imports/measures", files={"file": (name, data)})
        assert r.status_code == 422 and "spara som xlsx" in r.text, r.text


def test_every_csv_has_a_bom_and_takes_a_swedish_separator(service):
    reporter, ops = service.client("reporter"), service.client("operational")
    assert reporter.post("/api/v1/observations", observation(note="Skräp; mycket")).status_code == 201
    assert ops.post("/api/v1/measures", {"id": str(uuid.uuid4()), "what": "Städning, torget", "owner_org": "sdf"}).status_code == 201
    for path, key in (("/api/v1/exports/cases.csv", "id"), ("/api/v1/exports/measures.csv", "Vad ska göras?")):
        for sep in (",", ";"):
            r = ops.get(path, params={"sep": sep} if sep == ";" else None)
            assert r.status_code == 200 and r.content.startswith(b"\xef\xbb\xbf"), path
            text = r.content.decode("utf-8-sig")
            assert text.splitlines()[0].count(sep) >= 5
            rows = list(csv.DictReader(io.StringIO(text), delimiter=sep))
            assert len(rows) == 1 and rows[0][key]
    assert ops.get("/api/v1/exports/cases.csv", params={"sep": "|"}).status_code == 422


def test_the_sheet_saved_again_by_libreoffice_imports_unchanged(ledger, tmp_path: Path):
    soffice = shutil.which("soffice")
    if soffice is None:
        if IN_CI:
            pytest.fail("LibreOffice (soffice) is not installed: infra/system-deps installs it")
        pytest.skip("LibreOffice is not installed")
    import_sheet(ledger, OPS, xlsx(GOOD))
    source = tmp_path / "insatser.xlsx"
    source.write_bytes(_export(ledger))
    out = tmp_path / "lo"
    for fmt in ("pdf", "ods"):
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                        fmt, "--outdir", str(out), str(source)], check=True, capture_output=True, timeout=180)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
                    "xlsx", "--outdir", str(tmp_path / "back"), str(out / "insatser.ods")], check=True,
                   capture_output=True, timeout=180)
    pdf = (out / "insatser.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1  # every column on one A4 page, not spread over many
    before = events(ledger)
    again = import_sheet(ledger, OPS, (tmp_path / "back" / "insatser.xlsx").read_bytes())
    assert len(again.unchanged) == 2 and events(ledger) == before
