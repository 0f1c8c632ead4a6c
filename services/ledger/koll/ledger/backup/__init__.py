"""`koll backup DIR` and `koll restore DIR`: everything an installation needs to come back.

A backup folder holds
- the ledger: an online copy of the database (events, read models, the vault's keys, digests,
  tokens and passwords), ``ledger.sqlite`` or ``ledger.pgdump``;
- ``photos/``: the photo files (KOLL_BLOB_DIR), when photos are kept as files;
- ``var/``: the secret key, the signing key, the digests published outside the database and the
  erasure list;
- ``manifest.json``: what was copied, when, the ledger's head and schema version, and a sha256 of
  every file, checked before anything is restored.

Restoring refuses a database that holds events unless ``force``; it then re-applies the erasure
list (the backup's and the installation's own): a report erased after the backup was taken has
its key destroyed and its photos deleted again.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from koll.ledger.backup.database import (
    POSTGRES_FILE,
    SQLITE_FILE,
    BackupError,
    copy_in,
    copy_out,
    current_schema,
    drop_koll_tables,
    is_empty,
)
from koll.ledger.config import Settings
from koll.ledger.store import Store, events_table

FORMAT = "koll-backup/1"
# Files of the data folder that belong in a backup (the rest is rebuilt or is the database itself).
VAR_FILES = ("secret_key", "signing-key.pem", "digests.jsonl", "erasures.jsonl")

__all__ = ["BackupError", "Restored", "backup", "restore"]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _var_sources(settings: Settings) -> dict[str, Path]:
    from koll.ledger.audit.outside import OutsideSettings

    sources = {name: settings.var_dir / name for name in VAR_FILES}
    sources["digests.jsonl"] = OutsideSettings.from_env(settings.var_dir).path
    if os.environ.get("KOLL_SIGNING_KEY"):
        sources["signing-key.pem"] = Path(os.environ["KOLL_SIGNING_KEY"])
    return sources


def _schema_version(store: Store) -> str | None:
    try:
        from koll.ledger.migrations import current_revision
    except ImportError:
        return None
    return current_revision(store.engine)


def backup(settings: Settings, folder: Path) -> dict[str, Any]:
    """Copy the installation into ``folder`` (new or empty) while it serves; returns the manifest."""
    folder = Path(folder)
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True)
    store = Store(settings.database_url)
    try:
        # The digests file first: every digest in it then names a position inside the copied ledger.
        (folder / "var").mkdir()
        copied_var = []
        for name, source in _var_sources(settings).items():
            if source.is_file():
                shutil.copy2(source, folder / "var" / name)
                copied_var.append(name)
        database = copy_out(store.engine, settings.database_url, folder)
        with store.read() as conn:
            head = conn.execute(sa.select(events_table.c.id, events_table.c.chain_hash)
                                .order_by(events_table.c.id.desc()).limit(1)).first()
        schema = current_schema(store.engine) if store.dialect == "postgresql" else None
        version = _schema_version(store)
    finally:
        store.dispose()
    photos = 0
    blob_dir = Path(settings.blob_dir)
    if blob_dir.is_dir():
        # Photo files never change once written (named by their hash): a plain copy is consistent.
        shutil.copytree(blob_dir, folder / "photos", ignore=shutil.ignore_patterns("*.tmp", "tmp*"))
        photos = sum(1 for p in (folder / "photos").rglob("*") if p.is_file())
    files = {str(p.relative_to(folder)): _sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(timezone.utc).isoformat(),
        "backend": "postgresql" if database == POSTGRES_FILE else "sqlite",
        "database": database,
        "postgres_schema": schema,
        "schema_version": version,
        "head": {"position": head[0], "chain_hash": head[1]} if head else {"position": 0, "chain_hash": None},
        "photos": photos,
        "var": copied_var,
        "secret_key_from_environment": bool(os.environ.get("KOLL_SECRET_KEY")),
        "files": files,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=1, ensure_ascii=False))
    return manifest


@dataclass
class Restored:
    manifest: dict[str, Any]
    photos: int = 0
    var: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)
    erasures_reapplied: int = 0
    keys_destroyed: int = 0
    photos_deleted: int = 0


def read_manifest(folder: Path) -> dict[str, Any]:
    path = Path(folder) / "manifest.json"
    if not path.is_file():
        raise BackupError(f"{folder} holds no manifest.json: not a Koll backup (or an unfinished one)")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path} is {manifest.get('format')!r}, not {FORMAT}")
    for name, digest in manifest["files"].items():
        file = Path(folder) / name
        if not file.is_file():
            raise BackupError(f"the backup lacks {name}, which its manifest lists")
        if _sha256(file) != digest:
            raise BackupError(f"{name} in the backup is not what was copied (its sha256 differs from the manifest)")
    return manifest


def _erasures(*paths: Path) -> list[dict[str, Any]]:
    from koll.ledger.audit.outside import read_file

    seen: dict[str, dict[str, Any]] = {}
    for path in paths:
        for line in read_file(path):
            seen.setdefault(line["subject_id"], line)
    return list(seen.values())


def restore(settings: Settings, folder: Path, force: bool = False,
            erasure_lists: tuple[Path, ...] = ()) -> Restored:
    """Put a backup back where ``settings`` point: the database, the photos, the data folder's files;
    then destroy again every key the erasure lists name."""
    folder = Path(folder)
    manifest = read_manifest(folder)
    store = Store(settings.database_url)
    try:
        if not is_empty(store.engine) and not force:
            raise BackupError("the database KOLL_DATABASE_URL names already holds a ledger: restoring would "
                              "replace it. Back it up first, then give --force")
        drop_koll_tables(store.engine)  # also the empty tables a Koll started before the restore made
        # Erasures this installation knows of, read before its files are replaced.
        local_list = settings.var_dir / "erasures.jsonl"
        known = _erasures(local_list, *erasure_lists, folder / "var" / "erasures.jsonl")
        copy_in(store.engine, settings.database_url, folder, manifest["database"], manifest.get("postgres_schema"))
    finally:
        store.dispose()
    done = Restored(manifest=manifest)
    if (folder / "photos").is_dir():
        Path(settings.blob_dir).mkdir(parents=True, exist_ok=True)
        for source in (folder / "photos").rglob("*"):
            if source.is_file():
                target = Path(settings.blob_dir) / source.relative_to(folder / "photos")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
                done.photos += 1
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    targets = _var_sources(settings)
    for name in manifest.get("var", []):
        source, target = folder / "var" / name, targets[name]
        if target.exists() and target.read_bytes() != source.read_bytes():
            if name == "erasures.jsonl":
                continue  # merged below: the installation's list is never shortened
            # Kept, never overwritten: e.g. digests newer than this backup are evidence of what it lacks.
            aside = target.with_name(f"{target.name}.before-restore-{stamp}")
            target.rename(aside)
            done.set_aside.append(str(aside))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        done.var.append(name)
    _write_erasure_list(local_list, known)
    _reapply(settings, known, done)
    return done


def _write_erasure_list(path: Path, erasures: list[dict[str, Any]]) -> None:
    if not erasures:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text("".join(json.dumps(e, sort_keys=True) + "\n" for e in erasures))
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    tmp.replace(path)


def _reapply(settings: Settings, erasures: list[dict[str, Any]], done: Restored) -> None:
    """An older backup still holds keys destroyed since: destroy them again, delete the photos."""
    if not erasures:
        return
    from koll.ledger.photos import open_photo_store
    from koll.ledger.vault import keys_table

    store = Store(settings.database_url)
    try:
        with store.write() as conn:
            for e in erasures:
                gone = conn.execute(keys_table.delete().where(keys_table.c.subject_id == e["subject_id"])).rowcount
                done.keys_destroyed += gone
        photos = open_photo_store(settings.blob_store, settings.blob_dir, store.engine)
        for e in erasures:
            for sha in e.get("photos") or []:
                done.photos_deleted += int(bool(photos.delete(sha)))
        done.erasures_reapplied = len(erasures)
    finally:
        store.dispose()
