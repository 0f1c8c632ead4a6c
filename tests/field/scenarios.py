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
                20, lambda: f"sent: {app.outbox.counts()} {app.worker.status}")
    yield until(lambda: app.online, 5, "online shown")
    yield from d.go("outbox")
    yield from d.screenshot("outbox")
    _result(d, counts=app.outbox.counts(), ids=[r.id for r in app.outbox.rows()])


def _marker(d, name: str) -> None:
    Path(d.args.data_dir, name).write_text("1")


def sign_in_only(d):
    yield 0.2
    yield from sign_in(d, d.args.extra["token"])


def file_offline(d):
    """The server is gone: file three reports anyway; they wait in the outbox, shown as such."""
    app = d.app
    yield 0.3
    assert app.sm.current == "home", "the sign-in was remembered"
    for i, (group, cat, place) in enumerate([("REN", "REN-05", "ica"), ("BEL", "BEL-02", "parken"),
                                             ("UPP", "UPP-02", "torget")]):
        yield from file_report(d, group, cat, note=f"utan nät {i}", place=place)
    yield until(lambda: app.worker.status.online is False, 15, "offline noticed")
    yield until(lambda: not app.online, 5, "offline shown")
    c = app.outbox.counts()
    assert c["ready"] + c["sending"] == 3 and c["sent"] == 0, c
    yield from d.go("outbox")
    yield 0.3
    states = [w.state for w in d.walk() if str(getattr(w, "kid", "")).startswith("row:")]
    assert sorted(states) == ["ready"] * 3, states
    yield from d.screenshot("outbox-offline")
    _result(d, ids=[r.id for r in app.outbox.rows()])
    _marker(d, "filed")
    yield until(lambda: False, 600, "being killed")  # the test kills us here, mid-retry


def wait_sent(d):
    """After a restart: everything waiting goes out on its own."""
    app = d.app
    yield until(lambda: app.outbox.counts()["sent"] == int(d.args.extra["n"]) and app.outbox.pending() == 0,
                30, lambda: f"all sent: {app.outbox.counts()}")
    _result(d, ids=[r.id for r in app.outbox.rows()], counts=app.outbox.counts())


def nearby_same_as_this(d):
    """The GPS is at the library: a graffiti case there is offered; "same as this" joins it."""
    app = d.app
    case_id = d.args.extra["case"]
    yield until(lambda: app.location.last is not None, 5, "GPS fix")
    assert app.sm.current == "home"
    yield from d.tap(d.find(id="new_report", screen="home"))
    yield from d.tap(d.find("group:KLO"))
    yield from d.tap(d.find("cat:KLO-06"))
    yield until(lambda: app.report_screen.form.location is not None, 5, "location from GPS")
    assert "GPS" in d.find(id="location", screen="report").text
    yield until(lambda: d.has(f"same:{case_id}"), 10, "the nearby case offered")
    yield from d.tap(d.find(f"same:{case_id}"))
    assert app.report_screen.form.case_id == case_id
    yield from d.type(d.find(id="note", screen="report"), "Samma affischer igen")
    d.find(id="page", screen="report").scroll_y = 1
    yield from d.screenshot("report-nearby")
    yield from d.tap(d.find(id="file", screen="report"))
    yield until(lambda: app.outbox.counts()["sent"] == 1, 15, lambda: f"sent {app.outbox.counts()}")
    row = app.outbox.rows()[0]
    assert row.case_id == case_id, (row.case_id, case_id)
    # The nearby screen lists open cases with their status.
    yield from d.tap(d.find(id="nearby", screen="home"))
    yield until(lambda: d.has(f"case:{case_id}"), 10, "case listed on the nearby screen")
    yield from d.screenshot("nearby")
    # My reports: what I filed and its status.
    yield from d.go("mine")
    yield until(lambda: d.has(f"mine:{row.id}"), 10, "my report listed")
    assert app.settings.mine_cache and app.settings.mine_cache[0]["id"] == row.id
    yield from d.screenshot("mine")
    _result(d, id=row.id, case_id=row.case_id)


