"""The demo's measures: the May 2018 conference and its gross list, about fifty measures across
the seven palette groups, the operational group every three weeks, the strategic group above.

Measures are from the report's palette; owners are the report's organisations. Each meeting
is told at its own time, and its steps are saved together (one transaction a meeting) so the
demo stays fast. Deterministic: the same seed tells the same story.
"""

from __future__ import annotations

import random
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.application import Ledger, fingerprint_of
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor
from koll.ledger.domain.measure import Measure
from koll.ledger.projections.situation import cases

OPS = Actor("operativ", "operational", "sdf")
POLICE = Actor("polis", "operational", "polisen")
STRATEGIST = Actor("strateg", "strategic", "staden")

CONFERENCE = datetime(2018, 5, 8, 8, 0, tzinfo=timezone.utc)
# The operational group meets every three weeks (the same Fridays the cases are worked through).
OPERATIONAL = [datetime(2018, 6, 1, 11, 0, tzinfo=timezone.utc) + timedelta(weeks=3 * k) for k in range(8)]
STRATEGIC = [datetime(2018, 6, 8, 12, 0, tzinfo=timezone.utc), datetime(2018, 8, 31, 12, 0, tzinfo=timezone.utc),
             datetime(2018, 10, 31, 12, 0, tzinfo=timezone.utc)]

