"""Settings from the environment (the contract's names), with the defaults a newcomer needs.

Every setting is in the one table in docs/deploying.md. ``KOLL_ENV=production`` turns the
newcomer's conveniences into refusals: no secret key made up on the spot, cookies only over
HTTPS, one signing key for every instance, and (production.py) no demo logins with their published password.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

ENVIRONMENTS = ("development", "production")
BLOB_STORES = ("folder", "database")
MIN_SECRET_LENGTH = 32


class SettingsRefused(Exception):
    """Koll will not start with these settings; the message says what to change."""


def _default_secret(var_dir: Path) -> str:
    """A stable per-installation secret for session cookies when KOLL_SECRET_KEY is unset."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _choice(env: dict[str, str], name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = (env.get(name) or default).strip().lower()
    if value not in allowed:
        raise SettingsRefused(f"{name}={value!r}: one of {', '.join(allowed)}")
    return value


def _flag(env: dict[str, str], name: str, default: bool) -> bool:
    value = (env.get(name) or "").strip().lower()
    if not value:
        return default
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise SettingsRefused(f"{name}={value!r}: true or false")


def _count(env: dict[str, str], name: str, default: int) -> int:
    value = (env.get(name) or "").strip()
    try:
        n = int(value) if value else default
    except ValueError:
        n = -1
    if n < 0:
        raise SettingsRefused(f"{name}={value!r}: a whole number, 0 or more")
    return n


def _secret(env: dict[str, str], production: bool, var_dir: Path) -> str:
    given = env.get("KOLL_SECRET_KEY") or ""
    if production and len(given) < MIN_SECRET_LENGTH:
        # Instances behind one proxy must share the key, and a key made up on one machine is not shared.
        raise SettingsRefused(
            "KOLL_ENV=production needs KOLL_SECRET_KEY, the same on every instance and at least "
            f"{MIN_SECRET_LENGTH} characters (e.g. `python3 -c 'import secrets; print(secrets.token_hex(32))'`); "
            + ("it is missing" if not given else f"it has {len(given)}"))
    return given or _default_secret(var_dir)


def _refuse_unshared_signing_key(env: dict[str, str]) -> None:
    """Each instance would otherwise make its own key in its own var/, and audit bundles would be
    signed by whichever instance answered."""
    path = env.get("KOLL_SIGNING_KEY") or ""
    if not path or not Path(path).is_file():
        raise SettingsRefused(
            "KOLL_ENV=production needs KOLL_SIGNING_KEY, the path of the Ed25519 key (PEM) that every instance "
            "signs audit bundles with (make it once: openssl genpkey -algorithm ed25519 -out signing-key.pem); "
            + (f"there is no file {path}" if path else "it is missing"))


@dataclass(frozen=True)
class Settings:
    database_url: str
    blob_dir: Path
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8000
    tile_url: str | None = None
    var_dir: Path = Path("var")
    env: str = "development"
    blob_store: str = "folder"  # 'database': photos in the ledger's database, shared by every instance
    trusted_proxies: int = 0  # how many proxies in front may set X-Forwarded-For/-Proto/-Host/-Port
    cookie_secure: bool = False  # the session cookie only over HTTPS
    access_log: str | None = None  # '-' (standard output) or a file; None: no access log
    workers: int = 2  # gunicorn worker processes of this instance
    smtp_url: str | None = None  # e.g. smtp://127.0.0.1:8025; None: no e-mail is sent (or queued)
    public_url: str | None = None  # the boards' address as people reach it, for links in e-mail
    mail_from: str = "Koll <koll@localhost>"
    extra: dict = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        kind = _choice(env, "KOLL_ENV", "development", ENVIRONMENTS)
        production = kind == "production"
        if production:
            _refuse_unshared_signing_key(env)
        var_dir = Path(env.get("KOLL_VAR_DIR", "var"))
        url = env.get("KOLL_DATABASE_URL") or f"sqlite:///{var_dir / 'koll.sqlite'}"
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        blob_dir = Path(env.get("KOLL_BLOB_DIR") or var_dir / "blobs")
        return cls(
            database_url=url,
            blob_dir=blob_dir,
            secret_key=_secret(env, production, var_dir),
            host=env.get("KOLL_HOST", "127.0.0.1"),
            port=int(env.get("KOLL_PORT", "8000")),
            tile_url=env.get("KOLL_TILE_URL") or None,
            var_dir=var_dir,
            env=kind,
            blob_store=_choice(env, "KOLL_BLOB_STORE", "folder", BLOB_STORES),
            trusted_proxies=_count(env, "KOLL_TRUSTED_PROXIES", 0),
            cookie_secure=_flag(env, "KOLL_COOKIE_SECURE", production),
            access_log=env.get("KOLL_ACCESS_LOG") or ("-" if production else None),
            workers=max(1, _count(env, "KOLL_WORKERS", 2)),
            smtp_url=env.get("KOLL_SMTP_URL") or None,
            public_url=env.get("KOLL_PUBLIC_URL") or None,
            mail_from=env.get("KOLL_MAIL_FROM") or "Koll <koll@localhost>",
        )
