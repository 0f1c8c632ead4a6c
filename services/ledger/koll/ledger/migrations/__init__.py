"""The database schema carries its version and is moved forward at start, by Alembic.

Alembic keeps the revision in ``alembic_version``; the scripts are in ``versions/``. At start,
under a lock that makes one instance do it while the others wait:
- an empty database gets today's tables (``create_all``) and is stamped with the newest revision;
- a ledger from before the schema carried a version (it has ``koll_events`` but no revision) is
  stamped with the baseline, the schema Koll 0.1 made, and upgraded from there;
- any other is upgraded to the newest revision; one whose revision this Koll does not know was
  written by a newer Koll, and is refused (``SchemaTooNew``) before anything is touched.
Then ``create_all`` adds tables that are new and need no data moved.

Read models are not migrated: they are rebuilt. Each read-model table's shape (its columns,
types, keys, indexes and ``info``) is fingerprinted into ``koll_schema``; a table whose shape
changed (or a database that never had fingerprints) has every read model dropped, made anew and
folded again from the ledger, with progress in the log (``koll.upgrade``). A projection whose
fold changes without its table's shape changing says so with ``info={"fold": N}`` on its table.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

log = logging.getLogger("koll.upgrade")

SCRIPTS = Path(__file__).parent
BASELINE = "0001"  # the schema as Koll 0.1 made it, before it carried a version


class SchemaTooNew(RuntimeError):
    """The database was written by a newer Koll than this one."""


def _config(conn: sa.Connection):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(SCRIPTS))
    config.attributes["connection"] = conn
    return config


def known_revisions() -> list[str]:
    from alembic.script import ScriptDirectory

    config = _config(None)  # type: ignore[arg-type]
    return [s.revision for s in ScriptDirectory.from_config(config).walk_revisions()]


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return str(ScriptDirectory.from_config(_config(None)).get_current_head())  # type: ignore[arg-type]


def current_revision(bind: sa.Engine | sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    if isinstance(bind, sa.Engine):
        with bind.connect() as conn:
            conn = conn.execution_options(koll_read=True)  # a reader: never waits for a writer's lock
            return MigrationContext.configure(conn).get_current_revision()
    return MigrationContext.configure(bind).get_current_revision()


def upgrade(conn: sa.Connection, metadata: sa.MetaData) -> str:
    """Bring the ledger's own tables to the newest revision, in the caller's transaction."""
    from alembic import command

    names = set(sa.inspect(conn).get_table_names())
    current = current_revision(conn)
    head = head_revision()
    if current is not None and current not in known_revisions():
        raise SchemaTooNew(
            f"this database's schema is at revision {current}, written by a newer Koll; this Koll knows "
            f"revisions up to {head}. Run the newer Koll (or restore a backup made by this version): an "
            "older Koll must not write to it")
    config = _config(conn)
    if current is None and "koll_events" not in names:
        metadata.create_all(conn)
        command.stamp(config, "head")
        name_the_ledger(conn)
        return head
    if current is None:
        log.info("a ledger from before the schema carried a version: stamped %s, upgrading", BASELINE)
        command.stamp(config, BASELINE)
    if current != head:
        command.upgrade(config, "head")
        log.info("schema upgraded from %s to %s", current or BASELINE, head)
    metadata.create_all(conn)  # tables new since, that need no data moved
    name_the_ledger(conn)
    return head


def name_the_ledger(conn: sa.Connection) -> str:
    """A random id this ledger keeps for life (backups and restores keep it too): digests published
    outside carry it, so a file of another installation's digests is told apart from tampering."""
    import uuid

    from koll.ledger.store import schema_table

    found = ledger_id(conn)
    if found is None:
        found = str(uuid.uuid4())
        conn.execute(schema_table.insert().values(key="ledger_id", value=found))
    return found


def ledger_id(conn: sa.Connection) -> str | None:
    from koll.ledger.store import schema_table

    if schema_table.name not in sa.inspect(conn).get_table_names():
        return None
    return conn.execute(sa.select(schema_table.c.value).where(schema_table.c.key == "ledger_id")).scalar()


def fingerprint(table: sa.Table) -> str:
    shape = {
        "columns": [[c.name, str(c.type), c.nullable, c.primary_key] for c in table.columns],
        "indexes": sorted([i.name or "", [c.name for c in i.columns], bool(i.unique)] for i in table.indexes),
        "info": {k: v for k, v in table.info.items() if isinstance(v, (str, int, float, bool))},
    }
    return hashlib.sha256(json.dumps(shape, sort_keys=True, default=str).encode()).hexdigest()


def reshape_read_models(conn: sa.Connection, metadatas: Sequence[sa.MetaData]) -> bool:
    """Drop every read model for a rebuild when any table's shape differs from the one recorded;
    True when the caller must fold the ledger again."""
    from koll.ledger.store import schema_table, tracking_table

    tables = [t for md in metadatas for t in md.sorted_tables]
    wanted = {f"read_model:{t.name}": fingerprint(t) for t in tables}
    recorded = {r[0]: r[1] for r in conn.execute(sa.select(schema_table.c.key, schema_table.c.value)
                                               .where(schema_table.c.key.in_(list(wanted))))}
    if recorded == wanted:
        return False
    existing = set(sa.inspect(conn).get_table_names())
    present = [t for t in tables if t.name in existing]
    changed = sorted(k.split(":", 1)[1] for k in wanted if recorded.get(k) != wanted[k])
    if present:
        log.info("read models changed shape (%s): rebuilding them from the ledger", ", ".join(changed))
        for table in reversed(present):
            table.drop(conn)
        conn.execute(tracking_table.delete())
    conn.execute(schema_table.delete().where(schema_table.c.key.in_(list(wanted))))
    conn.execute(schema_table.insert(), [{"key": k, "value": v} for k, v in wanted.items()])
    return bool(present)


def rebuild_progress(done: int, total: int) -> None:
    """Log a read-model rebuild's progress (every batch: thousands of events)."""
    log.info("rebuilding the read models: %d of %d events (%d %%)", done, total, 100 * done // max(total, 1))
