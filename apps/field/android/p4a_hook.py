"""python-for-android hook (buildozer.spec ``p4a.hook``): puts our FileProvider into the
generated AndroidManifest.xml. p4a's template has no place for a ``<provider>`` inside
``<application>``, and without one Android 7+ gives the camera no URI it may write to."""

from __future__ import annotations

import re
from pathlib import Path

PROVIDER = """
        <provider android:name="androidx.core.content.FileProvider"
                  android:authorities="{package}.fileprovider"
                  android:exported="false"
                  android:grantUriPermissions="true">
            <meta-data android:name="android.support.FILE_PROVIDER_PATHS"
                       android:resource="@xml/file_paths" />
        </provider>
"""


def add_provider(manifest: str) -> str:
    """The manifest with the FileProvider for its own package (once, however often it runs)."""
    if "androidx.core.content.FileProvider" in manifest:
        return manifest
    package = re.search(r'<manifest[^>]*\spackage="([^"]+)"', manifest)
    if package is None:
        raise ValueError("no package= in the manifest")
    return manifest.replace("</application>", PROVIDER.format(package=package.group(1)) + "    </application>", 1)


def after_apk_build(toolchain) -> None:  # noqa: ARG001 - p4a's hook signature
    # p4a runs hooks in the distribution's folder; the manifest is rendered, gradle not yet run.
    path = Path("src/main/AndroidManifest.xml")
    path.write_text(add_provider(path.read_text(encoding="utf-8")), encoding="utf-8")
