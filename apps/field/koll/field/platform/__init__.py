"""What the phone's operating system gives the app, behind one small interface: run-time
permissions, the dialler, a QR reader, the camera and gallery, the GPS, and the background
sender. ``Desktop`` is what a laptop (and most tests) have; ``koll.field.platform.android``
speaks to Android through pyjnius and python-for-android's ``android`` module. The tests put a
fake ``jnius``/``android`` on the path and run the Android side unchanged.
"""

from __future__ import annotations

import os
from typing import Callable

Done = Callable[[bool], None]

CAMERA = "CAMERA"
FINE_LOCATION = "ACCESS_FINE_LOCATION"
COARSE_LOCATION = "ACCESS_COARSE_LOCATION"


class Desktop:
    name = "desktop"

    def request_permissions(self, permissions: list[str], done: Done) -> None:
        done(True)

    def dial(self, number: str) -> bool:
        """Open the dialler with ``number`` typed in; False where there is none."""
        return False

    def scan_qr(self, read: Callable[[str | None], None]) -> bool:
        """Read a QR code with the phone's scanner; False where there is none."""
        return False

    def start_sender(self, data_dir: str) -> bool:
        """Start the background sender (python-for-android service); False where there is none."""
        return False


def on_android() -> bool:
    if os.environ.get("KOLL_FIELD_PLATFORM") == "android":  # the tests' fake Android layer
        return True
    try:
        from kivy.utils import platform
    except ImportError:
        return False
    return platform == "android"


def make_platform() -> Desktop:
    if on_android():
        from koll.field.platform.android import Android

        return Android()
    return Desktop()
