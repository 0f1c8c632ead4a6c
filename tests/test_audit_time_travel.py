"""Time travel: the boards captured live at time T equal the boards replayed from the ledger for T,
for many T across a long story, on SQLite and PostgreSQL."""

from __future__ import annotations

import random
import time
import uuid
from datetime import datetime, timedelta, timezone

from helpers import observation
from koll.ledger.audit import AsOfCache
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor
from koll.ledger.queries.audit import as_of_boards, board_queries, live_boards
from koll.schema import vocabulary
from koll.schema.payloads import ObservationSchema

START = (datetime.now(timezone.utc) - timedelta(days=300)).replace(minute=0, second=0, microsecond=0)
REPORTERS = [Actor("vardare", "reporter", "fastighetsagare"), Actor("polis", "operational", "polisen"),
             Actor("anna", "reporter", "sdf")]
OPS = Actor("operativ", "operational", "sdf")
VIEWERS = [Actor("revisor", "auditor", "staden"), Actor("polis", "operational", "polisen"),
           Actor("anna", "reporter", "sdf")]
CATEGORIES = ["REN-01", "KLO-01", "BEL-01", "SOC-04", "SOC-01", "VEG-01", "UPP-01"]


def step_story(ledger, rng: random.Random, step: int, state: dict) -> None:
    """One thing happens on the square: a report, or a decision on a case or a measure."""
    roll = rng.random()
    open_cases = state["cases"]
    if roll < 0.45 or not open_cases:
        report = observation(category=rng.choice(CATEGORIES),
                             observed_at=(clock.now() - timedelta(hours=rng.randint(0, 30))).isoformat(),
                             location={"lat": 59.3669 + rng.uniform(-5e-4, 5e-4),
                                       "lon": 17.8441 + rng.uniform(-5e-4, 5e-4), "accuracy_m": 8.0,
                                       "source": "gps"})
        reporter = rng.choice(REPORTERS)
        joinable = [c for c in open_cases  # "same as this" offers only the cases the reporter may see
                    if vocabulary.can_see(reporter.role, reporter.org, ledger.case(uuid.UUID(c)).visibility)]
        if joinable and rng.random() < 0.3:
            report["case_id"] = rng.choice(joinable)
        filed = ledger.file_observation(reporter, ObservationSchema().load(report))
        if filed.case_id not in open_cases:
            open_cases.append(filed.case_id)
        return
    if roll < 0.8 or not hasattr(ledger, "propose_measure"):
        case_id = uuid.UUID(rng.choice(open_cases))
        case = ledger.case(case_id)
        if case.status == "new":
            ledger.decide_case(case_id, case.version,
                               lambda c: c.triage(OPS, priority=rng.randint(1, 3), category=None, group=None, note=None))
        elif case.status == "triaged":
            org = rng.choice(["sdf", "polisen", "trafikkontoret"])
            ledger.decide_case(case_id, case.version, lambda c: c.assign(OPS, org=org, person=None))
        elif case.status in ("assigned", "in_progress"):
            ledger.decide_case(case_id, case.version, lambda c: c.resolve(OPS, public_note="Åtgärdat"))
        else:
            ledger.decide_case(case_id, case.version, lambda c: c.reopen(OPS, reason="Kom tillbaka"))
        return
    measures = state["measures"]
    if roll < 0.9 or not measures:
        mid = str(uuid.uuid4())
        ledger.propose_measure(OPS, {"id": mid, "what": f"Insats {step}", "owner_org": "sdf",
                                     "start": "2018-06-01", "end": "2018-12-31"})
        measures.append(mid)
        return
    mid = uuid.UUID(rng.choice(measures))
    measure = ledger.measure(mid)
    if measure.status == "idea":
        ledger.decide_measure(mid, measure.version, lambda m: m.decide(OPS))
    elif measure.status == "decided":
        ledger.decide_measure(mid, measure.version, lambda m: m.start_work(OPS))