# what, palette group, owner, partners, track, horizon, focus area
GROSS_LIST: list[tuple[str, str, str, tuple[str, ...], str, str, str]] = [
    ("Riktade kontroller mot öppen droghandel kvällstid", "inkapacitera", "polisen", (), "trygghet", "kort", "drogfritt"),
    ("Kameraövervakning vid tunnelbaneuppgången", "inkapacitera", "polisen", ("mtr", "sl"), "trygghet", "kort", "drogfritt"),
    ("Fältassistenter på torget fredag och lördag kväll", "inkapacitera", "sdf-ifo", ("polisen",), "trygghet", "kort", "fritid"),
    ("Samordnade orosanmälningar för unga i gruppen", "inkapacitera", "sdf-ifo", ("skolan", "polisen"), "utbildning", "kort", "skola"),
    ("Tillträdesförbud i centrumets gallerior", "inkapacitera", "fastighetsagare", ("polisen",), "trygghet", "kort", "platser"),
    ("Ordningsvakter i centrum kvällstid", "inkapacitera", "fastighetsagare", ("naringsidkare",), "trygghet", "kort", "platser"),
    ("Gemensam lägesbild varje vecka (polis och stadsdel)", "inkapacitera", "polisen", ("sdf",), "trygghet", "medel", "fortroende"),
    ("Nattvandring fredagar och lördagar", "mobilisera", "civilsamhallet", ("sdf",), "trygghet", "kort", "fritid"),
    ("Grannsamverkan i husen runt torget", "mobilisera", "civilsamhallet", ("polisen", "fastighetsagare"), "boende", "medel", "fortroende"),
    ("Föräldravandringar i samarbete med skolorna", "mobilisera", "skolan", ("civilsamhallet",), "utbildning", "kort", "skola"),
    ("Trygghetsvandringar med boende två gånger om året", "mobilisera", "sdf", ("polisen", "fastighetsagare"), "boende", "lang", "platser"),
    ("Föreningsdag på torget", "mobilisera", "civilsamhallet", ("sdf", "kulturskolan"), "trygghet", "kort", "fritid"),
    ("Medborgardialog om torgets framtid", "mobilisera", "sdf", (), "boende", "medel", "fortroende"),
    ("Stöd till avhoppare ur gruppen", "minska_basen", "sdf-ifo", ("polisen",), "trygghet", "medel", "fortroende"),
    ("Tidiga insatser för barn 8–12 år i riskzon", "minska_basen", "sdf-ifo", ("skolan",), "utbildning", "lang", "skola"),
    ("Mentorer för unga i årskurs 7–9", "minska_basen", "skolan", ("civilsamhallet",), "utbildning", "medel", "skola"),
    ("Feriejobb för unga från området", "minska_basen", "arbetsformedlingen", ("sdf",), "arbete", "kort", "fritid"),
    ("Sociala insatsgrupper", "minska_basen", "sdf-ifo", ("polisen", "skolan"), "trygghet", "medel", "fritid"),
    ("Öppenvårdspsykiatri på plats en dag i veckan", "minska_basen", "region", ("sdf-ifo",), "trygghet", "medel", "drogfritt"),
    ("Vägen till arbete för unga vuxna", "minska_basen", "arbetsformedlingen", ("sdf",), "arbete", "lang", "fortroende"),
    ("Kontroll av penningflöden i verksamheter kring torget", "pengarna", "polisen", ("staden",), "trygghet", "medel", "drogfritt"),
    ("Tillsyn av serveringstillstånd", "pengarna", "staden", ("polisen",), "trygghet", "kort", "drogfritt"),
    ("Stöd till näringsidkare som utsätts för utpressning", "pengarna", "polisen", ("naringsidkare",), "arbete", "kort", "fortroende"),
    ("Granskning av bidrag till föreningar", "pengarna", "sdf", (), "trygghet", "medel", "fortroende"),
    ("Samordnad tillsyn av kiosker och spelombud", "pengarna", "staden", ("polisen", "raddningstjansten"), "trygghet", "kort", "drogfritt"),
    ("Brottsförebyggande råd för Hässelby", "arenor", "sdf", ("polisen", "fastighetsagare", "civilsamhallet"), "trygghet", "lang", "fortroende"),
    ("Samverkansforum med näringsidkarna", "arenor", "fastighetsagare", ("naringsidkare", "polisen"), "arbete", "medel", "platser"),
    ("Gemensam kommunikationsplan om torget", "arenor", "sdf", ("polisen", "staden"), "boende", "kort", "fortroende"),
    ("Digital kanal för boendes iakttagelser", "arenor", "sdf", ("polisen",), "boende", "kort", "fortroende"),
    ("Skolornas trygghetsråd", "arenor", "skolan", ("sdf",), "utbildning", "medel", "skola"),
    ("Ny belysning i gångtunneln", "situationell", "trafikkontoret", (), "trygghet", "kort", "platser"),
    ("Beskära häckarna vid tunnelbaneuppgången", "situationell", "trafikkontoret", ("fastighetsagare",), "trygghet", "kort", "drogfritt"),
    ("Tätare städning av torget kvällstid", "situationell", "fastighetsagare", ("trafikkontoret",), "trygghet", "kort", "platser"),
    ("Sanera klotter inom ett dygn", "situationell", "fastighetsagare", (), "trygghet", "kort", "platser"),
    ("Stänga garagets nattöppning", "situationell", "fastighetsagare", ("polisen",), "boende", "kort", "drogfritt"),
    ("Belysning bakom busshållplatsen", "situationell", "trafikkontoret", ("sl",), "trygghet", "kort", "platser"),
    ("Ombyggnad av torgets möblering", "situationell", "staden", ("trafikkontoret", "fastighetsagare"), "boende", "lang", "platser"),
    ("Laga trasig utrustning inom en vecka", "situationell", "trafikkontoret", (), "trygghet", "kort", "platser"),
    ("Personal i tunnelbanans entré kvällstid", "situationell", "mtr", ("sl",), "trygghet", "kort", "platser"),
    ("Kvällsfotboll i Hässelby", "positiva", "civilsamhallet", ("sdf",), "utbildning", "kort", "fritid"),
    ("Sommarscen på torget", "positiva", "kulturskolan", ("sdf", "naringsidkare"), "trygghet", "kort", "fritid"),
    ("Bibliotekets läxhjälp kvällstid", "positiva", "biblioteket", ("skolan",), "utbildning", "medel", "skola"),
    ("Öppen fritidsgård fredagar", "positiva", "sdf", ("civilsamhallet",), "utbildning", "kort", "fritid"),
    ("Kulturskolan på torget", "positiva", "kulturskolan", (), "utbildning", "medel", "fritid"),
    ("Julmarknad med föreningarna", "positiva", "fastighetsagare", ("civilsamhallet", "naringsidkare"), "trygghet", "kort", "platser"),
    ("Lovaktiviteter under skolloven", "positiva", "sdf", ("civilsamhallet", "kulturskolan"), "utbildning", "kort", "fritid"),
    ("Idrottsföreningarnas prova-på-dagar", "positiva", "civilsamhallet", ("skolan",), "utbildning", "kort", "fritid"),
    ("Förskolans utevistelse på torget", "positiva", "sdf", (), "utbildning", "kort", "skola"),
    ("Trygghetsmätning varje år", "arenor", "polisen", ("sdf",), "trygghet", "lang", "fortroende"),
    ("Uppsökande arbete bland missbrukare på torget", "minska_basen", "sdf-ifo", ("region",), "trygghet", "kort", "drogfritt"),
]