def pin_and_rules(d):
    """No GPS here: drop a pin; restricted categories say who sees them; urgent → ring 112."""
    app = d.app
    yield 0.3
    yield from d.tap(d.find(id="new_report", screen="home"))
    yield from d.tap(d.find("group:SOC"))
    yield from d.tap(d.find("cat:SOC-01"))
    screen = app.report_screen
    assert app.sm.current == "report", app.sm.current
    assert "Polisen" in screen.visibility_text and "Socialtjänsten" in screen.visibility_text, screen.visibility_text
    assert d.find(id="take_photo", screen="report").disabled  # never photos of social disorder
    assert d.has("attr:antal_personer")
    assert "GPS" in screen.location_text or "kartan" in screen.location_text
    # the map: tap near the metro entrance
    yield from d.tap(d.find(id="drop_pin", screen="report"))
    assert app.sm.current == "pin"
    plan = d.find(id="plan", screen="pin")
    from koll.schema import taxonomy

    metro = taxonomy.place("tunnelbaneuppgangen")
    x, y = plan.to_xy(metro.lat, metro.lon)
    from kivy.tests.common import UnitTestTouch

    touch = UnitTestTouch(*plan.to_window(x, y))
    touch.touch_down()
    touch.touch_up()
    yield 0.3
    yield from d.screenshot("pin")
    yield from d.tap(d.find(id="ok", screen="pin"))
    loc = screen.form.location
    assert app.sm.current == "report" and loc.source == "pin", loc
    assert taxonomy.haversine_m(loc.lat, loc.lon, metro.lat, metro.lon) < 5, loc
    assert loc.place == "tunnelbaneuppgangen"
    # urgent: the 112 banner replaces filing
    yield from d.tap(d.find(id="urgent", screen="report"))
    assert screen.urgent and d.find(id="file", screen="report").disabled
    assert d.find(id="ring112", screen="report").opacity == 1
    d.find(id="page", screen="report").scroll_y = 1
    yield from d.screenshot("urgent")
    before = app.outbox.counts()
    yield from d.tap(d.find(id="ring112", screen="report"))
    assert app.outbox.counts() == before  # nothing filed
    yield from d.tap(d.find(id="urgent", screen="report"))
    assert not d.find(id="file", screen="report").disabled
    # a photo-required category without a photo is not filed; the reason is shown
    yield from d.tap(d.find(id="back", screen="report"))
    yield from d.tap(d.find(id="back", screen="category"))
    yield from d.tap(d.find("group:BEL"))
    yield from d.tap(d.find("cat:BEL-01"))
    yield from d.tap(d.find(id="drop_pin", screen="report"))
    touch = UnitTestTouch(*plan.to_window(x, y))
    touch.touch_down()
    touch.touch_up()
    yield 0.2
    yield from d.tap(d.find(id="ok", screen="pin"))
    yield from d.tap(d.find(id="file", screen="report"))
    assert app.sm.current == "report" and "foto" in screen.problems_text.lower(), screen.problems_text
    # English on request
    yield from d.tap(d.find(id="save_draft", screen="report"))
    assert app.outbox.counts()["draft"] == 1
    yield from d.tap(d.find(id="lang", screen="home"))
    assert d.find(id="new_report", screen="home").text == "New report"
    yield from d.tap(d.find(id="outbox", screen="home"))
    assert any("draft" in getattr(w, "text", "") for w in d.walk() if str(getattr(w, "kid", "")).startswith("row:"))
    yield from d.screenshot("outbox-en")
    _result(d, lang=app.lang)


