"""Run the real field app headless with a scripted scenario: taps, typing, waits, screenshots.

    python tests/field/drive.py SCENARIO --data-dir D [--server URL] [--gps ...] [--camera ...]
                                [--out result.json] [--shots DIR] [--arg k=v ...]

A scenario (in scenarios.py) is a generator taking a ``Driver``; it yields seconds to wait or
``until(...)`` conditions. The process exits 0 when the scenario ends, 1 when it raises or a
condition times out (the traceback is printed), so the pytest side sees real failures.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

STARTED = time.perf_counter()
HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from kivyenv import set_headless_env, until  # noqa: E402


class Driver:
    """What a scenario may do to the app: find widgets, tap them, type, take screenshots."""

    def __init__(self, app, args, shots: Path | None):
        self.app, self.args, self.shots = app, args, shots
        self.result: dict = {}

    # finding

    def walk(self, root=None):
        from kivy.core.window import Window

        stack = [root or Window]
        while stack:
            w = stack.pop()
            yield w
            stack.extend(reversed(w.children))

    def find_all(self, pred):
        return [w for w in self.walk() if pred(w)]

    def find(self, kid: str | None = None, *, id: str | None = None, screen: str | None = None, text: str | None = None):
        """A widget by its ``kid`` (dynamic widgets), by kv ``id`` on a screen, or by its text."""
        if id is not None:
            scr = self.app.sm.get_screen(screen or self.app.sm.current)
            if id in scr.ids:
                return scr.ids[id]
            for w in self.walk(scr):
                if id in getattr(w, "ids", {}):
                    return w.ids[id]
            raise LookupError(f"no widget with id {id!r} on {scr.name}")
        found = [w for w in self.walk() if (kid is not None and getattr(w, "kid", None) == kid)
                 or (text is not None and getattr(w, "text", None) == text)]
        if not found:
            raise LookupError(f"no widget kid={kid!r} text={text!r} on {self.app.sm.current}")
        return found[0]

    def has(self, kid: str) -> bool:
        return any(getattr(w, "kid", None) == kid for w in self.walk())

    # acting

    def tap(self, widget):
        """A real touch at the widget's centre (scrolled into view first)."""
        from kivy.tests.common import UnitTestTouch
        from kivy.uix.screenmanager import Screen
        from kivy.uix.scrollview import ScrollView

        # On a loaded machine the last tap's screen change may still be on its way (a ScrollView
        # holds a touch back): a touch sent now would land on the screen being left.
        screen = widget.parent
        while screen is not None and not isinstance(screen, Screen) and screen is not screen.parent:
            screen = screen.parent
        if isinstance(screen, Screen):
            for _ in range(50):
                if self.app.sm.current == screen.name:
                    break
                yield 0.1
        parent, seen = widget.parent, set()
        while parent is not None and not isinstance(parent, ScrollView) and id(parent) not in seen:
            seen.add(id(parent))  # the Window is its own parent
            parent = parent.parent
        if isinstance(parent, ScrollView):
            for _ in range(20):  # a fresh list may still be laying itself out
                x, y = widget.to_window(*widget.center)
                sx, sy = parent.to_window(parent.x, parent.y)
                if sx <= x <= sx + parent.width and sy + 2 <= y <= sy + parent.height - 2:
                    break
                parent.scroll_to(widget, padding=20, animate=False)
                yield 0.1
            else:
                raise AssertionError(f"cannot scroll {getattr(widget, 'text', widget)!r} into view")
        if widget.disabled:
            raise AssertionError(f"tapping a disabled widget: {getattr(widget, 'text', widget)!r}")
        x, y = widget.to_window(*widget.center)
        touch = UnitTestTouch(x, y)
        touch.touch_down()
        yield 0.05
        touch.touch_up()
        yield 0.35  # a ScrollView delivers the release 0.2 s later

    def type(self, widget, text: str):
        yield from self.tap(widget)
        widget.focus = True
        widget.insert_text(text)
        yield 0.05

    def screenshot(self, name: str):
        """SHOTS/field-NAME.png (Window.screenshot appends a counter; renamed)."""
        from kivy.core.window import Window

        if not self.shots:
            return
        yield 0.3
        self.shots.mkdir(parents=True, exist_ok=True)
        made = Window.screenshot(name=str(self.shots / f"field-{name}.png"))
        if made:
            os.replace(made, self.shots / f"field-{name}.png")
        yield 0.05

    def go(self, screen: str):
        self.app.go(screen)
        yield 0.2


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("scenario")
    p.add_argument("--data-dir", required=True)
    p.add_argument("--server")
    p.add_argument("--token")
    p.add_argument("--gps", default="manual")
    p.add_argument("--camera", default="file")
    p.add_argument("--out")
    p.add_argument("--shots")
    p.add_argument("--size", default="420x820")
    p.add_argument("--arg", action="append", default=[])
    p.add_argument("--sync-idle", type=float, default=2.0)
    p.add_argument("--watchdog", type=float, default=90.0,
                   help="dump every thread's stack and exit 3 when the scenario hangs this long")
    args = p.parse_args()
    import faulthandler

    faulthandler.dump_traceback_later(args.watchdog, exit=True)
    args.extra = dict(a.split("=", 1) for a in args.arg)

    set_headless_env(os.path.join(args.data_dir, "kivy-home"))
    from kivy.config import Config

    w, h = args.size.split("x")
    Config.set("graphics", "width", w)
    Config.set("graphics", "height", h)
    from kivy.clock import Clock

    import scenarios  # noqa: E402
    from koll.field.app import KollFieldApp

    app = KollFieldApp(server=args.server, token=args.token, data_dir=args.data_dir, gps=args.gps,
                       camera=args.camera, sync_idle=args.sync_idle)
    driver = Driver(app, args, Path(args.shots) if args.shots else None)
    outcome = {"ok": False, "error": None}
    gen = getattr(scenarios, args.scenario)(driver)
    state = {"waiting": None}

    def step(dt):
        try:
            w = state["waiting"]
            if isinstance(w, until):
                if w.cond():
                    state["waiting"] = None
                elif time.monotonic() > w.deadline:
                    raise AssertionError(f"timed out after {w.timeout} s waiting for {w.describe()}")
                else:
                    Clock.schedule_once(step, 0.05)
                    return
            value = next(gen)
        except StopIteration:
            outcome["ok"] = True
            app.stop()
            return
        except BaseException:
            outcome["error"] = traceback.format_exc()
            print(outcome["error"], file=sys.stderr, flush=True)
            app.stop()
            return
        if isinstance(value, until):
            value.deadline = time.monotonic() + value.timeout
            state["waiting"] = value
            Clock.schedule_once(step, 0)
        else:
            Clock.schedule_once(step, float(value or 0))

    def first_frame(dt):
        driver.result["cold_start_s"] = time.perf_counter() - STARTED
        step(0)

    def started(*_):
        Clock.schedule_once(first_frame, 0)  # returns None: a truthy return would stop App.on_start

    app.bind(on_start=started)
    app.run()
    driver.result.update(outcome)
    if args.out:
        Path(args.out).write_text(json.dumps(driver.result, indent=1, default=str))
    return 0 if outcome["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