SORTING = [{"size": "liten", "complexity": "enkel", "level": "symptom", "mandate": "inom", "urgency": "bradskande",
            "approach": "reaktiv", "priority": 1},
           {"size": "stor", "complexity": "komplex", "level": "orsak", "mandate": "utanfor", "urgency": "kan_vanta",
            "approach": "preventiv", "priority": 3, "synergy": True},
           {"size": "liten", "complexity": "komplex", "level": "orsak", "mandate": "inom", "urgency": "bradskande",
            "approach": "preventiv", "priority": 2, "synergy": True}]
DEVIATIONS = ["Personal saknades under semestern", "Leveransen försenades", "Färre deltagare än planerat",
              "Tillståndet dröjde", "Budgeten räckte inte"]
SUCCESS = ["Fastighetsägaren ställde upp direkt", "Föreningarna tog eget ansvar", "Polis och socialtjänst planerade tillsammans",
           "Snabba beslut i operativa gruppen", "Boende deltog aktivt"]
SUPPORT = ["Beslut om finansiering av kameror", "Mer personal till fältgruppen under sommaren",
           "Ändrade öppettider i garaget kräver beslut av centrumägaren", "Långsiktig finansiering av nattvandringen",
           "Samordning med staden centralt om torgets ombyggnad"]
HORIZON_DAYS = {"kort": 120, "medel": 900, "lang": 2500}


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def measures_story(ledger: Ledger, rng: random.Random) -> None:
    ids = _conference(ledger, rng)
    for k, at in enumerate(OPERATIONAL):
        _operational_meeting(ledger, rng, k, at, ids, (OPS, POLICE)[k % 2])  # the chair alternates
        for strategic_at in [s for s in STRATEGIC if at < s <= at + timedelta(weeks=3)]:
            _strategic_meeting(ledger, rng, strategic_at, ids)


def _meeting(ledger: Ledger, rng: random.Random, group: str, at: datetime, title: str,
             attendees: list[tuple[str, str]]) -> uuid.UUID:
    body = {"id": str(_uuid(rng)), "group": group, "date": at.date().isoformat(), "title": title,
            "attendees": [{"name": n, "org": o} for n, o in attendees]}
    with clock.frozen_at(at - timedelta(days=7)):
        return uuid.UUID(ledger.schedule_meeting(OPS if group == "operational" else STRATEGIST, body).id)


def _decisions(ledger: Ledger, rng: random.Random, meeting: uuid.UUID, at: datetime, by: Actor,
               decisions: list[tuple[str, list[uuid.UUID], list[str]]], conclusions: str) -> None:
    for i, (text, measures, case_ids) in enumerate(decisions):
        with clock.frozen_at(at + timedelta(minutes=5 + i)):
            ledger.record_decision(by, meeting, {"id": str(_uuid(rng)), "text": text,
                                                 "measures": [str(m) for m in measures], "cases": case_ids})
    with clock.frozen_at(at + timedelta(hours=2)):
        version = ledger.meeting(meeting).version
        ledger.hold_meeting(by, meeting, version, conclusions=conclusions, attendees=None)


