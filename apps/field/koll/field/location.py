"""Where the phone is. One interface, several providers:

- ``PlyerGpsProvider``: the phone's GPS through plyer (Android/iOS), asking for the
  location permission on Android first;
- ``ManualLocationProvider``: the desktop stand-in; it never has a fix, so the user drops
  a pin on the map or picks a named place (both handled by the report form);
- ``FixedLocationProvider``: reports a given position after a short delay, like a GPS that
  found its fix (demos, tests: ``--gps 59.3665,17.8435,8``).

Callbacks may come from any thread; the app moves them to Kivy's thread. Nothing waits for a
fix: a provider calls back when it has one, and the form works without.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Callable

from koll.field.report import Location

OnFix = Callable[[Location], None]
OnStatus = Callable[[str], None]


@dataclass
class Fix:
    lat: float
    lon: float
    accuracy_m: float | None
    at: float


class LocationProvider:
    name = "none"
    has_gps = False

    def __init__(self) -> None:
        self.last: Location | None = None
        self._on_fix: OnFix | None = None
        self._on_status: OnStatus | None = None

    def start(self, on_fix: OnFix, on_status: OnStatus | None = None) -> None:
        self._on_fix, self._on_status = on_fix, on_status

    def stop(self) -> None:
        self._on_fix = None

    def _emit(self, loc: Location) -> None:
        if loc.place is None:
            from koll.schema.taxonomy import nearest_place

            near = nearest_place(loc.lat, loc.lon)
            loc.place = near.code if near else None
        self.last = loc
        if self._on_fix:
            self._on_fix(loc)

    def _status(self, text: str) -> None:
        if self._on_status:
            self._on_status(text)


class ManualLocationProvider(LocationProvider):
    name = "manual"


class FixedLocationProvider(LocationProvider):
    name = "fixed"
    has_gps = True

    def __init__(self, lat: float, lon: float, accuracy_m: float = 8.0, delay: float = 0.5):
        super().__init__()
        self.fix = (lat, lon, accuracy_m)
        self.delay = delay

    @classmethod
    def parse(cls, spec: str) -> "FixedLocationProvider":
        parts = [float(p) for p in spec.split(",")]
        return cls(parts[0], parts[1], parts[2] if len(parts) > 2 else 8.0)

    def start(self, on_fix: OnFix, on_status: OnStatus | None = None) -> None:
        super().start(on_fix, on_status)
        timer = threading.Timer(self.delay, lambda: self._emit(Location(*self.fix, source="gps")))
        timer.daemon = True
        timer.start()


class PlyerGpsProvider(LocationProvider):
    name = "gps"
    has_gps = True

    def start(self, on_fix: OnFix, on_status: OnStatus | None = None) -> None:
        super().start(on_fix, on_status)
        from kivy.utils import platform

        if platform == "android":
            from android.permissions import Permission, request_permissions  # type: ignore[import-not-found]

            def granted(_perms, results):
                if all(results):
                    self._start_gps()
                else:
                    self._status("permission-denied")

            request_permissions([Permission.ACCESS_FINE_LOCATION, Permission.ACCESS_COARSE_LOCATION], granted)
        else:
            self._start_gps()

    def _start_gps(self) -> None:
        from plyer import gps

        gps.configure(on_location=self._on_location, on_status=lambda kind, msg: self._status(f"{kind}: {msg}"))
        gps.start(minTime=1000, minDistance=0)

    def _on_location(self, **kw) -> None:
        self._emit(Location(float(kw["lat"]), float(kw["lon"]), float(kw.get("accuracy") or 0) or None, "gps"))

    def stop(self) -> None:
        super().stop()
        try:
            from plyer import gps

            gps.stop()
        except Exception:
            pass


def plyer_gps_works() -> bool:
    """plyer's GPS exists on Android and iOS only; elsewhere it raises NotImplementedError."""
    try:
        from plyer import gps
        from plyer.utils import platform

        if platform not in ("android", "ios"):
            return False
        gps.configure(on_location=lambda **kw: None)
        return True
    except (NotImplementedError, ImportError, Exception):
        return False


def make_provider(spec: str = "auto") -> LocationProvider:
    """``auto`` (plyer GPS where it works, else manual), ``manual``, or ``lat,lon[,acc]``."""
    if spec == "manual":
        return ManualLocationProvider()
    if spec not in ("auto", "gps"):
        return FixedLocationProvider.parse(spec)
    return PlyerGpsProvider() if plyer_gps_works() else ManualLocationProvider()


def age(fix_time: float) -> float:
    return time.time() - fix_time
