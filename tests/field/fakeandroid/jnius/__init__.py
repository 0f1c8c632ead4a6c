"""pyjnius, faked: the few Android classes Koll's field app uses (see ../README.md)."""

from __future__ import annotations

import os
from pathlib import Path

from fakelog import later, log

RESULT_OK, RESULT_CANCELED = -1, 0
PACKAGE = "se.stockholm.hasselby.kollfield"


class PythonJavaClass:
    pass


def java_method(_signature):
    return lambda fn: fn


def cast(_cls, obj):
    return obj


class FileUriExposedException(RuntimeError):
    """What Android 7+ throws when a file:// URI is handed to another app."""


class Uri:
    _paths: dict[str, str] = {}

    def __init__(self, text: str):
        self.text = text

    @classmethod
    def parse(cls, text: str) -> "Uri":
        return cls(text)

    def toString(self) -> str:  # noqa: N802 - Java's names
        return self.text

    def getScheme(self) -> str:  # noqa: N802
        return self.text.split(":", 1)[0]


class File:
    def __init__(self, path: str):
        self.path = str(path)

    def getAbsolutePath(self) -> str:  # noqa: N802
        return self.path


class FileProvider:
    @staticmethod
    def getUriForFile(context, authority: str, file: File) -> Uri:  # noqa: N802
        root = Path(os.environ["FAKE_ANDROID_FILES"]).resolve()
        path = Path(file.path).resolve()
        if root not in path.parents:  # file_paths.xml: <files-path path="."/> only
            raise ValueError(f"Failed to find configured root that contains {path}")
        uri = Uri(f"content://{authority}/app_photos/{path.relative_to(root)}")
        Uri._paths[uri.text] = str(path)
        log("fileprovider.uri", authority=authority, uri=uri.text, path=str(path))
        return uri


class MediaStore:
    ACTION_IMAGE_CAPTURE = "android.media.action.IMAGE_CAPTURE"
    EXTRA_OUTPUT = "output"


class Intent:
    ACTION_DIAL = "android.intent.action.DIAL"
    ACTION_GET_CONTENT = "android.intent.action.GET_CONTENT"
    CATEGORY_OPENABLE = "android.intent.category.OPENABLE"

    def __init__(self, action: str = "", data: Uri | None = None):
        self.action, self.data, self.extras, self.flags, self.type = action, data, {}, 0, None

    def putExtra(self, key, value):  # noqa: N802
        self.extras[key] = value
        return self

    def addFlags(self, flags):  # noqa: N802
        self.flags |= flags
        return self

    def setType(self, kind):  # noqa: N802
        self.type = kind
        return self

    def addCategory(self, _category):  # noqa: N802
        return self

    def resolveActivity(self, _pm):  # noqa: N802
        missing = {a.strip() for a in os.environ.get("FAKE_ANDROID_NO_ACTIVITY", "").split(",") if a.strip()}
        return None if self.action in missing else object()

    def getStringExtra(self, key):  # noqa: N802
        return self.extras.get(key)

    def getData(self):  # noqa: N802
        return self.data


def write_camera_picture(path: str) -> None:
    """A full-size picture as a phone's camera writes it: big, with the GPS position in its EXIF."""
    from PIL import Image

    im = Image.new("RGB", (3200, 2400), (200, 170, 60))
    exif = Image.Exif()
    exif[0x010F] = "FakePhone"  # Make
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (59.0, 22.0, 1.2), 3: "E", 4: (17.0, 50.0, 36.6)})
    im.save(path, "JPEG", exif=exif, quality=90)


class _Resolver:
    def openFileDescriptor(self, uri: Uri, mode: str):  # noqa: N802
        path = Uri._paths[uri.text]

        class Pfd:
            def detachFd(self):  # noqa: N802
                return os.open(path, os.O_RDONLY)

        return Pfd()