def test_the_live_boards_at_T_equal_the_boards_replayed_for_T(ledger):
    rng = random.Random(6)
    state: dict = {"cases": [], "measures": []}
    captured = []
    moment = START
    for step in range(160):
        moment += timedelta(hours=rng.randint(1, 20), minutes=rng.randint(0, 59))
        with clock.frozen_at(moment):
            step_story(ledger, rng, step, state)
        if step % 8 == 3:
            with ledger.store.read() as conn:
                captured.append((moment, {a: live_boards(conn, a, moment) for a in VIEWERS}))
    assert len(captured) == 20
    with ledger.store.read() as conn:
        final = live_boards(conn, VIEWERS[0], moment + timedelta(days=365))
    assert final["situation"]["cases"] > 20  # a story worth telling
    assert set(final["situation"]["by_status"]) >= {"new", "triaged", "assigned", "resolved"}
    if "measures" in board_queries():
        assert final["measures"]  # the measure board is part of the picture once it exists
    cache = AsOfCache(interval=40)  # checkpoints every 40 positions: most moments start from one
    boards_seen = set()
    for moment, live in captured:
        for viewer, board in live.items():
            replayed = as_of_boards(ledger, moment, viewer, cache=cache)
            for name in board:
                assert replayed[name] == board[name], (moment, viewer, name)
                boards_seen.add(name)
        # Between two steps the picture is the one of the step before.
        between = as_of_boards(ledger, moment + timedelta(seconds=1), VIEWERS[0], cache=cache)
        assert between["situation"] == live[VIEWERS[0]]["situation"]
    assert {"situation", "map"} <= boards_seen
    assert len(cache.checkpoints(ledger)) >= 4  # the replays did start from checkpoints
    # Before anything happened the square was empty; after everything it is the live board.
    assert as_of_boards(ledger, START, VIEWERS[0])["situation"]["cases"] == 0
    later = moment + timedelta(days=365)
    replayed = as_of_boards(ledger, later, VIEWERS[0], from_live=False)
    assert replayed["situation"] == final["situation"]
    # Nothing was recorded since: the same boards are read from the live tables, with no replay.
    untouched = AsOfCache()
    assert as_of_boards(ledger, later, VIEWERS[0], cache=untouched) == replayed
    assert not untouched._items


def test_as_of_over_http_for_the_auditor(service):
    ledger = service.ledger
    with clock.frozen_at(START):
        ledger.file_observation(REPORTERS[0], ObservationSchema().load(observation()))
    with clock.frozen_at(START + timedelta(days=2)):
        ledger.file_observation(REPORTERS[0], ObservationSchema().load(observation(category="KLO-01")))
    auditor = service.client("auditor")
    r = auditor.get("/api/v1/audit/as-of", params={"at": (START + timedelta(days=1)).isoformat()})
    assert r.status_code == 200, r.text
    assert r.json()["situation"]["cases"] == 1 and r.json()["situation"]["by_category"] == {"REN-01": 1}
    assert len(r.json()["map"]["features"]) == 1
    shared = service.app.extensions["koll_as_of_cache"]._base  # where the workers share checkpoints
    assert shared == service.koll.settings.var_dir / "asof"
    r = auditor.get("/api/v1/audit/as-of", params={"at": (START + timedelta(days=3)).isoformat()})
    assert r.json()["situation"]["cases"] == 2
    assert auditor.get("/api/v1/audit/as-of", params={"at": "igår"}).status_code == 422
    assert auditor.get("/api/v1/audit/as-of").status_code == 422
    assert service.client("reporter").get("/api/v1/audit/as-of", params={"at": START.isoformat()}).status_code == 403


def replays_start_from(monkeypatch) -> list[int]:
    """The position each as-of replay starts from from now on: a checkpoint's, or 0."""
    from koll.ledger.audit import asof

    started_from: list[int] = []
    replay = asof.replay_until
    monkeypatch.setattr(asof, "replay_until", lambda ledger, at_us, base=None, **kw: (
        started_from.append(base.position if base else 0), replay(ledger, at_us, base=base, **kw))[1])
    return started_from