def walk_mode(d):
    """Start a walk, file a finding and a positive note without leaving it, end it, see the protocol."""
    app = d.app
    yield until(lambda: app.location.last is not None, 5, "GPS fix")
    yield from d.tap(d.find(id="walk", screen="home"))
    yield from d.type(d.find(id="title", screen="walk"), "Kvällsvandring runt torget")
    assert app.sm.current == "walk", app.sm.current
    yield from d.tap(d.find(id="dark", screen="walk"))
    assert app.sm.current == "walk", app.sm.current
    yield from d.tap(d.find("org:sdf"))  # organisations chosen by name
    yield from d.tap(d.find("org:polisen"))
    assert d.find("org:polisen").text.startswith("Polisen") and d.find("org:polisen").state == "down"
    yield from d.type(d.find(id="participants", screen="walk"), "Anna, Bo")
    yield from d.tap(d.find(id="start", screen="walk"))
    ws = app.sm.get_screen("walk")
    assert app.walk_active and app.settings.walk["title"] == "Kvällsvandring runt torget", (
        app.sm.current, ws.message, ws.ids.title.text, app.settings.walk)
    walk_id = app.settings.walk["id"]
    yield from file_report(d, "BEL", "BEL-02", note="Mörkt vid gångtunneln", place="gangtunneln")
    assert app.sm.current == "walk", "back on the walk after filing"
    yield from d.tap(d.find(id="positive", screen="walk"))
    yield from d.tap(d.find("cat:UPP-05"))
    yield from d.type(d.find(id="note", screen="report"), "Nattvandrarna var på plats")
    yield from d.tap(d.find(id="file", screen="report"))
    yield until(lambda: app.sm.current == "walk", 5, "back on the walk")
    assert "2" in d.find(id="findings", screen="walk").text
    yield from d.screenshot("walk")
    rows = app.outbox.rows(walk_id=walk_id)
    assert len(rows) == 2 and all(r.body["walk_id"] == walk_id for r in rows)
    yield until(lambda: app.outbox.counts()["sent"] == 2, 20, lambda: f"findings sent {app.outbox.counts()}")
    yield from d.tap(d.find(id="end", screen="walk"))
    assert not app.walk_active
    yield until(lambda: app.outbox.pending() == 0, 20, lambda: f"walk ended on the server {app.outbox.commands()}")
    yield from d.tap(d.find(id="protocol", screen="walk"))
    yield until(lambda: d.has("protocol:title"), 10, "protocol shown")
    yield 0.3
    yield from d.screenshot("protocol")
    _result(d, walk_id=walk_id, ids=[r.id for r in rows], commands=app.outbox.commands())


def join_and_file(d):
    """Join a walk that another walker started, by the short code they read out, and file a finding
    on it. A mistyped code is refused at once; a code no walk has, by the server."""
    app = d.app
    walk, code = d.args.extra["walk"], d.args.extra["code"]
    ws = app.sm.get_screen("walk")
    yield until(lambda: app.location.last is not None, 5, "GPS fix")
    yield from d.tap(d.find(id="walk", screen="home"))
    field = d.find(id="join_id", screen="walk")
    yield from d.type(field, walk)  # the 36-character id is no code
    yield from d.tap(d.find(id="join", screen="walk"))
    assert not app.walk_active and "sex tecken" in ws.message, ws.message
    field.text = ""
    yield from d.type(field, "ZZZ ZZZ")
    yield from d.tap(d.find(id="join", screen="walk"))
    yield until(lambda: "ZZZZZZ" in ws.message and not ws.joining, 10, lambda: f"unknown code said: {ws.message}")
    assert not app.walk_active
    yield from d.screenshot("walk-join-wrong")
    field.text = ""
    yield from d.type(field, f"{code[:3].lower()}-{code[3:]}")
    yield from d.screenshot("walk-join")
    yield from d.tap(d.find(id="join", screen="walk"))
    yield until(lambda: app.walk_active, 10, lambda: f"joined: {ws.message}")
    assert app.settings.walk["id"] == walk and app.settings.walk["code"] == code, app.settings.walk
    assert d.find(id="end", screen="walk").text == "Lämna vandringen"  # only the leader ends it
    assert code in d.find(id="walk_id", screen="walk").text
    yield from d.screenshot("walk-joined")
    yield from file_report(d, "BEL", "BEL-02", note="Mörkt vid entrén", place="tunnelbaneuppgangen")
    assert app.sm.current == "walk", "back on the walk after filing"
    yield until(lambda: app.outbox.counts()["sent"] == 1, 20, lambda: f"finding sent {app.outbox.counts()}")
    _result(d, title=app.settings.walk["title"], ids=[r.id for r in app.outbox.rows(walk_id=walk)])


def idle(d):
    """Start, draw the first frame, stop: the cold-start benchmark."""
    yield 0


