"""Sign-in timing: an unknown user name must cost what a wrong password costs (no name oracle),
and a token look-up without a cache must stay cheap. In-process (Flask's test client) on SQLite.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import row
from koll.ledger.config import Settings
from koll.ledger.server import create_app

TRIES = 20


def _median_ms(fn: Any, n: int) -> float:
    times = []
    for i in range(n):
        started = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        settings = Settings.from_env({"KOLL_DATABASE_URL": f"sqlite:///{d / 'k.sqlite'}", "KOLL_VAR_DIR": str(d),
                                      "KOLL_BLOB_DIR": str(d / "b"), "KOLL_SECRET_KEY": "bench"})
        app = create_app(settings)
        ledger = app.extensions["koll"].ledger
        names = [f"anvandare{i}" for i in range(TRIES)]
        token = ""
        for name in names:
            token = ledger.add_user(name, "reporter", "sdf", password="rätt-lösenord")
        client = app.test_client()

        def attempt(name: str, i: int) -> None:
            # one address per try, so the per-address limit does not refuse the figure itself
            got = client.post("/api/v1/auth/token", json={"username": name, "password": "fel"},
                              environ_overrides={"REMOTE_ADDR": f"10.1.{i}.1"})
            assert got.status_code == 401, got.status_code

        attempt("uppvärmning", 250)
        wrong = _median_ms(lambda i: attempt(names[i], i), TRIES)
        unknown = _median_ms(lambda i: attempt(f"finns-inte-{i}", 100 + i), TRIES)
        me = _median_ms(lambda i: client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 200)
        app.extensions["koll"].store.dispose()
    return [
        row("sign-in, wrong password (median)", wrong, "ms", "≈ the unknown-name time"),
        row("sign-in, unknown user name (median)", unknown, "ms", "within 20 % of a wrong password",
            ratio=unknown / wrong, note="scrypt against a dummy hash; before: 5.8 ms against 74.7 ms"),
        row("GET /api/v1/me with a token, no cache (median)", me, "ms", "< 5 ms",
            ratio=me / 5, note="the token, user and expiry in one indexed query per request"),
    ]


if __name__ == "__main__":
    for r in run():
        print(r)
