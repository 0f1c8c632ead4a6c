"""The Kivy app: screens in a ScreenManager, layout in field.kv (loaded once, at import).

Widgets never touch the network or the database: they call the app, which calls the service
layer (Outbox, ApiClient, SyncWorker, providers). Network calls run in threads and come back
on Kivy's thread through ``mainthread``.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Callable

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.checkbox import CheckBox
from kivy.uix.filechooser import FileChooserListView
from kivy.uix.label import Label
from kivy.uix.popup import Popup
from kivy.uix.screenmanager import NoTransition, Screen
from kivy.uix.spinner import Spinner
from kivy.uix.togglebutton import ToggleButton
from kivy.uix.widget import Widget

from koll.field.camera import CameraProvider, make_camera
from koll.field.screens.pin import PinScreen, PlanView  # noqa: F401  (registered for field.kv)
from koll.field.screens.walk import WalkScreen  # noqa: F401  (registered for field.kv)
from koll.field.ui import TAP_DP, _button, _error_text, _label, _para
from koll.field.controller import FieldController
from koll.field.i18n import pick, plural, t
from koll.field.location import LocationProvider, make_provider
from koll.field.platform import make_platform
from koll.field.outbox import InvalidReport, Row
from koll.field.report import Location, ReportForm, who_sees
from koll.field.settings import Settings
from koll.field.sync import ApiClient, ApiError, Offline, SyncStatus, SyncWorker, Unauthorized
from koll.schema import taxonomy, vocabulary

KV = Path(__file__).with_name("field.kv")

NEARBY_RADIUS_M = 50.0
def local_time(iso: str) -> str:
    """A stored UTC moment as the phone's own clock shows it (Stockholm on the square)."""
    from datetime import datetime

    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%H:%M")
    except ValueError:
        return iso[11:16]


HEARTBEAT_S = 3.0  # how often an idle app listens for the server: a dead connection shows within seconds


# --- screens ----------------------------------------------------------------------------------


class StatusBar(BoxLayout):
    pass


class KollRoot(BoxLayout):
    pass


class SetupScreen(Screen):
    message = StringProperty("")


class HomeScreen(Screen):
    pass


class CategoryScreen(Screen):
    """Group first, then the category; Swedish labels (English when chosen)."""

    heading = StringProperty("")
    group = StringProperty("")
    positive_only = BooleanProperty(False)

    def on_pre_enter(self, *_):
        self.show()

    def show(self) -> None:
        app = App.get_running_app()
        lang = app.lang
        items = self.ids.choices
        items.clear_widgets()
        self.ids.page.scroll_y = 1
        if self.positive_only:
            self.heading = t("positive", lang)
            for c in taxonomy.CATEGORIES:
                if c.positive:
                    items.add_widget(_button(pick(c, lang), lambda c=c: self.choose(c.code), kid=f"cat:{c.code}"))
        elif not self.group:
            self.heading = t("choose_group", lang)
            for g in taxonomy.GROUPS:
                items.add_widget(_button(pick(g, lang), lambda g=g: self.open_group(g.code), kid=f"group:{g.code}"))
        else:
            self.heading = pick(taxonomy.group(self.group), lang)
            for c in taxonomy.categories_in(self.group):
                text = pick(c, lang)
                if c.visibility == "restricted":
                    text += "  (begränsad)" if lang == "sv" else "  (restricted)"
                items.add_widget(_button(text, lambda c=c: self.choose(c.code), kid=f"cat:{c.code}"))

    def open_group(self, code: str) -> None:
        self.group = code
        self.show()

    def back(self) -> None:
        if self.group and not self.positive_only:
            self.group = ""
            self.show()
        else:
            App.get_running_app().leave_report()

    def choose(self, code: str) -> None:
        app = App.get_running_app()
        app.report_screen.start_category(code)
        app.go("report")


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
        self.place_labels = [pick(p, lang) for p in taxonomy.PLACES]
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
            self.location_text = t("place_set", lang, place=pick(taxonomy.place(loc.place or "torget"), lang))
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
        for p in taxonomy.PLACES:
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


