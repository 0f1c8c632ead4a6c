"""Nearby: the open cases around the GPS fix or a chosen place, with their status, the
organisation responsible and its public note."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.properties import ListProperty, StringProperty
from kivy.uix.screenmanager import Screen

from koll.field.i18n import pick, plural, t
from koll.field.report import Location
from koll.field.screens.report import NEARBY_RADIUS_M
from koll.field.ui import _label, _para
from koll.schema import taxonomy, vocabulary


class NearbyScreen(Screen):
    message = StringProperty("")
    place_labels = ListProperty([])
    _place: str | None = None

    def on_pre_enter(self, *_):
        app = App.get_running_app()
        self.place_labels = [pick(p, app.lang) for p in app.ctl.area.places]
        self.refresh()

    def choose_place(self, text: str) -> None:
        app = App.get_running_app()
        for p in app.ctl.area.places:
            if pick(p, app.lang) == text:
                self._place = p.code
                self.refresh()

    def where(self) -> Location | None:
        app = App.get_running_app()
        if self._place:
            return Location.of_place(self._place)
        return app.location.last or app.report_screen.form.location

    def refresh(self) -> None:
        app = App.get_running_app()
        lang = app.lang
        loc = self.where()
        self.ids.rows.clear_widgets()
        if loc is None:
            self.message = t("nearby_no_location", lang)
            return
        self.message = "…"
        radius = max(NEARBY_RADIUS_M, loc.accuracy_m or 0) if self._place else NEARBY_RADIUS_M
        app.fetch(lambda c: c.nearby(loc.lat, loc.lon, radius), self.show,
                  lambda err: setattr(self, "message", t("nearby_offline", app.lang)))

    def show(self, cases: list[dict[str, Any]]) -> None:
        app = App.get_running_app()
        lang = app.lang
        self.message = t("nearby_none", lang) if not cases else ""
        for case in cases:
            line = t("case_line", lang, category=_label(taxonomy.CATEGORIES, case.get("category"), lang),
                     status=_label(vocabulary.CASE_STATUSES, case.get("status"), lang),
                     dist=f"{float(case.get('distance_m') or 0):.0f}", n=case.get("observations", "?"),
                     observations=plural(case.get("observations") or 0, "observation", lang))
            if case.get("assigned_org"):
                line += f"\n{t('responsible', lang)}: " + _label(taxonomy.ORGANISATIONS, case["assigned_org"], lang)
            if case.get("public_note"):
                line += f"\n{case['public_note']}"
            self.ids.rows.add_widget(_para(line, kid=f"case:{case['id']}"))
