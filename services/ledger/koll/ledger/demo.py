"""The Hässelby torg story, told into an empty ledger with the clock set to when it happened,
and a second area (Husby torg, demo_husby) set up after it from its own definition file.

2018: the district and the police decide to take back the square. Safety walks by day and by
night, caretakers and police file what they see; the operational group triages and assigns.
Deterministic (a fixed seed), so the demo and the tests see the same square. The areas are
data: each is loaded from its definition file in ``demo_areas/``, as a district would load its own.

A load takes a while; one stopped midway (Ctrl-C) would leave half a square with no measures.
So the load is marked as begun and as complete (a row beside the ledger, not in it), and
``koll serve --demo-if-empty`` refuses a ledger whose demo never completed.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.application import Ledger
from koll.ledger.domain import clock
from koll.ledger.domain.base import SYSTEM, Actor
from koll.schema import taxonomy

DEMO_PASSWORD = "koll-demo"
AREA = "hasselby-torg"  # the first area, from demo_areas/hasselby-torg.json
# name, role, organisation; the square's own people act in its area alone, the city's in every area
USERS = [
    ("admin", "admin", "sdf"),
    ("operativ", "operational", "sdf"),
    ("polis", "operational", "polisen"),
    ("strateg", "strategic", "staden"),
    ("revisor", "auditor", "staden"),
    ("vardare", "reporter", "fastighetsagare"),
    ("nattvandrare", "reporter", "civilsamhallet"),
    ("trygghetsvandrare", "reporter", "sdf"),
]
EVERY_AREA = {"admin", "strateg", "revisor"}


def area_definition(code: str) -> dict[str, Any]:
    from importlib import resources

    return json.loads(resources.files("koll.ledger").joinpath("demo_areas", f"{code}.json").read_text("utf-8"))

START = datetime(2018, 5, 14, 9, 0, tzinfo=timezone.utc)  # the week after the May conference

# What the report says was seen on the square, weighted by how often.
SEEN = [("REN-01", 12), ("REN-02", 6), ("KLO-01", 8), ("BEL-01", 5), ("BEL-02", 4), ("VEG-01", 4),
        ("KLO-03", 3), ("SOC-01", 4), ("SOC-04", 5), ("SOC-03", 3), ("SOC-17", 2), ("UPP-01", 4),
        ("UPP-05", 2), ("FYS-01", 2), ("REN-04", 1)]

Progress = Callable[[int, int], None]

_demo_metadata = sa.MetaData()
demo_state = sa.Table(
    "koll_demo",
    _demo_metadata,
    sa.Column("story", sa.String(40), primary_key=True),
    sa.Column("complete", sa.Boolean, nullable=False),
)
STORY = "hasselby-torg-2018"


def state(ledger: Ledger) -> str | None:
    """'complete', 'interrupted' (begun and never finished) or None (no demo was loaded here)."""
    _demo_metadata.create_all(ledger.store.engine, checkfirst=True)
    with ledger.store.read() as conn:
        complete = conn.execute(sa.select(demo_state.c.complete).where(demo_state.c.story == STORY)).scalar()
    return None if complete is None else ("complete" if complete else "interrupted")


def _mark(ledger: Ledger, complete: bool) -> None:
    _demo_metadata.create_all(ledger.store.engine, checkfirst=True)
    with ledger.store.write() as conn:
        conn.execute(demo_state.delete().where(demo_state.c.story == STORY))
        conn.execute(demo_state.insert().values(story=STORY, complete=complete))


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def load(ledger: Ledger, progress: Progress | None = None, weeks: int = 16,
         second_area: bool = True) -> list[tuple[str, str, str, str]]:
    """Loads the story; returns the demo logins (name, role, organisation, password)."""
    _mark(ledger, complete=False)  # before the first event: an interrupted load is seen as one
    rng = random.Random(2018)
    with clock.frozen_at(START - timedelta(days=8)):
        ledger.import_area(SYSTEM, area_definition(AREA))
    with clock.frozen_at(START - timedelta(days=7)):
        for name, role, org in USERS:
            ledger.add_user(name, role, org, password=DEMO_PASSWORD, areas=[] if name in EVERY_AREA else [AREA])
    reporters = [Actor(n, r, o) for n, r, o in USERS if r == "reporter"] + [Actor("polis", "operational", "polisen")]
    operational = Actor("operativ", "operational", "sdf")
    categories = [c for c, w in SEEN for _ in range(w)]
    places = [p for p in taxonomy.PLACES]
    filed: list[tuple[str, datetime]] = []
    for week in range(weeks):
        for _ in range(rng.randint(6, 12)):
            at = START + timedelta(days=7 * week + rng.randint(0, 6), hours=rng.choice([0, 2, 9, 11, 12, 14, 15]))
            place = rng.choice(places)
            code = rng.choice(categories)
            report: dict[str, Any] = {
                "id": _uuid(rng), "category": code, "observed_at": at.isoformat(),
                "location": {"lat": place.lat + rng.uniform(-0.00015, 0.00015),
                             "lon": place.lon + rng.uniform(-0.0003, 0.0003),
                             "accuracy_m": rng.choice([5, 8, 12, 30]), "source": "gps"},
                "place": place.code, "note": None,
                "attributes": {"upplevd_trygghet": rng.randint(1, 5)},
            }
            with clock.frozen_at(at + timedelta(minutes=rng.randint(1, 30))):
                filed_now = ledger.file_observation(rng.choice(reporters), report)
            filed.append((filed_now.case_id, at))
        # The operational group meets every three weeks and works through the new cases.
        if week % 3 == 2:
            meeting_at = START + timedelta(days=7 * week + 4, hours=13)
            _work_cases(ledger, operational, [c for c, at in filed if at < meeting_at], meeting_at, rng)
        if progress:
            progress(week + 1, weeks)
    _walks_story(ledger, random.Random("trygghetsvandringar"))  # its own seed: the rest of the story stays put
    _measures_story(ledger, random.Random("insatser"))  # the conference, the gross list, the meetings
    logins = [(n, r, o, DEMO_PASSWORD) for n, r, o in USERS]
    if second_area:
        from koll.ledger.demo_husby import husby_story  # the second area, set up from its own file

        logins += husby_story(ledger, DEMO_PASSWORD, SYSTEM)
    _mark(ledger, complete=True)
    return logins


def _work_cases(ledger: Ledger, by: Actor, case_ids: list[str], at: datetime, rng: random.Random) -> None:
    for i, case_id in enumerate(dict.fromkeys(case_ids)):
        case = ledger.case(uuid.UUID(case_id))
        with clock.frozen_at(at + timedelta(minutes=i)):
            if case.status == "new":
                owner = taxonomy.category(case.category).owner
                ledger.decide_case(case.id, case.version, lambda c: c.triage(by, priority=rng.randint(1, 3),
                                                                              category=None, group=None, note=None))
                ledger.decide_case(case.id, case.version + 1, lambda c: c.assign(by, org=owner, person=None))
            elif case.status == "assigned" and rng.random() < 0.7:
                ledger.decide_case(case.id, case.version, lambda c: c.resolve(by, public_note="Åtgärdat."))


# Safety walks: one in daylight in May, one in darkness at the end of August, and the next one
# planned. Residents, associations and staff walk together (the report's supporting triangle);
# the names are made up. Findings: (minutes into the walk, category, place, note).
WALKS = [
    {"title": "Trygghetsvandring i dagsljus runt torget", "at": datetime(2018, 5, 22, 8, 0, tzinfo=timezone.utc),
     "route": ["tunnelbaneuppgangen", "torget", "garaget", "parken", "biblioteket"],
     "organisations": ["sdf", "polisen", "fastighetsagare", "civilsamhallet", "mtr"],
     "participants": [("Karin Lindqvist", "boende", None), ("Ahmed Yusuf", "boende", None),
                      ("Maja Berg", "forening", "civilsamhallet"), ("Jonas Ek", "personal", "sdf"),
                      ("Sara Holm", "personal", "polisen"), ("Peter Nyström", "personal", "fastighetsagare")],
     "findings": [(10, "REN-01", "tunnelbaneuppgangen", "Skräp vid trappan ner till tunnelbanan"),
                  (25, "VEG-01", "parken", "Täta buskar skymmer gångvägen mot lekplatsen"),
                  (35, "KLO-01", "garaget", "Klotter vid garagets nedfart"),
                  (45, "FYS-01", "torget", "Trasiga plattor framför ICA"),
                  (55, "UPP-02", "biblioteket", "Biblioteket upplevs tryggt och välkomnande")],
     "summary": "Fem iakttagelser; buskarna i parken och klottret vid garaget tas upp på nästa möte."},
    {"title": "Kvällsvandring i mörker med nattvandrarna", "at": datetime(2018, 8, 28, 19, 30, tzinfo=timezone.utc),
     "route": ["torget", "gangtunneln", "busshallplatsen", "garaget", "systembolaget"],
     "organisations": ["sdf", "polisen", "civilsamhallet", "trafikkontoret", "sl"],
     "participants": [("Leila Karimi", "boende", None), ("Olof Sandberg", "boende", None),
                      ("Fatima Ali", "forening", "civilsamhallet"), ("Erik Strand", "forening", "civilsamhallet"),
                      ("Anna Wik", "personal", "sdf"), ("Mats Lund", "personal", "trafikkontoret")],
     "findings": [(10, "BEL-01", "gangtunneln", "Två armaturer släckta i gångtunneln"),
                  (20, "BEL-02", "busshallplatsen", "Mörkt parti bakom busskuren"),
                  (30, "SOC-04", "torget", None),
                  (40, "SOC-17", "garaget", None),
                  (50, "BEL-04", "parken", "Träden skymmer gatlyset längs gångvägen"),
                  (60, "UPP-05", "torget", "Nattvandrare och fältassistenter på plats")],
     "summary": "Belysningen i gångtunneln och vid busshållplatsen är det mest akuta."},
    {"title": "Höstens mörkervandring", "at": datetime(2018, 10, 30, 18, 0, tzinfo=timezone.utc),
     "route": ["torget", "tunnelbaneuppgangen", "gangtunneln"], "organisations": ["sdf", "polisen", "civilsamhallet"],
     "participants": [("Karin Lindqvist", "boende", None), ("Maja Berg", "forening", "civilsamhallet")],
     "findings": [], "summary": None},
]


def _walks_story(ledger: Ledger, rng: random.Random) -> None:
    leader = Actor("trygghetsvandrare", "reporter", "sdf")
    walkers = [leader, Actor("nattvandrare", "reporter", "civilsamhallet"), Actor("vardare", "reporter", "fastighetsagare")]
    for walk in WALKS:
        walk_id = _uuid(rng)
        plan = {"id": walk_id, "title": walk["title"], "planned_at": walk["at"], "route": walk["route"],
                "organisations": walk["organisations"],
                "participants": [{"name": n, "kind": k, "org": o} for n, k, o in walk["participants"]]}
        with clock.frozen_at(walk["at"] - timedelta(days=10)):
            ledger.plan_walk(leader, plan)
        if not walk["findings"]:
            continue  # still to come
        with clock.frozen_at(walk["at"]):
            ledger.start_walk(leader, uuid.UUID(walk_id), 1)
        for minutes, code, place_code, note in walk["findings"]:
            at = walk["at"] + timedelta(minutes=minutes)
            place = taxonomy.place(place_code)
            report = {"id": _uuid(rng), "category": code, "observed_at": at.isoformat(), "walk_id": walk_id,
                      "location": {"lat": place.lat + rng.uniform(-0.0001, 0.0001),
                                   "lon": place.lon + rng.uniform(-0.0002, 0.0002), "accuracy_m": 8, "source": "gps"},
                      "place": place_code, "note": note, "attributes": {}}
            with clock.frozen_at(at + timedelta(minutes=1)):
                ledger.file_observation(rng.choice(walkers), report)
        with clock.frozen_at(walk["at"] + timedelta(minutes=75)):
            ledger.end_walk(leader, uuid.UUID(walk_id), 2, summary=walk["summary"])


def _measures_story(ledger: Ledger, rng: random.Random) -> None:
    from koll.ledger.demo_measures import measures_story  # a long story: it lives in its own module

    measures_story(ledger, rng)
