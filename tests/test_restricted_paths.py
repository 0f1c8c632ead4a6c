"""Restricted data follows its case on every path: a report recategorised after it was filed, a
case linked to a measure or named in a decision, a report joining another case, and the shared
picture that tells the groups what happens without telling them who, where or what was written."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from helpers import observation
from restricted_story import Board, at, tell
from koll.ledger.policy import RESTRICTED_CASE


def _now() -> str:
    return datetime.now(timezone.utc).isoformat()


def test_a_recategorised_report_follows_its_case_on_every_path(service):
    story = tell(service)
    oid, case_id = story.restricted_observations["recategorised"], story.restricted_cases["recategorised"]
    note, sha = story.notes["recategorised"], story.photo
    staff, auditor, police = service.client("operational"), service.client("auditor"), service.client("police")

    def staff_sees_nothing() -> None:
        assert staff.get(f"/api/v1/observations/{oid}").status_code == 404
        assert staff.get(f"/api/v1/photos/{sha}").status_code == 404
        assert staff.get(f"/api/v1/photos/{sha}/thumb").status_code == 404
        for path in (f"/api/v1/walks/{story.walk}/protocol", f"/api/v1/walks/{story.walk}/protocol.csv",
                     "/api/v1/audit/events?limit=1000", "/api/v1/audit/events.csv",
                     f"/api/v1/audit/events?aggregate={oid}", f"/api/v1/audit/as-of?at={_now()}"):
            body = auditor.get(path).text if "audit" in path else staff.get(path).text
            assert oid not in body and note not in body and case_id not in body, path
        board = Board(service, "auditor")
        page = board.get(f"/revision?at={_now()[:19]}").text  # the timeline and the boards as of now
        assert "Case.Opened" in page
        assert oid not in page
        assert case_id not in page
        # Nor a bundle or a proof with the raw event in it.
        assert auditor.get("/api/v1/audit/bundle").status_code == 403

    staff_sees_nothing()
    # The police still see it all, and the reporter who filed it still sees their own report.
    assert police.get(f"/api/v1/observations/{oid}").json()["note"] == note
    assert police.get(f"/api/v1/photos/{sha}").status_code == 200
    assert oid in police.get(f"/api/v1/walks/{story.walk}/protocol").text
    filer = service.client("reporter2")
    assert oid in {o["id"] for o in filer.get("/api/v1/observations/mine").json()["observations"]}
    # The boards as they stood before the triage hide it too: it is restricted from then on.
    triaged = [e for e in police.get("/api/v1/audit/events", params={"aggregate": case_id}).json()["events"]
               if e["event"] == "Case.Triaged"][0]
    before = (datetime.fromisoformat(triaged["at"]) - timedelta(milliseconds=1)).isoformat()
    earlier = auditor.get("/api/v1/audit/as-of", params={"at": before})
    assert earlier.status_code == 200 and case_id not in earlier.text
    assert case_id in police.get("/api/v1/audit/as-of", params={"at": before}).text
    # A rebuild folds the same.
    service.ledger.rebuild()
    staff_sees_nothing()


def test_a_restricted_report_joining_a_public_case_changes_no_count_a_reader_sees(service):
    story = tell(service)
    reporter, police = service.client("reporter"), service.client("police")
    case = reporter.get(f"/api/v1/cases/{story.public_case}").json()
    assert case["observations"] == 1 and len(case["observations_list"]) == 1
    listed = {c["id"]: c for c in reporter.get("/api/v1/cases").json()["cases"]}
    assert listed[story.public_case]["observations"] == 1
    feature = {f["id"]: f for f in reporter.get("/api/v1/situation/map").json()["features"]}[story.public_case]
    assert feature["properties"]["observations"] == 1
    rows = reporter.get("/api/v1/exports/cases.csv").text.splitlines()
    header = rows[0].split(",")
    row = next(r.split(",") for r in rows if r.startswith(story.public_case))
    assert row[header.index("observations")] == "1"
    points = Board(service, "reporter").get("/lagesbild/punkter.json").json()
    point = next(p for p in points["points"] if p[-1] == story.public_case)
    assert point[points["columns"].index("observations")] == 1
    # The walk's findings: the reporter sees none of the two restricted ones.
    walk = {w["id"]: w for w in reporter.get("/api/v1/walks").json()["walks"]}[story.walk]
    assert walk["findings"] == 0
    # Those who may see it count both.
    assert police.get(f"/api/v1/cases/{story.public_case}").json()["observations"] == 2
    assert {w["id"]: w for w in police.get("/api/v1/walks").json()["walks"]}[story.walk]["findings"] == 2


def test_a_restricted_case_linked_or_decided_shows_as_a_placeholder_never_its_id(service):
    story = tell(service)
    hidden, public = story.restricted_cases["linked"], story.public_linked
    staff, auditor, police = service.client("operational"), service.client("auditor"), service.client("police")
    placeholder = RESTRICTED_CASE
    measure = staff.get(f"/api/v1/measures/{story.measure}")
    assert measure.json()["cases"] == [placeholder, public]
    meeting = staff.get(f"/api/v1/meetings/{story.meeting}")
    assert meeting.json()["decisions_list"][0]["cases"] == [placeholder, public]
    for path in (f"/api/v1/measures/{story.measure}", "/api/v1/measures", f"/api/v1/meetings/{story.meeting}",
                 f"/api/v1/meetings/{story.meeting}/report-back", "/api/v1/exports/measures.csv"):
        body = staff.get(path).text
        assert hidden not in body, path
    events = auditor.get("/api/v1/audit/events", params={"aggregate": story.measure}).json()["events"]
    linked = [e["data"]["case_id"] for e in events if e["event"] == "Measure.CaseLinked"]
    assert linked == [placeholder, public]
    for path in ("/api/v1/audit/events?limit=1000", "/api/v1/audit/events.csv", f"/api/v1/audit/as-of?at={_now()}"):
        assert hidden not in auditor.get(path).text, path
    for who in ("operational", "auditor"):
        board = Board(service, who)
        for path in (f"/insatser/{story.measure}", "/moten", f"/moten/{story.meeting}/aterrapport",
                     f"/revision?measure={story.measure}&at={_now()[:19]}"):
            page = board.get(path)
            if page.status_code == 403:
                continue
            assert page.status_code == 200 and hidden not in page.text, (who, path)
    page = Board(service, "operational").get(f"/insatser/{story.measure}").text
    assert "ett ärende med begränsad åtkomst" in page.lower()
    # The police see the case itself.
    assert police.get(f"/api/v1/measures/{story.measure}").json()["cases"] == [hidden, public]


def test_the_shared_picture_tells_restricted_cases_as_counts_per_category_and_week(service):
    story = tell(service)
    police = service.client("police")
    for n in (6, 7):  # three SOC-02 cases in all: a count large enough to be told
        assert police.post("/api/v1/observations", observation(category="SOC-02", location=at(n))).status_code == 201
    staff = service.client("operational")
    picture = staff.get("/api/v1/situation").json()
    week = datetime.fromisoformat(observation()["observed_at"]).isocalendar()
    label = f"{week[0]}-W{week[1]:02d}"
    assert picture["restricted"]["hidden"] == 5
    cells = {(c["category"], c["week"]): c for c in picture["restricted"]["by_category_week"]}
    assert cells[("SOC-01", label)]["cases"] is None and cells[("SOC-01", label)]["shown"] == "färre än 3"
    assert cells[("SOC-02", label)]["cases"] == 3 and cells[("SOC-02", label)]["shown"] == "3"
    assert set(picture["by_category"]) & {"SOC-01", "SOC-02"} == set()
    page = Board(service, "operational").get("/").text
    assert "5 ärenden med begränsad åtkomst visas inte" in page and "färre än 3" in page
    for secret in story.secrets().values():
        assert secret not in page
    assert police.get("/api/v1/situation").json()["restricted"]["hidden"] == 0
    assert "begränsad åtkomst visas inte" not in Board(service, "police").get("/").text


def test_one_hidden_case_is_told_in_the_singular(service):
    assert service.client("police").post("/api/v1/observations", observation(category="SOC-01")).status_code == 201
    assert "1 ärende med begränsad åtkomst visas inte" in Board(service, "operational").get("/").text
