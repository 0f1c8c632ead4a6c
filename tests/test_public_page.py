"""The residents' page: open without sign-in, counts by group and week with small counts told as
"färre än 3", what has been done, the next safety walk – and nothing that names or places anyone."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import requests

from koll.ledger import demo
from koll.ledger.domain.base import Actor

AREA = "hasselby-torg"
OPS = Actor("operativ", "operational", "sdf")
REPORTER = Actor("rapportor", "reporter", "sdf")


def _file(ledger, code: str, place: str, at: datetime, note: str | None = None) -> None:
    from koll.schema import taxonomy

    p = taxonomy.place(place)
    ledger.file_observation(REPORTER, {
        "id": str(uuid.uuid4()), "category": code, "observed_at": at.isoformat(), "place": place, "note": note,
        "location": {"lat": p.lat, "lon": p.lon, "accuracy_m": 8, "source": "gps"}, "attributes": {}})


def test_the_residents_page_tells_without_naming(service):
    ledger = service.ledger
    ledger.import_area(demo.SYSTEM, demo.area_definition(AREA))
    now = datetime.now(timezone.utc)
    for _ in range(4):
        _file(ledger, "REN-01", "torget", now - timedelta(days=1), note="Skräp vid Karins port")
    _file(ledger, "SOC-01", "tunnelbaneuppgangen", now - timedelta(days=2), note="Han i röd jacka")
    started = ledger.propose_measure(OPS, {"id": str(uuid.uuid4()), "what": "Tätare städning av torget kvällstid",
                                           "owner_org": "fastighetsagare"})
    ledger.decide_measure(uuid.UUID(started.id), 1, lambda m: (m.decide(OPS), m.start_work(OPS)))
    ledger.propose_measure(OPS, {"id": str(uuid.uuid4()), "what": "En hemlig idé på bruttolistan", "owner_org": "sdf"})
    walk = {"id": str(uuid.uuid4()), "title": "Kvällsvandring runt torget", "planned_at": now + timedelta(days=9),
            "route": ["torget", "garaget"], "organisations": ["sdf"],
            "participants": [{"name": "Karin Lindqvist", "kind": "boende", "org": None}]}
    ledger.plan_walk(OPS, walk)

    page = requests.get(f"{service.base}/omrade/{AREA}", timeout=30)  # no session, no token
    assert page.status_code == 200
    text = page.text
    assert "Det här har vi gjort" in text and "Tätare städning av torget kvällstid" in text
    assert "En hemlig idé" not in text  # the gross list is not told: action first
    assert "Nästa trygghetsvandring" in text and "Kvällsvandring runt torget" in text and "Garaget" in text
    assert "Nedskräpning och renhållning" in text
    assert ">4<" in text and "färre än 3" in text  # four reports of litter; one of dealing, told as fewer
    for secret in ("Karin", "röd jacka", "Karins port", "Misstänkt narkotikaförsäljning", "Tunnelbaneuppgången"):
        assert secret not in text, secret
    assert requests.get(f"{service.base}/omrade/finns-inte", timeout=30).status_code == 404
