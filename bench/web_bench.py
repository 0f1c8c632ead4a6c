"""The boards' server time to first render: ``/`` (lägesbild), ``/insatser`` (measure board),
``/arenden`` (the case list, its first page and a filtered, sorted one) and a case's page.

Measured with Flask's test client (no network, no browser): the time the server spends on the
page's HTML, which is what the first paint waits for. The map's points arrive afterwards from
``/lagesbild/punkter.json`` and are measured as their own row. Two ledgers: the Hässelby torg demo,
and 100,000 events (50,000 reports into as many open cases, plus 200 measures).
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import fresh_ledger, loaded, report, row  # noqa: E402
from koll.ledger import demo  # noqa: E402
from koll.ledger.config import Settings  # noqa: E402
from koll.ledger.domain.base import Actor  # noqa: E402
from koll.ledger.server import Koll, create_app  # noqa: E402
from koll.schema import vocabulary  # noqa: E402

GOAL_MS = 300.0
OPERATIVE = Actor("operativ", "operational", "sdf")
PAGES = ("/", "/insatser", "/arenden", "/arenden?status=all&group=REN&dark=1&sort=observations&order=desc")


def _app(ledger: Any, directory: Path) -> Any:
    settings = Settings.from_env({"KOLL_DATABASE_URL": str(ledger.store.engine.url), "KOLL_VAR_DIR": str(directory),
                                  "KOLL_SECRET_KEY": "bench"})
    app = create_app(settings, koll=Koll(settings=settings, store=ledger.store, ledger=ledger))
    client = app.test_client()
    if ledger.user(OPERATIVE.user) is None:
        ledger.add_user(OPERATIVE.user, OPERATIVE.role, OPERATIVE.org)
    with client.session_transaction() as s:  # a board session, as signing in opens one
        s.update(sid=ledger.open_session(OPERATIVE), csrf="bench")
    return client


def server_ms(client: Any, path: str, repeat: int = 15) -> float:
    """Median wall time of a full request through the app (after one warm-up), the whole body read
    (buffered: a streamed answer counts until its last byte, as a browser waits for it)."""
    assert client.get(path, buffered=True).status_code == 200, path
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path, buffered=True)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    return statistics.median(times)


def _measures(ledger: Any, n: int, rng: random.Random) -> None:
    if not hasattr(ledger, "propose_measure"):
        return
    palette, tracks = vocabulary.codes(vocabulary.PALETTE), vocabulary.codes(vocabulary.TRACKS)
    orgs = ["sdf", "polisen", "fastighetsagare", "civilsamhallet", "trafikkontoret", "mtr"]
    today = date.today()
    for i in range(n):
        start = today - timedelta(days=rng.randint(0, 400))
        ledger.propose_measure(OPERATIVE, {
            "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "what": f"Insats {i}",
            "start": start.isoformat(), "end": (start + timedelta(days=rng.randint(30, 300))).isoformat(),
            "goal": "Tryggare torg", "owner_org": rng.choice(orgs), "palette": rng.choice(palette),
            "track": rng.choice(tracks), "horizon": "kort", "partners": rng.sample(orgs, 2)})


def _name(path: str) -> str:
    base, _, query = path.partition("?")
    return (base.replace("/", "_") or "_") + ("_filtered" if query else "")


def _busiest_case(ledger: Any) -> str:
    """The case with the most observations: the case page at its heaviest."""
    with ledger.store.read() as conn:
        return conn.exec_driver_sql("select case_id from rm_cases order by observations desc, case_id limit 1").scalar()


def _rows(client: Any, label: str, events: int, case_id: str, extra: str = "") -> list[dict[str, Any]]:
    out = []
    for path in PAGES:
        ms = server_ms(client, path)
        out.append(row(f"web.first_render{_name(path)}_{label}", round(ms, 1), "ms",
                       f"< {GOAL_MS:.0f} ms", ms / GOAL_MS,
                       f"server time of GET {path}, {events:,} events, Flask test client, median of 15{extra}"))
    ms = server_ms(client, f"/arenden/{case_id}")
    out.append(row(f"web.case_page_{label}", round(ms, 1), "ms", f"< {GOAL_MS:.0f} ms", ms / GOAL_MS,
                   f"server time of GET /arenden/<id> (observations, nearby cases, history in words), "
                   f"the case with the most observations, {events:,} events"))
    ms = server_ms(client, "/lagesbild/punkter.json", repeat=5)
    out.append(row(f"web.map_points_{label}", round(ms, 1), "ms", f"< {GOAL_MS:.0f} ms", ms / GOAL_MS,
                   f"GET /lagesbild/punkter.json (the map's points, newest 10,000 open cases, fetched after "
                   f"the first paint), {events:,} events"))
    ms = server_ms(client, "/lagesbild.geojson", repeat=3)
    out.append(row(f"web.download_geojson_{label}", round(ms, 1), "ms", "< 5000 ms", ms / 5000,
                   f"'download this view' as GeoJSON: every open case with labels, {events:,} events"))
    return out


def run() -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="koll-web-bench-") as tmp:
        d = Path(tmp)
        ledger = fresh_ledger(d, "demo.sqlite")
        demo.load(ledger)
        events = ledger.recorder.max_notification_id() or 0
        rows += _rows(_app(ledger, d), "demo", events, _busiest_case(ledger))
        ledger.store.dispose()

        ledger = fresh_ledger(d, "big.sqlite")
        rng = random.Random(5)
        _measures(ledger, 200, rng)
        while (ledger.recorder.max_notification_id() or 0) < 100_000:
            ledger.file_observations(OPERATIVE, [loaded(report(rng)) for _ in range(500)])
        events = ledger.recorder.max_notification_id() or 0
        rows += _rows(_app(ledger, d), "100k", events, _busiest_case(ledger))
        ledger.store.dispose()
    return rows


if __name__ == "__main__":
    for r in run():
        print(r)
