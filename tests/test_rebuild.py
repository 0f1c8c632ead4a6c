"""`koll rebuild` on a running ledger: the boards stay whole, nothing filed meanwhile is lost."""

from __future__ import annotations

import os
import time

import pytest
import sqlalchemy as sa
from helpers import fresh_database_url
from koll.ledger.application import Ledger
from koll.ledger.audit.readmodels import compare_read_models
from koll.ledger.projections.situation import cases
from koll.ledger.rebuild import RebuildRunning, rebuild_beside
from koll.ledger.store import Store
from test_ledger import ANNA, count, loaded, read_models, record_one_of_everything


def leftovers(ledger) -> list[str]:
    """What a rebuild builds beside the live tables, if any of it is still there."""
    if ledger.store.dialect == "sqlite":
        path = f"{ledger.store.sqlite_path}.rebuild"
        return [path] if os.path.exists(path) else []
    with ledger.store.read() as conn:
        live = conn.exec_driver_sql("SELECT current_schema()").scalar()
        return list(conn.exec_driver_sql("SELECT schema_name FROM information_schema.schemata "
                                         "WHERE schema_name = %(s)s", {"s": f"{live}_rebuild"}).scalars())


def test_the_boards_stay_whole_during_a_rebuild_and_what_was_filed_meanwhile_is_in_after(ledger):
    record_one_of_everything(ledger)
    before = count(ledger, cases)
    seen: list[int] = []
    filed = []

    def progress(done: int, total: int) -> None:
        seen.append(count(ledger, cases))  # what a board reads while the rebuild runs
        if len(seen) == 2:  # a phone files half-way through the fold
            filed.append(ledger.file_observation(ANNA, loaded()))

    def before_swap() -> None:  # and one more just before the swap: it lands in the tail
        filed.append(ledger.file_observation(ANNA, loaded(category="KLO-01")))

    events = rebuild_beside(ledger, progress=progress, batch_size=10, before_swap=before_swap)
    assert len(seen) > 3  # the fold ran in many batches, with progress shown for each
    assert seen[0] == before and min(seen) >= before  # never an empty or half-built board
    assert count(ledger, cases) == before + 2
    with ledger.store.read() as conn:
        new = set(conn.execute(sa.select(cases.c.case_id).where(
            cases.c.case_id.in_([f.case_id for f in filed]))).scalars())
    assert new == {f.case_id for f in filed}
    assert events == ledger.recorder.max_notification_id()
    report = compare_read_models(ledger)  # the swapped-in tables are the pure fold of the ledger
    assert report.ok, report.difference and report.difference.describe()
    assert leftovers(ledger) == []


def test_a_rebuild_that_fails_half_way_leaves_the_live_boards_as_they_were(ledger):
    record_one_of_everything(ledger)
    live = read_models(ledger)

    def progress(done: int, total: int) -> None:
        raise RuntimeError("the operator pressed Ctrl-C")

    with pytest.raises(RuntimeError, match="Ctrl-C"):
        rebuild_beside(ledger, progress=progress, batch_size=10)
    assert read_models(ledger) == live
    assert leftovers(ledger) == []
    assert ledger.rebuild() == ledger.recorder.max_notification_id()  # and the next one runs
    assert read_models(ledger) == live


def test_a_second_rebuild_while_one_runs_is_refused_and_the_first_finishes(ledger):
    record_one_of_everything(ledger)
    live = read_models(ledger)
    refused: list[str] = []

    def progress(done: int, total: int) -> None:
        if not refused:
            with pytest.raises(RebuildRunning) as e:
                ledger.rebuild()
            refused.append(str(e.value))

    rebuild_beside(ledger, progress=progress, batch_size=10)
    assert refused and "already running" in refused[0]
    assert read_models(ledger) == live


@pytest.fixture
def postgres_ledger(tmp_path):
    """A ledger on PostgreSQL only: SQLite readers never block the swap (WAL), nothing to wait for."""
    for url in fresh_database_url("postgres", tmp_path):
        store = Store(url)
        yield Ledger(store)
        store.dispose()


@pytest.mark.postgres
def test_the_swap_waits_for_a_board_reading_on_postgresql_and_neither_fails(postgres_ledger):
    """A board reads rm_cases and then rm_areas in one transaction; the swap wants every read model.
    Taken one by one that is a deadlock, and PostgreSQL kills one side: the swap waits its turn."""
    import threading

    from koll.ledger.projections.areas import areas as areas_table

    ledger = postgres_ledger

    record_one_of_everything(ledger)
    live = read_models(ledger)
    holding, reader_errors = threading.Event(), []

    def board() -> None:
        try:
            with ledger.store.read() as conn:
                conn.execute(sa.select(sa.func.count()).select_from(cases)).scalar()
                holding.set()
                time.sleep(1.5)  # the swap starts meanwhile
                conn.execute(sa.select(sa.func.count()).select_from(areas_table)).scalar()
        except Exception as e:  # noqa: BLE001
            reader_errors.append(e)
        holding.set()

    reader = threading.Thread(target=board)

    def before_swap() -> None:
        reader.start()
        holding.wait(5)

    rebuild_beside(ledger, before_swap=before_swap)
    reader.join(10)
    assert reader_errors == []
    assert read_models(ledger) == live
