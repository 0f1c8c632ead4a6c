"""The field tests' kit: a real ``koll serve`` in a subprocess on a temporary
SQLite file, users made with ``koll user add``, and a runner for headless app scenarios.

Kivy's environment is set here before anything imports Kivy (recipes.md); the app itself runs
in a child process per scenario (drive.py), so Kivy's global window never leaks between tests.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
if str(HERE) not in sys.path:
    sys.path.append(str(HERE))

from kivyenv import set_headless_env  # noqa: E402

set_headless_env()

BIN = Path(sys.executable).parent
KOLL = str(BIN / "koll")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
# Screenshots are test artefacts; `make screenshots` copies the README's picks into docs/img.
SHOTS = ROOT / "tests" / "artifacts" / "field"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Service:
    """``koll serve`` on its own SQLite file; stop() and start() again keep the data."""

    dir: Path
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "KOLL_DATABASE_URL": f"sqlite:///{self.dir / 'koll.sqlite'}",
                "KOLL_BLOB_DIR": str(self.dir / "blobs"), "KOLL_VAR_DIR": str(self.dir / "var"),
                "KOLL_HOST": "127.0.0.1", "KOLL_PORT": str(self.port), "KOLL_SECRET_KEY": "field-tests"}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "Service":
        with open(self.dir / "serve.log", "ab") as log:  # the child keeps its own descriptor
            self.proc = subprocess.Popen([KOLL, "serve"], env=self.env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"koll serve exited: {(self.dir / 'serve.log').read_text()[-2000:]}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).status_code == 200:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("koll serve did not answer /healthz within 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def user(self, name: str | None = None, role: str = "reporter", org: str = "sdf",
             areas: tuple[str, ...] = ()) -> "User":
        name = name or f"u{uuid.uuid4().hex[:8]}"
        where = [a for code in areas for a in ("--area", code)]
        out = subprocess.run([KOLL, "user", "add", name, "--role", role, "--org", org, *where], env=self.env,
                             capture_output=True, text=True, check=True)
        token = out.stdout.strip().splitlines()[-1].strip()
        return User(self, name, token, role, org)


@dataclass
class User:
    service: Service
    name: str
    token: str
    role: str
    org: str

    def api(self, method: str, path: str, **kw: Any) -> requests.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kw.pop("headers", {})}
        return requests.request(method, f"{self.service.url}/api/v1{path}", headers=headers, timeout=30, **kw)

    def mine(self) -> list[dict[str, Any]]:
        r = self.api("GET", "/observations/mine", params={"limit": 10000})
        assert r.status_code == 200, r.text
        return r.json()["observations"]


FAKE_ANDROID = HERE / "fakeandroid"


def android_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The fake Android layer (fakeandroid/) on the path, the app told it runs on Android."""
    log = data_dir.parent / f"{data_dir.name}-android.jsonl"
    return {"PYTHONPATH": f"{FAKE_ANDROID}{os.pathsep}{HERE}", "KOLL_FIELD_PLATFORM": "android",
            "FAKE_ANDROID_LOG": str(log), "FAKE_ANDROID_FILES": str(data_dir), **extra}


def android_log(data_dir: Path) -> list[dict[str, Any]]:
    log = data_dir.parent / f"{data_dir.name}-android.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def run_scenario(name: str, data_dir: Path, server: str | None = None, *, args: dict[str, Any] | None = None,
                 gps: str = "manual", camera: str = "file", shots: bool = False, timeout: float = 120,
                 token: str | None = None, background: bool = False, env: dict[str, str] | None = None):
    """Run one scenario of scenarios.py in a fresh process with the real app; its result dict."""
    out = data_dir.parent / f"{data_dir.name}-{name}-{uuid.uuid4().hex[:6]}.json"
    cmd = [sys.executable, str(HERE / "drive.py"), name, "--data-dir", str(data_dir), "--out", str(out),
           "--gps", gps, "--camera", camera, "--watchdog", str(timeout - 5)]
    if server:
        cmd += [f"--server={server}"]
    if token:
        cmd += [f"--token={token}"]
    if shots:
        cmd += ["--shots", str(SHOTS)]
    for k, v in (args or {}).items():
        cmd += ["--arg", f"{k}={v}"]
    env = {**os.environ, "PYTHONPATH": str(HERE), **(env or {})}
    if background:
        return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True), out
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout)
    result = json.loads(out.read_text()) if out.exists() else {}
    if proc.returncode != 0 or not result.get("ok"):
        pytest.fail(f"scenario {name} failed (exit {proc.returncode}):\n{result.get('error') or ''}\n"
                    f"--- output ---\n{proc.stdout[-3000:]}\n{proc.stderr[-6000:]}")
    return result
