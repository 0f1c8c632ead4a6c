"""Signing in and out of a shared duty phone: with a key or a name and password; sign-out
clears the key from the screen and storage and warns about this person's unsent reports (they
still go, in their name). After sign-in the areas the user may report in are loaded
(screens/area.py)."""

from __future__ import annotations

import threading
from typing import Any

from kivy.clock import mainthread
from kivy.metrics import dp
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.popup import Popup
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from koll.field.i18n import plural, t
from koll.field.sync import ApiClient, ApiError, Offline, Unauthorized
from koll.field.ui import _button, _para


class SetupScreen(Screen):
    message = StringProperty("")


class SignIn:
    """Mixed into the app: who is signed in."""

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
        self.load_areas()  # the areas this person may report in (a user of several chooses one)
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
        setup.message = t("signed_out_unsent", self.lang, n=unsent, reports=plural(unsent, "report", self.lang),
                            are=plural(unsent, "are", self.lang)) \
            if unsent else ""
        self.refresh_lines()
        self.go("setup")

    def _confirm_sign_out(self, unsent: int) -> None:
        box = BoxLayout(orientation="vertical", spacing=dp(8), padding=dp(8))
        box.add_widget(_para(t("sign_out_warning", self.lang, n=unsent, reports=plural(unsent, "report", self.lang),
                               have=plural(unsent, "have", self.lang)),
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