class OutboxScreen(Screen):
    def on_pre_enter(self, *_):
        self.show()

    def show(self) -> None:
        app = App.get_running_app()
        lang, box = app.lang, self.ids.rows
        box.clear_widgets()
        for cmd in app.outbox.commands():
            if cmd["state"] == "sent":
                continue
            line = f"[b]{t('walk', lang)}[/b] · {cmd['kind'].replace('walk_', '')} · {t('state_' + ('ready' if cmd['state'] == 'ready' else 'failed'), lang)}"
            if cmd.get("error"):
                line += "\n" + _error_text(cmd["error"], lang)
            lab = _para(line, color=(1, 0.85, 0.5, 1), kid=f"command:{cmd['seq']}")
            lab.markup = True
            box.add_widget(lab)
        for row in app.outbox.rows(limit=100):
            cat = _label(taxonomy.CATEGORIES, row.category, lang)
            when = local_time(row.created_at)
            state = t(f"state_{row.state}", lang)
            line = f"[b]{state}[/b] · {cat} · {when}"
            if row.photo_state != "none":
                line += " · " + t(f"photo_{row.photo_state}", lang)
            if row.state == "sent" and row.case_id:
                line += f" · {row.case_id[:8]}"
            elif row.body.get("case_id"):
                line += " · " + t("joined_case", lang, case=row.body["case_id"][:8])
            if row.author and row.author != app.settings.user:
                line += " · " + t("filed_by", lang, user=row.author)
            if row.state == "failed":
                line += f"\n{row.http_status}: " + _error_text(row.error, lang)
            elif row.state == "ready" and row.attempts:
                line += f" · {row.attempts} {plural(row.attempts, 'attempt', lang)}"
            if row.photo_state == "failed":
                line += "\n" + _error_text(row.photo_error, lang)
            color = {"failed": (1, 0.45, 0.45, 1), "sent": (0.6, 0.9, 0.6, 1),
                     "draft": (0.8, 0.8, 1, 1)}.get(row.state, (1, 0.85, 0.5, 1))
            lab = _para(line, color=color, kid=f"row:{row.id}")
            lab.markup = True
            lab.state = row.state
            box.add_widget(lab)
            if row.state in ("draft", "failed"):
                bar = BoxLayout(size_hint_y=None, height=dp(TAP_DP), spacing=dp(6))
                bar.add_widget(_button(t("edit", lang), lambda r=row: app.edit_report(r.id), kid=f"edit:{row.id}"))
                bar.add_widget(_button(t("delete", lang), lambda r=row: self.delete(r.id), kid=f"delete:{row.id}"))
                box.add_widget(bar)

    def delete(self, report_id: str) -> None:
        App.get_running_app().outbox.delete_draft(report_id)
        self.show()


class NearbyScreen(Screen):
    message = StringProperty("")
    place_labels = ListProperty([])
    _place: str | None = None

    def on_pre_enter(self, *_):
        app = App.get_running_app()
        self.place_labels = [pick(p, app.lang) for p in taxonomy.PLACES]
        self.refresh()

    def choose_place(self, text: str) -> None:
        app = App.get_running_app()
        for p in taxonomy.PLACES:
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


class ProtocolScreen(Screen):
    def on_pre_enter(self, *_):
        self.refresh()

    def refresh(self) -> None:
        app = App.get_running_app()
        walk_id = (app.settings.walk or {}).get("id") or app.last_walk_id
        box = self.ids.rows
        box.clear_widgets()
        if not walk_id:
            return
        box.add_widget(_para("…"))
        app.fetch(lambda c: c.protocol(walk_id), self.show,
                  lambda err: (box.clear_widgets(),
                               box.add_widget(_para(t("protocol_unavailable", app.lang, detail=err),
                                                    color=(1, 0.5, 0.5, 1), kid="protocol:error"))))

    def show(self, protocol: dict[str, Any]) -> None:
        """The walk's protocol: findings grouped by the organisation responsible, then the
        positive notes (the server's ProtocolSchema)."""
        app = App.get_running_app()
        lang, box = app.lang, self.ids.rows
        box.clear_widgets()
        walk = protocol.get("walk") or {}
        box.add_widget(_para(str(walk.get("title") or ""), bold=True, kid="protocol:title"))
        counts = protocol.get("counts") or {}
        if counts:
            names = {"findings": ("Iakttagelser", "Observations"), "positive": ("Positiva", "Positive")}
            box.add_widget(_para(", ".join(f"{names.get(k, (k, k))[lang == 'en']}: {v}" for k, v in counts.items()),
                                 color=(0.7, 0.7, 0.7, 1)))
        for g in protocol.get("organisations") or []:
            org = g.get("org") or "–"
            name = g.get(f"name_{lang}") or g.get("name_sv") or _label(taxonomy.ORGANISATIONS, org, lang)
            box.add_widget(_para(name, bold=True, color=(0.6, 0.85, 1, 1), kid=f"protocol:org:{org}"))
            for f in g.get("findings") or []:
                box.add_widget(_para(self._line(f, lang), kid="protocol:finding"))
        for f in protocol.get("positive") or []:
            box.add_widget(_para("+ " + self._line(f, lang), color=(0.6, 0.9, 0.6, 1), kid="protocol:positive"))

    @staticmethod
    def _line(f: dict[str, Any], lang: str) -> str:
        line = "• " + (f.get(f"category_{lang}") or _label(taxonomy.CATEGORIES, f.get("category"), lang))
        if f.get("place"):
            line += " – " + _label(taxonomy.PLACES, f["place"], lang)
        if f.get("note"):
            line += f": {f['note']}"
        if f.get("case_status"):
            line += f" ({_label(vocabulary.CASE_STATUSES, f['case_status'], lang)})"
        return line


