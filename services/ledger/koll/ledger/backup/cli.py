"""`koll backup DIR` and `koll restore DIR [--force]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def cmd_backup(args: argparse.Namespace) -> int:
    from koll.ledger.backup import BackupError, backup
    from koll.ledger.config import Settings

    try:
        manifest = backup(Settings.from_env(), Path(args.folder))
    except BackupError as e:
        print(f"backup refused: {e}", file=sys.stderr)
        return 1
    head = manifest["head"]
    print(f"backed up to {args.folder}: {manifest['backend']} ledger up to position {head['position']}, "
          f"{manifest['photos']} photo files, {', '.join(manifest['var']) or 'no files'} from the data folder")
    if manifest["secret_key_from_environment"]:
        print("note: KOLL_SECRET_KEY comes from the environment; keep it with your other secrets, the backup "
              "does not hold it", file=sys.stderr)
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from koll.ledger.audit.outside import OutsideSettings, verify_with_outside
    from koll.ledger.backup import BackupError, restore
    from koll.ledger.config import Settings
    from koll.ledger.store import Store

    settings = Settings.from_env()
    try:
        done = restore(settings, Path(args.folder), force=args.force,
                       erasure_lists=tuple(Path(p) for p in args.erasures or ()))
    except BackupError as e:
        print(f"restore refused: {e}", file=sys.stderr)
        return 1
    m = done.manifest
    print(f"restored {m['backend']} ledger up to position {m['head']['position']} (backed up {m['created_at']}), "
          f"{done.photos} photo files, {', '.join(done.var) or 'no files'} into the data folder")
    for aside in done.set_aside:
        print(f"kept the file that was there as {aside}")
    if done.erasures_reapplied:
        print(f"erasure list: {done.erasures_reapplied} erasures re-applied, {done.keys_destroyed} keys destroyed "
              f"again, {done.photos_deleted} photo files deleted again")
    store = Store(settings.database_url)
    try:
        report = verify_with_outside(store, OutsideSettings.from_env(settings.var_dir).path)
    finally:
        store.dispose()
    if not report.ok:
        print(f"the restored ledger does NOT verify: {report.reason}")
        return 1
    print(f"verified: {report.events} events, {report.digests_checked} digests checked, "
          f"{report.not_covered} events not yet covered by an outside digest")
    return 0


def add_commands(sub: Any) -> None:
    p = sub.add_parser("backup", help="copy the ledger, photos, keys and published digests into a new folder")
    p.add_argument("folder", metavar="DIR")
    p.set_defaults(fn=cmd_backup)
    p = sub.add_parser("restore", help="put a backup back (refuses a database that holds a ledger without --force)")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--force", action="store_true", help="replace the ledger the database holds now")
    p.add_argument("--erasures", action="append", metavar="FILE",
                   help="another erasure list (erasures.jsonl) to re-apply; the backup's and the data folder's "
                        "own are always re-applied")
    p.set_defaults(fn=cmd_restore)
