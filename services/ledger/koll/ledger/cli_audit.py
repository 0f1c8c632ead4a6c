"""`koll verify [--digests FILE] [--read-models]` and `koll digest`: the chain checked against the digests
kept outside the database, the read models against a rebuild, and the chain's head published."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def _store():  # type: ignore[no-untyped-def]
    """The store alone: verifying needs no projections, no domain, no catch-up."""
    import koll.ledger.audit  # noqa: F401  its table joins the schema
    from koll.ledger.config import Settings
    from koll.ledger.store import Store

    store = Store(Settings.from_env().database_url)
    store.create_schema()
    return store


def cmd_verify(args: argparse.Namespace) -> int:
    from koll.ledger import audit
    from koll.ledger.audit import outside
    from koll.ledger.config import Settings

    external: list[audit.Digest] = []
    for path in args.digests or []:
        try:
            external += audit.load_digests(path, label=path)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"cannot read digests from {path}: {e}", file=sys.stderr)
            return 2
    settings = Settings.from_env()
    kept_outside = outside.OutsideSettings.from_env(settings.var_dir).path
    from koll.ledger.store import Store

    store = Store(settings.database_url)
    try:
        report = outside.verify_with_outside(store, kept_outside, external)
    finally:
        store.dispose()
    models = None
    if args.read_models and report.ok:
        from koll.ledger.audit.readmodels import compare_read_models
        from koll.ledger.cli import _open, _progress

        koll = _open()
        try:
            models = compare_read_models(koll.ledger, progress=_progress("rebuild into a scratch database"))
        finally:
            koll.store.dispose()
    ok = report.ok and (models is None or models.ok)
    if args.json:
        print(json.dumps({**report.as_dict(), "read_models": models.as_dict() if models else None, "ok": ok},
                         ensure_ascii=False, default=str))
        return 0 if ok else 1
    if not report.ok:
        where = f" at position {report.first_bad_position}" if report.first_bad_position else ""
        print(f"BROKEN{where}: {report.reason}")
        return 1
    print(f"ok: {report.events} events, head {report.head_position} {report.head_hash}, "
          f"{report.digests_checked} digests checked ({report.events_per_second:,.0f} events/s)")
    if report.outside_digests:
        print(f"outside: {report.outside_digests} digests in {kept_outside}, the latest at position "
              f"{report.outside_position}; {report.not_covered} events not yet covered by an outside digest")
    else:
        print(f"outside: no digest kept outside the database yet ({kept_outside}); "
              f"{report.not_covered} events not yet covered by an outside digest")
    if models is not None:
        if models.ok:
            print(f"read models: {models.tables} tables, {models.rows} rows equal a rebuild up to position "
                  f"{models.position}")
        else:
            print(f"READ MODELS DIFFER: {models.difference.describe()}")  # type: ignore[union-attr]
    return 0 if ok else 1


def cmd_digest(args: argparse.Namespace) -> int:
    from koll.ledger import audit
    from koll.ledger.audit import outside
    from koll.ledger.config import Settings

    store = _store()
    try:
        with store.write() as conn:
            store.lock_ledger(conn)
            digest: dict[str, Any] = audit.publish_digest_in(conn, args.reason, "cli")
        # And beyond the database, like every digest: the file, the log, the webhook.
        outside.OutsidePublisher(store, outside.OutsideSettings.from_env(Settings.from_env().var_dir)).round(make=False)
    finally:
        store.dispose()
    print(json.dumps(digest, ensure_ascii=False, default=str))
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("verify", help="recompute the ledger's hash chain; exit 1 on any break")
    p.add_argument("--digests", action="append", metavar="FILE",
                   help="digests kept outside the system (JSON from GET /api/v1/audit/digests, `koll digest`, "
                        "or a signed bundle); may be given more than once")
    p.add_argument("--read-models", action="store_true",
                   help="also rebuild the read models into a scratch database and compare them with the live "
                        "tables; names the first difference (table, key, column)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(fn=cmd_verify)
    p = sub.add_parser("digest", help="publish the chain's head (position, hash, Merkle root, time) and print it")
    p.add_argument("--reason", default="on demand (cli)")
    p.set_defaults(fn=cmd_digest)
