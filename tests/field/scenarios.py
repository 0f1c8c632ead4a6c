"""Scripted sessions with the real app, run by drive.py in their own process.

Each is a generator: yield seconds to wait or ``until(cond)``; raise (assert) to fail."""

from __future__ import annotations

import json
from pathlib import Path

from kivyenv import until


def _result(d, **kw):
    d.result.update(kw)


def sign_in(d, token: str):
    """Type the server and token on the set-up screen and sign in."""
    app = d.app
    assert app.sm.current == "setup", app.sm.current
    server = d.find(id="server", screen="setup")
    server.text = ""
    yield from d.type(server, d.args.server)
    yield from d.type(d.find(id="token", screen="setup"), token)
    yield from d.screenshot("setup")
    yield from d.tap(d.find(id="sign_in", screen="setup"))
    yield until(lambda: app.sm.current == "home", 10, "home after sign-in")
    assert app.settings.user, app.settings


def file_report(d, group: str, category: str, note: str = "", place: str | None = None,
                attributes: dict | None = None, photo: str | None = None, shots: bool = False):
    """Tap through: new report → group → category → location → note → attributes → photo → file."""
    app = d.app
    yield from d.tap(d.find(id="new_report", screen="home") if app.sm.current == "home"
                     else d.find(id="finding", screen="walk"))
    yield until(lambda: app.sm.current == "category", 5, "category screen")
    yield from d.tap(d.find(f"group:{group}"))
    if shots:
        yield from d.screenshot("category")
    yield from d.tap(d.find(f"cat:{category}"))
    yield until(lambda: app.sm.current == "report", 5, "report screen")
    yield from _fill(d, note, place, attributes, photo)
    if shots:
        yield from d.screenshot("report")
    before = app.outbox.counts()
    yield from d.tap(d.find(id="file", screen="report"))
    yield until(lambda: app.sm.current in ("home", "walk"), 5,
                lambda: f"leaving the report ({app.report_screen.problems_text})")
    after = app.outbox.counts()
    assert sum(after[s] for s in ("ready", "sending", "sent")) == sum(
        before[s] for s in ("ready", "sending", "sent")) + 1, (before, after)


def _fill(d, note, place, attributes, photo):
    app = d.app
    if place:
        spinner = d.find(id="place", screen="report")
        yield from d.tap(spinner)
        from koll.schema import taxonomy

        label = taxonomy.place(place).sv if app.lang == "sv" else taxonomy.place(place).en
        option = [w for w in d.walk() if getattr(w, "text", None) == label and w is not spinner
                  and w.__class__.__name__ == "SpinnerOption"]
        assert option, f"no option {label}"
        yield from d.tap(option[0])
        yield until(lambda: app.report_screen.form.location is not None
                    and app.report_screen.form.location.place == place, 3, "place chosen")
    if note:
        yield from d.type(d.find(id="note", screen="report"), note)
    for code, value in (attributes or {}).items():
        if isinstance(value, int) and not isinstance(value, bool):
            yield from d.tap(d.find(f"attr:{code}:{value}"))
        else:
            raise NotImplementedError(code)
    if photo:
        yield from d.tap(d.find(id="take_photo", screen="report"))
        yield until(lambda: d.has("picker:chooser"), 5, "file picker")
        chooser = d.find("picker:chooser")
        chooser.path = str(Path(photo).parent)
        yield 0.3
        chooser.selection = [photo]
        yield from d.tap(d.find("picker:ok"))
        yield until(lambda: app.report_screen.form.photo_path is not None, 5, "photo attached")


def smoke(d):
    """Sign in, file one report with a photo, see it sent."""
    app = d.app
    yield 0.5
    yield from sign_in(d, d.args.extra["token"])
    yield from d.screenshot("home")
    yield from file_report(d, "REN", "REN-02", note="Papperskorgen vid bänken är full",
                           place="torget", attributes={"upplevd_trygghet": 3},
                           photo=d.args.extra.get("photo"), shots=True)
    yield until(lambda: app.outbox.counts()["sent"] == 1 and app.outbox.counts()["photos_pending"] == 0,
                20, lambda: f"sent: {app.outbox.counts()} {app.worker.is_alive()} {app.worker.status}")
    yield from d.go("outbox")
    yield from d.screenshot("outbox")
    _result(d, counts=app.outbox.counts(), ids=[r.id for r in app.outbox.rows()])