def typing_then_paused(d):
    """A report half typed when the phone puts the app away (a call, the camera): Android pauses it,
    then may end it without a word."""
    app = d.app
    yield 0.3
    yield from d.tap(d.find(id="new_report", screen="home"))
    yield until(lambda: app.sm.current == "category", 5, "category screen")
    yield from d.tap(d.find("group:BEL"))
    yield from d.tap(d.find("cat:BEL-01"))
    yield until(lambda: app.sm.current == "report", 5, "report screen")
    yield from d.type(d.find(id="note", screen="report"), d.args.extra["note"])
    assert app.on_pause() is True  # what Android calls before it may stop the app
    _marker(d, "paused")
    yield until(lambda: False, 600, "being killed")  # the test kills us here


def drafts_kept(d):
    """After a restart: the drafts in the outbox, as the outbox screen shows them."""
    app = d.app
    yield 0.3
    yield from d.go("outbox")
    yield 0.3
    states = [w.state for w in d.walk() if str(getattr(w, "kid", "")).startswith("row:")]
    drafts = [r.body for r in app.outbox.rows() if r.state == "draft"]
    _result(d, states=states, drafts=[{"category": b["category"], "note": b["note"]} for b in drafts])


def _new_report(d, group: str, category: str, place: str | None = None):
    app = d.app
    yield until(lambda: app.sm.current == "home", 5, "home")
    yield 0.5  # the first frames lay the screen out
    yield from d.tap(d.find(id="new_report", screen="home"))
    yield until(lambda: app.sm.current == "category", 5, "category screen")
    yield from d.tap(d.find(f"group:{group}"))
    yield from d.tap(d.find(f"cat:{category}"))
    yield until(lambda: app.sm.current == "report", 5, "report screen")
    if place:
        yield from _fill(d, None, place, None, None)


def android_photo(d):
    """Android: the camera app writes through our FileProvider; the shrunk, EXIF-free copy is
    previewed, filed, sent, and then gone from the phone."""
    app = d.app
    screen = app.report_screen
    yield 0.3
    yield from _new_report(d, "BEL", "BEL-01", place="torget")
    yield from d.tap(d.find(id="take_photo", screen="report"))
    yield until(lambda: screen.form.photo_path is not None, 10, lambda: f"photo back ({screen.problems_text})")
    path = screen.form.photo_path
    from PIL import Image

    with Image.open(path) as im:
        size, exif = im.size, dict(im.getexif())
    assert max(size) <= 1600 and not exif, (size, exif)
    preview = d.find(id="preview", screen="report")
    yield until(lambda: preview.texture is not None and preview.height > 0, 5, "preview shown")
    d.find(id="page", screen="report").scroll_y = 0.2
    yield from d.screenshot("photo-preview")
    yield from d.tap(d.find(id="file", screen="report"))
    yield until(lambda: app.outbox.counts()["sent"] == 1 and app.outbox.counts()["photos_pending"] == 0, 20,
                lambda: f"sent {app.outbox.counts()}")
    leftovers = sorted(p.name for p in app.outbox.photos.iterdir())
    _result(d, photo=path, size=list(size), leftovers=leftovers, ids=[r.id for r in app.outbox.rows()],
            purged=not Path(path).exists())


def android_refused(d):
    """Camera and location refused: each says so and what to do; the gallery still gives a photo."""
    app = d.app
    screen = app.report_screen
    yield 0.3
    yield from _new_report(d, "BEL", "BEL-01")
    yield until(lambda: app.location_state == "permission-denied", 5, "location refusal reported")
    assert "får inte använda platsen" in screen.location_text and "Väntar" not in screen.location_text, \
        screen.location_text
    yield from d.tap(d.find(id="take_photo", screen="report"))
    yield until(lambda: "Kamera" in screen.problems_text, 5, lambda: f"camera refusal ({screen.problems_text})")
    assert screen.form.photo_path is None
    problem = screen.problems_text
    yield from d.screenshot("camera-refused")
    yield from d.tap(d.find(id="pick_photo", screen="report"))
    yield until(lambda: screen.form.photo_path is not None, 10, "photo from the gallery")
    _result(d, location=screen.location_text, problem=problem, photo=screen.form.photo_path)


