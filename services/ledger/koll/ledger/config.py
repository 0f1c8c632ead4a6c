"""Settings from the environment (the contract's names), with the defaults a newcomer needs."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path


def _default_secret(var_dir: Path) -> str:
    """A stable per-installation secret for session cookies when KOLL_SECRET_KEY is unset."""
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    database_url: str
    blob_dir: Path
    secret_key: str
    host: str = "127.0.0.1"
    port: int = 8000
    tile_url: str | None = None
    var_dir: Path = Path("var")
    # Cookies only over TLS: KOLL_COOKIE_SECURE=1, on by default when KOLL_ENV=production.
    cookie_secure: bool = False
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        var_dir = Path(env.get("KOLL_VAR_DIR", "var"))
        url = env.get("KOLL_DATABASE_URL") or f"sqlite:///{var_dir / 'koll.sqlite'}"
        if url.startswith("sqlite:///") and not url.startswith("sqlite:///:memory:"):
            Path(url[len("sqlite:///"):]).parent.mkdir(parents=True, exist_ok=True)
        blob_dir = Path(env.get("KOLL_BLOB_DIR") or var_dir / "blobs")
        return cls(
            database_url=url,
            blob_dir=blob_dir,
            secret_key=env.get("KOLL_SECRET_KEY") or _default_secret(var_dir),
            host=env.get("KOLL_HOST", "127.0.0.1"),
            port=int(env.get("KOLL_PORT", "8000")),
            tile_url=env.get("KOLL_TILE_URL") or None,
            var_dir=var_dir,
            cookie_secure=env.get("KOLL_COOKIE_SECURE", "1" if env.get("KOLL_ENV") == "production" else "0")
            .strip().lower() in ("1", "true", "yes", "on"),
        )
