"""The ledger on SQLite and PostgreSQL: nothing recorded twice, nothing lost, read models exact."""

from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from helpers import observation
from koll.ledger.application import ConflictingRepeat, Filed, Ledger, StaleVersion
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor, NotFound
from koll.ledger.domain.case import case_id_for
from koll.ledger.projections.situation import cases, observations
from koll.ledger.store import GENESIS, chain_link, check_durability, events_table
from koll.schema.payloads import ObservationSchema

ANNA = Actor("anna", "reporter", "sdf")
OPS = Actor("operativ", "operational", "sdf")


def loaded(**overrides):
    """A report as the API hands it to the ledger: validated by the shared schema."""
    return ObservationSchema().load(observation(**overrides))


def count(ledger: Ledger, table: sa.Table) -> int:
    with ledger.store.read() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()


def test_a_report_opens_a_case_that_the_situation_picture_shows_at_once(ledger):
    report = loaded()
    filed = ledger.file_observation(ANNA, report)
    assert filed == Filed(str(report["id"]), str(case_id_for(report["id"])), True)
    with ledger.store.read() as conn:
        row = conn.execute(sa.select(cases).where(cases.c.case_id == filed.case_id)).one()
    assert (row.status, row.category, row.group_code, row.place, row.observations) == (
        "new", "REN-01", "REN", "tunnelbaneuppgangen", 1)
    assert row.time_of_day == "kvall" and row.dark is True  # 19:30 in late November


def test_the_same_report_twice_is_recorded_once_and_answered_alike(ledger):
    report = loaded()
    first = ledger.file_observation(ANNA, report)
    again = ledger.file_observation(ANNA, report)
    assert (again.id, again.case_id, again.created) == (first.id, first.case_id, False)
    assert count(ledger, events_table) == 2  # Case.Opened and Observation.Recorded, once
    assert count(ledger, observations) == 1


def test_the_same_id_with_another_body_is_refused_and_changes_nothing(ledger):
    report = loaded()
    ledger.file_observation(ANNA, report)
    other = dict(report, note="något annat")
    answer = ledger.file_observation(ANNA, other)
    assert isinstance(answer, ConflictingRepeat)
    assert count(ledger, events_table) == 2


def test_a_report_can_join_an_open_case(ledger):
    first = ledger.file_observation(ANNA, loaded())
    second = ledger.file_observation(ANNA, loaded(case_id=first.case_id))
    assert second.case_id == first.case_id
    with ledger.store.read() as conn:
        assert conn.execute(sa.select(cases.c.observations)).scalar() == 2
    assert count(ledger, cases) == 1


def test_a_report_on_an_ended_case_opens_a_new_case_that_refers_to_it(ledger):
    first = ledger.file_observation(ANNA, loaded())
    ledger.decide_case(uuid.UUID(first.case_id), 1, lambda c: c.close(OPS, reason="no_action"))
    later = ledger.file_observation(ANNA, loaded(case_id=first.case_id))
    assert later.case_id != first.case_id
    assert ledger.case(uuid.UUID(later.case_id)).related_case == first.case_id


def test_joining_a_case_that_does_not_exist_records_nothing(ledger):
    answer = ledger.file_observation(ANNA, loaded(case_id=str(uuid.uuid4())))
    assert isinstance(answer, NotFound)
    assert count(ledger, events_table) == 0


def test_a_batch_answers_each_item_and_records_the_good_ones(ledger):
    known = loaded()
    ledger.file_observation(ANNA, known)
    fresh = [loaded() for _ in range(5)]
    bad = loaded(case_id=str(uuid.uuid4()))
    answers = ledger.file_observations(ANNA, [known, *fresh, bad, fresh[0]])
    assert [a.created if isinstance(a, Filed) else type(a).__name__ for a in answers] == [
        False, True, True, True, True, True, "NotFound", False]
    assert count(ledger, observations) == 6


