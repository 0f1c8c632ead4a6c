"""Areas on the boards and where areas differ: the overview across areas and the administrator's
pages (over HTTP, as the browser sends them), the sun at each area's own place, and the audit
timeline by area. The drawing itself is in tests/web/test_web_areas.py."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, datetime, timedelta, timezone

import requests

from koll.ledger.domain import daylight
from koll.ledger.domain.area import centroid
from tests.helpers import Client, observation
from tests.test_areas import ADMIN, definition, events, husby_report, two_areas  # noqa: F401 - a fixture

KIRUNA = {
    "code": "kiruna-centrum", "name": {"sv": "Kiruna centrum", "en": "Kiruna centre"}, "time_zone": "Europe/Stockholm",
    "boundary": {"type": "Polygon", "coordinates": [[[20.215, 67.852], [20.235, 67.852], [20.235, 67.860],
                                                     [20.215, 67.860], [20.215, 67.852]]]},
    "places": [{"code": "kiruna-stadshuset", "sv": "Stadshuset", "geometry": {"type": "Point",
                                                                             "coordinates": [20.225, 67.856]},
                "radius_m": 40}],
}


def session_for(service, user: str) -> requests.Session:
    s = requests.Session()
    token = re.search(r'name="csrf_token" value="([^"]+)"', s.get(f"{service.base}/login").text).group(1)
    r = s.post(f"{service.base}/login", data={"user": user, "password": "hemligt", "csrf_token": token})
    assert r.status_code == 200, r.text[:300]
    return s


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


# --- The overview across areas ----------------------------------------------------------------


def test_the_overview_page_shows_the_areas_side_by_side_and_each_user_only_their_own(service, two_areas):
    reporter = service.client("reporter")
    for body in (observation(), observation(), husby_report()):
        assert reporter.post("/api/v1/observations", json=body).status_code == 201
    husby_op = Client(service.base, two_areas["husby-operational"])
    upcoming = (date.today() + timedelta(days=7)).isoformat()
    assert husby_op.post("/api/v1/meetings", json={"id": str(uuid.uuid4()), "group": "operational",
                                                   "date": upcoming}).status_code == 201
    r = husby_op.post("/api/v1/measures", json={"id": str(uuid.uuid4()), "what": "Belysning vid tunnelbanan",
                                                "end": "2020-01-31", "palette": "situationell"})
    mid = r.json()["id"]
    assert husby_op.post(f"/api/v1/measures/{mid}/decide", json={}, headers={"If-Match": "1"}).status_code == 200

    strateg = session_for(service, "strateg")
    home = strateg.get(service.base + "/").text
    assert 'href="/oversikt"' in home                                    # two areas: the menu offers it
    html = strateg.get(service.base + "/oversikt").text
    rows = dict(re.findall(r'<tr data-area="([a-z-]+)">(.*?)</tr>', html, re.S))
    assert set(rows) == {"hasselby-torg", "husby-torg"}

    def col(area: str, name: str) -> str:
        return re.sub(r"<[^>]+>", "", re.search(rf'data-col="{name}"[^>]*>(.*?)</td>', rows[area], re.S).group(1)).strip()

    assert (col("hasselby-torg", "open"), col("husby-torg", "open")) == ("2", "1")
    assert (col("husby-torg", "active"), col("husby-torg", "late")) == ("1", "1")
    assert col("husby-torg", "next") == upcoming and col("hasselby-torg", "next") == "–"
    principles = re.sub(r"<[^>]+>", "", rows["husby-torg"])
    assert "Kritisk massa: 1" in principles and re.search(r": 1/\d", principles)   # one palette group of all
    # The API gives the same principles: one place computes them.
    api = {a["area"]: a for a in service.client("strategic").get("/api/v1/areas/overview").json()["areas"]}
    assert api["husby-torg"]["principles"]["many_kinds"]["groups_used"] == 1

    service.ledger.credentials.set_password("husbyoperativ", "hemligt")
    husby = session_for(service, "husbyoperativ")
    assert 'href="/oversikt"' not in husby.get(service.base + "/").text  # one area: nothing to compare
    own = husby.get(service.base + "/oversikt").text
    assert 'data-area="husby-torg"' in own and "hasselby" not in own.lower() and "Hässelby" not in own
    assert session_for(service, "rapportor").get(service.base + "/oversikt").status_code == 403


# --- The administrator's pages ----------------------------------------------------------------


def _form(html: str, form_id: str) -> dict[str, list[str]]:
    """The fields of one form on the page as the browser would send them (text, hidden, selected, checked)."""
    body = re.search(rf'<form[^>]*id="{form_id}"[^>]*>(.*?)</form>', html, re.S).group(1)
    out: dict[str, list[str]] = {}
    for tag in re.findall(r"<input[^>]*>", body):
        name = re.search(r'name="([^"]+)"', tag)
        if not name:
            continue
        kind = (re.search(r'type="([^"]+)"', tag) or [None, "text"])[1]
        if kind == "checkbox" and "checked" not in tag:
            continue
        value = re.search(r'value="([^"]*)"', tag)
        out.setdefault(name.group(1), []).append(_unescape(value.group(1)) if value else "")
    for name, options in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', body, re.S):
        chosen = re.findall(r'<option value="([^"]*)"[^>]*selected', options)
        if not chosen and "multiple" not in re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>', body).group(0):
            chosen = re.findall(r'<option value="([^"]*)"', options)[:1]
        out[name] = chosen
    return out


def _unescape(s: str) -> str:
    import html

    return html.unescape(s)


def test_an_admin_changes_a_place_on_the_area_page_and_a_stale_or_bad_form_records_nothing(service, two_areas):
    admin = session_for(service, "admin")
    page = admin.get(service.base + "/admin/omraden/husby-torg").text
    form = _form(page, "area-places")
    n = int(form["places-rows"][0]) - 1                                  # the empty row for a new place
    form |= {f"places-{n}-code": ["husby-lekplatsen"], f"places-{n}-sv": ["Lekplatsen"],
             f"places-{n}-lat": ["59,4110"], f"places-{n}-lon": ["17.9262"], f"places-{n}-radius_m": ["fem"]}
    before = events(service.ledger)
    r = admin.post(service.base + "/admin/omraden/husby-torg/platser", data=form)
    assert r.status_code == 422
    assert re.search(rf'id="e-places-{n}-radius_m"[^>]*>[^<]+', r.text)   # the error beside the field
    assert 'value="Lekplatsen"' in r.text and 'value="fem"' in r.text    # what was typed is kept
    assert events(service.ledger) == before

    form[f"places-{n}-radius_m"] = ["30"]
    form[f"places-{n}-lat"] = ["59.5"]                                   # outside the boundary
    r = admin.post(service.base + "/admin/omraden/husby-torg/platser", data=form)
    assert r.status_code == 422 and f'id="e-places-{n}-lat"' in r.text and events(service.ledger) == before

    form[f"places-{n}-lat"] = ["59,4110"]
    ok = admin.post(service.base + "/admin/omraden/husby-torg/platser", data=form)
    assert ok.status_code == 200 and "Platserna är sparade" in ok.text
    exported = service.client("admin").get("/api/v1/areas/husby-torg").json()
    place = next(p for p in exported["places"] if p["code"] == "husby-lekplatsen")
    assert place["geometry"] == {"type": "Point", "coordinates": [17.9262, 59.411]} and place["radius_m"] == 30
    after = events(service.ledger)
    assert after == before + 1

    # The same form again, at the version it was rendered from: someone has saved since.
    r = admin.post(service.base + "/admin/omraden/husby-torg/platser", data=form | {f"places-{n}-sv": ["Lekplats"]})
    assert r.status_code == 409 and "Någon annan har ändrat området" in r.text and 'value="Lekplats"' in r.text
    assert events(service.ledger) == after
    # An unchanged form records nothing.
    again = _form(ok.text, "area-places")
    assert admin.post(service.base + "/admin/omraden/husby-torg/platser", data=again).status_code == 200
    assert events(service.ledger) == after
    # Without the CSRF token nothing is recorded either.
    again["csrf_token"] = ["x"]
    assert admin.post(service.base + "/admin/omraden/husby-torg/platser", data=again).status_code == 400


def test_an_admin_edits_organisations_categories_and_the_boundary_through_the_versioned_commands(service,
                                                                                                 two_areas):
    admin = session_for(service, "admin")
    page = admin.get(service.base + "/admin/omraden/husby-torg").text
    orgs = _form(page, "area-orgs")
    n = int(orgs["orgs-rows"][0]) - 1
    orgs |= {f"orgs-{n}-code": ["husby-foreningen"], f"orgs-{n}-sv": ["Husby föreningsråd"],
             f"orgs-{n}-sector": ["civil"], f"orgs-{n}-email": ["inte en adress"], f"orgs-{n}-categories": ["REN-01"]}
    r = admin.post(service.base + "/admin/omraden/husby-torg/aktorer", data=orgs)
    assert r.status_code == 422 and f'id="e-orgs-{n}-email"' in r.text and 'value="inte en adress"' in r.text
    orgs[f"orgs-{n}-email"] = ["rad@example.se"]
    assert "Aktörerna är sparade" in admin.post(service.base + "/admin/omraden/husby-torg/aktorer", data=orgs).text
    got = service.client("admin").get("/api/v1/areas/husby-torg").json()
    assert {"code": "husby-foreningen", "sv": "Husby föreningsråd", "en": None, "sector": "civil",
            "email": "rad@example.se", "categories": ["REN-01"]} in got["organisations"]

    page = admin.get(service.base + "/admin/omraden/husby-torg").text
    cats = _form(page, "area-categories")
    # A category an organisation answers for cannot leave the area: refused, the ticks kept as sent.
    r = admin.post(service.base + "/admin/omraden/husby-torg/kategorier",
                   data=cats | {"national": [c for c in cats["national"] if c != "KLO-01"] + ["TRF-01"]})
    assert r.status_code == 422 and "KLO-01" in r.text
    assert 'value="TRF-01" checked' in r.text and 'value="KLO-01" checked' not in r.text
    cats["national"] = cats["national"] + ["TRF-01"]
    assert "Kategorierna är sparade" in admin.post(service.base + "/admin/omraden/husby-torg/kategorier",
                                                data=cats).text
    codes = [c["code"] for c in service.client("admin").get("/api/v1/areas/husby-torg").json()["categories"]]
    assert "TRF-01" in codes and "KLO-01" in codes

    page = admin.get(service.base + "/admin/omraden/husby-torg").text
    base = _form(page, "area-base")
    base["boundary"] = [json.dumps({"type": "Polygon", "coordinates": [[[17.92, 59.40], [17.93, 59.40]]]})]
    r = admin.post(service.base + "/admin/omraden/husby-torg/grund", data=base)
    assert r.status_code == 422 and 'id="e-boundary"' in r.text
    wider = {"type": "Polygon", "coordinates": [[[17.918, 59.406], [17.934, 59.406], [17.934, 59.414],
                                                 [17.918, 59.414], [17.918, 59.406]]]}
    base["boundary"], base["name_en"] = [json.dumps(wider)], ["Husby square"]
    assert "Namn och gräns är sparade" in admin.post(service.base + "/admin/omraden/husby-torg/grund", data=base).text
    got = service.client("admin").get("/api/v1/areas/husby-torg").json()
    assert got["boundary"] == wider and got["name"]["en"] == "Husby square"


def test_a_new_area_is_created_from_the_page_or_a_pasted_definition_and_a_broken_one_is_refused(service):
    admin = session_for(service, "admin")
    page = admin.get(service.base + "/admin/omraden").text
    token = csrf(page)
    before = events(service.ledger)
    r = admin.post(service.base + "/admin/omraden", data={"csrf_token": token, "code": "Kiruna centrum",
                                                            "name_sv": "Kiruna centrum", "boundary": ""})
    assert r.status_code == 422 and 'id="e-code"' in r.text and 'id="e-boundary"' in r.text
    assert 'value="Kiruna centrum"' in r.text and events(service.ledger) == before
    r = admin.post(service.base + "/admin/omraden", data={
        "csrf_token": token, "code": "kiruna-centrum", "name_sv": "Kiruna centrum", "time_zone": "Europe/Stockholm",
        "boundary": json.dumps(KIRUNA["boundary"])})
    assert r.status_code == 200 and "Området är skapat" in r.text, r.text[:500]
    assert service.client("admin").get("/api/v1/areas/kiruna-centrum").json()["boundary"] == KIRUNA["boundary"]

    broken = json.dumps({**definition("husby-torg"), "code": "husby-ny", "time_zone": "Mars/Olympus"})
    r = admin.post(service.base + "/admin/omraden", data={"csrf_token": token, "definition": broken})
    assert r.status_code == 422 and "time_zone" in r.text and 'id="e-definition"' in r.text
    r = admin.post(service.base + "/admin/omraden", data={"csrf_token": token, "definition": "{nej"})
    assert r.status_code == 422 and "JSON" in r.text
    r = admin.post(service.base + "/admin/omraden", files={"file": ("husby.json", json.dumps(definition("husby-torg")))},
                   data={"csrf_token": token})
    assert r.status_code == 200 and "Husby torg" in r.text
    r = admin.post(service.base + "/admin/omraden", data={"csrf_token": token,
                                                            "definition": json.dumps(definition("husby-torg"))})
    assert r.status_code == 422 and "finns redan" in r.text           # changes go through the area's page
    listed = admin.get(service.base + "/admin/omraden").text
    assert "kiruna-centrum" in listed and "husby-torg" in listed
    assert session_for(service, "operativ").get(service.base + "/admin/omraden").status_code == 403


# --- The sun at the area's own place ----------------------------------------------------------


def test_the_sun_sets_at_each_areas_own_place_and_reports_there_are_dark_by_it(service, two_areas):
    assert service.client("admin").post("/api/v1/areas", json=KIRUNA).status_code == 200
    kiruna, hasselby = (service.ledger.area_view(c).sky for c in ("kiruna-centrum", "hasselby-torg"))
    assert abs(kiruna.lat - 67.856) < 0.001 and abs(kiruna.lon - 20.225) < 0.001
    assert centroid(definition("hasselby-torg")["boundary"])[0] == hasselby.lat
    day = date(2026, 3, 1)
    (k_rise, k_set), (h_rise, h_set) = daylight.sun_times(day, kiruna), daylight.sun_times(day, hasselby)
    assert k_set.utcoffset() == h_set.utcoffset() == timedelta(hours=1)
    assert abs((k_set - h_set).total_seconds()) > 10 * 60              # Kiruna's sun sets at another time
    # In December the sun does not rise in Kiruna at all: the whole day is dark there, not in Hässelby.
    noon = datetime(2025, 12, 15, 11, 0, tzinfo=timezone.utc)
    assert daylight.is_dark(noon, kiruna) and not daylight.is_dark(noon, hasselby)
    assert daylight.sun_times(date(2025, 12, 15), kiruna) is None

    admin = service.client("admin")
    service.ledger.add_user("kirunavardare", "reporter", "sdf", password="hemligt", areas=["kiruna-centrum"])
    at = noon.isoformat()
    far = observation(observed_at=at, attributes={}, location={"lat": 67.856, "lon": 20.225, "accuracy_m": 5,
                                                                 "source": "gps"})
    near = observation(observed_at=at, attributes={})
    assert admin.post("/api/v1/observations", json=far).status_code == 201
    assert admin.post("/api/v1/observations", json=near).status_code == 201
    from koll.ledger.projections.situation import observations as obs

    with service.ledger.store.read() as conn:
        dark = dict(conn.execute(obs.select().with_only_columns(obs.c.area, obs.c.dark)).all())
    assert dark == {"kiruna-centrum": True, "hasselby-torg": False}

    page = session_for(service, "strateg").get(service.base + "/?area=kiruna-centrum").text
    line = re.search(r'<p class="daylight" id="daylight">(.*?)</p>', page, re.S).group(1)
    assert line.strip(), page[:300]
    k_today = daylight.sun_times(datetime.now(kiruna.zone).date(), kiruna)
    h_today = daylight.sun_times(datetime.now(hasselby.zone).date(), hasselby)
    assert (f"{k_today[1]:%H:%M}" in line) if k_today else ("mörkt hela dagen" in line)
    hline = re.search(r'<p class="daylight" id="daylight">(.*?)</p>',
                      session_for(service, "strateg").get(service.base + "/?area=hasselby-torg").text, re.S).group(1)
    assert f"{h_today[1]:%H:%M}" in hline and hline != line


# --- The audit timeline by area ---------------------------------------------------------------


def test_the_audit_timeline_takes_the_area_like_every_other_list(service, two_areas):
    reporter = service.client("reporter")
    ids = {"hasselby": reporter.post("/api/v1/observations", json=observation()).json()["case_id"],
           "husby": reporter.post("/api/v1/observations", json=husby_report()).json()["case_id"]}
    auditor = service.client("auditor")
    every = auditor.get("/api/v1/audit/events", params={"limit": 1000}).json()["events"]
    husby = auditor.get("/api/v1/audit/events", params={"area": "husby-torg", "limit": 1000}).json()["events"]
    assert {e["aggregate_id"] for e in every} >= set(ids.values())
    assert ids["husby"] in {e["aggregate_id"] for e in husby} and ids["hasselby"] not in {
        e["aggregate_id"] for e in husby}
    csv = auditor.get("/api/v1/audit/events.csv", params={"area": "husby-torg"}).text
    assert ids["husby"] in csv and ids["hasselby"] not in csv
    page = session_for(service, "revisor").get(service.base + "/revision", params={"area": "husby-torg"}).text
    assert ids["husby"][:8] in page and ids["hasselby"][:8] not in page
    assert 'name="area"' in page


def test_one_areas_picture_tells_only_that_areas_restricted_cases(service, two_areas):
    """The shared picture's counts of what is left out keep to the area asked for: Husby's board
    does not count a restricted case in Hässelby."""
    reporter = service.client("reporter")
    assert reporter.post("/api/v1/observations", json=observation(category="SOC-01")).status_code == 201
    strategic = service.client("strategic")
    every = strategic.get("/api/v1/situation").json()
    husby = strategic.get("/api/v1/situation", params={"area": "husby-torg"}).json()
    hasselby = strategic.get("/api/v1/situation", params={"area": "hasselby-torg"}).json()
    assert every["restricted"]["hidden"] == hasselby["restricted"]["hidden"] == 1
    assert husby["restricted"]["hidden"] == 0


def test_the_measure_board_of_one_area_shows_its_measures_and_its_principles(service, two_areas):
    """The overview links to /insatser?area=CODE: that area's measures and four principles only."""
    husby_op = Client(service.base, two_areas["husby-operational"])
    assert husby_op.post("/api/v1/measures", json={"id": str(uuid.uuid4()), "what": "Belysning vid Husby träff",
                                                   "palette": "situationell"}).status_code == 201
    ops = service.client("operational")
    for what in ("Städning av Hässelby torg", "Kvällsfotboll i Hässelby"):
        assert ops.post("/api/v1/measures", json={"id": str(uuid.uuid4()), "what": what,
                                                  "area": "hasselby-torg"}).status_code == 201
    strateg = session_for(service, "strateg")
    husby = strateg.get(service.base + "/insatser", params={"area": "husby-torg"}).text
    assert "Belysning vid Husby träff" in husby
    assert "Städning av Hässelby torg" not in husby and "Kvällsfotboll" not in husby
    everything = strateg.get(service.base + "/insatser").text
    assert "Belysning vid Husby träff" in everything and "Kvällsfotboll i Hässelby" in everything
    service.ledger.credentials.set_password("husbyoperativ", "hemligt")
    own = session_for(service, "husbyoperativ").get(service.base + "/insatser").text
    assert "Belysning vid Husby träff" in own and "Kvällsfotboll" not in own
