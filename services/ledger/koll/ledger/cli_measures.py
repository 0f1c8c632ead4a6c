"""`koll import measures FILE.xlsx`, and measures for `koll export measures --format xlsx|csv`."""

from __future__ import annotations

import argparse
import sys
from typing import Any



def _export(write: Any):  # type: ignore[no-untyped-def]
    def export(koll: Any, filters: dict[str, Any]) -> bytes:
        from koll.ledger.measure_sheet import board_rows

        with koll.store.read() as conn:
            rows = board_rows(conn)
        if filters.get("status"):
            rows = [r for r in rows if r["status"] == filters["status"]]
        return write(rows)

    return export


def _register() -> None:
    """Plug into the shared `koll export` command (cli_exports, which dispatches by kind)."""
    try:
        from koll.ledger import cli_exports
    except ImportError:  # a checkout without the export command: `koll import` still works
        return
    from koll.ledger.measure_sheet import write_csv, write_xlsx

    cli_exports.EXPORTERS["measures"] = {"xlsx": _export(write_xlsx), "csv": _export(write_csv)}


_register()  # at import: the export command offers what is registered when it is built


def cmd_import_measures(args: argparse.Namespace) -> int:
    from koll.ledger.config import Settings
    from koll.ledger.domain.base import SYSTEM, Actor
    from koll.ledger.measure_sheet import SheetInvalid, import_sheet
    from koll.ledger.server import open_ledger

    try:
        with open(args.file, "rb") as f:
            data = f.read()
    except OSError as e:
        print(f"kan inte läsa {args.file}: {e.strerror} / cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    koll = open_ledger(Settings.from_env())
    by = Actor(args.user, "operational", args.org) if args.user else SYSTEM
    try:
        done = import_sheet(koll.ledger, by, data)
    except SheetInvalid as e:
        for err in e.errors:
            where = f"rad {err.row}" + (f", {err.column}" if err.column else "")
            print(f"{where}: {err.message['sv']} / {err.message['en']}", file=sys.stderr)
        print(f"{len(e.errors)} fel; inget registrerades / nothing was recorded", file=sys.stderr)
        return 1
    finally:
        koll.store.dispose()
    print(f"created {len(done.created)}, updated {len(done.updated)}, unchanged {len(done.unchanged)}")
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("import", help="import the operational group's sheet of measures (xlsx)")
    p.add_argument("what", choices=["measures"])
    p.add_argument("file", help="the .xlsx file")
    p.add_argument("--user", help="record the import in this user's name (default: the system)")
    p.add_argument("--org", default="sdf", help="the organisation of --user")
    p.set_defaults(fn=cmd_import_measures)
