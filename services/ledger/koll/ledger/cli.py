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
    from koll.ledger.rebuild import RebuildRunning

    koll = _open()
    try:
        n = koll.ledger.rebuild(progress=_progress("rebuild"))
    except RebuildRunning as e:
        print(f"{e}: nothing was changed; the boards keep the tables they have", file=sys.stderr)
        return 1
    print(f"rebuilt the read models from {n} events and swapped them in; the boards stayed whole meanwhile")
    return 0


def cmd_checkpoints(args: argparse.Namespace) -> int:
    """The as-of checkpoints in var/asof, all of them: once after an upgrade or on a quiet night.
    The server then keeps them up with the ledger itself."""
    from koll.ledger.audit.asof import AsOfCache

    koll = _open()
    cache = AsOfCache(directory=koll.settings.var_dir / "asof")
    made = cache.prepare(koll.ledger, most=None)
    kept = cache.checkpoints(koll.ledger)
    print(f"as-of checkpoints: {len(kept)} in {koll.settings.var_dir / 'asof'}"
          + (f", up to position {made}" if made else ", none was due"))
    return 0


def _password_for(args: argparse.Namespace) -> str | None:
    """The new user's password without it sitting in shell history: read from stdin
    (--password-stdin) or asked for (getpass) at a terminal; --password still works for scripts."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n") or None
    if args.password is not None:
        print("note: --password stays in your shell history; prefer --password-stdin or the prompt",
              file=sys.stderr)
        return args.password or None
    if sys.stdin.isatty():
        import getpass

        first = getpass.getpass("Lösenord för tavlorna (tomt: bara token): ")
        if first and getpass.getpass("Samma lösenord igen: ") != first:
            raise SystemExit("the two passwords differ; nothing was added")
        return first or None
    return None


def _expiry(days: int | None):  # type: ignore[no-untyped-def]
    from datetime import datetime, timedelta, timezone

    return datetime.now(timezone.utc) + timedelta(days=days) if days else None


def cmd_user_add(args: argparse.Namespace) -> int:
    from koll.ledger.domain.base import DomainError
    from koll.schema import taxonomy, vocabulary

    if args.role not in vocabulary.codes(vocabulary.ROLES):
        print(f"unknown role '{args.role}'; one of {', '.join(vocabulary.codes(vocabulary.ROLES))}", file=sys.stderr)
        return 2
    koll = _open()  # opening it makes the areas' own organisations known
    if args.org not in taxonomy.ORGANISATION_BY_CODE:
        print(f"unknown organisation '{args.org}'; one of {', '.join(taxonomy.ORGANISATION_BY_CODE)}",
              file=sys.stderr)
        return 2
    password = _password_for(args)
    try:
        token = koll.ledger.add_user(args.name, args.role, args.org, password=password,
                                     token_expires_at=_expiry(args.expires_days), areas=args.area or ())
    except DomainError as e:
        print(e.message, file=sys.stderr)
        return 1
    where = ", ".join(args.area) if args.area else "every area"
    print(f"user {args.name} ({args.role}, {args.org}, {where}) added; the token is shown once:", file=sys.stderr)
    print(token)
    return 0


def cmd_user_token(args: argparse.Namespace) -> int:
    koll = _open()
    if koll.ledger.user(args.name) is None:
        print(f"no active user named '{args.name}'", file=sys.stderr)
        return 1
    print(koll.ledger.credentials.issue_token(args.name, label=args.label, expires_at=_expiry(args.expires_days)))
    return 0


def cmd_user_list(args: argparse.Namespace) -> int:
    for u in _open().ledger.list_users():
        print(f"{u['name']}\t{u['role']}\t{u['org']}\t{'active' if u['active'] else 'deactivated'}")
    return 0


def cmd_user_tokens(args: argparse.Namespace) -> int:
    from koll.ledger.domain.base import DomainError

    try:
        found = _open().ledger.user_tokens(args.name)
    except DomainError as e:
        print(e.message, file=sys.stderr)
        return 1
    for t in found:
        d = t.as_dict()
        print(f"{d['id']}\t{d['label']}\t{d['created_at']}\t{d['expires_at'] or 'no expiry'}")
    return 0


def cmd_user_revoke(args: argparse.Namespace) -> int:
    from koll.ledger.domain.base import DomainError

    try:
        n = _open().ledger.revoke_tokens(args.name, args.token)
    except DomainError as e:
        print(e.message, file=sys.stderr)
        return 1
    print(f"{n} token(s) of {args.name} revoked", file=sys.stderr)
    return 0 if n or not args.token else 1


def cmd_user_deactivate(args: argparse.Namespace) -> int:
    from koll.ledger.domain.base import SYSTEM, DomainError

    try:
        recorded = _open().ledger.deactivate_user(SYSTEM, args.name)
    except DomainError as e:
        print(e.message, file=sys.stderr)
        return 1
    print(f"{args.name} deactivated" if recorded else f"{args.name} was already deactivated", file=sys.stderr)
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
    p = sub.add_parser("checkpoints", help="make every as-of checkpoint (var/asof) now; the server keeps them up")
    p.set_defaults(fn=cmd_checkpoints)

    user = sub.add_parser("user", help="users").add_subparsers(dest="user_command", required=True)
    p = user.add_parser("add", help="add a user; prints a token once")
    p.add_argument("name")
    p.add_argument("--role", required=True)
    p.add_argument("--org", required=True)
    p.add_argument("--area", action="append", metavar="CODE",
                   help="an area the user acts in (repeat for several; none: every area)")
    p.add_argument("--password", help="also allow signing in with this password (stays in shell history)")
    p.add_argument("--password-stdin", action="store_true", help="read the password from the first line of stdin")
    p.add_argument("--expires-days", type=int, help="the token ends by itself after this many days")
    p.set_defaults(fn=cmd_user_add)
    p = user.add_parser("token", help="issue another token for a user")
    p.add_argument("name")
    p.add_argument("--label", default="cli", help="a name for the token, to revoke it by")
    p.add_argument("--expires-days", type=int, help="the token ends by itself after this many days")
    p.set_defaults(fn=cmd_user_token)
    p = user.add_parser("list", help="every user, active or deactivated")
    p.set_defaults(fn=cmd_user_list)
    p = user.add_parser("tokens", help="a user's tokens: id, label, created, expiry (never the token)")
    p.add_argument("name")
    p.set_defaults(fn=cmd_user_tokens)
    p = user.add_parser("revoke", help="revoke a user's tokens: all, or one by --token ID or label")
    p.add_argument("name")
    p.add_argument("--token", help="the id from 'koll user tokens', or a label")
    p.set_defaults(fn=cmd_user_revoke)
    p = user.add_parser("deactivate", help="the user may no longer act: recorded, and every token and session ends")
    p.add_argument("name")
    p.set_defaults(fn=cmd_user_deactivate)

    for extra in _extensions():
        extra(sub)
    return parser


# Modules that add sub-commands beside the code they drive (export, import, verify): each has
# a function ``add_commands(subparsers)``. Add yours here.
EXTENSION_MODULES: tuple[str, ...] = ("koll.ledger.cli_audit", "koll.ledger.cli_measures", "koll.ledger.cli_exports",
                                      "koll.ledger.backup.cli", "koll.ledger.cli_areas")


def _extensions():  # type: ignore[no-untyped-def]
    import importlib

    return [importlib.import_module(name).add_commands for name in EXTENSION_MODULES]


def main(argv: Sequence[str] | None = None) -> int:
    from koll.ledger.config import SettingsRefused
    from koll.ledger.migrations import SchemaTooNew

    args = build_parser().parse_args(argv)
    try:
        return int(args.fn(args) or 0)
    except SettingsRefused as e:  # a setting that cannot work: say which, without a traceback
        print(f"koll: {e}", file=sys.stderr)
        return 2
    except SchemaTooNew as e:
        print(f"koll: {e}", file=sys.stderr)
        return 1
    finally:
        from koll.ledger.audit import outside

        outside.stop_all()


if __name__ == "__main__":
    raise SystemExit(main())
