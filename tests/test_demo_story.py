"""The demo read back against the report: its calendar, its organisations, its measures and owners,
and a square whose boards make sense on the day the demo is loaded."""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from helpers import BACKENDS, fresh_database_url

from koll.ledger import demo
from koll.ledger.application import Ledger
from koll.ledger.domain.meeting import attendance_by_org
from koll.ledger.projections.measures import measures
from koll.ledger.projections.meetings import meetings
from koll.ledger.projections.situation import cases
from koll.ledger.projections.walks import walks
from koll.ledger.store import Store

REPORT_DAY = date(2019, 9, 23)  # the report's autumn: loaded then, the story falls on its own dates


@pytest.fixture(scope="module", params=BACKENDS)
def told(request, tmp_path_factory):
    """The whole story, told once a back-end (it takes a while) and read by every test here."""
    urls = fresh_database_url(request.param, tmp_path_factory.mktemp("demo"))
    store = Store(next(urls))
    try:
        ledger = Ledger(store)
        demo.load(ledger, today=REPORT_DAY, second_area=False)
        with ledger.store.read() as conn:
            plan = {r.what: dict(r._mapping) for r in conn.execute(sa.select(measures))}
            held = [dict(r._mapping) for r in conn.execute(sa.select(meetings).order_by(meetings.c.date))]
            walked = [dict(r._mapping) for r in conn.execute(sa.select(walks))]
            seen = [dict(r._mapping) for r in conn.execute(sa.select(cases))]
        yield ledger, plan, held, walked, seen
    finally:
        store.dispose()
        next(urls, None)


def test_mobilisation_in_2018_then_the_inventory_then_the_gross_list(told):
    ledger, plan, held, _, _ = told
    conference = held[0]
    assert conference["date"][:7] == "2018-05" and "konferens" in conference["title"].lower()
    assert conference["group_code"] == "mobilisation"  # the conference, not a meeting of either group
    came = attendance_by_org(ledger.meeting(conference["meeting_id"]).attendees)
    assert 65 <= sum(r["count"] for r in came) <= 75 and len(came) >= 10  # ~70 from a dozen actors
    titles = [m["title"] for m in held]
    inventory, gross = titles.index(next(t for t in titles if "inventering" in t)), titles.index(
        next(t for t in titles if "bruttolistan" in t))
    assert 0 < inventory < gross
    # The operational group every three weeks, MTR's security chief in it, through 2019.
    ops = [m for m in held if m["group_code"] == "operational"]
    days = [date.fromisoformat(m["date"]) for m in ops]
    assert statistics.median((b - a).days for a, b in zip(days, days[1:])) == 21
    assert days[-1].year == 2019 and days[-1] >= date(2019, 9, 1)
    assert all(any(a["org"] == "mtr" and "Säkerhetschef" in a["name"] for a in ledger.meeting(m["meeting_id"]).attendees)
               for m in ops)


def test_the_reports_measures_with_the_reports_owners(told):
    _, plan, _, _, _ = told
    owners = {
        "Trygghetsmätning": "sdf-kommunikation", "Klottersanering inom ett dygn": "trafikkontoret",
        "Trygghetsvandringar med boende": "trafikkontoret", "Platssamverkan Hässelby torg": "sdf-centralt",
        "Samverkan och mobilisering av näringslivet kring torget": "sdf-centralt",
        "IOP Brommapojkarna": "sdf-prevention", "Lokal områdesgrupp 6–12 år": "sdf-prevention",
        "LVM-lots": "sdf-ifo", "ABC-föräldraträffar": "skolan", "Mentors in Violence Prevention": "skolan",
    }
    for what, owner in owners.items():
        assert plan[what]["owner_org"] == owner, what
    # Already-running work is recorded as running, with its start in the past.
    for what in ("IOP Brommapojkarna", "LVM-lots", "Mentors in Violence Prevention", "Grannsamverkan"):
        assert plan[what]["status"] == "started" and plan[what]["start_date"] < "2018-05-01", what
    assert 45 <= len(plan) <= 60 and len({m["palette"] for m in plan.values()}) == 7  # about fifty, all seven
    statuses = Counter(m["status"] for m in plan.values())
    assert statuses["idea"] and statuses["done"] and statuses["cancelled"]
    # Text that belongs together: no generated goals, no volunteers as the police's resources.
    for m in plan.values():
        assert "mätbar förbättring" not in (m["goal"] or "")
        if m["owner_org"] == "polisen":
            assert "Ideella" not in (m["resources"] or ""), m["what"]


def test_dealing_at_the_square_and_the_metro_entrance_thins_out(told):
    _, _, _, walked, seen = told
    dealing = [c for c in seen if c["category"] in ("SOC-01", "SOC-10")]
    assert {c["place"] for c in dealing} <= {"torget", "tunnelbaneuppgangen"}
    first = sum(1 for c in dealing if c["opened_at"] < datetime(2018, 9, 1))
    last = sum(1 for c in dealing if datetime(2019, 5, 1) <= c["opened_at"] < datetime(2019, 9, 1))
    assert first > 2 * last > 0  # four months each: a change the report-backs can report
    assert max(c["opened_at"] for c in seen) > datetime(2019, 9, 1)  # the whole period, not sixteen weeks
    assert {w["light"] for w in walked} == {"dagsljus", "morker"}


def test_loaded_today_the_boards_make_sense_today(ledger):
    today = datetime.now(timezone.utc).date()
    demo.load(ledger, second_area=False, weeks=6)
    with ledger.store.read() as conn:
        last_meeting = conn.execute(sa.select(sa.func.max(meetings.c.date))).scalar()
        planned = [r.planned_at for r in conn.execute(sa.select(walks.c.planned_at).where(walks.c.status == "planned"))]
        late = conn.execute(sa.select(sa.func.count()).select_from(measures).where(
            measures.c.status.in_(("decided", "started")), measures.c.end_date < today.isoformat())).scalar()
    assert today - timedelta(days=14) <= date.fromisoformat(last_meeting) <= today
    assert any(p.date() > today for p in planned)  # the next safety walk is ahead
    assert late <= 3  # not "23 försenade"


def test_the_story_has_its_description_goals_and_surveys(told):
    ledger = told[0]
    description = ledger.situation_description("hasselby-torg")
    assert description.version == 2 and "tunnelbaneuppgången" in description.text["symptoms"]
    history = ledger.situation_description_history("hasselby-torg")
    assert history[-1]["at"].date().isoformat()[:7] == "2018-05"  # written at the May conference
    follow_up = ledger.follow_up("hasselby-torg")
    short = {g["title"] for g in follow_up.goals.values() if g["horizon"] == "kort"}
    assert short == {"Reducera otrygghet", "Stoppa det akuta våldet", "Återerövra det offentliga rummet"}
    assert {g["track"] for g in follow_up.goals.values() if g["horizon"] == "lang"} == {
        "trygghet", "utbildning", "boende", "arbete"}
    assert [s["name"] for s in follow_up.surveys] == [f"Trygghetsmätningen {y}" for y in (2017, 2018, 2019)]
    from koll.ledger.queries import follow_up as q

    with ledger.store.read() as conn:
        goals = q.goals(conn, demo.Actor("operativ", "operational", "sdf"), "hasselby-torg",
                        datetime(2019, 9, 23, tzinfo=timezone.utc), follow_up)
    dealing = next(i for g in goals for i in g["indicators"] if i["name"].startswith("Öppen droghandel"))
    assert dealing["better"] is True  # the last report-back has a change to report
