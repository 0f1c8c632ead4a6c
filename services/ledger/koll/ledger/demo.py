"""The Hässelby torg story, as the report tells it, told into an empty ledger with the clock set
to when it happened, and a second area (Husby torg, demo_husby) set up after it from its own file.

Spring 2018: the district and the police decide to take back the square; the May conference (about
70 people) makes the shared situation picture, the operational group inventories what already
runs and writes the gross list, then meets every three weeks (MTR's security chief in it) through
the implementation in 2019 (demo_measures). Safety walks by day and by night, caretakers and police
file what they see over the whole period; the open dealing at the square and the metro entrance
thins out as the measures take hold, so the last report-backs have a change to report.

The story is dated relative to the day it is loaded (``story_shift``): moved by whole weeks so it
ends in the week before the load day, so the boards make sense on the day they are opened.
Deterministic (fixed seeds), so the demo and the tests see the same square. The areas are data:
each is loaded from its definition file in ``demo_areas/``, as a district would load its own.

A load takes a while; one stopped midway (Ctrl-C) would leave half a square with no measures.
So the load is marked as begun and as complete (a row beside the ledger, not in it), and
``koll serve --demo-if-empty`` refuses a ledger whose demo never completed.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.application import Ledger
from koll.ledger.domain import clock
from koll.ledger.domain.base import SYSTEM, Actor
from koll.ledger.demo_measures import OPERATIONAL as OPERATIONAL_MEETINGS
from koll.ledger.demo_measures import STORY_END
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
        ("KLO-03", 3), ("SOC-04", 5), ("SOC-03", 3), ("SOC-11", 1), ("UPP-01", 4),
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


def story_shift(today: date | None = None) -> timedelta:
    """How far the story is moved so that it ends in the week before ``today`` (the load day).

    The story is told on the report's calendar (the May 2018 conference, the operational group
    every three weeks, the report-back in September 2019) and moved by whole weeks, so the
    weekdays and the three-week rhythm stay: loaded between 20 and 26 September 2019 it falls on
    the report's own dates; loaded today, its last meeting was last week and the next safety
    walk is ahead."""
    today = today or datetime.now(timezone.utc).date()
    return timedelta(weeks=(today - STORY_END.date()).days // 7)


def load(ledger: Ledger, progress: Progress | None = None, weeks: int | None = None,
         second_area: bool = True, today: date | None = None) -> list[tuple[str, str, str, str]]:
    """Loads the story, ending in the week before ``today``; returns the demo logins (name, role,
    organisation, password). ``weeks`` keeps only the observations of the story's last weeks
    (quicker tests; the measures and meetings are told whole)."""
    _mark(ledger, complete=False)  # before the first event: an interrupted load is seen as one
    shift = story_shift(today)
    rng = random.Random(2018)
    with clock.frozen_at(START + shift - timedelta(days=8)):
        ledger.import_area(SYSTEM, area_definition(AREA))
    with clock.frozen_at(START + shift - timedelta(days=7)):
        for name, role, org in USERS:
            ledger.add_user(name, role, org, password=DEMO_PASSWORD, areas=[] if name in EVERY_AREA else [AREA])
    _observations(ledger, rng, shift, weeks, progress)
    _walks_story(ledger, random.Random("trygghetsvandringar"), shift)  # its own seed: the rest stays put
    _measures_story(ledger, random.Random("insatser"), shift)  # conference, inventory, gross list, meetings
    _situation_story(ledger, shift)
    logins = [(n, r, o, DEMO_PASSWORD) for n, r, o in USERS]
    if second_area:
        from koll.ledger.demo_husby import husby_story  # the second area, set up from its own file

        logins += husby_story(ledger, DEMO_PASSWORD, SYSTEM, shift)
    _mark(ledger, complete=True)
    return logins


def _observations(ledger: Ledger, rng: random.Random, shift: timedelta, last_weeks: int | None,
                  progress: Progress | None) -> None:
    """What was seen, week by week, over the whole story. The open dealing at the square and the
    metro entrance thins out once the targeted controls (summer 2018) and the hedges are done;
    the litter once the evening cleaning starts; people feel a little safer as it goes."""
    reporters = [Actor(n, r, o) for n, r, o in USERS if r == "reporter"] + [Actor("polis", "operational", "polisen")]
    operational = Actor("operativ", "operational", "sdf")
    categories = [c for c, w in SEEN for _ in range(w)]
    places = list(taxonomy.PLACES)
    meetings = [m + shift for m in OPERATIONAL_MEETINGS]
    filed: list[tuple[str, datetime]] = []
    story_weeks = (STORY_END - START).days / 7

    def file(at: datetime, code: str, place: Any, safety: int) -> None:
        report: dict[str, Any] = {
            "id": _uuid(rng), "category": code, "observed_at": at.isoformat(),
            "location": {"lat": place.lat + rng.uniform(-0.00015, 0.00015),
                         "lon": place.lon + rng.uniform(-0.0003, 0.0003),
                         "accuracy_m": rng.choice([5, 8, 12, 30]), "source": "gps"},
            "place": place.code, "note": None, "attributes": {"upplevd_trygghet": safety},
        }
        with clock.frozen_at(at + timedelta(minutes=rng.randint(1, 30))):
            filed.append((ledger.file_observation(rng.choice(reporters), report).case_id, at))

    weeks = (STORY_END - START).days // 7 + 1
    first = 0 if last_weeks is None else max(0, weeks - last_weeks)
    for week in range(first, weeks):
        monday = START + shift + timedelta(days=7 * week)
        phase = min(1.0, week / story_weeks)  # 0 at the conference, 1 at the report-back
        for _ in range(rng.randint(5, 9)):
            code = rng.choice(categories)
            if code.startswith("REN") and phase > 0.2 and rng.random() < 0.5:
                continue  # the evening cleaning
            at = monday + timedelta(days=rng.randint(0, 6), hours=rng.choice([0, 2, 9, 11, 12, 14, 15]))
            file(at, code, rng.choice(places), rng.randint(1 + round(phase), 3 + round(phase * 2)))
        # Open dealing at the square and the metro entrance, in the evening: three a week at first.
        for _ in range(max(0, round(3 - 2.5 * min(1.0, phase * 1.6)) + rng.choice([0, 0, 1]))):
            at = monday + timedelta(days=rng.randint(3, 6), hours=rng.choice([17, 18, 19]), minutes=rng.randint(0, 59))
            file(at, rng.choice(["SOC-01", "SOC-01", "SOC-10"]),
                 taxonomy.place(rng.choice(["torget", "tunnelbaneuppgangen"])), rng.randint(1, 2 + round(phase)))
        if phase < 0.3 and rng.random() < 0.6:  # the garage, until it is closed at night
            at = monday + timedelta(days=rng.randint(0, 6), hours=rng.choice([20, 21, 22]))
            file(at, "SOC-17", taxonomy.place("garaget"), 1)
        # The operational group works through the new cases at each of its meetings.
        for meeting_at in [m for m in meetings if monday <= m < monday + timedelta(days=7)]:
            _work_cases(ledger, operational, [c for c, at in filed if at < meeting_at], meeting_at, rng)
        if progress:
            progress(week + 1 - first, weeks - first)


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
     "findings": [(10, "BEL-01", "tunnelbaneuppgangen", "En armatur släckt vid trappan"),
                  (25, "UPP-05", "torget", "Fältassistenter och nattvandrare på torget"),
                  (40, "SOC-04", "gangtunneln", None),
                  (50, "BEL-02", "busshallplatsen", "Ny belysning bakom busskuren fungerar"),
                  (60, "REN-01", "tunnelbaneuppgangen", "Fimpar och skräp vid entrén")],
     "summary": "Lugnare på torget än i augusti; belysningen vid trappan felanmäld."},
    {"title": "Vårens trygghetsvandring i dagsljus", "at": datetime(2019, 5, 21, 8, 0, tzinfo=timezone.utc),
     "route": ["tunnelbaneuppgangen", "torget", "garaget", "parken"],
     "organisations": ["trafikkontoret", "sdf", "polisen", "fastighetsagare", "mtr"],
     "participants": [("Karin Lindqvist", "boende", None), ("Maja Berg", "forening", "civilsamhallet"),
                      ("Mats Lund", "personal", "trafikkontoret")],
     "findings": [(10, "UPP-02", "tunnelbaneuppgangen", "Häckarna är klippta, fri sikt mot entrén"),
                  (30, "KLO-01", "garaget", "Nytt klotter vid garagets nedfart"),
                  (45, "UPP-05", "torget", "Sommarscenen byggs upp, mycket folk på torget"),
                  (55, "FYS-01", "torget", "Plattorna framför ICA är lagade men en har lossnat"),
                  (65, "VEG-01", "parken", "Buskarna mot lekplatsen behöver klippas igen")],
     "summary": "Torget upplevs ljusare och mer öppet; klottret vid garaget anmäls."},
    {"title": "Sensommarens mörkervandring", "at": datetime(2019, 8, 27, 19, 0, tzinfo=timezone.utc),
     "route": ["torget", "gangtunneln", "busshallplatsen", "garaget"],
     "organisations": ["trafikkontoret", "sdf", "polisen", "civilsamhallet", "sl"],
     "participants": [("Leila Karimi", "boende", None), ("Fatima Ali", "forening", "civilsamhallet"),
                      ("Mats Lund", "personal", "trafikkontoret")],
     "findings": [(15, "UPP-02", "gangtunneln", "Gångtunneln är väl upplyst"),
                  (35, "SOC-01", "tunnelbaneuppgangen", None),
                  (50, "UPP-05", "torget", "Nattvandrare på torget"),
                  (60, "BEL-01", "garaget", "En lysrörsarmatur trasig vid garagets nedfart"),
                  (70, "REN-02", "busshallplatsen", "Full papperskorg vid busskuren")],
     "summary": "Droghandeln syns fortfarande vid entrén – kamerorna behövs."},
    # The next one, after the story's end: the residents' page shows it as coming.
    {"title": "Höstens trygghetsvandring i mörker", "at": datetime(2019, 10, 15, 18, 0, tzinfo=timezone.utc),
     "route": ["torget", "tunnelbaneuppgangen", "gangtunneln", "garaget"],
     "organisations": ["trafikkontoret", "sdf", "polisen", "civilsamhallet"],
     "participants": [("Karin Lindqvist", "boende", None), ("Maja Berg", "forening", "civilsamhallet")],
     "findings": [], "summary": None},
]


def _walks_story(ledger: Ledger, rng: random.Random, shift: timedelta) -> None:
    """Trafikkontoret leads the safety walks (the report's page "Detta gör vi idag")."""
    leader = Actor("trygghetsvandrare", "reporter", "sdf")
    walkers = [leader, Actor("nattvandrare", "reporter", "civilsamhallet"), Actor("vardare", "reporter", "fastighetsagare")]
    for walk in WALKS:
        walk_id = _uuid(rng)
        walk = {**walk, "at": walk["at"] + shift}
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


def _measures_story(ledger: Ledger, rng: random.Random, shift: timedelta) -> None:
    from koll.ledger.demo_measures import measures_story  # a long story: it lives in its own module

    measures_story(ledger, rng, shift)


# The shared description of the square, in the report's words (the May 2018 workshop), and its
# revision a year on, when the operational group reports back.
DESCRIPTION_2018 = {
    "symptoms": "Torget är en otrygg, rentav mycket otrygg plats, särskilt kvällstid och i mörker. Öppen och "
                "påträngande droghandel på torget och vid tunnelbaneuppgången; i princip varje kväll utsättning "
                "inför kvällens försäljning. Rån av och mot unga minst något per vecka, fler under skolloven. "
                "Garaget används som bostad och som toalett. Öppen alkoholkonsumtion; nedskräpning och klotter.",
    "causes": "De kriminella strukturerna (Lejonen sedan länge) ser torget som sitt revir och rekryterar unga "
              "från 8–10 år. Missbruk och psykisk ohälsa i närområdet. Undermålig skötsel ger "
              "\"broken window\"-effekter; vanligt folk undviker platsen och hastar förbi.",
    "concrete": "Restaurangen utsätts för påtryckningar och används som bas. ICA utsätts för snatterier, "
                "näringsidkare för hot och utpressning. Plankning och hot mot personalen i tunnelbanan. "
                "Väktare och ordningsvakter syns sällan. Kulturskolan är på väg att flytta.",
    "subtle": "En helt annorlunda och avvikande bild av normalitet har vuxit fram. Platsen \"ägs\" av de "
              "destruktiva krafterna; de goda krafterna är nästan frånvarande och föreningslivet i princip "
              "borta. Systembolaget fungerar som en negativ social magnet.",
    "influence": "Polisen: droghandeln och gänget. Socialtjänsten: unga i riskzon, missbruk. Fastighetsägaren "
                 "och centrumägaren: garaget, städning, lokaler. Trafikkontoret: belysning, klotter, "
                 "felanmälningar. MTR och SL: tunnelbanan. Skolan, föreningarna och de boende: de goda krafterna.",
}
DESCRIPTION_2019 = {
    **DESCRIPTION_2018,
    "symptoms": "Droghandeln är inte längre öppen på torget; den syns ännu vid tunnelbaneuppgången kvällstid. "
                "Garaget är stängt nattetid. Torget är renare och ljusare; rånen av och mot unga har minskat "
                "men ökar fortfarande under loven.",
    "subtle": "Fler vanliga människor stannar på torget, särskilt när något händer där (sommarscenen, "
              "spontanfotbollen). Känslan av att platsen \"ägs\" av gänget finns kvar kvällstid.",
}


def _situation_story(ledger: Ledger, shift: timedelta) -> None:
    from koll.ledger.demo_measures import CONFERENCE, STRATEGIC

    ops = Actor("operativ", "operational", "sdf")
    with clock.frozen_at(CONFERENCE + shift + timedelta(hours=7)):
        ledger.describe_situation(ops, AREA, 0, DESCRIPTION_2018, note="Framtagen vid mobiliseringskonferensen")
    with clock.frozen_at(STRATEGIC[-2] + shift - timedelta(days=3)):
        ledger.describe_situation(ops, AREA, 1, DESCRIPTION_2019, note="Reviderad inför återrapporten till "
                                                                      "strategiska gruppen")
    for i, (day, rows) in enumerate(SURVEYS):  # the 2017 survey is read in as the baseline, after the conference
        at = datetime(*day, 12, 0, tzinfo=timezone.utc) + shift
        text = "datum;fråga;plats;värde;enhet\n" + "".join(
            f"{at.date().isoformat()};{question};{place};{value};%\n" for question, place, value in rows)
        with clock.frozen_at(max(at, START + shift) + timedelta(days=1)):
            ledger.import_survey(ops, AREA, f"Trygghetsmätningen {at.year}", text)
        if i == 0:
            with clock.frozen_at(STRATEGIC[0] + shift):  # the goals, set by the strategic group in September
                for goal in GOALS:
                    ledger.set_goal(ops, AREA, goal)


# The report's goals: three on the short term, the long term along the four tracks.
_FELT = {"source": "perceived_safety", "places": ["torget", "tunnelbaneuppgangen"], "direction": "up",
         "baseline": 2.0, "baseline_period": "maj–augusti 2018", "target": 3.5}
GOALS = [
    {"code": "reducera-otrygghet", "horizon": "kort", "title": "Reducera otrygghet", "track": "trygghet",
     "indicators": [{"name": "Andel otrygga kvällstid", "source": "survey", "question": "Andel som känner sig otrygga "
                     "på torget kvällstid", "baseline": 48, "baseline_period": "mätningen 2017", "target": 30,
                     "unit": "%"},
                    {"name": "Upplevd trygghet vid torget och tunnelbanan", **_FELT}]},
    {"code": "stoppa-vaaldet", "horizon": "kort", "title": "Stoppa det akuta våldet", "track": "trygghet",
     "indicators": [{"name": "Våld, rån och bråk per vecka", "source": "observations",
                     "categories": ["SOC-18", "SOC-11", "SOC-05"], "baseline": 1.0,
                     "baseline_period": "maj–augusti 2018", "target": 0.25}]},
    {"code": "ateroevra-rummet", "horizon": "kort", "title": "Återerövra det offentliga rummet", "track": "trygghet",
     "indicators": [{"name": "Öppen droghandel per vecka vid torget och tunnelbaneuppgången", "source": "observations",
                     "categories": ["SOC-01", "SOC-10"], "places": ["torget", "tunnelbaneuppgangen"],
                     "baseline": 3.0, "baseline_period": "maj–augusti 2018", "target": 0.5},
                    {"name": "Goda krafter på plats per vecka", "source": "observations", "categories": ["UPP-05"],
                     "direction": "up", "baseline": 0.1, "baseline_period": "maj–augusti 2018", "target": 1}]},
    {"code": "tillit-socialt-kapital", "horizon": "lang", "title": "Bygga trygghet och socialt kapital",
     "track": "trygghet", "indicators": [{"name": "Förtroende för polisen", "source": "survey", "direction": "up",
                                          "question": "Andel med förtroende för polisen", "baseline": 52,
                                          "baseline_period": "mätningen 2017", "target": 70, "unit": "%"}]},
    {"code": "skolans-roll", "horizon": "lang", "title": "Skolan som central arena: klara slutbetygen",
     "track": "utbildning", "indicators": []},
    {"code": "blandat-boende", "horizon": "lang", "title": "Ett nytt sätt att stadsplanera och bygga",
     "track": "boende", "indicators": []},
    {"code": "arbete", "horizon": "lang", "title": "Praktikplatser och nya typer av företag", "track": "arbete",
     "indicators": []},
]
# The yearly safety survey (Kommunikation): the late-autumn results, as the district exports them.
SURVEYS = [
    ((2017, 11, 15), [("Andel som känner sig otrygga på torget kvällstid", "", 48),
                      ("Andel med förtroende för polisen", "", 52)]),
    ((2018, 11, 14), [("Andel som känner sig otrygga på torget kvällstid", "", 44),
                      ("Andel med förtroende för polisen", "", 55)]),
    ((2019, 9, 4), [("Andel som känner sig otrygga på torget kvällstid", "", 37),
                    ("Andel med förtroende för polisen", "", 61)]),
]
