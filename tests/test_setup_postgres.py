"""infra/postgres/ensure on a PostgreSQL set up Debian's default way: peer on the socket,
scram-sha-256 for host connections. A throwaway cluster (initdb) on a free port, as the
postgres user; the script must finish on its own, never ask for a password, and leave this
user able to reach the test database over TCP."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import IN_CI, free_port

ROOT = Path(__file__).resolve().parents[1]
ENSURE = ROOT / "infra" / "postgres" / "ensure"


def pg_bin(name: str) -> str | None:
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    return str(found[-1]) if found else shutil.which(name)


@dataclass
class Cluster:
    port: int
    socket: str


def as_postgres(*cmd: str) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *cmd] if os.getuid() == 0 else list(cmd)


def needs_root(reason: str) -> None:
    """CI runs as root (it installs what the tests need): there a missing power is a failure."""
    if os.getuid() != 0:
        if IN_CI:
            pytest.fail(reason)
        pytest.skip(reason)


@pytest.fixture
def scram_cluster() -> Iterator[Cluster]:
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if not (initdb and pg_ctl) or (os.getuid() == 0 and not shutil.which("runuser")):
        message = "no initdb/pg_ctl (apt-get install postgresql) or runuser"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    top = Path(tempfile.mkdtemp(prefix="koll-scram-"))  # not under pytest's 0700 folder: postgres must enter
    top.chmod(0o755)
    data, sock = top / "data", top / "sock"
    for d in (data, sock):
        d.mkdir()
        if os.getuid() == 0:
            shutil.chown(d, "postgres", "postgres")
    port = free_port()
    subprocess.run(as_postgres(initdb, "-D", str(data), "-U", "postgres", "--auth-local", "peer",
                               "--auth-host", "scram-sha-256"), check=True, capture_output=True, timeout=120)
    subprocess.run(as_postgres(pg_ctl, "-D", str(data), "-l", str(sock / "log"), "-w", "-o",
                               f"-p {port} -k {sock} -c listen_addresses=127.0.0.1", "start"),
                   check=True, capture_output=True, timeout=120)
    try:
        yield Cluster(port, str(sock))
    finally:
        subprocess.run(as_postgres(pg_ctl, "-D", str(data), "-m", "immediate", "stop"), capture_output=True, timeout=60)
        shutil.rmtree(top, ignore_errors=True)


def ensure(cluster: Cluster, home: Path, user: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "KOLL_PG_PORT": str(cluster.port), "KOLL_PG_SOCKET": cluster.socket, "HOME": str(home),
           "PGPASSFILE": str(home / ".pgpass"), "KOLL_TEST_DB": "koll_test"}
    env.pop("PGPASSWORD", None)
    cmd = [str(ENSURE)] if user is None else ["runuser", "-u", user, "--", "env", f"HOME={home}",
                                                f"PGPASSFILE={home / '.pgpass'}", str(ENSURE)]
    return subprocess.run(cmd, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)


def test_ensure_makes_a_role_with_a_generated_password_on_a_scram_cluster(scram_cluster, tmp_path):
    needs_root("making the role over the socket as postgres needs root (runuser)")
    done = ensure(scram_cluster, tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Password" not in done.stdout + done.stderr
    me = getpass.getuser()
    password = (tmp_path / ".pgpass").read_text().strip().rsplit(":", 1)[1]
    assert oct((tmp_path / ".pgpass").stat().st_mode & 0o777) == "0o600"
    engine = sa.create_engine(f"postgresql+psycopg://{me}:{password}@127.0.0.1:{scram_cluster.port}/koll_test")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("select current_user").scalar() == me
    engine.dispose()
    again = ensure(scram_cluster, tmp_path)  # idempotent: nothing made twice, the same password kept
    assert again.returncode == 0, again.stderr
    assert (tmp_path / ".pgpass").read_text().strip().rsplit(":", 1)[1] == password


def test_ensure_without_a_way_in_fails_fast_and_says_why(scram_cluster):
    needs_root("needs another user to run as (runuser)")
    home = Path(tempfile.mkdtemp(prefix="koll-nobody-"))
    home.chmod(0o777)
    try:
        done = ensure(scram_cluster, home, user="nobody")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    assert done.returncode != 0
    assert "cannot reach PostgreSQL as its superuser" in done.stderr and "Password" not in done.stdout + done.stderr