class MineScreen(Screen):
    message = StringProperty("")

    def on_pre_enter(self, *_):
        self.show(App.get_running_app().settings.mine_cache, cached=True)
        self.refresh()

    def refresh(self) -> None:
        app = App.get_running_app()
        app.fetch(lambda c: c.mine(), self._fresh,
                  lambda err: setattr(self, "message", t("mine_offline", app.lang)))

    def _fresh(self, observations: list[dict[str, Any]]) -> None:
        app = App.get_running_app()
        app.settings.mine_cache = observations
        app.save_settings()
        self.message = ""
        self.show(observations)

    def show(self, observations: list[dict[str, Any]], cached: bool = False) -> None:
        app = App.get_running_app()
        lang, box = app.lang, self.ids.rows
        box.clear_widgets()
        seen = {o.get("id") for o in observations}
        local = [r for r in app.outbox.rows(limit=200, states=("ready", "sending", "failed")) if r.id not in seen]
        for r in local:
            box.add_widget(_para(f"{t('state_' + r.state, lang)} · {_label(taxonomy.CATEGORIES, r.category, lang)}",
                                 color=(1, 0.85, 0.5, 1), kid=f"mine:{r.id}"))
        for o in observations:
            line = (f"{_label(taxonomy.CATEGORIES, o.get('category'), lang)} · "
                    f"{_label(vocabulary.CASE_STATUSES, o.get('status'), lang)}")
            if o.get("assigned_org"):
                line += f" · {t('responsible', lang)}: {_label(taxonomy.ORGANISATIONS, o['assigned_org'], lang)}"
            if o.get("public_note"):
                line += f"\n“{o['public_note']}”"
            box.add_widget(_para(line, kid=f"mine:{o.get('id')}"))
        if not observations and not local:
            box.add_widget(_para(t("mine_empty", lang)))


Builder.load_file(str(KV))


# --- the app ----------------------------------------------------------------------------------