def test_checkpoints_in_var_are_shared_by_the_workers_kept_across_restarts_and_checked(ledger, tmp_path,
                                                                                      monkeypatch):
    rng = random.Random(9)
    state: dict = {"cases": [], "measures": []}
    moment = START
    moments = []
    for step in range(90):
        moment += timedelta(hours=rng.randint(1, 20))
        with clock.frozen_at(moment):
            step_story(ledger, rng, step, state)
        moments.append(moment)
    shared = tmp_path / "var" / "asof"
    first = AsOfCache(interval=30, directory=shared)  # one worker replays through the story
    as_of_boards(ledger, moments[-2], VIEWERS[0], cache=first)
    made = first.checkpoints(ledger)
    assert len(made) >= 2
    kind = next(iter(made.values()))[0].parent
    assert kind.parent == shared and (kind.stat().st_mode & 0o777) == 0o700  # restricted data: private
    started_from = replays_start_from(monkeypatch)
    other = AsOfCache(interval=30, directory=shared)  # another worker, or the same after a restart
    at = moments[70] + timedelta(minutes=1)
    boards = as_of_boards(ledger, at, VIEWERS[0], cache=other)
    assert started_from == [max(p for p in made if p <= boards["position"])]
    assert boards == as_of_boards(ledger, at, VIEWERS[0], from_live=False)  # the same as a whole replay
    # A checkpoint that does not match the chain (a ledger restored and written on differently) is
    # thrown away, never used.
    used = started_from[0]
    path, head = made[used]
    stale = path.with_name(f"{used}-{'0' * 64}.sqlite")
    path.rename(stale)
    started_from.clear()
    later = AsOfCache(interval=30, directory=shared)
    assert as_of_boards(ledger, at, VIEWERS[0], cache=later) == boards
    assert not stale.exists() and started_from[0] < used


def test_a_moment_whose_events_are_not_a_prefix_starts_from_a_checkpoint_and_saves_none_past_it(
        ledger, tmp_path, monkeypatch):
    # 30 reports three hours apart (positions 1-60), then 5 more with the clock set back to just
    # after the 25th (61-70): at that moment positions 1-50 and 61-70 had happened, 51-60 had not.
    moments = [START + timedelta(hours=3 * i) for i in range(1, 31)]
    for moment in moments:
        with clock.frozen_at(moment):
            ledger.file_observation(REPORTERS[2], ObservationSchema().load(observation()))
    for i in range(5):
        with clock.frozen_at(moments[24] + timedelta(minutes=1 + i)):
            ledger.file_observation(REPORTERS[2], ObservationSchema().load(observation()))
    shared = tmp_path / "asof"
    whole_story = AsOfCache(interval=20, directory=shared)
    as_of_boards(ledger, moments[-1] + timedelta(hours=1), VIEWERS[0], cache=whole_story, from_live=False)
    made = whole_story.checkpoints(ledger)
    assert sorted(made) == [20, 40, 60]
    made[60][0].unlink()  # as if never made: the replay below passes 60
    started_from = replays_start_from(monkeypatch)
    at = moments[24] + timedelta(minutes=30)
    other = AsOfCache(interval=20, directory=shared)
    boards = as_of_boards(ledger, at, VIEWERS[0], cache=other)
    assert boards["events"] == 60 and boards["position"] == 70
    assert started_from == [40]  # not 0: within the 50 positions wholly before the moment
    assert 60 not in other.checkpoints(ledger)  # the scratch at 60 lacked 51-60: no checkpoint of it
    assert boards == as_of_boards(ledger, at, VIEWERS[0], from_live=False)  # a whole replay says the same


