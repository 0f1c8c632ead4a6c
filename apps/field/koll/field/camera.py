"""Photos. One interface, several providers:

- ``AndroidCameraProvider``: the phone's camera app through our FileProvider (a ``content://``
  URI; Android 7+ refuses ``file://``), the CAMERA permission asked at run time, the gallery as
  the fallback (koll.field.platform.android);
- ``FilePickerProvider``: the desktop stand-in; the app shows a file chooser and hands the
  chosen file over (``picker`` is the UI's part);
- ``FixedFileProvider``: "takes" a given picture (demos, tests: ``--camera file.jpg``).

Every provider delivers a JPEG in the app's data folder, shrunk to at most ``MAX_SIDE`` pixels
and with its EXIF (the GPS position, the phone's make, the time) removed on the phone, before
the outbox keeps it; or None when the user gave up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

OnPhoto = Callable[[str | None], None]
OnProblem = Callable[[str], None]  # an i18n key: camera_refused, no_camera, …
Picker = Callable[[Callable[[str | None], None]], None]

JPEG = b"\xff\xd8\xff"
PNG = b"\x89PNG\r\n\x1a\n"


def image_kind(path: str) -> str | None:
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(JPEG):
        return ".jpg"
    if head.startswith(PNG):
        return ".png"
    return None


class NotAnImage(ValueError):
    pass


MAX_SIDE = 1600  # pixels: enough to see a broken lamp, small enough to send over a poor cell
QUALITY = 82


def adopt(src: str, dest_stem: str) -> str:
    """``src`` (a JPEG or PNG) as a shrunk JPEG without EXIF at ``dest_stem``.jpg; refuse
    anything else. The picture is turned upright first (EXIF orientation) since the tag goes."""
    if image_kind(src) is None:
        raise NotAnImage(src)
    from PIL import Image, ImageOps

    dest = Path(str(dest_stem) + ".jpg")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(".part")
    with Image.open(src) as im:
        im = ImageOps.exif_transpose(im)
        im = im.convert("RGB")
        im.thumbnail((MAX_SIDE, MAX_SIDE))
        im.save(tmp, "JPEG", quality=QUALITY, optimize=True)  # no exif=: none is written
    tmp.replace(dest)
    if Path(src).resolve() != dest.resolve() and Path(src).parent == dest.parent:
        Path(src).unlink(missing_ok=True)  # the camera's full-size capture, GPS and all
    return str(dest)


def deliver(path: str | None, dest_stem: str, on_photo: OnPhoto, on_problem: OnProblem | None) -> None:
    """What every provider does with the picture it got: the small, clean copy, or None."""
    if not path:
        on_photo(None)
        return
    try:
        on_photo(adopt(path, dest_stem))
    except (NotAnImage, OSError):
        if on_problem:
            on_problem("not_an_image")
        on_photo(None)


class CameraProvider:
    name = "none"
    can_pick = False  # a gallery to choose from as well

    def take(self, dest_stem: str, on_photo: OnPhoto, on_problem: OnProblem | None = None) -> None:
        raise NotImplementedError

    def pick(self, dest_stem: str, on_photo: OnPhoto, on_problem: OnProblem | None = None) -> None:
        self.take(dest_stem, on_photo, on_problem)


class FixedFileProvider(CameraProvider):
    name = "fixed"

    def __init__(self, path: str):
        self.path = path

    def take(self, dest_stem: str, on_photo: OnPhoto, on_problem: OnProblem | None = None) -> None:
        on_photo(adopt(self.path, dest_stem))


class FilePickerProvider(CameraProvider):
    name = "file"

    def __init__(self, picker: Picker | None = None):
        self.picker = picker

    def take(self, dest_stem: str, on_photo: OnPhoto, on_problem: OnProblem | None = None) -> None:
        if self.picker is None:
            raise RuntimeError("no file picker set")

        self.picker(lambda path: deliver(path, dest_stem, on_photo, on_problem))


class AndroidCameraProvider(CameraProvider):
    name = "camera"
    can_pick = True

    def __init__(self, android=None):  # koll.field.platform.android.Android
        self.android = android

    def _deliver(self, dest_stem: str, on_photo: OnPhoto, on_problem: OnProblem | None):
        def done(path: str | None, problem: str) -> None:
            if problem and on_problem:
                on_problem(problem)
            deliver(path, dest_stem, on_photo, on_problem)

        return done

    def take(self, dest_stem: str, on_photo: OnPhoto, on_problem: OnProblem | None = None) -> None:
        # The camera app writes the full picture here; adopt() makes the small, clean copy.
        self.android.capture(str(dest_stem) + ".capture.jpg", self._deliver(dest_stem, on_photo, on_problem))

    def pick(self, dest_stem: str, on_photo: OnPhoto, on_problem: OnProblem | None = None) -> None:
        self.android.pick_image(str(dest_stem) + ".capture.jpg", self._deliver(dest_stem, on_photo, on_problem))


def make_camera(spec: str = "auto", picker: Picker | None = None, platform=None) -> CameraProvider:
    """``auto`` (the camera on Android, else file picker), ``file``, or a path."""
    if spec in ("auto", "camera", "android"):
        if platform is not None and platform.name == "android":
            return AndroidCameraProvider(platform)
        return FilePickerProvider(picker)
    if spec == "file":
        return FilePickerProvider(picker)
    return FixedFileProvider(spec)
