"""`koll verify [--digests FILE]` and `koll digest`: the chain checked and its head published."""

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

    external: list[audit.Digest] = []
    for path in args.digests or []:
        try:
            external += audit.load_digests(path, label=path)
        except (OSError, ValueError, KeyError, TypeError) as e:
            print(f"cannot read digests from {path}: {e}", file=sys.stderr)
            return 2
    store = _store()
    try:
        report = audit.verify_chain(store, external)
    finally:
        store.dispose()
    if args.json:
        print(json.dumps(report.as_dict(), ensure_ascii=False))
    elif report.ok:
        print(f"ok: {report.events} events, head {report.head_position} {report.head_hash}, "
              f"{report.digests_checked} digests checked ({report.events_per_second:,.0f} events/s)")
    else:
        print(f"BROKEN at position {report.first_bad_position}: {report.reason}")
    return 0 if report.ok else 1


def cmd_digest(args: argparse.Namespace) -> int:
    from koll.ledger import audit

    store = _store()
    try:
        with store.write() as conn:
            store.lock_ledger(conn)
            digest: dict[str, Any] = audit.publish_digest_in(conn, args.reason, "cli")
    finally:
        store.dispose()
    print(json.dumps(digest, ensure_ascii=False, default=str))
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("verify", help="recompute the ledger's hash chain; exit 1 on any break")
    p.add_argument("--digests", action="append", metavar="FILE",
                   help="digests kept outside the system (JSON from GET /api/v1/audit/digests, `koll digest`, "
                        "or a signed bundle); may be given more than once")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.set_defaults(fn=cmd_verify)
    p = sub.add_parser("digest", help="publish the chain's head (position, hash, Merkle root, time) and print it")
    p.add_argument("--reason", default="on demand (cli)")
    p.set_defaults(fn=cmd_digest)
