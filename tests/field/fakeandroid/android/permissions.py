import os

from fakelog import later, log

_granted: set[str] = set()


class Permission:
    CAMERA = "android.permission.CAMERA"
    ACCESS_FINE_LOCATION = "android.permission.ACCESS_FINE_LOCATION"
    ACCESS_COARSE_LOCATION = "android.permission.ACCESS_COARSE_LOCATION"


def _denied(name: str) -> bool:
    deny = {d.strip() for d in os.environ.get("FAKE_ANDROID_DENY", "").split(",") if d.strip()}
    return name.rsplit(".", 1)[-1] in deny


def check_permission(name: str) -> bool:
    return name in _granted


def request_permissions(names, callback) -> None:
    log("permissions.request", names=list(names))
    results = [not _denied(n) for n in names]
    _granted.update(n for n, ok in zip(names, results) if ok)
    later(callback, list(names), results)