def test_a_decision_on_a_stale_version_is_refused(ledger):
    filed = ledger.file_observation(ANNA, loaded())
    case_id = uuid.UUID(filed.case_id)
    ledger.decide_case(case_id, 1, lambda c: c.triage(OPS, priority=1, category=None, group=None, note=None))
    with pytest.raises(StaleVersion):
        ledger.decide_case(case_id, 1, lambda c: c.triage(OPS, priority=3, category=None, group=None, note=None))
    assert ledger.case(case_id).priority == 1


def read_models(ledger: Ledger) -> dict[str, list[tuple]]:
    """Every read-model table and every projection's position, as rows."""
    with ledger.store.read() as conn:
        tables = [t for md in ledger.projector.metadatas for t in md.sorted_tables]
        return {t.name: sorted(map(tuple, conn.execute(sa.select(t))), key=repr) for t in tables} | {
            "positions": sorted(ledger.projector.positions(conn).items())}


def record_one_of_everything(ledger: Ledger) -> None:
    """Reports and cases (some triaged), a user, a measure, a meeting's decision and a walk."""
    from test_measures import propose
    from test_meetings import decision, schedule
    from test_walks import planned

    for i in range(30):
        filed = ledger.file_observation(ANNA, loaded(category=["REN-01", "KLO-01", "SOC-04"][i % 3]))
        if i % 4 == 0:
            ledger.decide_case(uuid.UUID(filed.case_id), 1,
                               lambda c: c.triage(OPS, priority=2, category=None, group=None, note=None))
    ledger.add_user("kim", "reporter", "sdf")
    measure = propose(ledger)
    ledger.decide_measure(measure, 1, lambda m: m.decide(OPS, meeting_id=None))
    meeting = schedule(ledger, "2026-11-20")
    ledger.record_decision(OPS, meeting, decision(measures=[str(measure)], cases=[filed.case_id]))
    ledger.start_walk(OPS, uuid.UUID(str(planned(ledger))), 1)


def test_rebuild_gives_tables_identical_to_the_live_ones(ledger):
    record_one_of_everything(ledger)
    live = read_models(ledger)
    assert ledger.rebuild() == count(ledger, events_table)
    assert read_models(ledger) == live
    assert len(live["rm_cases"]) == 30
    assert all(live[name] for name in ("rm_users", "rm_measures", "rm_meetings", "rm_walks", "rm_audit"))


def test_a_rebuild_that_copies_its_rows_in_gives_the_live_tables(ledger, monkeypatch):
    """On PostgreSQL many rows go in by COPY (a rebuild's, a phone's batch's; a single report's few by
    INSERT). With the threshold at one row every table goes that way, and in one batch: a case of two reports recategorised into a
    restricted category, and an erased report among the rest."""
    from koll.ledger.audit.erasure import erase_observation
    from koll.ledger.projections import base

    record_one_of_everything(ledger)
    first = ledger.file_observation(ANNA, loaded(category="REN-01"))
    joined = ledger.file_observation(ANNA, loaded(category="REN-01", case_id=first.case_id))
    ledger.decide_case(uuid.UUID(first.case_id), 1,  # takes both its reports along
                       lambda c: c.triage(OPS, priority=1, category="SOC-01", group=None, note=None))
    erased = ledger.file_observation(ANNA, loaded())
    erase_observation(ledger, Actor("admin", "admin", "sdf"), uuid.UUID(erased.id), "Begäran enligt GDPR art. 17")
    live = read_models(ledger)
    copied: list[str] = []
    copy = base.copy_rows
    monkeypatch.setattr(base, "COPY_FROM", 1)
    monkeypatch.setattr(base, "copy_rows", lambda conn, table, params: (copied.append(table.name),
                                                                        copy(conn, table, params)))
    events = count(ledger, events_table)
    assert ledger.rebuild() == events  # in one batch: far fewer events than catch_up's 5,000
    assert read_models(ledger) == live
    with ledger.store.read() as conn:
        held = {r[0]: r[1] for r in conn.execute(sa.select(observations.c.observation_id, observations.c.visibility))}
        backend = conn.dialect.name
    assert joined.case_id == first.case_id and held[first.id] == held[joined.id] == "restricted"
    if backend == "postgresql":
        assert {"rm_cases", "rm_observations", "rm_audit", "rm_users", "rm_measures", "rm_walks"} <= set(copied)
    else:
        assert copied == []  # SQLite inserts in-process: no COPY to make


