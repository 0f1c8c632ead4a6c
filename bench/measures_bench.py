"""Measures and meetings at scale: the board and a report-back over a ledger of 100,000 events
(goal < 200 ms each once projected), and importing a 1,000-row sheet (all or nothing)."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.common import fresh_ledger, loaded, report, row
from koll.ledger.application import Ledger, fingerprint_of
from koll.ledger.domain.base import Actor
from koll.ledger.domain.measure import Measure
from koll.ledger.measure_sheet import board_rows, import_sheet, write_xlsx
from koll.ledger.queries import measures as mq
from koll.ledger.queries import meetings as meq
from koll.schema import taxonomy, vocabulary

OPS = Actor("operativ", "operational", "sdf")
ANNA = Actor("anna", "reporter", "sdf")
ORGS = [o.code for o in taxonomy.ORGANISATIONS]


def _plan(rng: random.Random, i: int) -> dict[str, Any]:
    start = datetime(2026, 1, 1) + timedelta(days=rng.randint(0, 300))
    return {"what": f"Insats {i}", "start": start.date().isoformat(),
            "end": (start + timedelta(days=rng.randint(30, 400))).date().isoformat(), "goal": "Tryggare torg",
            "resources": "Befintlig personal", "indicators_text": "Färre iakttagelser", "achieved": None,
            "owner_org": rng.choice(ORGS), "owner_person": "Kim", "follow_up": "Var tredje vecka",
            "palette": rng.choice(vocabulary.codes(vocabulary.PALETTE)),
            "track": rng.choice(vocabulary.codes(vocabulary.TRACKS)),
            "horizon": rng.choice(vocabulary.codes(vocabulary.HORIZONS)),
            "focus_area": rng.choice(vocabulary.codes(vocabulary.FOCUS_AREAS)),
            "sorting": {"size": "liten", "priority": rng.randint(1, 3)}, "partners": rng.sample(ORGS, rng.randint(0, 2))}


def _measures(ledger: Ledger, rng: random.Random, n: int) -> list[uuid.UUID]:
    """n measures along the lifecycle, some with indicators, saved 200 at a time."""
    ids, batch = [], []
    for i in range(n):
        mid = uuid.UUID(int=rng.getrandbits(128), version=4)
        indicators = [{"code": "skrap", "source": "computed", "categories": ["REN"], "places": []}] if i % 10 == 0 else []
        m = Measure.propose(OPS, id=mid, fingerprint=fingerprint_of({"i": i}), plan=_plan(rng, i), indicators=indicators)
        for step in range(rng.randint(0, 4)):
            if step == 0:
                m.decide(OPS)
            elif step == 1:
                m.start_work(OPS)
            elif step == 2:
                m.escalate(OPS, support_needed="Mer resurser")
            elif step == 3:
                m.complete(OPS, outcome=rng.choice(["full", "partly"]), deviation_reason="Sen start",
                           success_factors="Samverkan")
        batch.append(m)
        ids.append(mid)
        if len(batch) == 200:
            ledger.save(*batch)
            batch = []
    if batch:
        ledger.save(*batch)
    return ids


def _meetings(ledger: Ledger, rng: random.Random, ids: list[uuid.UUID]) -> list[uuid.UUID]:
    meetings = []
    first = datetime.now(timezone.utc).date() - timedelta(weeks=3 * 14)
    for k in range(15):
        body = {"id": str(uuid.uuid4()), "group": "operational", "date": (first + timedelta(weeks=3 * k)).isoformat()}
        mid = uuid.UUID(ledger.schedule_meeting(OPS, body).id)
        for _ in range(5):
            ledger.record_decision(OPS, mid, {"id": str(uuid.uuid4()), "text": "Beslut",
                                              "measures": [str(m) for m in rng.sample(ids, 3)], "cases": []})
        meetings.append(mid)
    return meetings


def _median_ms(fn: Any, runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def run() -> list[dict[str, Any]]:
    rows = []
    rng = random.Random(2018)
    with tempfile.TemporaryDirectory(prefix="koll-bench-") as tmp:
        d = Path(tmp)
        ledger = fresh_ledger(d, "measures.sqlite")
        ids = _measures(ledger, rng, 1000)
        meetings = _meetings(ledger, rng, ids)
        reports = [loaded(report(rng)) for _ in range(49_000)]
        for i in range(0, len(reports), 500):
            ledger.file_observations(ANNA, reports[i:i + 500])
        events = ledger.recorder.max_notification_id() or 0
        with ledger.store.read() as conn:
            board_ms = _median_ms(lambda: mq.board(conn, OPS, {}))
            portfolio_ms = _median_ms(lambda: mq.portfolio(conn, None))
            report_ms = _median_ms(lambda: meq.report_back(conn, OPS, str(meetings[-1])))
            sheet = write_xlsx(board_rows(conn))
        note = f"{events:,} events: 1,000 measures, 15 meetings, {len(reports):,} observations; median of 5"
        rows.append(row("measures.board_100k", round(board_ms, 1), "ms", "< 200 ms", board_ms / 200,
                        note + "; all 1,000 measures with facets and indicator trends"))
        rows.append(row("measures.portfolio_100k", round(portfolio_ms, 1), "ms", "< 200 ms", portfolio_ms / 200, note))
        rows.append(row("meetings.report_back_100k", round(report_ms, 1), "ms", "< 200 ms", report_ms / 200, note))
        start = time.perf_counter()
        again = import_sheet(ledger, OPS, sheet)
        unchanged_s = time.perf_counter() - start
        assert len(again.unchanged) == 1000
        rows.append(row("measures.reimport_1000_unchanged", round(unchanged_s, 2), "s", "< 5 s", unchanged_s / 5,
                        "the board's own export imported again: every row compared, nothing recorded"))
        ledger.store.dispose()
        empty = fresh_ledger(d, "import.sheet.sqlite")
        start = time.perf_counter()
        done = import_sheet(empty, OPS, sheet)
        import_s = time.perf_counter() - start
        assert len(done.created) == 1000
        events_written = empty.recorder.max_notification_id() or 0
        rows.append(row("measures.import_1000_rows", round(import_s, 2), "s", "< 5 s", import_s / 5,
                        f"xlsx read, every row checked, {events_written:,} events in one transaction"))
        empty.store.dispose()
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
