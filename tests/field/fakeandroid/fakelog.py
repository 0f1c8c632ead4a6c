import json
import os
import threading

_lock = threading.Lock()


def log(kind: str, **data) -> None:
    path = os.environ.get("FAKE_ANDROID_LOG")
    if not path:
        return
    with _lock, open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps({"kind": kind, **data}, default=str) + "\n")


def later(fn, *args, delay: float = 0.2) -> None:
    """Android answers on its own thread, some time later."""
    t = threading.Timer(delay, fn, args)
    t.daemon = True
    t.start()
