"""The Android build, checked here without the SDK: buildozer.spec pins python-for-android and
the NDK; every requirement is a python-for-android recipe (read from the pinned
python-for-android package itself) or pure Python; nothing in the app imports a module the
phone will lack; the manifest gets our FileProvider; no backups."""

from __future__ import annotations

import ast
import configparser
import importlib.metadata as md
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "apps" / "field"
SCHEMA = ROOT / "shared" / "schema" / "koll" / "schema"
SPEC = APP / "buildozer.spec"

p4a = pytest.importorskip("pythonforandroid")

# What an import name is shipped as: the requirement (recipe or PyPI name) that brings it.
PROVIDES = {"kivy": "kivy", "jnius": "pyjnius", "android": "android", "PIL": "pillow", "requests": "requests",
            "urllib3": "urllib3", "idna": "idna", "certifi": "certifi", "marshmallow": "marshmallow",
            "sqlite3": "sqlite3", "ssl": "openssl", "_ssl": "openssl"}


def spec() -> configparser.SectionProxy:
    cp = configparser.ConfigParser(interpolation=None)
    cp.read(SPEC, encoding="utf-8")
    return cp["app"]


def requirements() -> dict[str, str | None]:
    out = {}
    for item in spec()["requirements"].split(","):
        name, _, version = item.strip().partition("==")
        out[name.lower()] = version or None
    return out


def recipes() -> set[str]:
    folder = Path(p4a.__file__).parent / "recipes"
    return {p.name.lower() for p in folder.iterdir() if (p / "__init__.py").exists()}


def test_python_for_android_and_the_ndk_are_pinned_to_the_version_checked_here():
    app = spec()
    assert app["p4a.branch"] == "v" + re.sub(r"\.(\d)\.", r".0\1.", md.version("python-for-android")), (
        app["p4a.branch"], md.version("python-for-android"))
    assert re.fullmatch(r"\d+[a-z]?", app["android.ndk"]), app["android.ndk"]
    assert app["android.allow_backup"] == "False"  # restricted notes and a token: no cloud backups


def test_every_requirement_has_a_recipe_or_is_pure_python():
    have = recipes()
    for name, version in requirements().items():
        if name in have:
            continue
        dist = md.distribution(name)  # the same package, installed here for the tests
        compiled = [str(f) for f in dist.files or () if f.suffix in (".so", ".pyd", ".dylib")]
        assert not compiled, f"{name} ships compiled modules {compiled[:3]} and has no recipe"
        assert version == dist.version, f"{name}: the spec pins {version}, the tests run {dist.version}"


def test_charset_normalizer_is_not_shipped():
    """python-for-android issue 2755: its compiled module stops the app at start-up."""
    assert "charset-normalizer" not in requirements() and "charset_normalizer" not in requirements()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_nothing_in_the_app_imports_a_module_the_phone_lacks():
    from pythonforandroid.recipes.python3 import Python3Recipe

    stripped = Python3Recipe.stdlib_dir_blacklist  # what p4a leaves out of the phone's stdlib
    shipped = set(requirements())
    files = [p for p in (APP / "koll").rglob("*.py")] + list(SCHEMA.glob("*.py")) + [APP / "main.py"]
    missing = {}
    for f in files:
        for name in _imports(f):
            if name in ("koll", "__future__"):
                continue
            if name in sys.stdlib_module_names and name not in PROVIDES:
                if name in stripped:
                    missing[f"{f.relative_to(ROOT)}: {name}"] = "left out of the phone's Python"
                continue
            if PROVIDES.get(name) not in shipped:
                missing[f"{f.relative_to(ROOT)}: {name}"] = "not in buildozer.spec requirements"
    assert not missing, missing


def test_the_app_sources_are_in_the_apk():
    patterns = spec()["source.include_patterns"].split(",")
    folders = {str(p.parent.relative_to(APP)) for p in (APP / "koll").rglob("*.py")}
    for folder in folders:
        assert f"{folder}/*.py" in patterns, f"{folder} is not packaged"


def test_the_manifest_gets_our_file_provider_with_the_authority_the_camera_uses():
    sys.path.insert(0, str(APP / "android"))
    from p4a_hook import add_provider

    app = spec()
    package = f"{app['package.domain']}.{app['package.name']}"
    manifest = (f'<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="{package}">'
                '<application android:label="Koll"><activity android:name="x"/></application></manifest>')
    once = add_provider(manifest)
    assert add_provider(once) == once
    ns = "{http://schemas.android.com/apk/res/android}"
    provider = ET.fromstring(once).find("application/provider")
    assert provider is not None
    assert provider.get(ns + "authorities") == f"{package}.fileprovider"
    assert provider.get(ns + "exported") == "false" and provider.get(ns + "grantUriPermissions") == "true"
    assert provider.find("meta-data").get(ns + "resource") == "@xml/file_paths"
    assert app["android.add_resources"].endswith(":xml/file_paths.xml")
    assert "{self.package}.fileprovider" in (APP / "koll/field/platform/android.py").read_text()
    # The picture is written under the app's files folder, which file_paths.xml shares.
    paths = ET.parse(APP / "android/res/xml/file_paths.xml").getroot()
    assert paths.find("files-path").get("path") == "."


def test_the_background_sender_is_declared_as_a_service():
    name, script, *flags = spec()["services"].split(":")
    assert (name, script) == ("Sender", "koll/field/service.py") and (APP / script).exists()
    assert "FOREGROUND_SERVICE" in spec()["android.permissions"]