def _conference(ledger: Ledger, rng: random.Random) -> list[uuid.UUID]:
    """May 2018: the organisations agree on the situation picture and brainstorm the gross list."""
    meeting = _meeting(ledger, rng, "strategic", CONFERENCE, "Konferens: återerövra Hässelby torg",
                       [("Stadsdelsdirektören", "sdf"), ("Lokalpolisområdeschefen", "polisen"),
                        ("Centrumägaren", "fastighetsagare"), ("Trafikkontoret", "trafikkontoret"),
                        ("MTR", "mtr"), ("Föreningsrådet", "civilsamhallet")])
    ids: list[uuid.UUID] = []
    created: list[Measure] = []
    for i, (what, palette, owner, partners, track, horizon, focus) in enumerate(GROSS_LIST):
        mid = _uuid(rng)
        start = (CONFERENCE + timedelta(days=24 + 7 * (i % 12))).date()
        plan: dict[str, Any] = {
            "what": what, "start": start.isoformat(),
            "end": (start + timedelta(days=HORIZON_DAYS[horizon] + rng.randint(-20, 40))).isoformat(),
            "goal": f"{what.split(' ')[0]}: mätbar förbättring på torget", "resources": rng.choice(
                ["Befintlig personal", "Extra budget 200 tkr", "Två fältassistenter", "Entreprenör", "Ideella krafter"]),
            "indicators_text": rng.choice(["Färre iakttagelser i Koll", "Trygghetsmätningen", "Antal deltagare",
                                           "Polisens lägesbedömning"]),
            "achieved": None, "owner_org": owner, "owner_person": None, "follow_up": "Operativa gruppen var tredje vecka",
            "palette": palette, "track": track, "horizon": horizon, "focus_area": focus,
            "sorting": SORTING[i % len(SORTING)], "partners": list(partners),
        }
        indicators = _indicators(what)
        with clock.frozen_at(CONFERENCE + timedelta(hours=3, minutes=i)):
            created.append(Measure.propose(OPS, id=mid, area=ledger.area_for(OPS, None),
                                           fingerprint=fingerprint_of({"id": str(mid), **plan}),
                                           plan=plan, indicators=indicators))
        ids.append(mid)
    ledger.save(*created)  # the gross list, as it was written on the day
    _decisions(ledger, rng, meeting, CONFERENCE, STRATEGIST, [
        ("En gemensam, ocensurerad lägesbild för torget", [], []),
        ("Bruttolistan fastställs; operativa gruppen prioriterar och följer upp var tredje vecka", ids[:5], []),
        ("Fem fokusområden gäller för arbetet", [], []),
    ], "Mycket görs redan – nu ska vi ha koll på helheten.")
    return ids


def _indicators(what: str) -> list[dict[str, Any]]:
    if what.startswith("Riktade kontroller"):
        return [{"code": "droghandel", "name": "Iakttagelser av droghandel per vecka", "source": "computed",
                 "categories": ["SOC"], "places": ["torget", "tunnelbaneuppgangen"], "direction": "down"},
                {"code": "polisens-bedomning", "name": "Polisens bedömning av läget (1–5)", "source": "manual",
                 "baseline": 4, "target": 2, "direction": "down", "unit": "skala"}]
    if what.startswith("Tätare städning"):
        return [{"code": "nedskrapning", "name": "Nedskräpning per vecka", "source": "computed",
                 "categories": ["REN"], "places": [], "direction": "down"}]
    if what.startswith("Trygghetsmätning"):
        return [{"code": "otrygga", "name": "Andel otrygga kvällstid (trygghetsmätning)", "source": "manual",
                 "baseline": 48, "target": 30, "direction": "down", "unit": "%"}]
    return []


