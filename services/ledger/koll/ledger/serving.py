"""Serving the app: gunicorn with sync workers (stateless; the database is the one shared thing)."""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication

from koll.ledger.config import Settings


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        from koll.ledger.server import create_app

        return create_app(Settings.from_env())


def serve(settings: Settings, workers: int = 2) -> None:
    _Gunicorn({
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": 8,  # concurrent requests in a worker share commits (group_commit.py)
        "timeout": 120,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
    }).run()


def wsgi_app():  # type: ignore[no-untyped-def]
    """For a gunicorn command line: ``gunicorn 'koll.ledger.serving:wsgi_app()'``."""
    from koll.ledger.server import create_app

    return create_app(Settings.from_env())
