"""The `koll` command: serve, demo, rebuild, user, export, import, verify."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from koll.ledger.config import Settings


def _open():  # type: ignore[no-untyped-def]
    from koll.ledger.server import open_ledger

    return open_ledger(Settings.from_env())


def _progress(label: str):  # type: ignore[no-untyped-def]
    def show(done: int, total: int) -> None:
        print(f"\r{label}: {done}/{total} ({100 * done // max(total, 1)} %)", end="", file=sys.stderr, flush=True)
        if done >= total:
            print(file=sys.stderr)

    return show


def cmd_serve(args: argparse.Namespace) -> int:
    from koll.ledger import demo
    from koll.ledger.config import SettingsRefused
    from koll.ledger.production import refuse_unsafe
    from koll.ledger.serving import exit_refused, serve

    try:
        settings = Settings.from_env()
        if args.demo_if_empty and settings.production:
            raise SettingsRefused("--demo-if-empty with KOLL_ENV=production: the demo's passwords are published")
        koll = _open()
        refuse_unsafe(settings, koll.ledger)
    except SettingsRefused as e:
        exit_refused(e)
    events = koll.ledger.recorder.max_notification_id() or 0
    if events and demo.state(koll.ledger) == "interrupted":
        print(_interrupted_demo(settings, events), file=sys.stderr)
        if args.demo_if_empty:
            return 1
    if args.demo_if_empty and not events:
        logins = demo.load(koll.ledger, progress=_progress("demo"))
        print("Demo loaded. Logins (user / password):")
        for name, role, org, password in logins:
            print(f"  {name:<14} {password:<12} {role:<12} {org}")
    koll.store.dispose()
    print(f"Koll serves at http://{settings.host}:{settings.port}/  (API docs: /api/docs)", flush=True)
    serve(settings, workers=args.workers)
    return 0


def _interrupted_demo(settings: Settings, events: int) -> str:
    return (f"koll: the Hässelby torg demo in {settings.database_url} was interrupted while it loaded "
            f"({events} events recorded before it stopped): part of the square's story is missing.\n"
            "  Load it anew with `make reset-demo CONFIRM=yes` (deletes var/ and loads the demo again).")


def cmd_demo(args: argparse.Namespace) -> int:
    from koll.ledger import demo

    koll = _open()
    events = koll.ledger.recorder.max_notification_id()
    if events:
        interrupted = demo.state(koll.ledger) == "interrupted"
        print(_interrupted_demo(koll.settings, events) if interrupted else
              "the ledger is not empty; the demo is only loaded into an empty ledger", file=sys.stderr)
        return 1
    for name, role, org, password in demo.load(koll.ledger, progress=_progress("demo")):
        print(f"{name}\t{password}\t{role}\t{org}")
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    koll = _open()
    n = koll.ledger.rebuild(progress=_progress("rebuild"))
    print(f"rebuilt the read models from {n} events")
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from koll.ledger.domain.base import DomainError
    from koll.schema import taxonomy, vocabulary

    if args.role not in vocabulary.codes(vocabulary.ROLES):
        print(f"unknown role '{args.role}'; one of {', '.join(vocabulary.codes(vocabulary.ROLES))}", file=sys.stderr)
        return 2
    if args.org not in taxonomy.ORGANISATION_BY_CODE:
        print(f"unknown organisation '{args.org}'; one of {', '.join(taxonomy.ORGANISATION_BY_CODE)}",
              file=sys.stderr)
        return 2
    koll = _open()
    try:
        token = koll.ledger.add_user(args.name, args.role, args.org, password=args.password)
    except DomainError as e:
        print(e.message, file=sys.stderr)
        return 1
    print(f"user {args.name} ({args.role}, {args.org}) added; the token is shown once:", file=sys.stderr)
    print(token)
    return 0


def cmd_user_token(args: argparse.Namespace) -> int:
    koll = _open()
    if koll.ledger.user(args.name) is None:
        print(f"no active user named '{args.name}'", file=sys.stderr)
        return 1
    print(koll.ledger.credentials.issue_token(args.name, label="cli"))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="koll", description="Koll: ha koll på helheten.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="serve the API and the boards")
    p.add_argument("--demo-if-empty", action="store_true", help="load the Hässelby torg demo into an empty ledger")
    p.add_argument("--workers", type=int, default=None, help="worker processes (default KOLL_WORKERS, else 2)")
    p.set_defaults(fn=cmd_serve)

    p = sub.add_parser("demo", help="load the Hässelby torg scenario into an empty ledger")
    p.set_defaults(fn=cmd_demo)

    p = sub.add_parser("rebuild", help="rebuild every read model from the ledger")
    p.set_defaults(fn=cmd_rebuild)

    user = sub.add_parser("user", help="users").add_subparsers(dest="user_command", required=True)
    p = user.add_parser("add", help="add a user; prints a token once")
    p.add_argument("name")
    p.add_argument("--role", required=True)
    p.add_argument("--org", required=True)
    p.add_argument("--password", help="also allow signing in with this password")
    p.set_defaults(fn=cmd_user_add)
    p = user.add_parser("token", help="issue another token for a user")
    p.add_argument("name")
    p.set_defaults(fn=cmd_user_token)

    for extra in _extensions():
        extra(sub)
    return parser


# Modules that add sub-commands beside the code they drive (export, import, verify): each has
# a function ``add_commands(subparsers)``. Add yours here.
EXTENSION_MODULES: tuple[str, ...] = ("koll.ledger.cli_audit", "koll.ledger.cli_measures", "koll.ledger.cli_exports")


def _extensions():  # type: ignore[no-untyped-def]
    import importlib

    return [importlib.import_module(name).add_commands for name in EXTENSION_MODULES]


def main(argv: Sequence[str] | None = None) -> int:
    from koll.ledger.config import SettingsRefused

    args = build_parser().parse_args(argv)
    try:
        return int(args.fn(args) or 0)
    except SettingsRefused as e:  # a setting that cannot work: say which, without a traceback
        print(f"koll: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
