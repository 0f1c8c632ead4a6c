"""The batch ingest builds a report's events without the Case and Observation aggregates
(issue 17): it must record exactly what the plain path records, aggregate by aggregate and one
report at a time, on SQLite and PostgreSQL, and still record a retried report once.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from helpers import BACKENDS, fresh_database_url, last_november_evening, observation
from koll.ledger.application import Filed, Ledger
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor
from koll.ledger.projections.situation import observations
from koll.ledger.store import Store, events_table
from koll.ledger.vault import PREFIX
from koll.schema.payloads import ObservationSchema

ANNA = Actor("anna", "reporter", "sdf")
POLICE = Actor("polis", "operational", "polisen")
OPS = Actor("operativ", "operational", "sdf")
MOMENT = datetime(2026, 11, 21, 8, 0, tzinfo=timezone.utc)
SEALED = re.compile(re.escape(PREFIX) + r"[A-Za-z0-9+/=]+")


def loaded(**overrides):
    return ObservationSchema().load(observation(**overrides))


def _ledger(backend: str, where: Path, direct: bool) -> Iterator[Ledger]:
    where.mkdir()
    for url in fresh_database_url(backend, where):
        store = Store(url)
        ledger = Ledger(store)
        ledger.direct_events = direct
        try:
            yield ledger
        finally:
            store.dispose()


@pytest.fixture(params=BACKENDS)
def plain_and_direct(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Ledger, Ledger]]:
    plain = _ledger(request.param, tmp_path / "plain", direct=False)
    direct = _ledger(request.param, tmp_path / "direct", direct=True)
    yield next(plain), next(direct)
    for rest in (plain, direct):
        next(rest, None)


def recorded(ledger: Ledger) -> list[tuple]:
    """Every stored event as (originator, version, topic, state), the state's bytes as stored
    except that a sealed value (a fresh key and nonce each time) stands as what it opens to."""
    with ledger.store.read() as conn:
        rows = list(conn.execute(sa.select(events_table.c.originator_id, events_table.c.originator_version,
                                           events_table.c.topic, events_table.c.state).order_by(events_table.c.id)))

    def opened(originator: str, state: bytes) -> str:
        text = bytes(state).decode("utf-8")
        # Each report's note and contact are sealed with its own key, named by the observation.
        subject = json.loads(text).get("first_observation") or originator
        return SEALED.sub(lambda m: "opened:" + str(ledger.vault.open(subject, m.group(0))), text)

    return [(str(r[0]), r[1], r[2], opened(str(r[0]), r[3])) for r in rows]


def test_the_batch_path_records_the_same_events_as_the_plain_path_byte_for_byte(plain_and_direct):
    plain, direct = plain_and_direct
    first = [loaded(), loaded(note=None), loaded(category="SOC-01"), loaded(notify_email="boende@example.se"),
             loaded(location={"lat": 59.36, "lon": 17.83, "accuracy_m": 30.0, "source": "pin"}),
             loaded(observed_at=last_november_evening().replace("19:30", "12:10"), attributes={"upplevd_trygghet": 4})]
    with clock.frozen_at(MOMENT):
        answers_plain = [plain.file_observation(ANNA, r) for r in first]
        answers_direct = direct.file_observations(ANNA, first)
    assert answers_direct == answers_plain and all(a.created for a in answers_plain)
    public_case, restricted_case, ended_case = (uuid.UUID(answers_plain[i].case_id) for i in (0, 2, 3))

    for ledger in (plain, direct):  # one case ends: a report on it opens a new case that refers to it
        with clock.frozen_at(MOMENT):
            ledger.decide_case(ended_case, 1, lambda c: c.close(OPS, reason="no_action"))
    joining = [loaded(case_id=str(public_case)), loaded(case_id=str(restricted_case)),  # held as closely
               loaded(case_id=str(ended_case))]
    again = [first[1], joining[0]]  # a retry of an earlier batch, and the same report twice in this one
    with clock.frozen_at(MOMENT):
        answers_plain = [plain.file_observation(POLICE, r) for r in [*joining, *again]]
        answers_direct = direct.file_observations(POLICE, [*joining, *again])
    assert answers_direct == answers_plain
    assert [a.created for a in answers_plain] == [True, True, True, False, False]

    events = recorded(direct)
    assert events == recorded(plain)
    topics = [topic.rsplit(":", 1)[-1] for _, _, topic, _ in events]
    assert topics.count("Case.Opened") == 7 and topics.count("Observation.Recorded") == 9
    joined = [json.loads(state) for _, _, topic, state in events if topic.endswith("Observation.Recorded")]
    assert joined[7]["visibility"] == "restricted" and joined[7]["case_id"] == str(restricted_case)
    assert sum(state.count("opened:Mycket skräp vid trappan") for *_, state in events) == 8
    assert any("opened:boende@example.se" in state for *_, state in events)


def test_reports_placed_among_areas_are_recorded_the_same_way_on_both_paths(plain_and_direct):
    from test_areas import ADMIN, definition, husby_report

    plain, direct = plain_and_direct
    reports = [ObservationSchema().load(husby_report()), ObservationSchema().load(husby_report(note=None)),
               loaded(), loaded(category="SOC-02", place="torget")]
    with clock.frozen_at(MOMENT):
        for ledger in (plain, direct):
            for code in ("hasselby-torg", "husby-torg"):
                ledger.import_area(ADMIN, definition(code))
        answers_plain = [plain.file_observation(ANNA, r) for r in reports]
        answers_direct = direct.file_observations(ANNA, reports)
    assert answers_direct == answers_plain and all(a.created for a in answers_plain)
    events = recorded(direct)
    assert events == recorded(plain)
    areas = [json.loads(state)["area"] for _, _, topic, state in events if topic.endswith("Observation.Recorded")]
    assert areas == ["husby-torg", "husby-torg", "hasselby-torg", "hasselby-torg"]


def test_a_retried_batch_is_recorded_once_and_read_at_once(plain_and_direct):
    _, direct = plain_and_direct
    batch = [loaded() for _ in range(4)]
    answers = direct.file_observations(ANNA, batch)
    assert all(isinstance(a, Filed) and a.created for a in answers)
    # What was just filed is there to read, in the aggregate and in the read model.
    assert direct.observation(uuid.UUID(answers[0].id)).case_id == answers[0].case_id
    with direct.store.read() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(observations)).scalar() == 4
    before = recorded(direct)
    assert [a.created for a in direct.file_observations(ANNA, batch)] == [False] * 4  # looked up first
    assert direct.file_observation(ANNA, batch[2]).created is False  # refused by the store, answered from it
    assert direct.file_observations(ANNA, [batch[0], loaded()])[0] == Filed(answers[0].id, answers[0].case_id, False)
    after = recorded(direct)
    assert after[:len(before)] == before and len(after) == len(before) + 2  # only the new report's case and itself
