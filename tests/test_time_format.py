"""Every timestamp in every JSON answer is ISO 8601 with its offset (an integrator parses one format)."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from helpers import observation

HTTP_DATE = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d \w{3} \d{4} \d\d:\d\d:\d\d GMT$")
ISO_TIME = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")


def _strings(doc: Any, path: str = "") -> list[tuple[str, str]]:
    if isinstance(doc, dict):
        return [s for k, v in doc.items() for s in _strings(v, f"{path}.{k}")]
    if isinstance(doc, list):
        return [s for i, v in enumerate(doc) for s in _strings(v, f"{path}[{i}]")]
    return [(path, doc)] if isinstance(doc, str) else []


def _bad_times(doc: Any) -> list[tuple[str, str]]:
    bad = []
    for path, text in _strings(doc):
        if HTTP_DATE.match(text):
            bad.append((path, text))
        elif ISO_TIME.match(text) and datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is None:
            bad.append((path, text))
    return bad


def test_every_json_answer_writes_times_as_iso_8601_with_offset(service):
    reporter, staff = service.client("reporter"), service.client("operational")
    filed = reporter.post("/api/v1/observations", observation()).json()
    walk = str(uuid.uuid4())
    assert staff.post("/api/v1/walks", {"id": walk, "title": "Kvällsvandring", "planned_at": "2026-11-20T18:00:00+01:00",
                                        "route": ["torget"], "organisations": ["sdf"]}).status_code == 201
    measure = str(uuid.uuid4())
    assert staff.post("/api/v1/measures", {"id": measure, "what": "Belysning", "owner_org": "sdf"}).status_code == 201
    meeting = str(uuid.uuid4())
    assert staff.post("/api/v1/meetings", {"id": meeting, "group": "operational", "date": "2026-11-20"}).status_code == 201
    paths = ["/api/v1/me", "/api/v1/cases", f"/api/v1/cases/{filed['case_id']}", "/api/v1/observations/mine",
             f"/api/v1/observations/{filed['id']}", "/api/v1/situation", "/api/v1/situation/map",
             "/api/v1/situation/trends", "/api/v1/walks", f"/api/v1/walks/{walk}", f"/api/v1/walks/{walk}/protocol",
             "/api/v1/measures", f"/api/v1/measures/{measure}", f"/api/v1/meetings/{meeting}",
             f"/api/v1/meetings/{meeting}/report-back", "/api/v1/audit/events",
             "/api/v1/audit/as-of?at=2030-01-01T00:00:00Z", "/healthz", "/readyz"]
    checked = 0
    for path in paths:
        for who in (reporter, staff):
            r = who.get(path)
            if r.status_code != 200 or "json" not in r.headers.get("Content-Type", ""):
                continue
            assert _bad_times(r.json()) == [], path
            checked += 1
    assert checked >= 25  # the crawl really read the answers
    mine = reporter.get(f"/api/v1/observations/{filed['id']}").json()
    assert datetime.fromisoformat(mine["observed_at"]).utcoffset() is not None
