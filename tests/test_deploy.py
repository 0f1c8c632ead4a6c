"""The production set-up as docs/deploying.md describes it, on this machine: Debian's nginx with
TLS (a self-signed certificate) in front of two gunicorn instances started from infra/'s own
configuration, both on one PostgreSQL schema, photos in that database.

With CI=true a missing nginx or PostgreSQL is a failure, never a skip (infra/system-deps
installs nginx).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa

from helpers import IN_CI, free_port, fresh_database_url, observation
from koll.ledger.application import Ledger
from koll.ledger.store import Store, events_table
from test_photos import jpeg_with_gps

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
SITE = ROOT / "infra" / "nginx" / "koll.conf"
GUNICORN_CONF = ROOT / "infra" / "gunicorn" / "koll.conf.py"


def need_nginx() -> None:
    if not Path(NGINX).exists():
        message = f"no nginx at {NGINX} (run infra/system-deps)"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)


def wait_until_up(url: str, proc: subprocess.Popen, **kw) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} exited with {proc.returncode}")
        try:
            if requests.get(url, timeout=1, **kw).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within 60 s")


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, sig)
    proc.wait(timeout=40)


def gunicorn(env: dict[str, str], log: Path) -> subprocess.Popen:
    """One instance, exactly as the systemd unit starts it."""
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen([str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), "koll.ledger.serving:wsgi_app()"],
                                env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def site_config(tmp: Path, https: int, http: int, upstreams: list[int]) -> str:
    """infra/nginx/koll.conf with its "# deploy:" lines filled in for this run."""
    text = SITE.read_text()
    fills = [
        (r"server 127\.0\.0\.1:8001 ", f"server 127.0.0.1:{upstreams[0]} "),
        (r"server 127\.0\.0\.1:8002 ", f"server 127.0.0.1:{upstreams[1]} "),
        (r"listen 80;", f"listen 127.0.0.1:{http};"),
        (r"listen 443 ssl", f"listen 127.0.0.1:{https} ssl"),
        (r"/etc/ssl/koll/fullchain\.pem", str(tmp / "cert.pem")),
        (r"/etc/ssl/koll/privkey\.pem", str(tmp / "key.pem")),
        (r"/var/log/nginx/koll\.access\.log", str(tmp / "nginx-access.log")),
        (r"/var/log/nginx/koll\.error\.log", str(tmp / "nginx-error.log")),
    ]
    for pattern, value in fills:
        text, n = re.subn(pattern, value, text)
        assert n, f"infra/nginx/koll.conf no longer has {pattern!r}: update this test and docs/deploying.md"
    assert "/var/log" not in text and "/etc/ssl" not in text
    return text


@dataclass
class Deployment:
    base: str  # https through nginx
    cert: str
    instances: list[str]  # each instance directly, bypassing nginx
    procs: list[subprocess.Popen]
    logs: list[Path]
    var_dirs: list[Path]
    database_url: str
    reporter: str  # a token

    def post(self, path: str, body: dict, base: str | None = None, **kw) -> requests.Response:
        return requests.post((base or self.base) + path, json=body, verify=self.cert, timeout=15,
                             headers={"Authorization": f"Bearer {self.reporter}", **kw.pop("headers", {})}, **kw)

    def get(self, path: str, base: str | None = None, **kw) -> requests.Response:
        return requests.get((base or self.base) + path, verify=self.cert, timeout=15,
                            headers={"Authorization": f"Bearer {self.reporter}", **kw.pop("headers", {})}, **kw)


def signing_key(folder: Path) -> str:
    path = folder / "signing-key.pem"
    if not path.exists():
        subprocess.run(["openssl", "genpkey", "-algorithm", "ed25519", "-out", str(path)], check=True, capture_output=True)
    return str(path)


def production_env(database_url: str, var: Path, port: int, **extra: str) -> dict[str, str]:
    return {**os.environ, "KOLL_ENV": "production", "KOLL_SIGNING_KEY": signing_key(var.parent), "KOLL_DATABASE_URL": database_url,
            "KOLL_BLOB_STORE": "database", "KOLL_TRUSTED_PROXIES": "1", "KOLL_VAR_DIR": str(var),
            "KOLL_PORT": str(port), "KOLL_WORKERS": "2", **extra}


@pytest.fixture
def deployment(tmp_path: Path) -> Iterator[Deployment]:
    need_nginx()
    for url in fresh_database_url("postgres", tmp_path):
        store = Store(url)
        reporter = Ledger(store).add_user("kim", "reporter", "sdf")  # also makes the schema
        store.dispose()
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                        "-subj", "/CN=koll.test", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                       check=True, capture_output=True)
        secret = secrets.token_hex(32)  # one key for all instances: a session works on either
        ports = [free_port(), free_port()]
        logs = [tmp_path / f"access-{p}.log" for p in ports]
        procs = []
        try:
            for port, log in zip(ports, logs, strict=True):
                env = production_env(url, tmp_path / f"var-{port}", port, KOLL_SECRET_KEY=secret,
                                     KOLL_ACCESS_LOG=str(log))
                procs.append(gunicorn(env, tmp_path / f"gunicorn-{port}.out"))
            for port, proc in zip(ports, procs, strict=True):
                wait_until_up(f"http://127.0.0.1:{port}/healthz", proc)
            https, http = free_port(), free_port()
            (tmp_path / "site.conf").write_text(site_config(tmp_path, https, http, ports))
            user = "user root;\n" if os.getuid() == 0 else ""  # workers must reach the temporary folder
            temp = "".join(f"{k}_temp_path {tmp_path / k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
            (tmp_path / "nginx.conf").write_text(
                f"{user}daemon off;\nworker_processes 1;\npid {tmp_path / 'nginx.pid'};\n"
                f"error_log {tmp_path / 'nginx-main-error.log'};\nevents {{ worker_connections 512; }}\n"
                f"http {{\n{temp}include {tmp_path / 'site.conf'};\n}}\n")
            nginx_cmd = [NGINX, "-e", str(tmp_path / "nginx-main-error.log"), "-p", str(tmp_path),
                         "-c", str(tmp_path / "nginx.conf")]
            checked = subprocess.run([*nginx_cmd, "-t"], capture_output=True, text=True)
            assert checked.returncode == 0, checked.stderr
            procs.append(subprocess.Popen(nginx_cmd, start_new_session=True))
            base = f"https://127.0.0.1:{https}"
            wait_until_up(f"{base}/healthz", procs[-1], verify=str(tmp_path / "cert.pem"))
            yield Deployment(base, str(tmp_path / "cert.pem"), [f"http://127.0.0.1:{p}" for p in ports],
                             procs, logs, [tmp_path / f"var-{p}" for p in ports], url, reporter)
        finally:
            for proc in procs:
                stop(proc)


def filed_ids(database_url: str) -> list[str]:
    """Every observation the ledger holds, once per time it was recorded."""
    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        e = events_table
        ids = list(conn.execute(sa.select(e.c.originator_id).where(
            e.c.originator_version == 1, e.c.topic.endswith("Observation.Recorded"))).scalars())
    engine.dispose()
    return ids


@pytest.mark.postgres
def test_two_instances_behind_nginx_share_ledger_photos_and_lose_nothing_when_one_dies(deployment):
    d = deployment
    # HTTP only redirects; the boards' cookie is Secure and HttpOnly behind TLS.
    login = requests.get(f"{d.base}/login", verify=d.cert, timeout=15)
    assert login.status_code == 200
    cookie = login.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie, cookie

    # Reports through nginx reach both instances (round robin), and both answer from one ledger.
    first = [observation() for _ in range(20)]
    for body in first:
        assert d.post("/api/v1/observations", body, headers={"X-Forwarded-For": "198.51.100.7"}).status_code == 201
    for log in d.logs:
        lines = log.read_text().splitlines()
        posts = [line for line in lines if "POST /api/v1/observations " in line]
        assert posts, f"{log.name}: this instance got no report through nginx"
        # The client's address as nginx saw it, through ProxyFix; a client's own header is not believed.
        assert all(line.startswith("127.0.0.1 ") for line in posts) and "198.51.100.7" not in log.read_text()
    for base in d.instances:
        mine = d.get("/api/v1/observations/mine?limit=1000", base=base).json()["observations"]
        assert {o["id"] for o in mine} == {b["id"] for b in first}

    # A photo uploaded to one instance is served by the other: the store is the database.
    upload = requests.post(f"{d.instances[0]}/api/v1/observations/{first[0]['id']}/photos",
                           files={"file": ("lampa.jpg", jpeg_with_gps(), "image/jpeg")},
                           headers={"Authorization": f"Bearer {d.reporter}"}, timeout=15)
    assert upload.status_code == 201, upload.text
    sha = upload.json()["sha256"]
    photo = d.get(f"/api/v1/photos/{sha}", base=d.instances[1])
    assert photo.status_code == 200 and photo.headers["Content-Type"] == "image/jpeg"
    assert d.get(f"/api/v1/photos/{sha}/thumb", base=d.instances[1]).status_code == 200
    assert not any((var / "blobs").exists() for var in d.var_dirs), "a photo went to one machine's folder"

    # Under load through nginx, one instance is killed outright (its master and workers).
    reports = [observation() for _ in range(400)]
    answers: dict[str, int] = {}
    lock = threading.Lock()

    def phone(chunk: list[dict]) -> None:
        for body in chunk:
            try:
                status = d.post("/api/v1/observations", body).status_code
            except requests.RequestException:
                continue  # no answer: not acknowledged, the phone keeps it
            with lock:
                answers[body["id"]] = status

    phones = [threading.Thread(target=phone, args=(reports[i::8],)) for i in range(8)]
    for p in phones:
        p.start()
    while sum(s == 201 for s in answers.values()) < 60 and any(p.is_alive() for p in phones):
        time.sleep(0.01)
    os.killpg(d.procs[0].pid, signal.SIGKILL)
    killed_at = len(answers)
    for p in phones:
        p.join()
    acknowledged = {i for i, s in answers.items() if s == 201}
    assert 60 <= killed_at < len(reports), "the kill should land mid-load"
    assert len([i for i, s in list(answers.items())[killed_at:] if s == 201]) > 50, \
        "the other instance should go on taking reports through nginx"
    assert set(answers.values()) <= {201, 502, 503, 504}, set(answers.values())

    recorded = filed_ids(d.database_url)
    assert len(recorded) == len(set(recorded)), "a report was recorded twice"
    assert acknowledged <= set(recorded), "an acknowledged report is not in the ledger"

    # The phones send what was not acknowledged again: everything is then in the ledger once.
    for body in reports:
        if body["id"] not in acknowledged:
            assert d.post("/api/v1/observations", body).status_code in (200, 201)
    recorded = filed_ids(d.database_url)
    assert sorted(recorded) == sorted(b["id"] for b in first + reports)


def whoami() -> str:
    from flask import request

    return f"{request.remote_addr} {request.scheme}"


def test_behind_one_trusted_proxy_the_app_believes_one_hop_only(tmp_path):
    from koll.ledger.config import Settings
    from koll.ledger.server import create_app

    hops = {"X-Forwarded-For": "198.51.100.7, 203.0.113.5", "X-Forwarded-Proto": "https"}
    seen = {}
    for trusted in ("1", "0"):
        app = create_app(Settings.from_env({"KOLL_VAR_DIR": str(tmp_path), "KOLL_TRUSTED_PROXIES": trusted}))
        app.add_url_rule("/_whoami", "whoami", whoami)
        seen[trusted] = app.test_client().get("/_whoami", headers=hops,
                                              environ_base={"REMOTE_ADDR": "127.0.0.1"}).text
        app.extensions["koll"].store.dispose()
    assert seen["1"] == "203.0.113.5 https"  # the hop nginx added; what the client claimed is ignored
    assert seen["0"] == "127.0.0.1 http"  # no proxy trusted: the headers mean nothing


@pytest.mark.postgres
@pytest.mark.parametrize("trouble", ["no secret", "short secret", "no signing key", "demo passwords"])
def test_a_production_instance_refuses_to_start_unsafe(tmp_path, trouble):
    from koll.ledger import demo

    for url in fresh_database_url("postgres", tmp_path):
        store = Store(url)
        if trouble == "demo passwords":
            Ledger(store).add_user("admin", "admin", "sdf", password=demo.DEMO_PASSWORD)
        store.dispose()
        secret = {"no secret": "", "short secret": "hemligt"}.get(trouble, secrets.token_hex(32))
        env = production_env(url, tmp_path / "var", free_port(), KOLL_SECRET_KEY=secret)
        if trouble == "no signing key":
            env["KOLL_SIGNING_KEY"] = str(tmp_path / "nowhere.pem")
        out = tmp_path / "gunicorn.out"
        proc = gunicorn(env, out)
        assert proc.wait(timeout=60) == 2
        said = out.read_text()
        assert "koll: refusing to start:" in said
        expected = {"demo passwords": "the demo's users admin", "no signing key": "KOLL_SIGNING_KEY"}
        assert expected.get(trouble, "KOLL_SECRET_KEY") in said, said
        # koll serve refuses alike, before loading anything
        served = subprocess.run([str(BIN / "koll"), "serve"], env=env, capture_output=True, text=True, timeout=60)
        assert served.returncode == 2 and "refusing to start" in served.stderr
