"""A city's deployment: 180 areas and 1,000,000 events on PostgreSQL.

- every area's situation picture (``GET /?area=CODE``, the board) and measure board
  (``GET /api/v1/measures?area=CODE``) in server time (goal < 300 ms each, the worst area counted);
- the strategic overview across all 180 areas (``/oversikt`` and ``GET /api/v1/areas/overview``,
  goal < 1 s);
- ingest throughput with 180 areas against the same with one area, measured in the same run on
  the same database (goal: no lower).

The events are made by the ledger's own commands, nothing written around them: areas by
``import_area``, reports by ``file_observations`` in batches of 500 as a phone's outbox sends them
(each report placed by its point among the 180 boundaries, two events: the case and the
observation), measures by the domain's commands saved 200 at a time (as ``measures_bench``), and
meetings by ``schedule_meeting``. That batch path is the fastest honest one: it is what phones
use, and it records each report's case, read-model rows and sealed note in one transaction.

``KOLL_BENCH_AREA_EVENTS`` sets the size (default 1,000,000); on this loaded 2-core machine the
fill is the long part, and the figures say how many events the ledger really held.
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from bench.cluster_bench import pg_schema
from bench.common import row
from koll.ledger.application import Ledger, fingerprint_of
from koll.ledger.config import Settings
from koll.ledger.domain.base import Actor
from koll.ledger.domain.measure import Measure
from koll.ledger.server import Koll, create_app
from koll.ledger.store import Store
from koll.schema import taxonomy, vocabulary
from koll.schema.payloads import ObservationSchema

AREAS = 180
EVENTS = int(os.environ.get("KOLL_BENCH_AREA_EVENTS", "1000000"))
MEASURES_PER_AREA = 20
MEETINGS_PER_AREA = 2
BATCH = 500
COMPARE_REPORTS = int(os.environ.get("KOLL_BENCH_AREA_COMPARE", "10000")) # reports timed into one area and into 180, each on a fresh ledger
GOAL_MS, OVERVIEW_GOAL_MS = 300.0, 1000.0
ADMIN = Actor("admin", "admin", "sdf")
OPS = Actor("operativ", "operational", "sdf")
STRATEGIC = Actor("strateg", "strategic", "staden")
REPORTER = Actor("anna", "reporter", "sdf")
CATEGORIES = [c.code for c in taxonomy.CATEGORIES if c.code in taxonomy.NATIONAL_CATEGORIES
              and c.code[:3] in ("REN", "KLO", "BEL", "VEG", "SOC")]
_schema = ObservationSchema()


def area_definition(i: int) -> dict[str, Any]:
    """The i-th of a city's areas: a square of about a kilometre, three places in it."""
    lat0, lon0 = 55.5 + (i // 15) * 0.35, 12.6 + (i % 15) * 0.45
    lat1, lon1 = lat0 + 0.01, lon0 + 0.018
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    places = [{"code": f"a{i}-{name}", "sv": f"{label} {i}", "radius_m": 60.0,
               "geometry": {"type": "Point", "coordinates": [lon0 + 0.018 * fx, lat0 + 0.01 * fy]}}
              for name, label, fx, fy in (("torget", "Torget", 0.5, 0.5), ("skolan", "Skolan", 0.25, 0.7),
                                          ("garaget", "Garaget", 0.75, 0.3))]
    return {"code": f"omrade-{i:03d}", "name": {"sv": f"Område {i}", "en": f"Area {i}"}, "time_zone": "Europe/Stockholm",
            "boundary": {"type": "Polygon", "coordinates": [ring]}, "places": places,
            "categories": [{"code": c} for c in CATEGORIES]}


def a_report(rng: random.Random, areas: list[dict[str, Any]]) -> dict[str, Any]:
    """A report somewhere in one of the areas, placed by its point (it names no area)."""
    ring = rng.choice(areas)["boundary"]["coordinates"][0]
    lon = rng.uniform(ring[0][0] + 1e-4, ring[1][0] - 1e-4)
    lat = rng.uniform(ring[0][1] + 1e-4, ring[2][1] - 1e-4)
    when = datetime.now(timezone.utc) - timedelta(minutes=rng.randint(1, 60 * 24 * 300))
    return _schema.load({
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "category": rng.choice(CATEGORIES),
        "observed_at": when.isoformat(), "location": {"lat": lat, "lon": lon, "accuracy_m": 10.0, "source": "gps"},
        "note": "Iakttagelse under kvällsrundan", "attributes": {"upplevd_trygghet": rng.randint(1, 5)}})


def ingest(ledger: Ledger, reports: list[dict[str, Any]]) -> float:
    """Reports a second through ``file_observations`` in batches of 500."""
    start = time.perf_counter()
    for i in range(0, len(reports), BATCH):
        answers = ledger.file_observations(REPORTER, reports[i:i + BATCH])
        assert not any(isinstance(a, Exception) for a in answers), next(a for a in answers if isinstance(a, Exception))
    return len(reports) / (time.perf_counter() - start)


def vacuum(store: Store) -> None:
    """What autovacuum does on a deployment, done between chunks because this machine's server has
    it off: without it the fill fell from 1,530 to 940 reports/s by 300,000 events (dead rows of
    the read models' updates, and plans made on the statistics of empty tables)."""
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")


def _plan(rng: random.Random, i: int) -> dict[str, Any]:
    start = date.today() - timedelta(days=rng.randint(0, 300))
    return {"what": f"Insats {i}", "start": start.isoformat(),
            "end": (start + timedelta(days=rng.randint(30, 400))).isoformat(), "goal": "Tryggare torg",
            "owner_org": rng.choice(["sdf", "polisen", "fastighetsagare", "civilsamhallet"]),
            "palette": rng.choice(vocabulary.codes(vocabulary.PALETTE)),
            "track": rng.choice(vocabulary.codes(vocabulary.TRACKS)),
            "horizon": rng.choice(vocabulary.codes(vocabulary.HORIZONS)),
            "focus_area": rng.choice(vocabulary.codes(vocabulary.FOCUS_AREAS)),
            "partners": rng.sample(["sdf", "polisen", "trafikkontoret"], rng.randint(0, 2))}


def plan_measures(ledger: Ledger, rng: random.Random, codes: list[str]) -> int:
    """Measures along their lifecycle in every area, and meetings; answers the events recorded."""
    batch, n = [], 0
    for code in codes:
        for k in range(MEASURES_PER_AREA):
            m = Measure.propose(OPS, id=uuid.UUID(int=rng.getrandbits(128), version=4),
                                fingerprint=fingerprint_of({"area": code, "k": k}), plan=_plan(rng, k), area=code)
            steps = rng.randint(0, 3)
            if steps >= 1:
                m.decide(OPS)
            if steps >= 2:
                m.start_work(OPS)
            if steps >= 3 and rng.random() < 0.3:
                m.escalate(OPS, support_needed="Mer resurser")
            n += m.version
            batch.append(m)
            if len(batch) == 200:
                ledger.save(*batch)
                batch = []
    if batch:
        ledger.save(*batch)
    today = date.today()
    for code in codes:
        for k, day in enumerate((today - timedelta(weeks=3), today + timedelta(weeks=1))[:MEETINGS_PER_AREA]):
            ledger.schedule_meeting(OPS, {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                                          "group": "operational", "date": day.isoformat(), "area": code})
            n += 1
    return n


def server_ms(client: Any, path: str, repeat: int = 3, headers: dict[str, str] | None = None) -> float:
    """Median wall time of a full request through the app, after one warm-up, the body read."""
    first = client.get(path, buffered=True, headers=headers)
    assert first.status_code == 200, (path, first.status_code, first.get_data(as_text=True)[:300])
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        assert client.get(path, buffered=True, headers=headers).status_code == 200
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def _client(ledger: Ledger, directory: Path) -> tuple[Any, dict[str, str]]:
    settings = Settings.from_env({"KOLL_DATABASE_URL": str(ledger.store.engine.url), "KOLL_VAR_DIR": str(directory),
                                  "KOLL_SECRET_KEY": "bench"})
    app = create_app(settings, koll=Koll(settings=settings, store=ledger.store, ledger=ledger))
    client = app.test_client()
    token = ledger.add_user(STRATEGIC.user, STRATEGIC.role, STRATEGIC.org)
    with client.session_transaction() as s:  # a board session, as signing in opens one
        s.update(sid=ledger.open_session(STRATEGIC), csrf="bench")
    return client, {"Authorization": f"Bearer {token}"}


def compare_ingest(rng: random.Random, pairs: int = 4) -> list[tuple[float, float]]:
    """(reports/s into one area, into 180) for each of ``pairs`` interleaved pairs: the same
    number of reports into a fresh ledger each, so that a pair shares the machine's moment (it is
    shared) and the ratio is read pair by pair. The order alternates (one area first, then 180
    first) and each run starts after a checkpoint: the run that went second always inherited the
    first one's dirty pages, which showed as a 0.89 "cost of areas" that the profiles did not have."""
    definitions = [area_definition(i) for i in range(AREAS)]
    measured = []
    for p in range(pairs):
        rates: dict[int, float] = {}
        for n in ((1, AREAS) if p % 2 == 0 else (AREAS, 1)):
            areas = definitions[:n]
            with pg_schema() as url:
                store = Store(url)
                ledger = Ledger(store)
                for d in areas:
                    ledger.import_area(ADMIN, d)
                reports = [a_report(rng, areas) for _ in range(COMPARE_REPORTS // 2)]
                with store.engine.begin() as conn:
                    conn.exec_driver_sql("CHECKPOINT")
                rates[n] = ingest(ledger, reports)
                store.dispose()
        measured.append((rates[1], rates[AREAS]))
    return measured


CHECKPOINTS = (100_000, 300_000, 600_000)  # events at which the pages are also measured on the way (a sample of areas)


def measure(client: Any, bearer: dict[str, str], codes: list[str], held: int, size: str,
            repeat: int = 1) -> list[dict[str, Any]]:
    """Each area's situation and measure board (the median of ``repeat`` after a warm-up), and
    the overview, at the ledger's present size."""
    situation = {c: server_ms(client, f"/?area={c}", repeat=repeat) for c in codes}
    board = {c: server_ms(client, f"/api/v1/measures?area={c}", repeat=repeat, headers=bearer) for c in codes}
    overview_page = server_ms(client, "/oversikt")
    overview_api = server_ms(client, "/api/v1/areas/overview", headers=bearer)

    def spread(ms: dict[str, float]) -> str:
        values = sorted(ms.values())
        each = "one request each" if repeat == 1 else f"each area the median of {repeat}"
        return (f"median {statistics.median(values):.0f} ms, worst {values[-1]:.0f} ms over {len(values)} areas "
                f"({each}); " + size)

    at = f"_{held // 1000}k"
    worst_situation, worst_board = max(situation.values()), max(board.values())
    rows = [
        row(f"areas.situation_worst_area{at}", round(worst_situation, 1), "ms", f"< {GOAL_MS:.0f} ms",
            worst_situation / GOAL_MS, "GET /?area=CODE (the board), " + spread(situation)),
        row(f"areas.measure_board_worst_area{at}", round(worst_board, 1), "ms", f"< {GOAL_MS:.0f} ms",
            worst_board / GOAL_MS, "GET /api/v1/measures?area=CODE, " + spread(board)),
        row(f"areas.overview_page{at}", round(overview_page, 1), "ms", f"< {OVERVIEW_GOAL_MS:.0f} ms",
            overview_page / OVERVIEW_GOAL_MS, f"GET /oversikt, all {AREAS} areas side by side; median of 3; " + size),
        row(f"areas.overview_api{at}", round(overview_api, 1), "ms", f"< {OVERVIEW_GOAL_MS:.0f} ms",
            overview_api / OVERVIEW_GOAL_MS, "GET /api/v1/areas/overview; median of 3; " + size),
    ]
    for r in rows:
        print(f"   {r['name']}: {r['value']} {r['unit']} – {r['note']}", flush=True)
    return rows


def run() -> list[dict[str, Any]]:
    rng = random.Random(180)
    rows: list[dict[str, Any]] = []
    definitions = [area_definition(i) for i in range(AREAS)]
    codes = [d["code"] for d in definitions]
    sample = int(os.environ.get("KOLL_BENCH_AREA_SAMPLE", "30"))
    with pg_schema() as url, tempfile.TemporaryDirectory() as tmp:
        store = Store(url)
        ledger = Ledger(store)
        for d in definitions:
            ledger.import_area(ADMIN, d)
        events = AREAS + plan_measures(ledger, rng, codes)
        client, bearer = _client(ledger, Path(tmp))
        reports_wanted = max(0, (EVENTS - events) // 2)
        start, filled = time.perf_counter(), 0
        checkpoints = [c for c in CHECKPOINTS if c < EVENTS]
        while filled < reports_wanted:
            target = (checkpoints[0] - events) // 2 if checkpoints else reports_wanted
            n = max(1, min(50_000, target - filled, reports_wanted - filled))
            ingest(ledger, [a_report(rng, definitions) for _ in range(n)])
            filled += n
            vacuum(store)
            elapsed = time.perf_counter() - start
            print(f"   … {filled * 2 + events:,} events ({elapsed:.0f} s, {filled / elapsed:,.0f} reports/s)", flush=True)
            if checkpoints and filled * 2 + events >= checkpoints[0]:
                checkpoints.pop(0)
                held = ledger.recorder.max_notification_id() or 0
                rows += measure(client, bearer, rng.sample(codes, min(sample, AREAS)), held,
                                f"{held:,} events, {AREAS} areas (on the way)")
        fill_s = time.perf_counter() - start
        held = ledger.recorder.max_notification_id() or 0
        size = (f"{held:,} events, {AREAS} areas, {filled:,} reports, {AREAS * MEASURES_PER_AREA:,} measures; "
                f"filled in {fill_s:.0f} s ({filled / fill_s if fill_s else 0:,.0f} reports/s)")
        rows += measure(client, bearer, codes, held, size, repeat=3)
        store.dispose()
    pairs = compare_ingest(rng)
    ratios = sorted(many / one for one, many in pairs)
    one, many = statistics.median(p[0] for p in pairs), statistics.median(p[1] for p in pairs)
    rows.insert(0, row("areas.ingest_180_vs_1", round(many), "reports/s", ">= 1 x one area", statistics.median(ratios),
                       f"median of {len(pairs)} interleaved pairs (order alternating, a checkpoint before each), ratios {ratios[0]:.2f}–{ratios[-1]:.2f}; one area "
                       f"{one:,.0f} reports/s; {COMPARE_REPORTS // 2:,} reports into a fresh PostgreSQL ledger each, "
                       f"one area and {AREAS}; batches of {BATCH}, placed by their point among the boundaries"))
    print(f"   {rows[0]['name']}: {rows[0]['value']} – {rows[0]['note']}", flush=True)
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
