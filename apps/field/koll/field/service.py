"""The background sender: python-for-android's service ``Sender`` (buildozer.spec ``services``).

The app starts it when it is put away with something still to send (``on_pause``); it runs in
its own process, with the app closed or the screen off, and empties the same outbox with the
same ``Syncer`` the app uses (SQLite's locking keeps the two from claiming one report twice:
``claim`` is one ``BEGIN IMMEDIATE`` transaction). Each report goes with its author's token.
When nothing is left it ends, and so costs no battery.

    python -m koll.field.service DATA_DIR      (p4a passes DATA_DIR as PYTHON_SERVICE_ARGUMENT)
"""

from __future__ import annotations

import os
import sys
import time

from koll.field.outbox import Outbox
from koll.field.settings import SettingsStore
from koll.field.sync import ApiClient, Syncer, backoff


def run(data_dir: str, max_backoff: float = 120.0, give_up_after: float | None = None) -> int:
    """Send until the outbox has nothing left to send; 0 when empty, 1 when ``give_up_after``
    seconds passed first (tests)."""
    outbox = Outbox(data_dir)
    store = SettingsStore(data_dir)
    started, failures = time.monotonic(), 0
    try:
        while outbox.pending():
            settings = store.load()  # the app may have signed someone in or out meanwhile
            res = Syncer(outbox, ApiClient(settings.server, settings.token)).flush()
            if not outbox.pending():
                break
            if give_up_after is not None and time.monotonic() - started > give_up_after:
                return 1
            if res.offline or res.error or res.unauthorized:
                failures += 1
                time.sleep(backoff(failures, cap=max_backoff))
            else:
                failures = 0
                time.sleep(1.0)  # what is left waits for a back-off of its own
    finally:
        outbox.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    data_dir = os.environ.get("PYTHON_SERVICE_ARGUMENT") or (args[0] if args else "")
    if not data_dir:
        print("usage: python -m koll.field.service DATA_DIR", file=sys.stderr)
        return 2
    return run(data_dir)


if __name__ == "__main__":
    raise SystemExit(main())
