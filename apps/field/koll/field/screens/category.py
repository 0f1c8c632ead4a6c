"""How a report begins and ends: the group, then the category (Swedish labels, English when
chosen), among the categories in use in the area reported in; and the app's side of it (a new
report, back from it, a failed one opened again, "Ring 112", the desktop's file picker)."""

from __future__ import annotations

import os
from typing import Callable

from kivy.app import App
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.filechooser import FileChooserListView
from kivy.uix.popup import Popup
from kivy.uix.screenmanager import Screen

from koll.field.i18n import pick, t
from koll.schema import taxonomy
from koll.field.ui import TAP_DP, _button


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
            for c in app.ctl.area.positive():
                if c.positive:
                    items.add_widget(_button(pick(c, lang), lambda c=c: self.choose(c.code), kid=f"cat:{c.code}"))
        elif not self.group:
            self.heading = t("choose_group", lang)
            for g in app.ctl.area.groups():
                items.add_widget(_button(pick(g, lang), lambda g=g: self.open_group(g.code), kid=f"group:{g.code}"))
        else:
            self.heading = pick(taxonomy.group(self.group), lang)
            for c in app.ctl.area.categories_in(self.group):
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


class Reporting:
    """Mixed into the app: a report's beginning and end, whichever screen asks."""

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
