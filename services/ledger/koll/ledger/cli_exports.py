"""`koll export {cases,measures} --format …`: the API's exports from the command line.

EXPORTERS is the registry: what → format → a function of (the opened Koll, the filters) that
returns the file's text or bytes. Add an exporter by adding an entry; the command offers it.
The command line acts as the system (it holds the database anyway), so it sees every record.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

Exporter = Callable[[Any, dict[str, Any]], "str | bytes"]


def _cases_csv(koll: Any, filters: dict[str, Any]) -> str:
    from koll.ledger.domain.base import SYSTEM
    from koll.ledger.exports import cases_csv

    with koll.store.read() as conn:
        return cases_csv(conn, SYSTEM, filters)


def _cases_geojson(koll: Any, filters: dict[str, Any]) -> str:
    from koll.ledger.domain.base import SYSTEM
    from koll.ledger.exports import cases_geojson

    with koll.store.read() as conn:
        return json.dumps(cases_geojson(conn, SYSTEM, filters), ensure_ascii=False)


EXPORTERS: dict[str, dict[str, Exporter]] = {
    "cases": {"csv": _cases_csv, "geojson": _cases_geojson},
}


def cmd_export(args: argparse.Namespace) -> int:
    formats = EXPORTERS[args.what]
    if args.format not in formats:
        print(f"{args.what} can be exported as {', '.join(formats)}, not {args.format}", file=sys.stderr)
        return 2
    from koll.ledger.config import Settings
    from koll.ledger.server import open_ledger

    koll = open_ledger(Settings.from_env())
    try:
        filters = {k: v for k, v in (("status", args.status), ("category", args.category)) if v}
        body = formats[args.format](koll, filters)
    finally:
        koll.store.dispose()
    data = body.encode("utf-8") if isinstance(body, str) else body
    if args.output:
        with open(args.output, "wb") as f:
            f.write(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("export", help="export cases or measures for spreadsheets and GIS")
    p.add_argument("what", choices=sorted(EXPORTERS))
    p.add_argument("--format", required=True, help="csv, geojson or xlsx, as the kind of record allows")
    p.add_argument("--output", "-o", help="write to this file instead of standard output")
    p.add_argument("--status", help="only records with this status")
    p.add_argument("--category", help="only cases of this category")
    p.set_defaults(fn=cmd_export)
