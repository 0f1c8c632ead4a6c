"""The report screen: what was seen, where, with what photo; "same as this" for an open case
nearby; a fix in doubt accepted with one tap; filed into the outbox or kept as a draft. The rules
are ReportForm's (koll.field.report); this screen shows them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.checkbox import CheckBox
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.spinner import Spinner
from kivy.uix.togglebutton import ToggleButton

from koll.field.i18n import pick, plural, t
from koll.field.outbox import InvalidReport, Row
from koll.field.report import Location, ReportForm, who_sees
from koll.field.ui import TAP_DP, _button, _error_text, _label, _para
from koll.schema import taxonomy, vocabulary

NEARBY_RADIUS_M = 50.0


class ReportScreen(Screen):
    form: ReportForm = ObjectProperty(None, allownone=True)  # type: ignore[assignment]
    heading = StringProperty("")
    visibility_text = StringProperty("")
    restricted = BooleanProperty(False)
    urgent = BooleanProperty(False)
    urgent_hint = BooleanProperty(False)  # violence, fire…: "ring 112" offered before anything else
    location_text = StringProperty("")
    location_poor = BooleanProperty(False)
    gps_available = BooleanProperty(False)
    photo_rule = StringProperty("optional")
    photo_text = StringProperty("")
    has_photo = BooleanProperty(False)
    problems_text = StringProperty("")
    place_labels = ListProperty([])
    manual_location = BooleanProperty(False)  # a pin or place chosen: GPS no longer overrides
    fix_doubt = StringProperty("")  # network | stale | poor: the fix needs one tap to be used
    photo_preview = StringProperty("")
    can_pick = BooleanProperty(False)

    def __init__(self, **kw):
        super().__init__(**kw)
        self.form = ReportForm()
        self._nearby_at: tuple[float, float, str] | None = None
        self._nearby: list[dict[str, Any]] = []
        self._nearby_state = ""

    # the form's life

    def start_category(self, code: str) -> None:
        app = App.get_running_app()
        if self.form is None:
            self.reset()
        self.form.choose_category(code)  # a changed category keeps the note, the place and the photo
        area = app.ctl.area
        self.form.area = area.code if area.from_server else None  # the area chosen, named in the report
        self.form.walk_id = (app.settings.walk or {}).get("id")
        self.refresh()
        self.ids.page.scroll_y = 1  # a new report opens at its top, whatever was scrolled before
        self._ask_nearby(force=True)

    def reset(self) -> None:
        self.form = ReportForm()
        self.manual_location = False
        self._nearby, self._nearby_at, self._nearby_state = [], None, ""
        self.ids.note.text = ""
        self.ids.urgent.active = False
        self.problems_text = ""
        app = App.get_running_app()
        fix = app.location.last if app else None
        if fix is not None:
            self.form.location = fix

    def edit(self, row: Row) -> None:
        self.form = ReportForm.from_body(row.body, row.photo_path)
        self.manual_location = self.form.location is not None
        self.ids.note.text = self.form.note
        self.ids.urgent.active = False
        self.problems_text = ""
        self.refresh()
        self.ids.page.scroll_y = 1

    def refresh(self) -> None:
        app = App.get_running_app()
        lang, form = app.lang, self.form
        cat = form.cat
        self.heading = pick(cat, lang) if cat else ""
        self.restricted = bool(cat and cat.visibility != "public")
        self.urgent_hint = bool(cat and cat.urgent_hint)
        self.visibility_text = who_sees(cat, lang) if cat else ""
        self.photo_rule = form.photo_rule
        self.has_photo = bool(form.photo_path)
        rule_text = t(f"photo_{form.photo_rule}", lang)
        if form.photo_path:
            rule_text += " · " + t("photo_taken", lang)
        self.photo_text = rule_text
        self.photo_preview = form.photo_path or ""
        self.can_pick = app.camera.can_pick
        self.gps_available = app.location.has_gps
        self.place_labels = [pick(p, lang) for p in app.ctl.area.places]
        self._show_location()
        self._build_attributes()
        self._show_nearby()

    def _show_location(self) -> None:
        app = App.get_running_app()
        lang, loc = app.lang, self.form.location
        self.location_poor = False
        self.fix_doubt = ""
        if loc is None:
            if app.location_state == "permission-denied":
                key = "gps_denied"
            else:
                key = "gps_waiting" if app.location.has_gps else "gps_none"
            self.location_text = t(key, lang)
            self.location_poor = True
        elif loc.source in ("gps", "network"):
            acc = "?" if loc.accuracy_m is None else f"{loc.accuracy_m:.0f}"
            doubt = loc.doubt()
            key = {"network": "gps_network", "stale": "gps_stale", "poor": "gps_poor"}.get(doubt or "", "gps_fix")
            self.location_text = t(key, lang, acc=acc, age=f"{loc.age_s():.0f}")
            if doubt and self.form.needs_accepting() is None:
                self.location_text += " · " + t("fix_accepted", lang)
            else:
                self.fix_doubt = doubt or ""
            self.location_poor = bool(doubt)
        elif loc.source == "pin":
            self.location_text = t("pin_set", lang, lat=loc.lat, lon=loc.lon)
        else:
            self.location_text = t("place_set", lang, place=pick(taxonomy.place(loc.place), lang) if loc.place else "?")
        if loc is not None and loc.place and loc.source != "place":
            self.location_text += " · " + pick(taxonomy.place(loc.place), lang)
        if app.location_state == "permission-denied" and loc is not None and loc.source in ("pin", "place"):
            self.location_text += "\n" + t("gps_denied", lang)

    def accept_fix(self) -> None:
        """One tap: yes, this doubtful fix is where it is."""
        self.form.accept_fix()
        self._show_location()

    def on_enter(self, *_):
        # A fix ages while the walker types: "old" must show when it becomes so.
        self._ticker = Clock.schedule_interval(lambda dt: self._show_location(), 2.0)

    def on_leave(self, *_):
        ticker = getattr(self, "_ticker", None)
        if ticker is not None:
            ticker.cancel()

    def _location_changed(self) -> None:
        """A "same as this" join was about the old spot: a new location drops it (shown)."""
        if self.form.case_id:
            self.form.case_id = None
        self._show_location()
        self._ask_nearby(force=True)

    def _build_attributes(self) -> None:
        app = App.get_running_app()
        lang, box = app.lang, self.ids.attributes
        box.clear_widgets()
        for attr in self.form.fitting_attributes():
            box.add_widget(_para(pick(attr, lang), kid=f"attrlabel:{attr.code}"))
            current = self.form.attributes.get(attr.code)
            if attr.kind == "choice":
                labels = {pick(c, lang): c.code for c in attr.choices}
                sp = Spinner(text=next((k for k, v in labels.items() if v == current), "–"),
                             values=["–", *labels], size_hint_y=None, height=dp(TAP_DP))
                sp.kid = f"attr:{attr.code}"
                sp.bind(text=lambda w, v, a=attr.code, m=labels: self.form.set_attribute(a, m.get(v)))
                box.add_widget(sp)
            elif attr.kind == "int":
                row = BoxLayout(size_hint_y=None, height=dp(TAP_DP), spacing=dp(4))
                for n in range(attr.minimum or 1, (attr.maximum or 5) + 1):
                    tb = ToggleButton(text=str(n), group=f"attr-{attr.code}-{id(self)}",
                                      state="down" if current == n else "normal")
                    tb.kid = f"attr:{attr.code}:{n}"
                    tb.bind(state=lambda w, s, a=attr.code, n=n: self.form.set_attribute(a, n) if s == "down"
                            else (self.form.set_attribute(a, None) if self.form.attributes.get(a) == n else None))
                    row.add_widget(tb)
                box.add_widget(row)
            elif attr.kind == "bool":
                row = BoxLayout(size_hint_y=None, height=dp(TAP_DP))
                cb = CheckBox(active=bool(current), size_hint_x=None, width=dp(TAP_DP))
                cb.kid = f"attr:{attr.code}"
                cb.bind(active=lambda w, v, a=attr.code: self.form.set_attribute(a, True if v else None))
                row.add_widget(cb)
                row.add_widget(Label(text=pick(attr, lang)))
                box.add_widget(row)

    # location

    def location_from_provider(self, loc: Location) -> None:
        if self.form is None or self.manual_location:
            return
        old = self.form.location
        self.form.location = loc
        if (self.form.case_id and old is not None
                and taxonomy.haversine_m(old.lat, old.lon, loc.lat, loc.lon) > NEARBY_RADIUS_M / 2):
            self._location_changed()
            return
        self._show_location()
        self._ask_nearby()

    def use_gps(self) -> None:
        app = App.get_running_app()
        self.manual_location = False
        self.form.place = None
        self._reset_place_chooser()
        if app.location.last is not None:
            self.form.location = app.location.last
        self._location_changed()

    def choose_place(self, text: str) -> None:
        """A named place replaces whatever location there was (GPS, a pin)."""
        app = App.get_running_app()
        for p in app.ctl.area.places:
            if text == pick(p, app.lang):
                self.manual_location = True
                self.form.location = Location.of_place(p.code)
                self.form.place = p.code
                self._location_changed()
                return

    def set_pin(self, lat: float, lon: float) -> None:
        self.manual_location = True
        self.form.location = Location.of_pin(lat, lon)
        self.form.place = None
        self._reset_place_chooser()
        self._location_changed()

    def _reset_place_chooser(self) -> None:
        spinner = self.ids.place
        label = t("choose_place", App.get_running_app().lang)
        if spinner.text != label:
            spinner.text = label  # choose_place ignores it: no place has that name

    # nearby cases: "same as this"

    def _ask_nearby(self, force: bool = False) -> None:
        app = App.get_running_app()
        loc, group = self.form.location, self.form.group
        if loc is None or not group or not app.settings.signed_in:
            self._show_nearby()
            return
        if not force and self._nearby_at and taxonomy.haversine_m(
                loc.lat, loc.lon, self._nearby_at[0], self._nearby_at[1]) < 15 and self._nearby_at[2] == group:
            return
        self._nearby_at = (loc.lat, loc.lon, group)
        form_id = self.form.id

        def done(cases: list[dict[str, Any]] | None, state: str) -> None:
            if self.form is None or self.form.id != form_id:
                return
            self._nearby, self._nearby_state = cases or [], state
            self._show_nearby()

        app.fetch(lambda c: c.nearby(loc.lat, loc.lon, NEARBY_RADIUS_M, group, timeout=4),
                  lambda cases: done(cases, "ok"), lambda err: done(None, "offline"))

    def _show_nearby(self) -> None:
        app = App.get_running_app()
        lang, box = app.lang, self.ids.nearby
        box.clear_widgets()
        if not self.form.category:
            return
        if self._nearby_state == "offline":
            box.add_widget(_para(t("nearby_offline", lang), color=(0.7, 0.7, 0.7, 1), kid="nearby:offline"))
            return
        if not self._nearby:
            if self._nearby_state == "ok":
                box.add_widget(_para(t("nearby_none", lang), color=(0.7, 0.7, 0.7, 1), kid="nearby:none"))
            return
        box.add_widget(_para(t("nearby_offer", lang), bold=True))
        for case in self._nearby[:4]:
            line = t("case_line", lang, category=_label(taxonomy.CATEGORIES, case.get("category"), lang),
                     status=_label(vocabulary.CASE_STATUSES, case.get("status"), lang),
                     dist=f"{float(case.get('distance_m') or 0):.0f}", n=case.get("observations", "?"),
                     observations=plural(case.get("observations") or 0, "observation", lang))
            chosen = self.form.case_id == case["id"]
            text = ("» " if chosen else "") + line + "\n" + (
                t("joined_case", lang, case=case["id"][:8]) if chosen else t("same_as_this", lang))
            box.add_widget(_button(text, lambda c=case: self.join_case(c["id"]), kid=f"same:{case['id']}",
                                   height=64, background_color=(0.2, 0.45, 0.8, 1) if chosen else (1, 1, 1, 1)))
        if self.form.case_id:
            box.add_widget(_button(t("new_case", lang), lambda: self.join_case(None), kid="same:none"))

    def join_case(self, case_id: str | None) -> None:
        self.form.case_id = case_id
        self._show_nearby()

    # urgent, photo, filing

    def set_urgent(self, active: bool) -> None:
        self.urgent = active
        self.form.set_attribute("akut", True if active else None)

    def take_photo(self, gallery: bool = False) -> None:
        app = App.get_running_app()
        stem = str(app.outbox.photos / self.form.id)
        self.problems_text = ""

        @mainthread
        def got(path: str | None) -> None:
            if path:
                self.form.photo_path = path
            self.refresh()

        @mainthread
        def problem(key: str) -> None:
            self.problems_text = t(key, app.lang)

        # Android often stops an app while its camera is open: what was typed is kept first.
        self.keep_draft()
        try:
            (app.camera.pick if gallery else app.camera.take)(stem, got, problem)
        except Exception as e:  # a camera that cannot start must not stop the report
            self.problems_text = str(e)

    def remove_photo(self) -> None:
        path = self.form.photo_path
        self.form.photo_path = None
        if path and Path(path).parent == App.get_running_app().outbox.photos:
            Path(path).unlink(missing_ok=True)  # what was not sent is not kept either
        self.refresh()

    def file(self) -> None:
        app = App.get_running_app()
        if self.urgent:
            return
        problems = self.form.problems(app.lang)
        if problems:
            self.problems_text = t("fix_errors", app.lang, errors="; ".join(problems))
            return
        try:
            app.outbox.queue(self.form.body(), self.form.photo_path, author=app.ctl.author())
        except InvalidReport as e:
            self.problems_text = t("fix_errors", app.lang, errors=_error_text({"errors": e.errors}, app.lang))
            return
        app.worker_wake()
        app.toast = t("queued", app.lang)
        self.form = ReportForm()
        self.form.category = None
        app.leave_report()

    def save_draft(self) -> None:
        app = App.get_running_app()
        self.keep_draft()
        app.toast = t("draft_saved", app.lang)
        app.leave_report()

    def keep_draft(self) -> None:
        """The report as typed so far, kept in the outbox as a draft (nothing is sent); saved again
        under the same id as it grows, and queued from there when filed."""
        if self.form.category is None and not self.form.note.strip():
            return  # nothing begun yet
        app = App.get_running_app()
        app.outbox.save_draft(self.form.body(), self.form.photo_path, author=app.ctl.author())

    def back(self) -> None:
        """Back to the categories, to change this report's category: what was typed stays (and is
        kept on disk, as on pause); a new report starts afresh only from "Ny rapport"."""
        app = App.get_running_app()
        self.keep_draft()
        app.go("category")
