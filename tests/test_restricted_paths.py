"""Restricted data follows its case on every path: a report recategorised after it was filed, a
case linked to a measure or named in a decision, a report joining another case, and the shared
picture that tells the groups what happens without telling them who, where or what was written."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from restricted_story import Board, tell


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
