"""Android through pyjnius and python-for-android's ``android`` module.

Android 7+ refuses ``file://`` URIs handed to another app (the camera): the picture is written
through our FileProvider (a ``content://`` URI; the ``<provider>`` is added to the manifest by
buildozer.spec, ``android/provider.xml``). Permissions are asked at run time, and a refusal is
reported, never waited on.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable

from koll.field.platform import CAMERA, Desktop, Done

RESULT_OK = -1
REQUEST_CAMERA, REQUEST_GALLERY, REQUEST_SCAN = 0x4B01, 0x4B02, 0x4B03
FLAG_GRANT_READ_URI_PERMISSION, FLAG_GRANT_WRITE_URI_PERMISSION = 0x01, 0x02
SCANNER = "com.google.zxing.client.android.SCAN"  # ZXing's Barcode Scanner and its many clones


def _jnius():
    from jnius import autoclass, cast  # type: ignore[import-not-found]

    return autoclass, cast


class Android(Desktop):
    name = "android"

    def __init__(self) -> None:
        autoclass, _ = _jnius()
        self.activity = autoclass("org.kivy.android.PythonActivity").mActivity
        self.Intent = autoclass("android.content.Intent")
        self.Uri = autoclass("android.net.Uri")
        self._waiting: dict[int, Callable[[int, Any], None]] = {}
        self._lock = threading.Lock()
        from android import activity  # type: ignore[import-not-found]

        activity.bind(on_activity_result=self._result)

    @property
    def package(self) -> str:
        return str(self.activity.getPackageName())

    # --- permissions ----------------------------------------------------------------------

    def request_permissions(self, permissions: list[str], done: Done) -> None:
        from android.permissions import check_permission, request_permissions  # type: ignore[import-not-found]

        names = [f"android.permission.{p}" for p in permissions]
        if all(check_permission(n) for n in names):
            done(True)
            return
        request_permissions(names, lambda _perms, results: done(bool(results) and all(results)))

    # --- activities -----------------------------------------------------------------------

    def _start(self, intent: Any, code: int, then: Callable[[int, Any], None]) -> bool:
        if intent.resolveActivity(self.activity.getPackageManager()) is None:
            return False
        with self._lock:
            self._waiting[code] = then
        self.activity.startActivityForResult(intent, code)
        return True

    def _result(self, request_code: int, result_code: int, data: Any) -> None:
        with self._lock:
            then = self._waiting.pop(request_code, None)
        if then is not None:
            then(result_code, data)

    def dial(self, number: str) -> bool:
        """The dialler with the number typed in: one tap to call (ACTION_DIAL needs no permission)."""
        intent = self.Intent(self.Intent.ACTION_DIAL, self.Uri.parse(f"tel:{number}"))
        self.activity.startActivity(intent)
        return True

    def scan_qr(self, read: Callable[[str | None], None]) -> bool:
        intent = self.Intent(SCANNER)
        intent.putExtra("SCAN_MODE", "QR_CODE_MODE")
        return self._start(intent, REQUEST_SCAN, lambda rc, data: read(
            str(data.getStringExtra("SCAN_RESULT")) if rc == RESULT_OK and data is not None else None))

    # --- camera and gallery ---------------------------------------------------------------

    def content_uri(self, path: str) -> Any:
        """``path`` (inside the app's files folder) as our FileProvider's ``content://`` URI."""
        autoclass, _ = _jnius()
        FileProvider = autoclass("androidx.core.content.FileProvider")
        File = autoclass("java.io.File")
        return FileProvider.getUriForFile(self.activity, f"{self.package}.fileprovider", File(path))

    def capture(self, path: str, done: Callable[[str | None, str], None]) -> None:
        """The camera app writes a picture to ``path``; ``done(path or None, problem)``."""

        def allowed(ok: bool) -> None:
            if not ok:
                done(None, "camera_refused")
                return
            autoclass, _ = _jnius()
            MediaStore = autoclass("android.provider.MediaStore")
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            uri = self.content_uri(path)
            intent = self.Intent(MediaStore.ACTION_IMAGE_CAPTURE)
            intent.putExtra(MediaStore.EXTRA_OUTPUT, uri)
            intent.addFlags(FLAG_GRANT_WRITE_URI_PERMISSION | FLAG_GRANT_READ_URI_PERMISSION)
            started = self._start(intent, REQUEST_CAMERA, lambda rc, _data: done(
                path if rc == RESULT_OK and Path(path).exists() and Path(path).stat().st_size else None, ""))
            if not started:
                done(None, "no_camera")

        self.request_permissions([CAMERA], allowed)

    def pick_image(self, path: str, done: Callable[[str | None, str], None]) -> None:
        """The gallery as the fallback: the chosen picture copied to ``path``."""
        intent = self.Intent(self.Intent.ACTION_GET_CONTENT)
        intent.setType("image/*")
        intent.addCategory(self.Intent.CATEGORY_OPENABLE)

        def chosen(rc: int, data: Any) -> None:
            if rc != RESULT_OK or data is None or data.getData() is None:
                done(None, "")
                return
            try:
                self._copy_content(data.getData(), path)
            except OSError:
                done(None, "gallery_failed")
                return
            done(path, "")

        if not self._start(intent, REQUEST_GALLERY, chosen):
            done(None, "no_gallery")

    def _copy_content(self, uri: Any, path: str) -> None:
        """Read a ``content://`` URI through a file descriptor the resolver opens for us."""
        pfd = self.activity.getContentResolver().openFileDescriptor(uri, "r")
        fd = pfd.detachFd()
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with os.fdopen(fd, "rb") as src, open(path, "wb") as dest:
            while chunk := src.read(1 << 16):
                dest.write(chunk)

    # --- the background sender ------------------------------------------------------------

    def start_sender(self, data_dir: str) -> bool:
        """python-for-android's service ``Sender`` (buildozer.spec ``services``), given the data folder."""
        autoclass, _ = _jnius()
        service = autoclass(f"{self.package}.ServiceSender")
        service.start(self.activity, data_dir)
        return True
