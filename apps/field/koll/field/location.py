"""Where the phone is. One interface, several providers:

- ``AndroidLocationProvider``: Android's LocationManager (pyjnius), GPS preferred, the
  location permission asked at run time;
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
            from koll.field.areas import nearest_place  # among the places of the area in use

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
    """``LAT,LON[,ACCURACY_M[,SOURCE[,AGE_S]]]``: a fix as a GPS (or the network) would give it,
    ``AGE_S`` seconds old when it comes."""

    name = "fixed"
    has_gps = True

    def __init__(self, lat: float, lon: float, accuracy_m: float = 8.0, delay: float = 0.5,
                 source: str = "gps", age_s: float = 0.0):
        super().__init__()
        self.fix = (lat, lon, accuracy_m)
        self.delay, self.source, self.age_s = delay, source, age_s

    @classmethod
    def parse(cls, spec: str) -> "FixedLocationProvider":
        parts = spec.split(",")
        lat, lon = float(parts[0]), float(parts[1])
        acc = float(parts[2]) if len(parts) > 2 else 8.0
        source = parts[3] if len(parts) > 3 else "gps"
        age = float(parts[4]) if len(parts) > 4 else 0.0
        return cls(lat, lon, acc, source=source, age_s=age)

    def start(self, on_fix: OnFix, on_status: OnStatus | None = None) -> None:
        super().start(on_fix, on_status)
        timer = threading.Timer(self.delay, lambda: self._emit(
            Location(*self.fix, source=self.source, at=time.time() - self.age_s)))
        timer.daemon = True
        timer.start()


class AndroidLocationProvider(LocationProvider):
    """Android's LocationManager through pyjnius: the GPS provider first, the network's guess
    only until the GPS has a fix, and labelled ``network`` (never passed as GPS). The location
    permission is asked at run time; a refusal is reported as ``permission-denied``."""

    name = "gps"
    has_gps = True
    GPS_PREFERRED_FOR_S = 30.0  # a GPS fix this fresh is not replaced by a network guess

    def __init__(self, platform=None):  # koll.field.platform.android.Android
        super().__init__()
        self.platform = platform
        self._listener = None
        self._manager = None

    def start(self, on_fix: OnFix, on_status: OnStatus | None = None) -> None:
        super().start(on_fix, on_status)
        from koll.field.platform import COARSE_LOCATION, FINE_LOCATION

        def allowed(ok: bool) -> None:
            if ok:
                self._status("searching")
                self._listen()
            else:
                self._status("permission-denied")

        self.platform.request_permissions([FINE_LOCATION, COARSE_LOCATION], allowed)

    def _listen(self) -> None:
        from jnius import PythonJavaClass, autoclass, java_method  # type: ignore[import-not-found]

        provider = self

        class Listener(PythonJavaClass):
            __javainterfaces__ = ["android/location/LocationListener"]
            __javacontext__ = "app"

            @java_method("(Landroid/location/Location;)V")
            def onLocationChanged(self, location):  # noqa: N802 - Java's name
                provider.on_android_location(str(location.getProvider()), location.getLatitude(),
                                             location.getLongitude(),
                                             location.getAccuracy() if location.hasAccuracy() else None,
                                             location.getTime() / 1000.0)

            @java_method("(Ljava/lang/String;)V")
            def onProviderEnabled(self, name):  # noqa: N802
                pass

            @java_method("(Ljava/lang/String;)V")
            def onProviderDisabled(self, name):  # noqa: N802
                if str(name) == "gps":
                    provider._status("gps-off")

            @java_method("(Ljava/lang/String;ILandroid/os/Bundle;)V")
            def onStatusChanged(self, name, status, extras):  # noqa: N802
                pass

        Context = autoclass("android.content.Context")
        activity = autoclass("org.kivy.android.PythonActivity").mActivity
        self._manager = activity.getSystemService(Context.LOCATION_SERVICE)
        self._listener = Listener()
        looper = autoclass("android.os.Looper").getMainLooper()
        for name in ("gps", "network"):
            if self._manager.isProviderEnabled(name):
                self._manager.requestLocationUpdates(name, 1000, 0.0, self._listener, looper)
        last = self._manager.getLastKnownLocation("gps")
        if last is not None:
            self._listener.onLocationChanged(last)

    def on_android_location(self, provider: str, lat: float, lon: float, accuracy: float | None,
                            at: float) -> None:
        source = "gps" if provider == "gps" else "network"
        prev = self.last
        if (source == "network" and prev is not None and prev.source == "gps" and prev.at
                and time.time() - prev.at < self.GPS_PREFERRED_FOR_S):
            return  # the GPS is working: the network's guess would only make it worse
        self._emit(Location(float(lat), float(lon), float(accuracy) if accuracy else None, source, at=at))

    def stop(self) -> None:
        super().stop()
        if self._manager is not None and self._listener is not None:
            try:
                self._manager.removeUpdates(self._listener)
            except Exception:  # noqa: BLE001 - stopping must not fail
                pass


def make_provider(spec: str = "auto", platform=None) -> LocationProvider:
    """``auto`` (the phone's GPS on Android, else manual), ``manual``, or
    ``lat,lon[,acc[,source[,age_s]]]``."""
    if spec == "manual":
        return ManualLocationProvider()
    if spec not in ("auto", "gps", "android"):
        return FixedLocationProvider.parse(spec)
    if platform is not None and platform.name == "android":
        return AndroidLocationProvider(platform)
    return ManualLocationProvider()


def age(fix_time: float) -> float:
    return time.time() - fix_time