def test_a_report_recorded_while_the_read_models_are_cleared_for_a_rebuild_is_not_lost(ledger):
    for _ in range(3):
        ledger.file_observation(ANNA, loaded())
    with ledger.store.write() as conn:
        ledger.projector.clear(conn)  # a rebuild's first step, while the server goes on taking reports
    ledger.file_observation(ANNA, loaded())  # lands before the rebuild folds the ledger in again
    assert count(ledger, cases) == 4 and count(ledger, observations) == 4
    assert ledger.catch_up() == 0  # the write itself filled the read models in from the ledger
    live = read_models(ledger)
    ledger.rebuild()
    assert read_models(ledger) == live


def test_every_event_is_chained_to_the_one_before(ledger):
    for _ in range(3):
        ledger.file_observation(ANNA, loaded())
    with ledger.store.read() as conn:
        rows = conn.execute(sa.select(events_table).order_by(events_table.c.id)).all()
    assert [r.id for r in rows] == list(range(1, 7))  # gapless
    previous = GENESIS
    for r in rows:
        previous = chain_link(previous, r.id, r.originator_id, r.originator_version, r.topic, bytes(r.state),
                              r.occurred_us)
        assert r.chain_hash == previous


def test_events_carry_the_clock_of_the_story(ledger):
    moment = datetime(2018, 5, 15, 21, 0, tzinfo=timezone.utc)
    with clock.frozen_at(moment):
        filed = ledger.file_observation(ANNA, loaded())
    history = ledger.history(uuid.UUID(filed.case_id))
    assert history[0].timestamp == moment


def test_the_ledger_runs_only_at_full_durability(store):
    check_durability(store.engine)  # passes on the real settings
    if store.dialect == "sqlite":
        with pytest.raises(RuntimeError, match="FULL"):
            lax = sa.create_engine(store.url)
            sa.event.listen(lax, "connect", lambda c, _: c.execute("PRAGMA synchronous=NORMAL"))
            check_durability(lax)


def test_concurrent_writers_lose_nothing_and_duplicate_nothing(ledger):
    reports = [loaded() for _ in range(40)]
    errors: list[Exception] = []

    def file_all(offset: int) -> None:
        try:
            for r in reports[offset::2] + reports[::5]:  # some reports sent by both writers
                ledger.file_observation(ANNA, r)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    threads = [threading.Thread(target=file_all, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert count(ledger, observations) == 40
    assert count(ledger, events_table) == 80


def test_a_large_batch_racing_its_own_retry_is_answered_from_the_ledger_and_recorded_once(ledger, monkeypatch):
    """A phone's outbox sent twice at once: both looked before either had committed. On PostgreSQL a
    batch this size goes in by COPY; its broken key must still read as "recorded meanwhile"."""
    reports = [loaded() for _ in range(120)]  # 240 events: well over the COPY threshold
    first = ledger.file_observations(ANNA, reports)
    events = count(ledger, events_table)
    monkeypatch.setattr(ledger, "_recorded_observations",
                        lambda ids, real=ledger._recorded_observations: {} if len(ids) == len(reports) else real(ids))
    again = ledger.file_observations(ANNA, reports)
    assert [(a.id, a.case_id, a.created) for a in again] == [(f.id, f.case_id, False) for f in first]
    assert count(ledger, events_table) == events and count(ledger, observations) == 120
