"""The area reported in: chosen among those the server lists for the user (a user of one area
goes straight there), remembered; its places, categories and base map loaded and kept, so the
phone works offline with what it last loaded. The map (MBTiles) comes in the background, only
when the server's copy has changed (ETag), with its progress shown."""

from __future__ import annotations

import threading
from typing import Any

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from koll.field.i18n import pick, plural, t
from koll.field.sync import ApiError, Offline, Unauthorized
from koll.field.ui import _button, _para


class AreaScreen(Screen):
    message = StringProperty("")

    def on_pre_enter(self, *_):
        self.show()

    def show(self) -> None:
        app = App.get_running_app()
        lang, box = app.lang, self.ids.rows
        box.clear_widgets()
        listed = app.ctl.areas.listed() or [{"code": a.code, "name": {"sv": a.sv, "en": a.en}}
                                             for a in app.ctl.areas.available()]
        chosen = app.settings.area
        for a in listed:
            text = pick(a.get("name") or {}, lang) or a["code"]
            kept = app.ctl.areas.kept(a["code"])
            if kept is not None:
                n = len(kept.places)
                text += "\n" + t("area_places", lang, n=n, places=plural(n, "place", lang))
            box.add_widget(_button(("» " if a["code"] == chosen else "") + text,
                                   lambda c=a["code"]: app.choose_area(c), kid=f"area:{a['code']}", height=64,
                                   background_color=(0.2, 0.45, 0.8, 1) if a["code"] == chosen else (1, 1, 1, 1)))
        if not listed:
            box.add_widget(_para(t("areas_none", lang), kid="area:none"))


class Areas:
    """Mixed into the app: loading the user's areas, choosing one, fetching its map."""

    def load_areas(self) -> None:
        """Ask the server for the user's areas (in the background); a user of several who has not
        chosen yet is shown the chooser; a user of one is in it already."""
        def listed(_areas: list[dict[str, Any]]) -> None:
            self.area_changed()
            if self.ctl.must_choose_area():
                if self.sm.current in ("home", "setup"):
                    self.go("area")
            else:
                self.fetch_map()

        def failed(err: str) -> None:  # offline, or a server from before areas: what is kept serves
            self.area_changed()
            if self.ctl.must_choose_area() and self.sm.current in ("home", "setup"):
                self.go("area")

        self.fetch(lambda c: self.ctl.load_areas(c), listed, failed)

    def choose_area(self, code: str) -> None:
        screen = self.sm.get_screen("area")
        screen.message = t("area_loading", self.lang)

        def chosen(_area: Any) -> None:
            screen.message = ""
            self.area_changed()
            self.go("home")
            self.fetch_map()

        def failed(err: str) -> None:
            screen.message = t("area_unavailable", self.lang)

        client = self.client()

        def work():
            try:
                area = self.ctl.choose_area(code, client)
            except LookupError:
                mainthread(failed)("")
                return
            mainthread(chosen)(area)

        threading.Thread(target=work, daemon=True).start()

    def area_changed(self) -> None:
        """The area's name on the home screen, the screens that show its places made anew."""
        area = self.ctl.area
        self.refresh_lines()
        if self.report_screen.form is not None:
            self.report_screen.form.area = area.code if area.from_server else None
        self.sm.get_screen("pin").area_changed()

    def fetch_map(self) -> None:
        """The area's base map in the background: only when it changed on the server."""
        if self._map_thread is not None and self._map_thread.is_alive():
            return
        client = self.client()
        if client is None:
            return
        area = self.ctl.area
        lang = self.lang

        @mainthread
        def show(line: str, fade: bool = False) -> None:
            self.map_line = line
            if fade:  # "the map is in" is news for a moment, not a state
                Clock.schedule_once(lambda dt: setattr(self, "map_line", "") if self.map_line == line else None, 8)

        def progress(done: int, total: int | None) -> None:
            show(t("map_loading", lang, area=area.name(lang), done=f"{done / 1e6:.1f}",
                   share=f" · {100 * done // total} %" if total else ""))

        def work():
            try:
                outcome = self.ctl.fetch_map(client, progress)
            except (Offline, ApiError, Unauthorized, OSError):
                show(t("map_offline", lang) if self.ctl.map_path(area.code).exists() else "")
                return
            show({"new": t("map_new", lang, area=area.name(lang)), "current": "", "none": ""}[outcome], fade=True)
            if outcome == "new":
                mainthread(lambda: self.sm.get_screen("pin").area_changed())()

        self._map_thread = threading.Thread(target=work, daemon=True)
        self._map_thread.start()
