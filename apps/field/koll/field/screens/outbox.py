"""What was filed: the outbox (every report with its state, the photo's, the server's reason;
drafts and failed ones opened again or removed) and "my reports" from the server (kept for
offline viewing), with the unsent ones on top. Times in the phone's local time."""

from __future__ import annotations

from typing import Any

from kivy.app import App
from kivy.metrics import dp
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from koll.field.i18n import local_time, plural, t
from koll.field.ui import TAP_DP, _button, _error_text, _label, _para
from koll.schema import taxonomy, vocabulary


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
            when = local_time(row.created_at, app.ctl.area.time_zone)
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