def test_a_long_ledger_keeps_its_checkpoints_further_apart_not_more_of_them(ledger, tmp_path):
    cache = AsOfCache(interval=10, keep=4, directory=tmp_path)
    assert cache.spacing(40) == 10
    assert cache.spacing(50) == 20  # five on 10 are too many: two on 20
    assert cache.spacing(1000) == 320  # six on 160, three on 320
    moment = START
    for _ in range(70):  # 140 events
        moment += timedelta(hours=3)
        with clock.frozen_at(moment):
            ledger.file_observation(REPORTERS[2], ObservationSchema().load(observation()))
    boards = as_of_boards(ledger, moment - timedelta(hours=1), VIEWERS[0], cache=cache)
    kept = sorted(cache.checkpoints(ledger))
    assert kept == [40, 80, 120]  # 14 on 10 would have been made; 3 on 40 are kept
    again = AsOfCache(interval=10, keep=4, directory=tmp_path)
    assert as_of_boards(ledger, moment - timedelta(hours=4), VIEWERS[0], cache=again)["events"] == 136
    assert boards["events"] == 138


def test_the_server_makes_checkpoints_ahead_so_the_first_request_for_a_moment_replays_little(ledger, tmp_path,
                                                                                            monkeypatch):
    from koll.ledger.audit.asof import CheckpointMaker

    moment = START
    for _ in range(25):  # 50 events before any server ran: one checkpoint due at start
        moment += timedelta(hours=3)
        with clock.frozen_at(moment):
            ledger.file_observation(REPORTERS[2], ObservationSchema().load(observation()))
    cache = AsOfCache(interval=20, keep=10, directory=tmp_path)
    assert cache.prepare(ledger, most=30) is None and not cache.checkpoints(ledger)  # 40 to fold: not in a worker
    maker = CheckpointMaker(ledger, cache)
    ledger.recorder.after_commit.append(maker.appended)
    maker.start()
    for _ in range(15):  # the ledger passes 60 and 80 as the server takes reports
        moment += timedelta(hours=3)
        with clock.frozen_at(moment):
            ledger.file_observation(REPORTERS[2], ObservationSchema().load(observation()))
    for _ in range(100):
        if {40, 60, 80} <= set(cache.checkpoints(ledger)):
            break
        time.sleep(0.05)
    assert {20, 40, 60, 80} <= set(cache.checkpoints(ledger))  # none asked for, all made
    started_from = replays_start_from(monkeypatch)
    first = AsOfCache(interval=20, keep=10, directory=tmp_path)  # another worker's first request
    at = moment - timedelta(hours=1)
    boards = as_of_boards(ledger, at, VIEWERS[0], cache=first)
    assert boards["events"] == 78 and started_from == [60]  # 18 events replayed, not 78
    assert boards == as_of_boards(ledger, at, VIEWERS[0], from_live=False)


def test_a_checkpoint_removed_by_another_worker_meanwhile_is_not_made_again_empty(ledger, tmp_path):
    moment = START
    for _ in range(40):
        moment += timedelta(hours=3)
        with clock.frozen_at(moment):
            ledger.file_observation(REPORTERS[2], ObservationSchema().load(observation()))
    cache = AsOfCache(interval=20, keep=10, directory=tmp_path)
    boards = as_of_boards(ledger, moment - timedelta(hours=1), VIEWERS[0], cache=cache)
    listed = cache.checkpoints(ledger)
    newest = max(listed)
    listed[newest][0].unlink()  # another worker thinned it after this one had listed the folder
    other = AsOfCache(interval=20, keep=10, directory=tmp_path)
    other.checkpoints = lambda ledger: listed  # type: ignore[method-assign]  # the listing it had
    started = other._from_checkpoint(ledger, newest + 1)
    assert started is not None and started.position < newest  # the one before it
    assert not listed[newest][0].exists()  # not brought back as an empty file
    assert as_of_boards(ledger, moment - timedelta(hours=1), VIEWERS[0], cache=other) == boards
