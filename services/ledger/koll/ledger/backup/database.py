"""The ledger's database copied while it serves, and put back: SQLite's online backup API, or
PostgreSQL's own pg_dump / pg_restore (the client programs must be on the machine: Debian's
postgresql-client, listed in infra/system-deps)."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import sqlalchemy as sa

SQLITE_FILE = "ledger.sqlite"
POSTGRES_FILE = "ledger.pgdump"


class BackupError(Exception):
    """What the operator must hear, in one sentence."""


def sqlite_path(url: str) -> Path:
    return Path(url[len("sqlite:///"):].split("?")[0])


def libpq(url: str) -> tuple[str, str | None]:
    """A SQLAlchemy PostgreSQL URL as a libpq connection string for the client programs, and the
    search_path its options name (the schema Koll's tables live in), if any."""
    parts = urlsplit(url.replace("postgresql+psycopg", "postgresql", 1).replace("postgresql+psycopg2", "postgresql", 1))
    query = parse_qs(parts.query)
    options = unquote(" ".join(query.pop("options", [])))
    schema = None
    for option in options.split():
        if option.startswith("-csearch_path="):
            schema = option.split("=", 1)[1].split(",")[0]
    rest = "&".join(f"{k}={v[0]}" for k, v in query.items())
    conninfo = f"{parts.scheme}://{parts.netloc}{parts.path}" + (f"?{rest}" if rest else "")
    if options:
        conninfo += ("&" if rest else "?") + "options=" + options.replace(" ", "%20").replace("=", "%3D")
    return conninfo, schema


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} is not on this machine: install Debian's postgresql-client "
                          "(infra/system-deps) in the same major version as the server")
    return found


def current_schema(engine: sa.Engine) -> str:
    with engine.connect() as conn:
        return str(conn.exec_driver_sql("SELECT current_schema()").scalar())


def copy_out(engine: sa.Engine, url: str, into: Path) -> str:
    """An online copy of the database into the folder ``into``; returns the file's name."""
    if engine.dialect.name == "sqlite":
        target = sqlite3.connect(into / SQLITE_FILE)
        raw = engine.raw_connection()
        try:
            raw.driver_connection.backup(target)  # a consistent copy while writers go on
        finally:
            raw.close()
            target.close()
        return SQLITE_FILE
    conninfo, _ = libpq(url)
    schema = current_schema(engine)
    done = subprocess.run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
                           f"--schema={schema}", f"--file={into / POSTGRES_FILE}", f"--dbname={conninfo}"],
                          capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return POSTGRES_FILE


def is_empty(engine: sa.Engine) -> bool:
    names = sa.inspect(engine).get_table_names()
    if "koll_events" not in names:
        return not any(n.startswith(("koll_", "rm_")) for n in names)
    with engine.connect() as conn:
        return not conn.exec_driver_sql("SELECT 1 FROM koll_events LIMIT 1").first()


def drop_koll_tables(engine: sa.Engine) -> None:
    reflected = sa.MetaData()
    reflected.reflect(engine)
    ours = [t for t in reflected.sorted_tables if t.name.startswith(("koll_", "rm_", "alembic_"))]
    with engine.begin() as conn:
        for table in reversed(ours):
            table.drop(conn)


def copy_in(engine: sa.Engine, url: str, source: Path, name: str, schema: str | None) -> None:
    """Put the copy back into an empty database (the caller emptied it or found it empty)."""
    if name == SQLITE_FILE:
        if engine.dialect.name != "sqlite":
            raise BackupError("this backup holds a SQLite ledger; KOLL_DATABASE_URL names PostgreSQL")
        engine.dispose()
        path = sqlite_path(url)
        path.parent.mkdir(parents=True, exist_ok=True)
        origin = sqlite3.connect(f"file:{source / SQLITE_FILE}?mode=ro", uri=True)
        target = sqlite3.connect(path)
        try:
            origin.backup(target)
        finally:
            origin.close()
            target.close()
        return
    if engine.dialect.name != "postgresql":
        raise BackupError("this backup holds a PostgreSQL ledger; KOLL_DATABASE_URL names SQLite")
    here = current_schema(engine)
    if schema and here != schema:
        raise BackupError(f"the backup's tables live in the schema '{schema}', the database named by "
                          f"KOLL_DATABASE_URL uses '{here}': restore into a database (or search_path) whose "
                          f"schema is '{schema}'")
    conninfo, _ = libpq(url)
    pg_restore = _tool("pg_restore")
    with tempfile.TemporaryDirectory(prefix="koll-restore-") as tmp:
        listing = subprocess.run([pg_restore, "--list", str(source / POSTGRES_FILE)], capture_output=True, text=True)
        if listing.returncode:
            raise BackupError(f"pg_restore cannot read the dump: {listing.stderr.strip()}")
        # The schema itself already exists (it is where KOLL_DATABASE_URL points): restore what is in it.
        wanted = [line for line in listing.stdout.splitlines() if " SCHEMA " not in line]
        (Path(tmp) / "list").write_text("\n".join(wanted) + "\n")
        done = subprocess.run([pg_restore, "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
                               f"--use-list={Path(tmp) / 'list'}", f"--dbname={conninfo}", str(source / POSTGRES_FILE)],
                              capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"pg_restore failed: {done.stderr.strip()}")