def _operational_meeting(ledger: Ledger, rng: random.Random, k: int, at: datetime, ids: list[uuid.UUID],
                         by: Actor) -> None:
    meeting = _meeting(ledger, rng, "operational", at, f"Operativa gruppen, möte {k + 1}",
                       [("Samordnaren", "sdf"), ("Kommunpolisen", "polisen"), ("Fältgruppen", "sdf-ifo"),
                        ("Centrumägaren", "fastighetsagare"), ("Trafikkontoret", "trafikkontoret")])
    loaded = {mid: ledger.measure(mid) for mid in ids}
    touched: dict[str, list[uuid.UUID]] = {"decided": [], "started": [], "done": [], "escalated": [], "drift": []}
    # Decide in waves, start the wave before, finish short ones after about two cycles.
    waves = [range(0, 18), range(18, 28), range(28, 36), range(36, 42)]
    for i, mid in enumerate(ids):
        m = loaded[mid]
        with clock.frozen_at(at + timedelta(minutes=10 + i)):
            if k < len(waves) and i in waves[k] and m.status == "idea":
                m.decide(by, meeting_id=str(meeting))
                touched["decided"].append(mid)
            elif m.status == "decided" and (i % 7 != 3 or k >= 6):
                m.start_work(by)
                touched["started"].append(mid)
            elif m.status == "started" and m.horizon == "kort" and rng.random() < 0.35 and i % 9 != 4:
                outcome = rng.choices(["full", "partly", "not_reached"], weights=[6, 3, 1])[0]
                m.complete(by, outcome=outcome, achieved="Genomfört enligt plan" if outcome == "full" else "Delvis genomfört",
                           deviation_reason=None if outcome == "full" else rng.choice(DEVIATIONS),
                           success_factors=rng.choice(SUCCESS) if outcome != "not_reached" else None)
                touched["done"].append(mid)
                if i % 4 == 0:
                    m.move_to_operations(by, note="Ingår nu i ordinarie verksamhet")
                    touched["drift"].append(mid)
            elif m.status == "started" and m.horizon != "kort" and k >= 5 and i % 5 == 0 and not m.in_operations:
                m.move_to_operations(by, note="Finansieras inom ordinarie budget")
                touched["drift"].append(mid)
            if k in (1, 4) and m.status == "started" and i % 11 == 5:
                m.pause(by, reason=rng.choice(DEVIATIONS))
            elif k in (3, 6) and m.status == "paused":
                m.start_work(by, note="Återupptas")
            if m.status in ("decided", "started") and i % 10 == k:
                m.escalate(by, support_needed=SUPPORT[i % len(SUPPORT)])
                touched["escalated"].append(mid)
            if k == 4 and m.status == "idea" and i >= 47:
                m.cancel(by, reason="Stryks från bruttolistan: ryms inte i mandatet")
            if k == 1 and m.palette == "situationell" and m.status in ("started", "decided"):
                for case_id in _cases_near(ledger, m.focus_area, at, 1 + i % 2):
                    m.link_case(by, case_id=case_id)
            for ind in m.indicators:
                if ind["source"] == "manual" and k % 3 == 2:
                    value = ind["baseline"] - (ind["baseline"] - ind["target"]) * (k + 1) / 10 + rng.uniform(-1, 1)
                    m.record_indicator_value(by, indicator=ind["code"], value=round(value, 1),
                                             measured_on=at.date().isoformat(), source="trygghetsmätning")
    changed = [m for m in loaded.values() if m.pending_events]
    with clock.frozen_at(at + timedelta(minutes=5)):
        ledger.save(*changed)  # one meeting, one transaction (events keep their own times)
    decisions = [(f"{len(v)} insatser: {label}", v, []) for label, v in (
        ("beslutade", touched["decided"]), ("påbörjade", touched["started"]), ("genomförda", touched["done"]),
        ("eskaleras till strategiska gruppen", touched["escalated"]), ("in i ordinarie drift", touched["drift"]))
        if v]
    _decisions(ledger, rng, meeting, at, by, decisions,
               "Fortsatt fokus på kvällstid och mörker; följ upp eskaleringarna med strategiska gruppen.")


def _cases_near(ledger: Ledger, focus: str, before: datetime, n: int) -> list[str]:
    groups = {"drogfritt": ["SOC"], "platser": ["REN", "BEL", "KLO", "VEG", "FYS"]}.get(focus, ["UPP"])
    with ledger.store.read() as conn:
        return [r[0] for r in conn.execute(
            sa.select(cases.c.case_id).where(cases.c.group_code.in_(groups),
                                             cases.c.opened_at < before.replace(tzinfo=None))
            .order_by(cases.c.opened_at, cases.c.case_id).limit(n))]


def _strategic_meeting(ledger: Ledger, rng: random.Random, at: datetime, ids: list[uuid.UUID]) -> None:
    meeting = _meeting(ledger, rng, "strategic", at, "Strategiska gruppen: återrapport",
                       [("Stadsdelsdirektören", "sdf"), ("Lokalpolisområdeschefen", "polisen"),
                        ("Staden centralt", "staden"), ("Centrumägaren", "fastighetsagare")])
    escalated = [mid for mid in ids if ledger.measure(mid).support_needed]
    _decisions(ledger, rng, meeting, at, STRATEGIST, [
        ("Återrapporten från operativa gruppen mottagen", [], []),
        ("Stöd beviljas för de eskalerade insatserna", escalated[:3], []),
        ("Resterande eskaleringar bereds till nästa möte", escalated[3:], []),
    ], "Insatserna ska över tid föras in i ordinarie drift; fler organisationer ska bära dem tillsammans.")

