"""The set-up a newcomer meets: make clean keeps var/, reset-demo asks first, the Python check
speaks plainly, an interrupted demo load is reported on the next start, never served as if whole."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from helpers import free_port
from koll.ledger import demo
from koll.ledger.application import Ledger
from koll.ledger.store import Store

ROOT = Path(__file__).resolve().parents[1]
KOLL = str(Path(sys.executable).parent / "koll")


def make(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "-C", str(folder), *args], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL, env={**os.environ, **env})


def a_checkout(tmp_path: Path) -> Path:
    """The Makefile and infra/ in a folder of their own, with what a used checkout holds."""
    top = tmp_path / "koll"
    top.mkdir()
    shutil.copy(ROOT / "Makefile", top / "Makefile")
    shutil.copytree(ROOT / "infra", top / "infra")
    for d in (".venv/bin", "var/blobs/ab", ".pytest_cache", "tests/artifacts/web", "services/ledger/koll/__pycache__",
              "services/ledger/koll_ledger.egg-info", "var/__pycache__"):
        (top / d).mkdir(parents=True, exist_ok=True)
    for f in ("var/koll.sqlite", "var/secret_key", "var/blobs/ab/abcd", "tests/artifacts/web/a.png", "var/__pycache__/x"):
        (top / f).write_text("x")
    return top


def test_make_clean_removes_what_can_be_rebuilt_and_never_var(tmp_path):
    top = a_checkout(tmp_path)
    done = make(top, "clean")
    assert done.returncode == 0, done.stderr
    for gone in (".venv", ".pytest_cache", "tests/artifacts", "services/ledger/koll/__pycache__",
                 "services/ledger/koll_ledger.egg-info"):
        assert not (top / gone).exists(), gone
    for kept in ("var/koll.sqlite", "var/secret_key", "var/blobs/ab/abcd", "var/__pycache__/x"):
        assert (top / kept).read_text() == "x", kept


def test_reset_demo_needs_confirmation_and_never_touches_a_configured_database(tmp_path):
    var = tmp_path / "var"
    var.mkdir()
    (var / "koll.sqlite").write_text("the city's")
    script = str(ROOT / "infra" / "reset-demo")
    env = {**os.environ, "KOLL_VAR_DIR": str(var)}
    env.pop("KOLL_DATABASE_URL", None)
    asked = subprocess.run([script, "", KOLL], env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert asked.returncode == 1 and "CONFIRM=yes" in asked.stderr
    configured = subprocess.run([script, "yes", KOLL], env={**env, "KOLL_DATABASE_URL": "postgresql+psycopg://x/y"},
                                capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert configured.returncode == 1 and "KOLL_DATABASE_URL" in configured.stderr
    assert (var / "koll.sqlite").read_text() == "the city's"


def test_the_python_check_names_the_python_and_the_cure(tmp_path):
    check = str(ROOT / "infra" / "check-python")
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    (venv / "pyvenv.cfg").write_text("home = /opt/python3.10/bin\n")
    other = venv / "bin" / "python"
    other.write_text("#!/bin/sh\necho 3.10\n")  # a .venv that another Python built
    other.chmod(0o755)
    built_by_other = subprocess.run([check, sys.executable, str(venv)], capture_output=True, text=True)
    assert built_by_other.returncode == 1
    assert "built by Python 3.10" in built_by_other.stderr and "make clean && make" in built_by_other.stderr
    other.unlink()
    other.symlink_to("/nonexistent/python3.10")  # its Python was removed
    gone = subprocess.run([check, sys.executable, str(venv)], capture_output=True, text=True)
    assert gone.returncode == 1 and "gone or broken" in gone.stderr and "/opt/python3.10/bin" in gone.stderr
    old = tmp_path / "python3"
    old.write_text("#!/bin/sh\ncase \"$2\" in *exit*) exit 1;; *) echo 3.9;; esac\n")  # an old Python 3.9
    old.chmod(0o755)
    too_old = subprocess.run([check, str(old), str(tmp_path / "none")], capture_output=True, text=True)
    assert too_old.returncode == 1 and "Python 3.9; Koll needs 3.11 or newer" in too_old.stderr
    assert subprocess.run([check, sys.executable, str(tmp_path / "none")], capture_output=True).returncode == 0


def serve_demo(env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([KOLL, "serve", "--demo-if-empty"], env={**env, "KOLL_PORT": str(free_port())},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def test_a_demo_load_stopped_by_ctrl_c_is_reported_on_the_next_start_not_served(tmp_path):
    env = {**os.environ, "KOLL_VAR_DIR": str(tmp_path / "var")}
    for name in ("KOLL_DATABASE_URL", "KOLL_BLOB_DIR", "KOLL_ENV"):
        env.pop(name, None)
    first = serve_demo(env)
    seen = ""
    while "demo: 12/" not in seen:  # twelve weeks of the story told
        char = first.stderr.read(1)
        assert char, f"koll serve ended before the demo got going: {seen}"
        seen += char
    os.killpg(first.pid, signal.SIGINT)  # Ctrl-C
    out, _ = first.communicate(timeout=60)
    assert "Koll serves at" not in out

    again = subprocess.run([KOLL, "serve", "--demo-if-empty"], env={**env, "KOLL_PORT": str(free_port())},
                           capture_output=True, text=True, timeout=120)
    assert again.returncode == 1
    assert "interrupted while it loaded" in again.stderr and "make reset-demo" in again.stderr
    assert "Koll serves at" not in again.stdout

    reset = subprocess.run([str(ROOT / "infra" / "reset-demo"), "yes", KOLL], env=env, capture_output=True,
                           text=True, timeout=300)
    assert reset.returncode == 0, reset.stderr
    store = Store(f"sqlite:///{tmp_path / 'var' / 'koll.sqlite'}")
    try:
        assert demo.state(Ledger(store)) == "complete"
    finally:
        store.dispose()
    whole = serve_demo(env)  # a whole demo: served at once, nothing loaded again
    try:
        deadline = time.time() + 60
        line = ""
        while "Koll serves at" not in line and time.time() < deadline:
            line = whole.stdout.readline()
            assert line or whole.poll() is None, whole.stderr.read()
        assert "Koll serves at" in line
    finally:
        os.killpg(whole.pid, signal.SIGTERM)
        whole.communicate(timeout=30)


def test_the_readme_curl_block_can_be_pasted_twice(tmp_path):
    readme = (ROOT / "README.md").read_text()
    block = readme.split("## File an observation with curl", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    env = {**os.environ, "KOLL_VAR_DIR": str(tmp_path / "var")}
    for name in ("KOLL_DATABASE_URL", "KOLL_BLOB_DIR", "KOLL_ENV"):
        env.pop(name, None)
    port = free_port()
    (tmp_path / ".venv").symlink_to(Path(sys.executable).parents[1])  # the README's .venv/bin/koll
    server = subprocess.Popen([KOLL, "serve", "--workers", "1"], env={**env, "KOLL_PORT": str(port)}, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, start_new_session=True)
    try:
        assert "Koll serves at" in server.stdout.readline()
        deadline = time.time() + 60
        while time.time() < deadline:  # gunicorn binds after the line
            try:
                if requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        pasted = block.replace("127.0.0.1:8000", f"127.0.0.1:{port}").replace("curl -s", "curl -s -w ' %{http_code}\\n'")
        answers = [subprocess.run(["bash", "-c", pasted], cwd=tmp_path, env=env, capture_output=True, text=True,
                                  timeout=60).stdout.strip() for _ in range(2)]
        assert all(a.endswith(" 201") and '"case_id"' in a for a in answers), answers
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.communicate(timeout=30)
