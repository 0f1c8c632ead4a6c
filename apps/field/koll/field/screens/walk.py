"""The walk screen: start a walk (organisations chosen by name), or join one by its short join
code (typed, or read from its QR code); file findings on it; the leader ends it, others leave."""

from __future__ import annotations

import time

from kivy.app import App
from kivy.clock import mainthread
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.gridlayout import GridLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.togglebutton import ToggleButton

from koll.field.controller import join_code
from koll.field.i18n import pick, t
from koll.field.outbox import InvalidReport
from koll.field.ui import TAP_DP, _error_text


class WalkScreen(Screen):
    message = StringProperty("")
    walk_id_text = StringProperty("")
    findings_text = StringProperty("")
    last_walk = StringProperty("")
    may_end = BooleanProperty(False)
    joining = BooleanProperty(False)

    def on_kv_post(self, *_):
        # strong references: the ids are weak, and one of the two is always out of the tree
        self._idle, self._active = self.ids.idle, self.ids.active
        self._parent = self._idle.parent
        self._orgs: dict[str, ToggleButton] = {}

    def on_pre_enter(self, *_):
        self.show()

    def _org_choices(self) -> None:
        """Every organisation by its name, as toggles (the walk's organisations)."""
        app = App.get_running_app()
        grid: GridLayout = self.ids.orgs
        chosen = {code for code, b in self._orgs.items() if b.state == "down"}
        grid.clear_widgets()
        self._orgs = {}
        for org in app.ctl.organisations():
            b = ToggleButton(text=pick(org, app.lang), size_hint_y=None, height=dp(TAP_DP),
                             state="down" if org.code in chosen else "normal", halign="center")
            b.bind(width=lambda w, v: setattr(w, "text_size", (v - dp(8), None)))
            b.kid = f"org:{org.code}"
            self._orgs[org.code] = b
            grid.add_widget(b)

    def show(self) -> None:
        app = App.get_running_app()
        walk = app.settings.walk
        keep, drop = (self._active, self._idle) if walk else (self._idle, self._active)
        if drop.parent is not None:
            drop.parent.remove_widget(drop)
        if keep.parent is None:
            self._parent.add_widget(keep, index=len(self._parent.children) - 1)
        self.last_walk = (walk or {}).get("id") or app.last_walk_id
        self.may_end = app.ctl.may_end_walk()
        if walk:
            code = walk.get("code")
            self.walk_id_text = (t("walk_code_label", app.lang, code=code) if code
                                 else t("walk_code_waiting", app.lang))
            if not code:
                app.walk_code(self.show)
            n = len(app.outbox.rows(limit=10_000, walk_id=walk["id"]))
            self.findings_text = t("walk_findings", app.lang, n=n,
                                   findings=app.plural(n, "finding"))
        elif not self._orgs or next(iter(self._orgs.values())).text != pick(
                app.ctl.organisations()[0], app.lang):
            self._org_choices()

    def chosen_organisations(self) -> list[str]:
        return [code for code, b in self._orgs.items() if b.state == "down"]

    def start(self, title: str, dark: bool, participants: str) -> None:
        app = App.get_running_app()
        self.message = ""
        kinds = {t(f"kind_{k}", app.lang): k for k in ("boende", "forening", "personal")}
        try:
            app.start_walk(title.strip() or time.strftime("Trygghetsvandring %Y-%m-%d"), dark,
                           self.chosen_organisations(),
                           [p.strip() for p in participants.split(",") if p.strip()],
                           kind=kinds.get(self.ids.kind.text, "boende"))
        except InvalidReport as e:
            self.message = _error_text({"errors": e.errors}, app.lang)
            return
        self.show()

    def join(self, text: str) -> None:
        """A wrong code is refused at once (its form on the phone, then the server's 404)."""
        app = App.get_running_app()
        code = join_code(text)
        if code is None:
            self.message = t("join_code_bad", app.lang)
            return
        self.message = t("joining", app.lang, code=code)
        self.joining = True

        def done(problem: str) -> None:
            self.joining = False
            self.message = problem
            if not problem:
                self.ids.join_id.text = ""
            self.show()

        app.join_walk(code, done)

    def scan(self) -> None:
        """The walk's QR code, read by the phone's scanner (an intent behind the platform layer)."""
        app = App.get_running_app()

        @mainthread  # Android answers on its own thread
        def read(text: str | None) -> None:
            if text:
                self.ids.join_id.text = join_code(text) or text
                self.join(text)

        if not app.platform.scan_qr(read):
            self.message = t("scan_unavailable", app.lang)

    def end(self) -> None:
        app = App.get_running_app()
        ends = app.ctl.may_end_walk()
        app.end_walk()
        self.message = t("walk_ended" if ends else "walk_left", app.lang)
        self.show()