def fix_gating(d):
    """A doubtful fix (as --gps gives it) is shown as such and needs one tap before it is filed."""
    app = d.app
    screen = app.report_screen
    yield until(lambda: app.location.last is not None, 5, "a fix")
    yield from _new_report(d, "REN", "REN-05")
    yield until(lambda: screen.form.location is not None, 5, "location from the fix")
    want = d.args.extra["words"]
    yield until(lambda: want in screen.location_text, 5, lambda: f"{want!r} in {screen.location_text!r}")
    accept = d.find(id="accept_fix", screen="report")
    assert screen.fix_doubt and accept.opacity == 1
    yield from d.screenshot(f"fix-{screen.fix_doubt}")
    yield from d.tap(d.find(id="file", screen="report"))
    assert app.sm.current == "report" and "godkänn" in screen.problems_text, screen.problems_text
    yield from d.tap(accept)
    assert not screen.fix_doubt and "godkänd av dig" in screen.location_text, screen.location_text
    yield from d.tap(d.find(id="file", screen="report"))
    yield until(lambda: app.outbox.counts()["sent"] == 1, 15, lambda: f"sent {app.outbox.counts()}")
    _result(d, source=app.outbox.rows()[0].body["location"]["source"], text=screen.location_text)


def file_offline_and_sign_out(d):
    """A duty phone: A files with no network, signs out (warned), the token goes from screen and storage."""
    app = d.app
    yield 0.3
    assert app.sm.current == "home"
    for group, cat, place in [("REN", "REN-05", "ica"), ("UPP", "UPP-02", "torget")]:
        yield from file_report(d, group, cat, note="utan nät, av A", place=place)
    yield from d.tap(d.find(text="Logga ut"))
    yield until(lambda: d.has("signout:warning"), 5, "sign-out warning")
    assert "2 rapporter" in d.find("signout:warning").text, d.find("signout:warning").text
    yield from d.screenshot("sign-out-warning")
    yield from d.tap(d.find("signout:confirm"))
    yield until(lambda: app.sm.current == "setup", 5, "signed out")
    settings = json.loads(Path(d.args.data_dir, "settings.json").read_text())
    assert settings["token"] == "" and settings["user"] == "", settings
    assert d.find(id="token", screen="setup").text == ""
    _result(d, ids=[r.id for r in app.outbox.rows()])


def sign_in_as_b_and_file(d):
    """B signs in on the same phone and files one report; A's two go out as A's."""
    app = d.app
    yield 0.3
    yield from sign_in(d, d.args.extra["token"])
    yield from file_report(d, "KLO", "KLO-06", note="av B", place="biblioteket")
    yield until(lambda: app.outbox.pending() == 0, 30, lambda: f"all sent {app.outbox.counts()}")
    tokens = [r.token for r in app.outbox.rows()]
    yield from d.go("outbox")
    yield from d.screenshot("outbox-two-authors")
    _result(d, authors={r.id: r.author for r in app.outbox.rows()}, tokens_left=[t for t in tokens if t])


def online_then_gone(d):
    """The status bar says "Ansluten" only while the server answers: a connection gone dead shows
    within seconds, not at the next 30-second round."""
    app = d.app
    yield until(lambda: app.online and app.status_line.startswith("Ansluten"), 10, "online shown")
    _marker(d, "online")
    yield until(lambda: Path(d.args.data_dir, "gone").exists(), 30, "the server stopped")
    import time

    gone = time.monotonic()
    yield until(lambda: not app.online, 10, lambda: f"offline shown ({app.status_line})")
    assert not app.status_line.startswith("Ansluten"), app.status_line
    yield from d.screenshot("offline-status")
    _result(d, seconds=time.monotonic() - gone, status=app.status_line)


def join_by_qr(d):
    """The walk's QR code read by the phone's scanner (Android's ZXing intent) joins it."""
    app = d.app
    yield until(lambda: app.sm.current == "home", 5, "home")
    yield 0.5
    yield from d.tap(d.find(id="walk", screen="home"))
    yield from d.tap(d.find(id="scan", screen="walk"))
    yield until(lambda: app.walk_active, 10, lambda: f"joined by QR: {app.sm.get_screen('walk').message}")
    _result(d, walk=app.settings.walk)