class _Activity:
    def getPackageName(self):  # noqa: N802
        return PACKAGE

    def getPackageManager(self):  # noqa: N802
        return object()

    def getContentResolver(self):  # noqa: N802
        return _Resolver()

    def getSystemService(self, _name):  # noqa: N802
        return _LocationManager()

    def startActivity(self, intent: Intent):  # noqa: N802
        log("activity.start", action=intent.action, data=intent.data.text if intent.data else None)

    def startActivityForResult(self, intent: Intent, code: int):  # noqa: N802
        from android.activity import deliver_result

        out = intent.extras.get(MediaStore.EXTRA_OUTPUT)
        log("activity.start_for_result", action=intent.action, code=code, flags=intent.flags,
            output=out.text if isinstance(out, Uri) else out)
        if intent.action == MediaStore.ACTION_IMAGE_CAPTURE:
            if not isinstance(out, Uri) or out.getScheme() != "content":
                raise FileUriExposedException(f"{out} exposed beyond app through ClipData.Item.getUri()")
            if os.environ.get("FAKE_ANDROID_CAMERA_CANCEL"):
                later(deliver_result, code, RESULT_CANCELED, None)
                return
            write_camera_picture(Uri._paths[out.text])
            later(deliver_result, code, RESULT_OK, None)
        elif intent.action == Intent.ACTION_GET_CONTENT:
            uri = Uri("content://com.android.providers.media.documents/document/image%3A1")
            Uri._paths[uri.text] = os.environ["FAKE_ANDROID_GALLERY"]
            later(deliver_result, code, RESULT_OK, Intent("", uri))
        elif intent.action == "com.google.zxing.client.android.SCAN":
            later(deliver_result, code, RESULT_OK, Intent().putExtra("SCAN_RESULT", os.environ.get("FAKE_ANDROID_QR")))


class _Location:
    def __init__(self, provider, lat, lon, acc):
        import time

        self.provider, self.lat, self.lon, self.acc, self.t = provider, lat, lon, acc, time.time()

    def getProvider(self):  # noqa: N802
        return self.provider

    def getLatitude(self):  # noqa: N802
        return self.lat

    def getLongitude(self):  # noqa: N802
        return self.lon

    def hasAccuracy(self):  # noqa: N802
        return True

    def getAccuracy(self):  # noqa: N802
        return self.acc

    def getTime(self):  # noqa: N802
        return self.t * 1000


class _LocationManager:
    def isProviderEnabled(self, _name):  # noqa: N802
        return True

    def requestLocationUpdates(self, name, min_time, min_dist, listener, looper):  # noqa: N802
        log("location.request", provider=name)
        for spec in os.environ.get("FAKE_ANDROID_FIXES", "").split(";"):
            if spec.startswith(name + ":"):
                lat, lon, acc = (float(x) for x in spec.split(":", 1)[1].split(","))
                later(listener.onLocationChanged, _Location(name, lat, lon, acc), delay=0.3)

    def getLastKnownLocation(self, _name):  # noqa: N802
        return None

    def removeUpdates(self, _listener):  # noqa: N802
        pass


class _Context:
    LOCATION_SERVICE = "location"


class _PythonActivity:
    mActivity = _Activity()


class _Looper:
    @staticmethod
    def getMainLooper():  # noqa: N802
        return object()


class _Service:
    @staticmethod
    def start(activity, argument):
        log("service.start", argument=argument)


CLASSES = {
    "org.kivy.android.PythonActivity": _PythonActivity,
    "android.content.Intent": Intent,
    "android.net.Uri": Uri,
    "android.provider.MediaStore": MediaStore,
    "androidx.core.content.FileProvider": FileProvider,
    "java.io.File": File,
    "android.content.Context": _Context,
    "android.os.Looper": _Looper,
    f"{PACKAGE}.ServiceSender": _Service,
}


def autoclass(name: str):
    log("autoclass", name=name)
    return CLASSES[name]
