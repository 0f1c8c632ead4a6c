"""The Kivy app: screens in a ScreenManager, layout in field.kv (loaded once, at import).

Widgets never touch the network or the database: they call the app, which calls the service
layer (Outbox, ApiClient, SyncWorker, providers). Network calls run in threads and come back
on Kivy's thread through ``mainthread``. Each screen is a module of ``screens/``; what the app
does for a screen across screens (signing in, a report's beginning and end, walks, the area)
is a mixin beside it. Here: the app's life, navigation, the status lines and ``fetch``.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any, Callable

from kivy.app import App
from kivy.clock import Clock, mainthread
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import NoTransition, Screen

from koll.field.camera import CameraProvider, make_camera
from koll.field.controller import FieldController
from koll.field.i18n import plural, t
from koll.field.location import LocationProvider, make_provider
from koll.field.platform import make_platform
from koll.field.report import Location
from koll.field.screens.area import AreaScreen, Areas  # noqa: F401  (screens registered for field.kv)
from koll.field.screens.category import CategoryScreen, Reporting  # noqa: F401
from koll.field.screens.nearby import NearbyScreen  # noqa: F401
from koll.field.screens.outbox import MineScreen, OutboxScreen  # noqa: F401
from koll.field.screens.pin import PinScreen, PlanView  # noqa: F401
from koll.field.screens.report import ReportScreen
from koll.field.screens.signin import SetupScreen, SignIn  # noqa: F401
from koll.field.screens.walk import ProtocolScreen, Walks, WalkScreen  # noqa: F401
from koll.field.settings import Settings
from koll.field.sync import ApiClient, ApiError, Offline, SyncStatus, SyncWorker, Unauthorized
from koll.field.ui import _label
from koll.schema import taxonomy, vocabulary

KV = Path(__file__).with_name("field.kv")

HEARTBEAT_S = 3.0  # how often an idle app listens for the server: a dead connection shows within seconds


class StatusBar(BoxLayout):
    pass


class KollRoot(BoxLayout):
    pass


class HomeScreen(Screen):
    pass


Builder.load_file(str(KV))


# --- the app ----------------------------------------------------------------------------------


class KollFieldApp(SignIn, Reporting, Walks, Areas, App):
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
    settings_area = StringProperty("")  # the area chosen (the chooser's Back needs one)
    area_line = StringProperty("")
    map_line = StringProperty("")  # the base map's download, while it comes
    may_change_area = BooleanProperty(False)

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
        self._map_thread: threading.Thread | None = None  # the area's base map coming in

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
        self.area_changed()
        if not self.settings.signed_in:
            self.sm.current = "setup"
        else:
            self.sm.current = "area" if self.ctl.must_choose_area() else "home"
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
        elif self.settings.signed_in:
            self.load_areas()  # a changed definition or map comes in; offline, the kept ones serve

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
        elif current in ("outbox", "nearby", "walk", "mine") or (current == "area" and self.settings.area):
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
        area = self.ctl.area
        self.settings_area = s.area
        self.area_line = t("area_in", lang, area=area.name(lang)) if area.from_server else ""
        self.may_change_area = len(self.ctl.areas.listed() or []) > 1
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

    def send_now(self) -> None:
        self.toast = ""
        self.outbox.retry_now()
        self.worker_wake()