def back_key_and_112(d):
    """A fight: "Ring 112" is offered at once and opens the dialler with 112. The Android back key
    goes back a screen at a time; the typed note survives a change of category and ends as a draft."""
    from kivy.core.window import Window

    app = d.app
    screen = app.report_screen
    yield from _new_report(d, "SOC", "SOC-05")
    ring = d.find(id="ring112", screen="report")
    assert ring.opacity == 1 and not ring.disabled and "112" in ring.text, (ring.opacity, ring.text)
    assert not d.find(id="file", screen="report").disabled  # a suggestion, not a block
    d.find(id="page", screen="report").scroll_y = 1
    yield from d.screenshot("urgent-hint")
    yield from d.tap(ring)
    note = "Två grupper bråkar vid entrén"
    yield from d.type(d.find(id="note", screen="report"), note)

    def back():
        Window.dispatch("on_keyboard", 27, 0, None, [])

    back()
    yield 0.3
    assert app.sm.current == "category", app.sm.current
    yield from d.tap(d.find("cat:SOC-06"))
    assert app.sm.current == "report" and d.find(id="note", screen="report").text == note
    assert screen.form.category == "SOC-06" and screen.form.note == note
    back()
    yield 0.2
    back()  # the groups
    yield 0.2
    back()  # out of the report: home
    yield 0.3
    assert app.sm.current == "home", app.sm.current
    drafts = [r.body for r in app.outbox.rows() if r.state == "draft"]
    _result(d, drafts=drafts)


def map_pin(d):
    """The area's MBTiles base map: drawn, dragged, zoomed, darkened; a tap pins the metro entrance."""
    from kivy.tests.common import UnitTestTouch

    from koll.schema import taxonomy

    app = d.app
    yield from _new_report(d, "BEL", "BEL-02")
    yield from d.tap(d.find(id="drop_pin", screen="report"))
    pin = app.sm.get_screen("pin")
    assert app.sm.current == "pin" and pin.has_map, "the base map, not the plan"
    m = d.find("map")
    yield 0.3
    if pin.dark:  # at night the map opens dark; the day style first
        yield from d.tap(d.find(id="night", screen="pin"))
    assert not m.dark
    yield from d.screenshot("map")
    before = m.centred_on()
    touch = UnitTestTouch(*m.to_window(m.center_x, m.center_y))
    touch.touch_down()
    for i in range(1, 9):
        touch.touch_move(touch.x - 10, touch.y + 6)
        yield 0.02
    touch.touch_up()
    yield 0.2
    after = m.centred_on()
    assert after != before and m.pin == [], (before, after, m.pin)  # a drag pans, it does not pin
    z = m.zoom
    yield from d.tap(d.find(id="zoom_in", screen="pin"))
    assert m.zoom == z + 1, (z, m.zoom)
    metro = taxonomy.place("tunnelbaneuppgangen")
    m.centre = __import__("koll.field.tiles", fromlist=["world_px"]).world_px(metro.lat, metro.lon, m.zoom)
    m._draw()
    x, y = m.to_xy(metro.lat, metro.lon)
    touch = UnitTestTouch(*m.to_window(x, y))
    touch.touch_down()
    touch.touch_up()
    yield 0.3
    assert m.pin and taxonomy.haversine_m(m.pin[0], m.pin[1], metro.lat, metro.lon) < 3, m.pin
    if not pin.dark:
        yield from d.tap(d.find(id="night", screen="pin"))
    assert m.dark
    yield from d.screenshot("map-dark")
    yield from d.tap(d.find(id="ok", screen="pin"))
    loc = app.report_screen.form.location
    assert loc.source == "pin" and loc.place == "tunnelbaneuppgangen", loc
    _result(d, pin=m.pin, zoom=m.zoom)


