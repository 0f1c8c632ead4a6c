"""The operational group's Excel sheet on SQLite and PostgreSQL: import all or nothing with every
bad row named, exports to xlsx and csv, and an export → import round trip that loses nothing."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from koll.ledger import cli
from koll.ledger.measure_sheet import COLUMNS, SheetInvalid, board_rows, import_sheet, write_xlsx
from koll.ledger.store import Store
from koll.ledger.application import Ledger
from test_measures import OPS, events, step

HEADERS = ["Vad ska göras?", "När ska arbetet inledas?", "När ska det vara slutfört?", "Vad ska uppnås?",
           "Vilka resurser behövs/ska tillföras?", "Vilka indikatorer finns för framgång?", "Vad har vi uppnått?",
           "Vem har ansvar?", "Ansvarig person", "Hur ska det följas upp?", "Insatsgrupp", "Spår", "Tidshorisont",
           "Fokusområde", "Status"]
GOOD = [
    ["Nattvandring fredagar", date(2018, 6, 1), date(2018, 12, 31), "Vuxna på torget", "Västar, fika",
     "Antal pass", None, "Civilsamhället (föreningar, nattvandrare, grannsamverkan)", "Lena",
     "Rapport var tredje vecka", "Mobilisera civilsamhället", "trygghet", "kort", "platser", "Påbörjad"],
    ["Belysning i garaget", "2018-06-15", "2018-09-30", "Inga mörka hörn", "Elektriker", "Trasiga armaturer",
     "Alla armaturer bytta", "fastighetsagare", "Per", "Trygghetsvandring", "situationell", "Boende", "kort",
     "platser", "idea"],
]


def xlsx(rows, headers=HEADERS, title: str | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    if title:
        sheet.append([title])
    sheet.append(headers)
    for r in rows:
        sheet.append(r)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_sheet_in_the_groups_column_model_is_imported_and_again_changes_nothing(ledger):
    done = import_sheet(ledger, OPS, xlsx(GOOD, title="Insatser Hässelby torg 2018"))
    assert len(done.created) == 2
    with ledger.store.read() as conn:
        rows = {r["what"]: r for r in board_rows(conn)}
    night = rows["Nattvandring fredagar"]
    assert (night["status"], night["owner_org"], night["palette"], night["start"], night["end"]) == (
        "started", "civilsamhallet", "mobilisera", "2018-06-01", "2018-12-31")
    assert rows["Belysning i garaget"]["track"] == "boende"
    before = events(ledger)
    again = import_sheet(ledger, OPS, xlsx(GOOD))
    assert (again.created, again.updated, len(again.unchanged)) == ([], [], 2)
    assert events(ledger) == before


def test_every_bad_row_is_named_with_its_column_and_nothing_is_recorded(ledger):
    before = events(ledger)
    bad = [
        GOOD[0],
        ["", "2018-06-01", None, None, None, None, None, "sdf", None, None, None, None, None, None, None],
        ["Kameror", "första juni", "2018-01-01", None, None, None, None, "nasa", None, None, "magi", None, None, None,
         None],
        ["Klar utan utfall", "2018-06-01", None, None, None, None, None, "sdf", None, None, None, None, None, None,
         "Genomförd"],
        ["Slut före start", "2018-06-01", "2018-05-01", None, None, None, None, "sdf", None, None, None, None, None,
         None, None],
    ]
    with pytest.raises(SheetInvalid) as refused:
        import_sheet(ledger, OPS, xlsx(bad))
    found = {(e.row, e.column) for e in refused.value.errors}
    assert (3, "Vad ska göras?") in found
    assert {(4, "När ska arbetet inledas?"), (4, "Vem har ansvar?"), (4, "Insatsgrupp")} <= found
    assert (5, "Måluppfyllelse") in found  # done needs its outcome: the domain's rule, named by column
    assert (6, "När ska det vara slutfört?") in found
    assert all({"sv", "en"} == set(e.message) for e in refused.value.errors)
    assert events(ledger) == before


def test_a_sheet_without_the_what_column_or_not_a_sheet_at_all_is_refused(ledger):
    with pytest.raises(SheetInvalid) as no_header:
        import_sheet(ledger, OPS, xlsx([["x"]], headers=["Något"]))
    assert no_header.value.errors[0].column == "Vad ska göras?"
    with pytest.raises(SheetInvalid):
        import_sheet(ledger, OPS, b"PK\x03\x04 not really a zip")
    assert events(ledger) == 0


def test_the_same_measure_twice_in_a_sheet_is_an_error_on_the_second_row(ledger):
    mid = str(uuid.uuid4())
    rows = [[mid, *GOOD[0]], [mid, *GOOD[1]]]
    with pytest.raises(SheetInvalid) as refused:
        import_sheet(ledger, OPS, xlsx(rows, headers=["Id", *HEADERS]))
    assert [(e.row, e.column) for e in refused.value.errors] == [(3, "Id")]
    assert events(ledger) == 0


def _full_portfolio(ledger):
    import_sheet(ledger, OPS, xlsx(GOOD))
    with ledger.store.read() as conn:
        ids = [uuid.UUID(r["id"]) for r in board_rows(conn)]
    step(ledger, ids[0], lambda m: m.assign(OPS, org="civilsamhallet", person="Lena", partners=["sdf", "polisen"]))
    step(ledger, ids[0], lambda m: m.complete(OPS, outcome="partly", achieved="20 pass",
                                              deviation_reason="För få vuxna", success_factors="Föreningarna"))
    step(ledger, ids[0], lambda m: m.move_to_operations(OPS))
    step(ledger, ids[1], lambda m: m.revise(OPS, {"sorting": {"size": "stor", "priority": 2, "synergy": True}}))
    step(ledger, ids[1], lambda m: m.cancel(OPS, reason="Fastighetsägaren gör det själv"))


COMPARED = ("id", "what", "start", "end", "goal", "resources", "indicators_text", "achieved", "owner_org",
            "owner_person", "follow_up", "palette", "track", "horizon", "focus_area", "sorting", "partners",
            "status", "outcome", "deviation_reason", "success_factors", "in_operations")


def test_an_export_imports_again_unchanged_and_into_an_empty_ledger_loses_nothing(ledger, database_url, tmp_path):
    _full_portfolio(ledger)
    with ledger.store.read() as conn:
        original = board_rows(conn)
    exported = write_xlsx(original)
    before = events(ledger)
    again = import_sheet(ledger, OPS, exported)
    assert len(again.unchanged) == 2 and events(ledger) == before

    other = Ledger(Store(f"sqlite:///{tmp_path / 'other.sqlite'}"))
    assert len(import_sheet(other, OPS, exported).created) == 2
    with other.store.read() as conn:
        copied = board_rows(conn)
    assert [{k: r[k] for k in COMPARED} for r in copied] == [{k: r[k] for k in COMPARED} for r in original]
    other.store.dispose()


def test_an_edited_export_revises_only_what_changed(ledger):
    import_sheet(ledger, OPS, xlsx(GOOD))
    with ledger.store.read() as conn:
        book = load_workbook(io.BytesIO(write_xlsx(board_rows(conn))))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Vad har vi uppnått?") + 1, value="Tolv pass")
    buffer = io.BytesIO()
    book.save(buffer)
    before = events(ledger)
    done = import_sheet(ledger, OPS, buffer.getvalue())
    assert len(done.updated) == 1 and len(done.unchanged) == 1
    assert events(ledger) == before + 1
    revised = ledger.history(uuid.UUID(done.updated[0]))[-1]
    assert revised.changes == {"achieved": "Tolv pass"}


def test_text_that_looks_like_a_formula_stays_text_and_control_characters_do_not_break_the_export(service):
    ops = service.client("operational")
    mid = str(uuid.uuid4())
    r = ops.post("/api/v1/measures", {"id": mid, "what": "=HYPERLINK(\"http://x\")", "owner_org": "sdf",
                                     "goal": "Tänd\x01 belysning", "resources": "+46 8 508 000 00"})
    assert r.status_code == 201, r.text
    exported = ops.get("/api/v1/exports/measures.xlsx")
    assert exported.status_code == 200
    sheet = load_workbook(io.BytesIO(exported.content)).active
    row = [c.value for c in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert "=HYPERLINK(\"http://x\")" in row and "Tänd belysning" in row
    assert all(c.data_type != "f" for c in next(sheet.iter_rows(min_row=2, max_row=2)))
    again = ops.post("/api/v1/imports/measures", files={"file": ("insatser.xlsx", exported.content)})
    assert again.status_code == 200, again.text
    assert ops.get(f"/api/v1/measures/{mid}").json()["what"] == "=HYPERLINK(\"http://x\")"
    text = ops.get("/api/v1/exports/measures.csv").content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert "'=HYPERLINK(\"http://x\")" in table[1] and "'+46 8 508 000 00" in table[1]


# --- Over HTTP and on the command line -------------------------------------------------------


def test_import_and_exports_over_http(service):
    ops = service.client("operational")
    sent = ops.post("/api/v1/imports/measures", files={"file": ("insatser.xlsx", xlsx(GOOD))})
    assert sent.status_code == 200, sent.text
    assert len(sent.json()["created"]) == 2
    before = service.ledger.recorder.max_notification_id()
    bad = [GOOD[0], ["X", "inte ett datum", *GOOD[0][2:]]]
    refused = ops.post("/api/v1/imports/measures", files={"file": ("insatser.xlsx", xlsx(bad))})
    assert refused.status_code == 422
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert refused.json()["rows"][0]["row"] == 3
    assert "rad 3: När ska arbetet inledas?" in refused.json()["errors"]
    assert ops.post("/api/v1/imports/measures", files={"other": ("x", b"x")}).status_code == 422
    assert service.client("reporter").post("/api/v1/imports/measures",
                                           files={"file": ("x.xlsx", xlsx(GOOD))}).status_code == 403
    assert service.ledger.recorder.max_notification_id() == before
    exported = ops.get("/api/v1/exports/measures.xlsx")
    assert exported.status_code == 200 and exported.content[:2] == b"PK"
    round_trip = ops.post("/api/v1/imports/measures", files={"file": ("insatser.xlsx", exported.content)})
    assert len(round_trip.json()["unchanged"]) == 2
    text = ops.get("/api/v1/exports/measures.csv")
    assert text.status_code == 200 and text.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(text.content.decode("utf-8-sig"))))
    assert table[0] == [c.header for c in COLUMNS] and len(table) == 3
    assert service.ledger.recorder.max_notification_id() == before


def test_koll_import_and_export_measures_on_the_command_line(database_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KOLL_DATABASE_URL", database_url)
    monkeypatch.setenv("KOLL_VAR_DIR", str(tmp_path / "var"))
    source = tmp_path / "insatser.xlsx"
    source.write_bytes(xlsx(GOOD))
    assert cli.main(["import", "measures", str(source)]) == 0
    out = tmp_path / "export.xlsx"
    assert cli.main(["export", "measures", "--format", "xlsx", "-o", str(out)]) == 0
    assert cli.main(["import", "measures", str(out)]) == 0
    assert "unchanged 2" in capsys.readouterr().out
    assert cli.main(["export", "measures", "--format", "csv", "-o", str(tmp_path / "e.csv")]) == 0
    assert (tmp_path / "e.csv").read_text(encoding="utf-8-sig").startswith("Id,Version,Vad ska göras?")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(xlsx([["Y", "fel", *GOOD[0][2:]]]))
    assert cli.main(["import", "measures", str(broken)]) == 1
    assert "rad 2, När ska arbetet inledas?" in capsys.readouterr().err
