"""Kivy without a screen (recipes.md): set before Kivy is first imported."""

import os
import tempfile


def set_headless_env(kivy_home: str | None = None) -> None:
    home = kivy_home or tempfile.mkdtemp(prefix="kivy-home-")
    os.makedirs(home, exist_ok=True)
    os.environ.update({
        "KIVY_NO_ARGS": "1",
        "KIVY_HOME": home,
        "KIVY_NO_FILELOG": "1",
        "KIVY_USE_DEFAULTCONFIG": "1",
        "KIVY_WINDOW": "sdl2",
        "SDL_VIDEODRIVER": "offscreen",
        "KIVY_METRICS_DENSITY": "1",
        "KIVY_NO_CONSOLELOG": os.environ.get("KIVY_NO_CONSOLELOG", "1"),
        "KIVY_LOG_MODE": "PYTHON",
    })
    os.environ.setdefault("HOME", tempfile.gettempdir())
    os.makedirs(os.environ["HOME"], exist_ok=True)


class until:
    """A scenario's wait: until ``cond()`` is true, or fail after ``timeout`` seconds."""

    def __init__(self, cond, timeout: float = 15.0, what=""):
        self.cond, self.timeout, self.what = cond, timeout, what
        self.deadline = 0.0

    def describe(self) -> str:
        return self.what() if callable(self.what) else (self.what or repr(self.cond))
