"""Serving the app: gunicorn with threaded workers (stateless; the database is the one shared thing).

``koll serve`` and a production gunicorn (infra/gunicorn/koll.conf.py) take the same options
from ``gunicorn_options``, so the two cannot drift apart.
"""

from __future__ import annotations

import sys
from typing import Any

from gunicorn.app.base import BaseApplication

from koll.ledger.config import Settings, SettingsRefused

# The client (its real address once ProxyFix has read X-Forwarded-For), the request, the status,
# the bytes and the microseconds it took: one line a request.
ACCESS_LOG_FORMAT = '%(h)s - %(t)s "%(r)s" %(s)s %(B)s %(D)sus "%(a)s"'


# No keep-alive: a gthread worker accepts every connection it is offered, so clients that keep
# theirs open (nginx's upstream pool, a benchmark, a phone flushing its outbox) all stayed on
# whichever worker accepted first, and the others idled: 32 kept connections gave one worker 1.0
# core and the other 0.02. Closing after each response lets every request be accepted by a free
# worker (152 -> 280 requests a second, p99 571 -> 282-351 ms): decision 0012.
KEEPALIVE_S = 0


def gunicorn_options(settings: Settings, workers: int | None = None) -> dict[str, Any]:
    return {
        "bind": f"{settings.host}:{settings.port}",
        "workers": workers or settings.workers,
        "worker_class": "gthread",
        "threads": 8,  # concurrent requests in a worker share commits (group_commit.py)
        "keepalive": KEEPALIVE_S,
        "timeout": 120,
        "graceful_timeout": 30,
        "accesslog": settings.access_log,
        "access_log_format": ACCESS_LOG_FORMAT,
        "errorlog": "-",
        "loglevel": "warning",
    }


def check_start(settings: Settings) -> None:
    """Refuses, before any worker starts, what create_app would refuse in every worker."""
    from koll.ledger.production import refuse_unsafe
    from koll.ledger.server import open_ledger

    koll = open_ledger(settings)
    try:
        refuse_unsafe(settings, koll.ledger)
    finally:
        koll.store.dispose()


def exit_refused(error: SettingsRefused) -> None:
    print(f"koll: refusing to start: {error}", file=sys.stderr, flush=True)
    raise SystemExit(2)


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):  # type: ignore[no-untyped-def]
        return wsgi_app()


def serve(settings: Settings, workers: int | None = None) -> None:
    _Gunicorn(gunicorn_options(settings, workers)).run()


def wsgi_app():  # type: ignore[no-untyped-def]
    """For a gunicorn command line: ``gunicorn 'koll.ledger.serving:wsgi_app()'``."""
    from koll.ledger.server import create_app

    return create_app(Settings.from_env())
