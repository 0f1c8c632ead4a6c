"""Photos. One interface, several providers:

- ``PlyerCameraProvider``: the phone's camera through plyer (Android: needs a FileProvider
  on Android 7+, see docs/field-app.md);
- ``FilePickerProvider``: the desktop stand-in; the app shows a file chooser and hands the
  chosen file over (``picker`` is the UI's part);
- ``FixedFileProvider``: "takes" a given picture (demos, tests: ``--camera file.jpg``).

Every provider delivers a JPEG or PNG copied to ``dest`` (in the app's data folder), or None
when the user gave up.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

OnPhoto = Callable[[str | None], None]
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


def adopt(src: str, dest_stem: str) -> str:
    """Copy a JPEG/PNG to ``dest_stem`` + the right suffix; refuse anything else."""
    kind = image_kind(src)
    if kind is None:
        raise NotAnImage(src)
    dest = str(dest_stem) + kind
    Path(dest).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dest)
    return dest


class CameraProvider:
    name = "none"

    def take(self, dest_stem: str, on_photo: OnPhoto) -> None:
        raise NotImplementedError


class FixedFileProvider(CameraProvider):
    name = "fixed"

    def __init__(self, path: str):
        self.path = path

    def take(self, dest_stem: str, on_photo: OnPhoto) -> None:
        on_photo(adopt(self.path, dest_stem))


class FilePickerProvider(CameraProvider):
    name = "file"

    def __init__(self, picker: Picker | None = None):
        self.picker = picker

    def take(self, dest_stem: str, on_photo: OnPhoto) -> None:
        if self.picker is None:
            raise RuntimeError("no file picker set")

        def chosen(path: str | None) -> None:
            if not path:
                on_photo(None)
                return
            try:
                on_photo(adopt(path, dest_stem))
            except (NotAnImage, OSError):
                on_photo(None)

        self.picker(chosen)


class PlyerCameraProvider(CameraProvider):
    name = "camera"

    def take(self, dest_stem: str, on_photo: OnPhoto) -> None:
        from plyer import camera

        target = str(dest_stem) + ".jpg"

        def done(path: str | None) -> bool:
            on_photo(path if path and Path(path).exists() else None)
            return False

        camera.take_picture(filename=target, on_complete=done)


def make_camera(spec: str = "auto", picker: Picker | None = None) -> CameraProvider:
    """``auto`` (plyer camera on Android/iOS, else file picker), ``file``, or a path."""
    if spec in ("auto", "camera"):
        from plyer.utils import platform

        if platform in ("android", "ios"):
            return PlyerCameraProvider()
        return FilePickerProvider(picker)
    if spec == "file":
        return FilePickerProvider(picker)
    return FixedFileProvider(spec)
