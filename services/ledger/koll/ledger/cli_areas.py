"""`koll area import FILE.json`, `koll area export CODE`, `koll area list`, `koll area adopt CODE`.

A district sets up its square with a definition file it edits and keeps in version control;
the file is the shape `GET /api/v1/areas/{code}` answers, so export → edit → import round-trips.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _open():  # type: ignore[no-untyped-def]
    from koll.ledger.config import Settings
    from koll.ledger.server import open_ledger

    return open_ledger(Settings.from_env())


def _by(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from koll.ledger.domain.base import SYSTEM, Actor

    return Actor(args.user, "admin", args.org) if getattr(args, "user", None) else SYSTEM


def _print_errors(messages: Any, prefix: str = "") -> None:
    from koll.schema.messages import flatten

    for path, msgs in flatten(messages).items():
        for m in msgs:
            print(f"{prefix}{path}: {m['sv']} / {m['en']}", file=sys.stderr)


def cmd_import(args: argparse.Namespace) -> int:
    from marshmallow import ValidationError

    from koll.ledger.domain.base import DomainError

    try:
        with open(args.file, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        print(f"kan inte läsa {args.file}: {e.strerror} / cannot read {args.file}: {e.strerror}", file=sys.stderr)
        return 2
    except json.JSONDecodeError as e:
        print(f"{args.file}: ingen giltig JSON / not valid JSON: {e}", file=sys.stderr)
        return 2
    koll = _open()
    try:
        done = koll.ledger.import_area(_by(args), data)
    except ValidationError as e:
        _print_errors(e.messages, f"{args.file}: ")
        print("inget registrerades / nothing was recorded", file=sys.stderr)
        return 1
    except DomainError as e:
        print(f"{e.sv} / {e.message}", file=sys.stderr)
        return 1
    finally:
        koll.store.dispose()
    if done["created"]:
        print(f"area {done['code']} defined (version {done['version']})")
    elif done["changed"]:
        print(f"area {done['code']}: {', '.join(done['changed'])} changed (version {done['version']})")
    else:
        print(f"area {done['code']}: unchanged (version {done['version']})")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from koll.ledger.queries.areas import area_definition

    koll = _open()
    try:
        with koll.store.read() as conn:
            found = area_definition(conn, None, args.code)
    finally:
        koll.store.dispose()
    if found is None:
        print(f"inget område '{args.code}' / no area '{args.code}'", file=sys.stderr)
        return 1
    text = json.dumps(found[0], ensure_ascii=False, indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from koll.ledger.domain.base import SYSTEM
    from koll.ledger.queries.areas import list_areas

    koll = _open()
    try:
        with koll.store.read() as conn:
            found = list_areas(conn, SYSTEM)
    finally:
        koll.store.dispose()
    if args.json:
        print(json.dumps({"areas": found}, ensure_ascii=False, indent=2))
        return 0
    for a in found:
        print(f"{a['code']}\t{a['name']['sv']}\tversion {a['version']}\t{a['places']} places\t"
              f"{a['organisations']} organisations\t{a['categories']} categories")
    return 0


def cmd_adopt(args: argparse.Namespace) -> int:
    from koll.ledger.domain.base import DomainError

    koll = _open()
    try:
        done = koll.ledger.adopt_ledger(_by(args), args.code)
    except DomainError as e:
        print(f"{e.sv} / {e.message}", file=sys.stderr)
        return 1
    finally:
        koll.store.dispose()
    print(f"positions {done['first']}–{done['last']} recorded as area {done['area']}'s")
    return 0


def add_commands(sub: Any) -> None:
    area = sub.add_parser("area", help="areas: import, export, list, adopt").add_subparsers(
        dest="area_command", required=True)
    p = area.add_parser("import", help="define an area from a file, or record what changed in it")
    p.add_argument("file", help="the area's definition (JSON; GeoJSON geometry)")
    p.add_argument("--user", help="record it in this admin's name (default: the system)")
    p.add_argument("--org", default="sdf", help="the organisation of --user")
    p.set_defaults(fn=cmd_import)
    p = area.add_parser("export", help="write an area's definition (the file import reads)")
    p.add_argument("code")
    p.add_argument("-o", "--output", help="a file to write (default: standard output)")
    p.set_defaults(fn=cmd_export)
    p = area.add_parser("list", help="the areas defined")
    p.add_argument("--json", action="store_true", help="as GET /api/v1/areas answers")
    p.set_defaults(fn=cmd_list)
    p = area.add_parser("adopt", help="migration: record everything recorded before areas as this area's")
    p.add_argument("code")
    p.add_argument("--user", help="record it in this admin's name (default: the system)")
    p.add_argument("--org", default="sdf", help="the organisation of --user")
    p.set_defaults(fn=cmd_adopt)