class KollFieldApp(App):
    title = "Koll"
    lang = StringProperty("sv")
    status_line = StringProperty("")
    user_line = StringProperty("")
    outbox_line = StringProperty("")
    walk_line = StringProperty("")
    walk_active = BooleanProperty(False)
    online = BooleanProperty(False)
    auth_lost = BooleanProperty(False)
    toast = StringProperty("")
    settings_server = StringProperty("")

    def __init__(self, server: str | None = None, data_dir: str | None = None, gps: str = "auto",
                 camera: str = "auto", token: str | None = None, sync_idle: float = 30.0,
                 lang: str | None = None, **kw):
        super().__init__(**kw)
        self._server_arg, self._token_arg, self._data_dir = server, token, data_dir
        self._gps_spec, self._camera_spec, self._sync_idle = gps, camera, sync_idle
        self._lang_arg = lang
        self.last_walk_id = ""
        self.worker: SyncWorker | None = None
        self._last_status: SyncStatus | None = None

    # services

    @property
    def data_dir(self) -> str:
        return self._data_dir or self.user_data_dir

    def build(self):
        self.ctl = FieldController(self.data_dir, server=self._server_arg, token=self._token_arg,
                                   lang=self._lang_arg)
        self.settings: Settings = self.ctl.settings
        self.outbox = self.ctl.outbox
        self.lang = self.settings.lang
        self.settings_server = self.settings.server
        self.platform = make_platform()
        self.location: LocationProvider = make_provider(self._gps_spec, platform=self.platform)
        self.location_state = ""  # "", searching, permission-denied, gps-off
        self.camera: CameraProvider = make_camera(self._camera_spec, picker=self.open_file_picker,
                                                  platform=self.platform)
        root = KollRoot()
        self.sm = root.ids.sm
        self.sm.transition = NoTransition()
        self.report_screen: ReportScreen = self.sm.get_screen("report")
        self._refresh_trigger = Clock.create_trigger(lambda dt: self.refresh_lines(), 0.2)
        self.outbox.on_change(self._refresh_trigger)
        self.bind(lang=lambda *_: self._lang_changed())
        self.refresh_lines()
        self.sm.current = "home" if self.settings.signed_in else "setup"
        return root

    def on_start(self):
        self.outbox.retry_now()  # a fresh start is a good moment to try again
        self.location.start(self._on_fix, self._on_location_status)
        Window.bind(on_keyboard=self._on_key)
        self.worker = SyncWorker(self.outbox, self.ctl.sync_client, on_status=self._on_sync_status,
                                 idle=self._sync_idle, heartbeat=HEARTBEAT_S)
        self.worker.start()
        if self._token_arg and not self.settings.user:
            self.fetch(lambda c: c.me(), self._signed_in, lambda err: None)

    def on_stop(self):
        self.location.stop()
        if self.worker:
            self.worker.stop()
            self.worker.join(timeout=5)

    def on_pause(self):
        # Android may end a paused app without a word: the outbox is on disk, and so is now the
        # report being typed. What waits is sent by the background sender meanwhile.
        if self.sm.current == "report":
            self.sm.get_screen("report").keep_draft()
        if self.outbox.pending():
            self.platform.start_sender(self.data_dir)
        return True

    def on_resume(self):
        """Back in the hand: send at once, and show the connection as it is now."""
        self.send_now()

    def _on_key(self, _window, key: int, *_args) -> bool:
        """Android's back key (27 = Escape on a desktop) goes back one screen, never out of the
        app with a typed note lost."""
        if key != 27:
            return False
        return self.back()

    def back(self) -> bool:
        popup = getattr(self, "picker_popup", None)
        if popup is not None and popup.parent is not None:
            popup.dismiss()
            return True
        current = self.sm.current
        if current == "report":
            self.report_screen.back()
        elif current == "category":
            self.sm.get_screen("category").back()
        elif current == "pin":
            self.go("report")
        elif current == "protocol":
            self.go("walk")
        elif current in ("outbox", "nearby", "walk", "mine"):
            self.go("home")
        else:
            return False  # home and sign-in: Android may put the app away
        return True

    def client(self) -> ApiClient | None:
        return self.ctl.client()

    def worker_wake(self) -> None:
        if self.worker:
            self.worker.wake()

    def save_settings(self) -> None:
        self.ctl.save()

    def fetch(self, call: Callable[[ApiClient], Any], ok: Callable[[Any], None],
              fail: Callable[[str], None]) -> None:
        """Run ``call(client)`` in a thread; ``ok``/``fail`` come back on Kivy's thread."""
        client = self.client()
        if client is None:
            fail("not signed in")
            return

        def work():
            try:
                result = call(client)
            except Unauthorized as e:
                self._auth_lost()
                mainthread(fail)(e.detail)
                return
            except (Offline, ApiError) as e:
                mainthread(fail)(str(e) if isinstance(e, Offline) else e.detail)
                return
            except Exception as e:  # noqa: BLE001 - never let a thread die silently
                mainthread(fail)(repr(e))
                return
            mainthread(ok)(result)

        threading.Thread(target=work, daemon=True).start()

    @mainthread
    def _auth_lost(self) -> None:
        self.auth_lost = True

    # navigation and display

    def go(self, name: str) -> None:
        self.sm.current = name

    def t(self, key: str, lang: str = "sv", **values: Any) -> str:
        return t(key, lang, **values)

    def plural(self, n: int, word: str) -> str:
        return plural(n, word, self.lang)

    def toggle_lang(self) -> None:
        self.lang = "en" if self.lang == "sv" else "sv"
        self.settings.lang = self.lang
        self.save_settings()

    def _lang_changed(self) -> None:
        self.refresh_lines()
        screen = self.sm.current_screen
        if hasattr(screen, "on_pre_enter"):
            screen.on_pre_enter()
        if screen is self.report_screen:
            self.report_screen.refresh()

    def refresh_lines(self) -> None:
        s, lang = self.settings, self.lang
        if s.user:
            self.user_line = t("signed_in_as", lang, user=s.user, role=_label(vocabulary.ROLES, s.role, lang),
                               org=_label(taxonomy.ORGANISATIONS, s.org, lang))
        else:
            self.user_line = ""
        c = self.outbox.counts()
        self.outbox_line = t("outbox_summary", lang, **{k: c[k] for k in ("ready", "sending", "sent", "failed", "draft")},
                             sent_w=plural(c["sent"], "sent", lang), failed_w=plural(c["failed"], "failed", lang),
                             draft_w=plural(c["draft"], "draft", lang))
        walk = s.walk
        self.walk_active = bool(walk)
        self.walk_line = t("walk_active", lang, title=walk.get("title") or walk["id"][:8]) if walk else ""
        status = self._last_status
        state = t("online", lang) if self.online else t("offline", lang)
        if status is None:
            state = "…"
        self.status_line = f"{state} · {self.toast}" if self.toast else state
        if self.sm.current == "outbox":
            self.sm.get_screen("outbox").show()

    def _on_sync_status(self, status: SyncStatus) -> None:
        @mainthread
        def show():
            self._last_status = status
            self.online = bool(status.online)
            if status.unauthorized:
                self.auth_lost = True
            self.refresh_lines()

        show()

    def _on_fix(self, loc: Location) -> None:
        @mainthread
        def show():
            self.location_state = ""
            self.report_screen.location_from_provider(loc)

        show()

    def _on_location_status(self, state: str) -> None:
        @mainthread
        def show():
            self.location_state = state
            self.report_screen._show_location()

        show()

    # sign-in

    def sign_in(self, server: str, token: str, username: str, password: str) -> None:
        screen = self.sm.get_screen("setup")
        server, token = server.strip().rstrip("/"), token.strip()
        if not server or not (token or (username.strip() and password)):
            screen.message = t("need_credentials", self.lang)
            return
        screen.message = t("signing_in", self.lang)

        def work():
            try:
                tok = token
                if not tok:
                    tok = ApiClient(server).sign_in(username.strip(), password)["token"]
                me = ApiClient(server, tok).me()
            except Unauthorized:
                mainthread(setattr)(screen, "message", t("bad_token", self.lang))
                return
            except ApiError as e:
                mainthread(setattr)(screen, "message", t("no_server", self.lang, detail=e.detail))
                return
            except Offline as e:
                mainthread(setattr)(screen, "message", t("no_server", self.lang, detail=str(e)[:120]))
                return
            mainthread(self._signed_in)(me, server, tok)

        threading.Thread(target=work, daemon=True).start()

    def _signed_in(self, me: dict[str, Any], server: str | None = None, token: str | None = None) -> None:
        self.ctl.signed_in(me, server, token)
        self.auth_lost = False
        setup = self.sm.get_screen("setup")
        setup.message = ""
        for field in ("token", "password"):
            setup.ids[field].text = ""  # the key is in storage now, not left on the screen
        self.refresh_lines()
        if self.sm.current == "setup":
            # Only from the sign-in screen: a late answer to a remembered sign-in must not pull the
            # walker off the report or walk they have opened meanwhile.
            self.go("home")
        if self.worker:
            self.worker.signed_in_again()

    def sign_out(self, confirmed: bool = False) -> None:
        """A shared duty phone: the next person must not file as this one. Unsent reports stay
        this person's (they go with their own token); the sign-out says so first."""
        unsent = self.ctl.unsent_mine()
        if unsent and not confirmed:
            self._confirm_sign_out(unsent)
            return
        self.ctl.sign_out()
        self.auth_lost = False
        setup = self.sm.get_screen("setup")
        for field in ("token", "username", "password"):
            setup.ids[field].text = ""
        setup.message = t("signed_out_unsent", self.lang, n=unsent, reports=plural(unsent, "report", self.lang)) \
            if unsent else ""
        self.refresh_lines()
        self.go("setup")

    def _confirm_sign_out(self, unsent: int) -> None:
        box = BoxLayout(orientation="vertical", spacing=dp(8), padding=dp(8))
        box.add_widget(_para(t("sign_out_warning", self.lang, n=unsent, reports=plural(unsent, "report", self.lang)),
                             kid="signout:warning"))
        popup = Popup(title=t("sign_out", self.lang), content=box, size_hint=(0.92, 0.5), auto_dismiss=False)

        def go_on():
            popup.dismiss()
            self.sign_out(confirmed=True)

        bar = BoxLayout(size_hint_y=None, height=dp(52), spacing=dp(6))
        bar.add_widget(_button(t("cancel", self.lang), popup.dismiss, kid="signout:cancel", height=52))
        bar.add_widget(_button(t("sign_out_anyway", self.lang), go_on, kid="signout:confirm", height=52))
        box.add_widget(bar)
        box.add_widget(Widget())  # the rest of the space below, not above, the words
        self.sign_out_popup = popup
        popup.open()

    # reports

    def new_report(self, positive: bool = False) -> None:
        self.toast = ""
        self.report_screen.reset()
        cats = self.sm.get_screen("category")
        cats.group = ""
        cats.positive_only = positive
        self.go("category")
        cats.show()

    def leave_report(self) -> None:
        self.refresh_lines()
        self.go("walk" if self.settings.walk else "home")

    def edit_report(self, report_id: str) -> None:
        row = self.outbox.get(report_id)
        if row is None:
            return
        if row.state == "failed":
            row = self.outbox.reopen(report_id)
        self.report_screen.edit(row)
        self.go("report")

    def send_now(self) -> None:
        self.toast = ""
        self.outbox.retry_now()
        self.worker_wake()

    def call_112(self) -> None:
        """The dialler with 112 typed in (Android); on a desktop the banner itself is the message."""
        self.platform.dial("112")

    def open_file_picker(self, chosen: Callable[[str | None], None]) -> None:
        start = os.path.expanduser("~/Pictures")
        if not os.path.isdir(start):
            start = os.path.expanduser("~")
        chooser = FileChooserListView(path=start, filters=["*.jpg", "*.jpeg", "*.png", "*.JPG", "*.PNG"])
        box = BoxLayout(orientation="vertical")
        box.add_widget(chooser)
        bar = BoxLayout(size_hint_y=None, height=dp(TAP_DP))
        popup = Popup(title=t("take_photo", self.lang), content=box, size_hint=(0.95, 0.9))

        def pick_it(*_):
            popup.dismiss()
            chosen(chooser.selection[0] if chooser.selection else None)

        def cancel(*_):
            popup.dismiss()
            chosen(None)

        ok = Button(text="OK")
        ok.kid = "picker:ok"
        ok.bind(on_release=pick_it)
        no = Button(text=t("back", self.lang))
        no.bind(on_release=cancel)
        bar.add_widget(no)
        bar.add_widget(ok)
        box.add_widget(bar)
        chooser.kid = "picker:chooser"
        self.picker_popup = popup
        popup.open()

    # walks

    def start_walk(self, title: str, dark: bool, organisations: list[str], participants: list[str],
                   kind: str = "boende") -> str:
        walk_id = self.ctl.plan_walk(title, dark, organisations, participants, kind)
        self.refresh_lines()
        self.worker_wake()
        return walk_id

    def join_walk(self, code: str, done: Callable[[str], None]) -> None:
        """Find the walk by its join code on the server; ``done("")`` once joined, else the reason."""
        def got(walk: dict[str, Any]) -> None:
            self.ctl.joined(walk)
            self.refresh_lines()
            done("")

        def failed(err: str) -> None:
            done(t("join_code_unknown", self.lang, code=code) if "404" in err or "no walk" in err
                 else t("join_offline", self.lang))

        self.fetch(lambda c: c.walk_by_code(code), got, failed)

    def walk_code(self, done: Callable[[], None]) -> None:
        """The walk's join code, once the server has given it (a walk planned offline has none yet)."""
        walk = self.settings.walk
        if not walk or walk.get("code"):
            return

        def got(found: dict[str, Any]) -> None:
            current = self.settings.walk
            if current and current.get("id") == found.get("id") and found.get("join_code"):
                current["code"] = found["join_code"]
                self.save_settings()
                done()

        self.fetch(lambda c: c.walk(walk["id"]), got, lambda err: None)

    def end_walk(self) -> None:
        walk_id = self.ctl.end_walk()
        if walk_id:
            self.last_walk_id = walk_id
        self.refresh_lines()
        self.worker_wake()
