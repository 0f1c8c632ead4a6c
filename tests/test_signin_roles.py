"""The edges of the role table, over real HTTP on SQLite and PostgreSQL: each refusal is a 403
problem+json and records nothing."""

from __future__ import annotations

import uuid

from helpers import observation
from test_photos import png_bytes, upload
from test_walks import plan



def events_in(service) -> int:
    return service.ledger.recorder.max_notification_id() or 0


def refused(answer, service, before: int) -> None:
    assert answer.status_code == 403, (answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert events_in(service) == before


def second_reporter(service):
    token = service.ledger.add_user("rapportor2", "reporter", "sdf")
    return type(service.client("reporter"))(service.base, token)


def meeting_body(group: str) -> dict:
    return {"id": str(uuid.uuid4()), "group": group, "date": "2018-06-07", "title": f"Möte ({group})"}


def test_the_strategic_group_runs_its_own_meetings_not_the_operational_groups(service):
    strategic, ops = service.client("strategic"), service.client("operational")
    before = events_in(service)
    refused(strategic.post("/api/v1/meetings", meeting_body("operational")), service, before)
    own = strategic.post("/api/v1/meetings", meeting_body("strategic"))
    assert own.status_code == 201
    own_id = own.json()["id"]
    decision = {"id": str(uuid.uuid4()), "text": "Vi prioriterar belysningen"}
    assert strategic.post(f"/api/v1/meetings/{own_id}/decisions", decision).status_code == 201
    assert strategic.post(f"/api/v1/meetings/{own_id}/held", {"conclusions": "Bra"},
                          headers={"If-Match": "2"}).status_code == 200
    op_id = ops.post("/api/v1/meetings", meeting_body("operational")).json()["id"]
    before = events_in(service)
    refused(strategic.post(f"/api/v1/meetings/{op_id}/decisions", {"id": str(uuid.uuid4()), "text": "x"}),
            service, before)
    refused(strategic.post(f"/api/v1/meetings/{op_id}/held", {}, headers={"If-Match": "1"}), service, before)
    refused(strategic.post(f"/api/v1/meetings/{op_id}/close", {}, headers={"If-Match": "1"}), service, before)
    # the operational staff also minute the strategic group's meetings, which they report to
    other = strategic.post("/api/v1/meetings", meeting_body("strategic")).json()["id"]
    assert ops.post(f"/api/v1/meetings/{other}/decisions", {"id": str(uuid.uuid4()), "text": "y"}).status_code == 201
    assert ops.post(f"/api/v1/meetings/{op_id}/held", {}, headers={"If-Match": "1"}).status_code == 200


def test_a_reporter_cannot_start_or_end_another_reporters_walk(service):
    leader, other = service.client("reporter"), second_reporter(service)
    body = plan()
    assert leader.post("/api/v1/walks", body).status_code == 201
    walk = body["id"]
    before = events_in(service)
    refused(other.post(f"/api/v1/walks/{walk}/start", headers={"If-Match": "1"}), service, before)
    assert leader.post(f"/api/v1/walks/{walk}/start", headers={"If-Match": "1"}).status_code == 200
    before = events_in(service)
    refused(other.post(f"/api/v1/walks/{walk}/end", {}, headers={"If-Match": "2"}), service, before)
    assert service.client("operational").post(f"/api/v1/walks/{walk}/end", {},
                                              headers={"If-Match": "2"}).status_code == 200
    # operational staff may start someone else's walk too; a strategic user who did not plan it may not
    body = plan()
    leader.post("/api/v1/walks", body)
    before = events_in(service)
    refused(service.client("strategic").post(f"/api/v1/walks/{body['id']}/start", headers={"If-Match": "1"}),
            service, before)
    assert service.client("police").post(f"/api/v1/walks/{body['id']}/start",
                                         headers={"If-Match": "1"}).status_code == 200


def test_a_reporter_cannot_attach_photos_to_someone_elses_report(service):
    report = observation()
    assert service.client("reporter").post("/api/v1/observations", report).status_code == 201
    other = second_reporter(service)
    before = events_in(service)
    refused(upload(other, report["id"], png_bytes(), "foto.png", "image/png"), service, before)
    assert upload(service.client("reporter"), report["id"], png_bytes(), "foto.png", "image/png").status_code == 201
    assert upload(service.client("operational"), report["id"], png_bytes((200, 100)), "b.png",
                  "image/png").status_code == 201


def test_the_api_refuses_reporters_the_meetings_the_boards_refuse_them(service):
    meeting = service.client("operational").post("/api/v1/meetings", meeting_body("operational")).json()["id"]
    reporter = service.client("reporter")
    for path in ("/api/v1/meetings", f"/api/v1/meetings/{meeting}", f"/api/v1/meetings/{meeting}/report-back"):
        answer = reporter.get(path)
        assert answer.status_code == 403, path
        assert answer.headers["Content-Type"] == "application/problem+json"
        assert service.client("auditor").get(path).status_code == 200