def choose_area(d):
    """A user of two areas signs in: the chooser lists both; Husby torg is chosen, its places are
    the report's places, a report is filed naming it, and its base map comes in the background."""
    from koll.schema import taxonomy

    app = d.app
    yield 0.3
    assert app.sm.current == "setup", app.sm.current
    server = d.find(id="server", screen="setup")
    server.text = ""
    yield from d.type(server, d.args.server)
    yield from d.type(d.find(id="token", screen="setup"), d.args.extra["token"])
    yield from d.tap(d.find(id="sign_in", screen="setup"))
    yield until(lambda: app.sm.current == "area", 15, lambda: f"the area chooser (on {app.sm.current})")
    yield until(lambda: d.has("area:hasselby-torg") and d.has("area:husby-torg"), 5, "both areas listed")
    names = sorted(w.text for w in d.find_all(lambda w: str(getattr(w, "kid", "")).startswith("area:")))
    yield from d.screenshot("area-chooser")
    yield from d.tap(d.find("area:husby-torg"))
    yield until(lambda: app.sm.current == "home", 15, lambda: f"home after choosing ({app.sm.get_screen('area').message})")
    assert app.settings.area == "husby-torg" and "Husby torg" in app.area_line, (app.settings.area, app.area_line)
    assert app.may_change_area
    tiles = Path(d.args.data_dir, "tiles", "husby-torg.mbtiles")
    yield until(lambda: tiles.exists() and "hämtad" in app.map_line, 20, lambda: f"the map in ({app.map_line!r})")
    yield from d.screenshot("area-home")
    # The report: Husby's places, and a category of its own (the housing company's).
    yield from d.tap(d.find(id="new_report", screen="home"))
    yield until(lambda: app.sm.current == "category", 5, "category screen")
    yield from d.tap(d.find("group:FYS"))
    local = d.has("cat:FYS-H01")
    yield from d.tap(d.find("cat:FYS-H01"))
    yield until(lambda: app.sm.current == "report", 5, "report screen")
    places = list(app.report_screen.place_labels)
    spinner = d.find(id="place", screen="report")
    yield from d.tap(spinner)
    label = taxonomy.place("husby-torget").sv
    option = [w for w in d.walk() if getattr(w, "text", None) == label and w.__class__.__name__ == "SpinnerOption"]
    assert option, f"no option {label} among {places}"
    yield from d.tap(option[0])
    yield until(lambda: (app.report_screen.form.location or None) is not None
                and app.report_screen.form.location.place == "husby-torget", 3, "place chosen")
    yield from d.type(d.find(id="note", screen="report"), "Porten till nr 12 går inte i lås")
    yield from d.tap(d.find(id="file", screen="report"))
    yield until(lambda: app.sm.current == "home", 5, lambda: f"filed ({app.report_screen.problems_text})")
    yield until(lambda: app.outbox.counts()["sent"] == 1, 20,
                lambda: f"sent: {app.outbox.counts()} {[(r.http_status, r.error) for r in app.outbox.rows()]}")
    row = app.outbox.rows()[0]
    # The map: Husby's tiles with its boundary and places.
    yield from d.tap(d.find(id="new_report", screen="home"))
    yield until(lambda: app.sm.current == "category", 5, "category screen")
    yield from d.tap(d.find("group:BEL"))
    yield from d.tap(d.find("cat:BEL-02"))
    yield until(lambda: app.sm.current == "report", 5, "report screen")
    yield from d.tap(d.find(id="drop_pin", screen="report"))
    pin = app.sm.get_screen("pin")
    assert app.sm.current == "pin" and pin.has_map, "the area's downloaded map, not the plan"
    m = d.find("map")
    if pin.dark:
        yield from d.tap(d.find(id="night", screen="pin"))
    yield 0.3
    yield from d.screenshot("area-map")
    _result(d, names=names, places=places, local_category=local, report=row.body, report_state=row.state,
            map_places=[p.code for p in m.area.places], boundary=len(m.area.boundary))


def area_remembered(d):
    """Started again: the chosen area is remembered (straight home), its map not fetched anew."""
    app = d.app
    yield 0.3
    assert app.sm.current == "home", app.sm.current
    assert app.settings.area == "husby-torg", app.settings.area
    yield until(lambda: app._map_thread is not None and not app._map_thread.is_alive(), 15,
                "the map checked with the server")
    _result(d, area_line=app.area_line, map_line=app.map_line,
            places=[p.code for p in app.ctl.area.places])
