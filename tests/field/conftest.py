"""Fixtures for the field app's tests: a real ``koll serve`` in a subprocess on a temporary
SQLite file, users made with ``koll user add``; the kit itself is in fieldkit.py.

Kivy's environment is set (fieldkit imports kivyenv) before anything imports Kivy; the app
itself runs in a child process per scenario (drive.py), so Kivy's global window never leaks
between tests.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.append(str(Path(__file__).resolve().parent))

from fieldkit import Service, User  # noqa: E402


@pytest.fixture(scope="session")
def service(tmp_path_factory) -> Service:
    s = Service(tmp_path_factory.mktemp("koll-service")).start()
    yield s
    s.stop()


@pytest.fixture
def own_service(tmp_path) -> Service:
    """A service this test may stop and start (network lost, server restarted)."""
    s = Service(tmp_path / "svc")
    s.dir.mkdir()
    s.start()
    yield s
    s.stop()


@pytest.fixture(autouse=True)
def _built_in_area_again():
    """The area in use is one per process (as on the phone): a test that chose one puts it back."""
    yield
    from koll.field import areas

    areas.use(areas.BUILT_IN)


@pytest.fixture
def user(service) -> User:
    return service.user()


@pytest.fixture
def photo(tmp_path) -> str:
    from PIL import Image

    path = tmp_path / "lampa.jpg"
    Image.new("RGB", (96, 64), (220, 180, 40)).save(path, "JPEG")
    return str(path)




# Other test modules do `from conftest import …` meaning tests/conftest.py. Loading this file
# makes pytest drop that module from sys.modules (both are "conftest" in prepend mode); this
# historic hook is called for every plugin already registered, so the parent comes back.
_PARENT_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"


def pytest_plugin_registered(plugin, manager):  # noqa: ARG001
    if Path(getattr(plugin, "__file__", "") or "").resolve() == _PARENT_CONFTEST:
        sys.modules["conftest"] = plugin
