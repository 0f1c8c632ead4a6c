"""A second area, set up as a district new to the method would: Husby torg, early 2019.

The district imports its definition file (places, organisations including the housing company,
the categories it uses), adds its people for that area alone, walks the square once in the dark,
and writes its first gross list of measures. Everything goes through the same commands as a
district's own set-up would; nothing here is special to the code.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone

from koll.ledger.application import Ledger
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor

AREA = "husby-torg"
SET_UP = datetime(2019, 2, 4, 9, 0, tzinfo=timezone.utc)
WALK_AT = datetime(2019, 2, 19, 17, 30, tzinfo=timezone.utc)  # dark by half past five in February

# name, role, organisation: the district's own people, granted Husby alone
USERS = [
    ("husby-operativ", "operational", "sdf-rinkeby-kista"),
    ("husby-vardare", "reporter", "bostadsbolaget"),
    ("husby-nattvandrare", "reporter", "civilsamhallet"),
]

# minutes into the walk, category, place, note
FINDINGS = [(5, "BEL-01", "husby-tunnelbana", "Lampan över trappan till tunnelbanan är släckt"),
            (15, "REN-03", "husby-garaget", "Grovsopor dumpade vid garagets infart"),
            (25, "FYS-H01", "husby-torget", "Porten mot torget går inte i lås"),
            (35, "SOC-04", "husby-torget", None),
            (45, "BEL-02", "husby-gangbron", "Mörkt på gångbron mot Husby allé"),
            (55, "UPP-05", "husby-traffen", "Husby träff har öppet och folk på plats")]

# The first gross list: what, palette group, owner, partners
GROSS_LIST = [
    ("Byt och förstärk belysningen vid tunnelbanans uppgång och på gångbron", "situationell", "trafikkontoret",
     ["sdf-rinkeby-kista"]),
    ("Portar och entréer runt torget går i lås – rondering varje vecka", "situationell", "bostadsbolaget", []),
    ("Städning av garagets infart två gånger i veckan", "situationell", "centrumagaren-husby", ["bostadsbolaget"]),
    ("Nattvandring fredag och lördag med föreningarna", "mobilisera", "civilsamhallet", ["sdf-rinkeby-kista"]),
    ("Fotboll på kvällarna i Husby träffs regi", "positiva", "sdf-rinkeby-kista", ["civilsamhallet"]),
    ("Gemensam lägesbild med polisen inför varje möte", "inkapacitera", "polisen", ["sdf-rinkeby-kista"]),
]


def definition() -> dict:
    from koll.ledger.demo import area_definition

    return area_definition(AREA)


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def husby_story(ledger: Ledger, password: str, by: Actor,
                shift: timedelta = timedelta(0)) -> list[tuple[str, str, str, str]]:
    """Told on its own calendar, moved by ``shift`` like the Hässelby story (see demo.py)."""
    set_up, walk_at = SET_UP + shift, WALK_AT + shift
    rng = random.Random("husby")
    with clock.frozen_at(set_up):
        ledger.import_area(by, definition())
        for name, role, org in USERS:
            ledger.add_user(name, role, org, password=password, areas=[AREA])
    ops = Actor("husby-operativ", "operational", "sdf-rinkeby-kista", (AREA,))
    leader = Actor("husby-vardare", "reporter", "bostadsbolaget", (AREA,))
    places = {p["code"]: p["geometry"] for p in definition()["places"]}
    walk_id = _uuid(rng)
    with clock.frozen_at(walk_at - timedelta(days=10)):
        ledger.plan_walk(leader, {"id": walk_id, "title": "Första trygghetsvandringen runt Husby torg",
                                  "planned_at": walk_at, "route": [f[2] for f in FINDINGS],
                                  "organisations": ["sdf-rinkeby-kista", "bostadsbolaget", "polisen", "civilsamhallet"],
                                  "participants": [{"name": "Amina Hassan", "kind": "boende", "org": None},
                                                   {"name": "Johan Berg", "kind": "personal", "org": "bostadsbolaget"},
                                                   {"name": "Sofia Lind", "kind": "personal", "org": "sdf-rinkeby-kista"}]})
    with clock.frozen_at(walk_at):
        ledger.start_walk(leader, uuid.UUID(walk_id), 1)
    for minutes, code, place, note in FINDINGS:
        at = walk_at + timedelta(minutes=minutes)
        g = places[place]
        lon, lat = g["coordinates"] if g["type"] == "Point" else g["coordinates"][0][0]
        if g["type"] != "Point":  # a polygon place: a point just inside its first corner
            lon, lat = lon + 0.00005, lat + 0.00005
        report = {"id": _uuid(rng), "category": code, "observed_at": at.isoformat(), "walk_id": walk_id,
                  "location": {"lat": lat, "lon": lon, "accuracy_m": 8, "source": "gps"}, "note": note,
                  "attributes": {}}
        with clock.frozen_at(at + timedelta(minutes=1)):
            ledger.file_observation(leader, report)
    with clock.frozen_at(walk_at + timedelta(minutes=70)):
        ledger.end_walk(leader, uuid.UUID(walk_id), 2, summary="Belysningen och portarna först.")
    with clock.frozen_at(walk_at + timedelta(days=3)):
        for what, palette, owner, partners in GROSS_LIST:
            ledger.propose_measure(ops, {"id": _uuid(rng), "what": what, "palette": palette, "owner_org": owner,
                                         "partners": partners, "track": "trygghet", "horizon": "kort",
                                         "follow_up": "Operativa gruppen var tredje vecka"})
    meeting = {"id": _uuid(rng), "group": "operational", "date": (walk_at + timedelta(days=10)).date().isoformat(),
               "title": "Operativa gruppen i Husby: första mötet",
               "attendees": [{"name": "Sofia Lind", "org": "sdf-rinkeby-kista"},
                             {"name": "Johan Berg", "org": "bostadsbolaget"}]}
    with clock.frozen_at(walk_at + timedelta(days=4)):
        ledger.schedule_meeting(ops, meeting)
    return [(n, r, o, password) for n, r, o in USERS]
