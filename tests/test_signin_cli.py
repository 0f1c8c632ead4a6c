"""`koll user …` as an admin types it: no password in the command line, tokens listed, revoked one
by one or all, a user deactivated; on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import subprocess

from test_cli_and_demo import KOLL

from koll.ledger.application import Ledger
from koll.ledger.store import Store


def run(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([KOLL, *args], env=env, input=stdin, capture_output=True, text=True, timeout=300)


def test_users_and_tokens_on_the_command_line(database_url, tmp_path):
    env = {**os.environ, "KOLL_DATABASE_URL": database_url, "KOLL_VAR_DIR": str(tmp_path / "var"),
           "KOLL_BLOB_DIR": str(tmp_path / "blobs")}
    added = run(env, "user", "add", "kim", "--role", "reporter", "--org", "sdf", "--password-stdin",
                stdin="lång-fras-utan-historik\n")
    assert added.returncode == 0, added.stderr
    first = added.stdout.strip()
    assert "lång-fras" not in added.stdout + added.stderr
    second = run(env, "user", "token", "kim", "--label", "telefon", "--expires-days", "30").stdout.strip()
    listed = [line.split("\t") for line in run(env, "user", "tokens", "kim").stdout.splitlines()]
    assert sorted(label for _, label, _, _ in listed) == ["cli", "telefon"]
    assert next(exp for _, label, _, exp in listed if label == "cli") == "no expiry"
    assert next(exp for _, label, _, exp in listed if label == "telefon") != "no expiry"
    assert all(first not in line and second not in line for line in map("\t".join, listed))
    store = Store(database_url)
    ledger = Ledger(store)
    try:
        assert ledger.check_sign_in("kim", "lång-fras-utan-historik") is not None
        phone_id = next(i for i, label, _, _ in listed if label == "telefon")
        assert run(env, "user", "revoke", "kim", "--token", phone_id).returncode == 0
        assert ledger.authenticate(second) is None and ledger.authenticate(first) is not None
        assert run(env, "user", "revoke", "kim", "--token", "ingen-sadan").returncode == 1
        assert run(env, "user", "revoke", "kim").returncode == 0
        assert ledger.authenticate(first) is None
        third = run(env, "user", "token", "kim").stdout.strip()
        assert ledger.authenticate(third) is not None
        gone = run(env, "user", "deactivate", "kim")
        assert gone.returncode == 0 and "deactivated" in gone.stderr
        assert ledger.authenticate(third) is None and ledger.user("kim") is None
        assert "kim\treporter\tsdf\tdeactivated" in run(env, "user", "list").stdout
        assert run(env, "user", "tokens", "ingen").returncode == 1
    finally:
        store.dispose()
    # without a terminal and without a password option, no password is set and nothing waits for one
    quiet = run(env, "user", "add", "eva", "--role", "reporter", "--org", "sdf", stdin="")
    assert quiet.returncode == 0 and quiet.stdout.strip()
