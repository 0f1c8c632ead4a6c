"""The walk screen: start a walk (organisations chosen by name), or join one by its short join
code (typed, or read from its QR code); file findings on it; the leader ends it, others leave.
The protocol screen: the walk's findings by the organisation responsible."""

from __future__ import annotations

import time
from typing import Any, Callable

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
from koll.field.ui import TAP_DP, _error_text, _label, _para
from koll.schema import taxonomy, vocabulary


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


class Walks:
    """Mixed into the app: a walk planned, joined by its code, ended."""

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
