"""The demo's measures, told on the report's calendar: mobilisation in 2018, then the work.

- May 2018: the mobilisation conference, about 70 people from a dozen organisations, produces
  the shared situation picture (gemensam lägesbild).
- Then the inventory ("Mycket görs redan idag – men ingen har koll på helheten"): what each
  organisation already does, recorded as measures already running, started in the past.
- Then the gross list (bruttolista): new ideas, brainstormed, sorted, some utopian.
- The operational group (MTR's security chief in it) every three weeks from June 2018 to the
  report's autumn 2019, deciding, starting, finishing, moving work into ordinary operations and
  escalating to the strategic group, which meets about once a quarter.

Names and owners are the report's (page "Detta gör vi idag": Kommunikation has the safety
survey, Trafikkontoret the graffiti removal and the safety walks, the district centrally the
business cooperation, …). Every date is shifted by ``shift`` (whole weeks: see demo.py), so
the story can end on the day it is loaded. Deterministic: the same seed tells the same story.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.application import Ledger, fingerprint_of
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor
from koll.ledger.domain.measure import Measure
from koll.ledger.projections.situation import cases
from koll.schema import glossary

OPS = Actor("operativ", "operational", "sdf")
POLICE = Actor("polis", "operational", "polisen")
STRATEGIST = Actor("strateg", "strategic", "staden")

UTC = timezone.utc
CONFERENCE = datetime(2018, 5, 8, 7, 0, tzinfo=UTC)  # a full day in May, about 70 people
INVENTORY = datetime(2018, 5, 25, 11, 0, tzinfo=UTC)  # the operational group's first meeting
GROSS_LIST_DAY = datetime(2018, 6, 15, 11, 0, tzinfo=UTC)  # the brainstorm: the gross list
# The operational group meets every three weeks, from the gross list to the report's autumn 2019.
OPERATIONAL = [GROSS_LIST_DAY + timedelta(weeks=3 * k) for k in range(1, 23)]
STRATEGIC = [datetime(2018, 9, 7, 12, 0, tzinfo=UTC), datetime(2018, 12, 7, 12, 0, tzinfo=UTC),
             datetime(2019, 3, 8, 12, 0, tzinfo=UTC), datetime(2019, 6, 7, 12, 0, tzinfo=UTC),
             datetime(2019, 9, 13, 12, 0, tzinfo=UTC)]
STORY_END = OPERATIONAL[-1]

# The operational group: people with a mandate at home; MTR's security chief takes part.
OPERATIONAL_GROUP = [("Samordnaren för trygghetsarbetet", "sdf"), ("Kommunpolisen", "polisen"),
                     ("Säkerhetschefen, MTR", "mtr"), ("Enhetschef, IFO", "sdf-ifo"),
                     ("Centrumägaren", "fastighetsagare"), ("Trafikkontoret", "trafikkontoret"),
                     ("Preventionssamordnaren", "sdf")]
STRATEGIC_GROUP = [("Stadsdelsdirektören", "sdf"), ("Lokalpolisområdeschefen", "polisen"),
                   ("Staden centralt", "staden"), ("Fastighetsägarföreningen", "fastighetsagare"),
                   ("Rektorsgruppen", "skolan")]
# Who came to the conference, by organisation: 70 people from twelve organisations.
CONFERENCE_ATTENDANCE = [("sdf", 14), ("sdf-ifo", 8), ("polisen", 9), ("skolan", 7), ("fastighetsagare", 5),
                         ("naringsidkare", 4), ("civilsamhallet", 9), ("trafikkontoret", 3), ("mtr", 3),
                         ("sl", 2), ("raddningstjansten", 2), ("staden", 4)]


@dataclass(frozen=True)
class Planned:
    """One line of the plan: the Excel columns plus how it goes in the story."""
    what: str
    palette: str
    owner: str
    partners: tuple[str, ...]
    track: str
    horizon: str
    focus: str
    goal: str
    resources: str
    indicators_text: str
    # the story: "running" (already under way at the inventory), "done", "drift" (into ordinary
    # operations), "started" (still going), "late", "cancelled", "idea" (still on the gross list)
    fate: str
    since: date | None = None  # already running since (the inventory)
    wave: int = 0  # the operational meeting that decides it (gross list only)
    indicators: list[dict[str, Any]] = field(default_factory=list)


DEALING = [{"code": "droghandel", "name": "Iakttagelser av öppen droghandel per vecka", "source": "computed",
            "categories": ["SOC-01", "SOC-10"], "places": ["torget", "tunnelbaneuppgangen"], "direction": "down"}]
LITTER = [{"code": "nedskrapning", "name": "Nedskräpning per vecka", "source": "computed",
           "categories": ["REN"], "places": [], "direction": "down"}]
GRAFFITI = [{"code": "klotter", "name": "Klotter per vecka", "source": "computed",
             "categories": ["KLO"], "places": [], "direction": "down"}]
SURVEY = [{"code": "otrygga", "name": "Andel som känner sig otrygga kvällstid (trygghetsmätningen)",
           "source": "manual", "baseline": 48, "target": 30, "direction": "down", "unit": "%"}]

# What was already done when the inventory was made (the report's page "Detta gör vi idag").
INVENTORY_LIST: list[Planned] = [
    Planned("Säkerhetschefen deltar i operativa gruppen; förbättrad rapportering", "arenor", "mtr", ("sl",),
            "trygghet", "kort", "platser", "Tunnelbanans iakttagelser når operativa gruppen",
            "Säkerhetschefens tid", "Rapporter från tunnelbanan i Koll", "running", date(2018, 3, 1)),
    Planned("Säkerhetsarbete i kollektivtrafiken", "situationell", "sl", ("mtr",), "trygghet", "kort", "platser",
            "Trygg väg till och från tunnelbanan", "SL:s säkerhetsavdelning", "Hot mot personal", "running",
            date(2016, 1, 1)),
    Planned("Platssamverkan Hässelby torg", "arenor", "sdf-centralt", ("fastighetsagare", "polisen", "naringsidkare"),
            "boende", "medel", "platser", "Ett gemensamt ansvar för torget mellan stad, polis och fastighetsägare",
            "Samordnare på stadsdelen", "Åtgärdade felanmälningar", "running", date(2017, 9, 1)),
    Planned("Samverkan och mobilisering av näringslivet kring torget", "mobilisera", "sdf-centralt",
            ("naringsidkare", "fastighetsagare"), "arbete", "medel", "platser",
            "Näringsidkarna deltar i arbetet och anmäler hot och utpressning", "Näringslivssamordnaren",
            "Antal näringsidkare som deltar", "running", date(2018, 2, 1)),
    Planned("IOP Brommapojkarna", "positiva", "sdf-prevention", ("civilsamhallet",), "utbildning", "medel", "fritid",
            "Fotboll och förebilder för barn och unga på kvällar och lov", "Idéburet offentligt partnerskap",
            "Antal deltagare", "running", date(2017, 8, 1)),
    Planned("Sociala insatsgrupper (SIG)", "minska_basen", "sdf-ifo", ("polisen", "skolan"), "trygghet", "medel",
            "fritid", "Unga som riskerar att rekryteras får en samordnad väg ut", "Socialsekreterare och polis",
            "Antal unga i SIG", "running", date(2017, 3, 1)),
    Planned("Lokal områdesgrupp 6–12 år", "minska_basen", "sdf-prevention", ("skolan", "polisen", "sdf-ifo"),
            "utbildning", "medel", "skola", "Oro för barn 6–12 år fångas tidigt och tas om hand",
            "Befintlig personal i skola, socialtjänst och polis", "Antal ärenden i områdesgruppen", "running",
            date(2017, 1, 15)),
    Planned("Nattvandring fredagar och lördagar", "mobilisera", "civilsamhallet", ("sdf-prevention",), "trygghet",
            "kort", "fritid", "Vuxna på torget kvällstid", "Ideella nattvandrare, västar och fika",
            "Antal kvällar med nattvandrare", "running", date(2015, 5, 1)),
    Planned("Klottersanering inom ett dygn", "situationell", "trafikkontoret", ("fastighetsagare",), "trygghet",
            "kort", "platser", "Klotter tas bort inom 24 timmar", "Saneringsentreprenör", "Klotter per vecka",
            "running", date(2016, 4, 1), indicators=GRAFFITI),
    Planned("Kontakt med centrumägaren om skötsel", "situationell", "trafikkontoret", ("fastighetsagare",),
            "boende", "kort", "platser", "Skötseln av torget följs upp varje månad", "Trafikkontorets förvaltare",
            "Åtgärdade felanmälningar", "running", date(2017, 2, 1)),
    Planned("Trygghetsvandringar med boende", "mobilisera", "trafikkontoret", ("sdf", "polisen", "fastighetsagare"),
            "boende", "medel", "platser", "Boendes iakttagelser blir åtgärder", "Trafikkontoret leder, alla går med",
            "Iakttagelser per vandring och åtgärdade", "running", date(2016, 9, 1)),
    Planned("Felanmälningar från torget", "situationell", "trafikkontoret", (), "boende", "kort", "platser",
            "Fel på torget åtgärdas inom en vecka", "Felanmälan och entreprenör", "Tid till åtgärd", "running",
            date(2015, 1, 1)),
    Planned("Programarbete för ombyggnad av torget", "situationell", "trafikkontoret", ("staden", "fastighetsagare"),
            "boende", "lang", "platser", "Ett torg byggt för trygghet och trivsel", "Stadsbyggnadsmedel",
            "Beslut om program", "running", date(2018, 1, 15)),
    Planned("Trygghetsmätning", "arenor", "sdf-kommunikation", ("polisen",), "trygghet", "lang", "fortroende",
            "Följa hur trygga de boende känner sig, år för år", "Enkät till boende, analys",
            "Andel otrygga kvällstid", "running", date(2015, 3, 1), indicators=SURVEY),
    Planned("LVM-lots", "minska_basen", "sdf-ifo", ("region",), "trygghet", "medel", "drogfritt",
            "Personer som vårdats enligt LVM får stöd tillbaka", "Lots på IFO", "Antal personer med lots",
            "running", date(2017, 10, 1)),
    Planned("Uppsökande verksamhet bland vuxna med missbruk", "minska_basen", "sdf-ifo", ("polisen",), "trygghet",
            "kort", "drogfritt", "Kontakt och stöd till de som dricker öppet på torget", "Två uppsökare",
            "Antal kontakter", "running", date(2016, 6, 1)),
    Planned("\"Nya vägar\" med förskolan", "minska_basen", "sdf-ifo", ("forskolan",), "utbildning", "lang", "skola",
            "Familjer i behov av stöd nås redan i förskolan", "Socialsekreterare i förskolan",
            "Antal familjer", "running", date(2017, 8, 15)),
    Planned("ABC-föräldraträffar", "positiva", "skolan", ("forskolan",), "utbildning", "medel", "skola",
            "Föräldrar får stöd i föräldraskapet", "Utbildade gruppledare", "Antal föräldrar som deltar",
            "running", date(2016, 9, 1)),
    Planned("Mentors in Violence Prevention", "minska_basen", "skolan", (), "utbildning", "medel", "skola",
            "Elever säger ifrån mot våld och kränkningar", "MVP-utbildade lärare", "Antal klasser med MVP",
            "running", date(2017, 8, 20)),
    Planned("Räddningstjänstens inspektioner, skolbesök och fotboll", "positiva", "raddningstjansten", ("skolan",),
            "utbildning", "kort", "fritid", "Färre anlagda bränder, goda kontakter med unga",
            "Räddningstjänstens personal", "Anlagda bränder", "running", date(2016, 1, 1)),
    Planned("Polisens patrullering med fokus på missbrukare och narkotika", "inkapacitera", "polisen", (),
            "trygghet", "kort", "drogfritt", "Synlig polis på torget", "Lokalpolisområdets patruller",
            "Polisens lägesbedömning", "running", date(2015, 1, 1)),
    Planned("Fokus gäng: identifiera och kartlägga", "inkapacitera", "polisen", ("sdf-ifo",), "trygghet", "medel",
            "drogfritt", "En aktuell bild av nätverket och dess rekrytering", "Underrättelsetjänsten",
            "Polisens lägesbedömning", "running", date(2017, 5, 1)),
    Planned("Brottsförebyggande arbete bland unga och på ungdomsgårdarna", "minska_basen", "polisen",
            ("sdf-prevention",), "utbildning", "medel", "fritid", "Unga möter polisen i trygga sammanhang",
            "Ungdomspoliser", "Antal besök", "running", date(2016, 3, 1)),
    Planned("Grannsamverkan", "mobilisera", "civilsamhallet", ("polisen",), "boende", "medel", "fortroende",
            "Grannar ser och säger till", "Polisens grannsamverkanssamordnare", "Antal hus med grannsamverkan",
            "running", date(2014, 9, 1)),
    Planned("Föräldrarådgivare i förskolan", "positiva", "forskolan", ("sdf-ifo",), "utbildning", "lang", "skola",
            "Fler barn skrivs in i förskolan", "Två föräldrarådgivare", "Inskrivningsgrad i förskolan",
            "running", date(2017, 1, 9)),
]

# The gross list: new ideas from the brainstorm, decided in waves (the meeting index).
GROSS_LIST: list[Planned] = [
    Planned("Riktade kontroller mot den öppna droghandeln kvällstid", "inkapacitera", "polisen", (), "trygghet",
            "kort", "drogfritt", "Ingen öppen droghandel på torget eller vid tunnelbaneuppgången",
            "Två extra patruller fredag och lördag kväll", "Iakttagelser av öppen droghandel", "done", wave=0,
            indicators=DEALING),
    Planned("Kameraövervakning vid tunnelbaneuppgången", "inkapacitera", "polisen", ("mtr", "sl"), "trygghet", "kort",
            "drogfritt", "Försvåra och fördriva droghandeln vid entrén", "Tillstånd och kameror (MTR och polisen)",
            "Iakttagelser av öppen droghandel", "late", wave=1, indicators=DEALING),
    Planned("Beskära häckarna vid tunnelbaneuppgången", "situationell", "trafikkontoret", ("fastighetsagare",),
            "trygghet", "kort", "drogfritt", "Inga gömställen för utsättning", "Parkentreprenören",
            "Utsättning vid entrén", "done", wave=0),
    Planned("Tätare städning av torget kvällstid", "situationell", "fastighetsagare", ("trafikkontoret",), "trygghet",
            "kort", "platser", "Ett rent torg varje morgon", "Utökat städavtal", "Nedskräpning per vecka", "drift",
            wave=0, indicators=LITTER),
    Planned("Ny belysning i gångtunneln", "situationell", "trafikkontoret", (), "trygghet", "kort", "platser",
            "Ingen mörk sträcka mellan torget och bussen", "Nya armaturer", "Iakttagelser om belysning", "done",
            wave=0),
    Planned("Belysning bakom busshållplatsen", "situationell", "trafikkontoret", ("sl",), "trygghet", "kort",
            "platser", "Ljust vid busskuren", "Två nya stolpar", "Iakttagelser om belysning", "done", wave=1),
    Planned("Stänga garaget nattetid", "situationell", "fastighetsagare", ("polisen",), "boende", "kort", "platser",
            "Garaget används inte som bostad eller toalett", "Nya portar och väktarrond",
            "Iakttagelser i garaget", "done", wave=2),
    Planned("Ordningsvakter i centrum kvällstid", "inkapacitera", "fastighetsagare", ("naringsidkare", "polisen"),
            "trygghet", "kort", "platser", "Stöd till butikerna och personalen kvällstid", "Två ordningsvakter",
            "Hot mot personal", "started", wave=1),
    Planned("Fältassistenter på torget fredag och lördag kväll", "inkapacitera", "sdf-ifo", ("polisen",), "trygghet",
            "kort", "fritid", "Unga på torget möter vuxna som känner dem", "Två fältassistenter",
            "Kontakter med unga", "drift", wave=0),
    Planned("Stöd till näringsidkare som utsätts för hot och utpressning", "pengarna", "polisen",
            ("naringsidkare", "sdf-centralt"), "arbete", "kort", "fortroende", "Näringsidkare vågar anmäla",
            "Kontaktpolis för handlarna", "Anmälningar av utpressning", "done", wave=1),
    Planned("Tillsyn av serveringstillstånd kring torget", "pengarna", "staden", ("polisen",), "trygghet", "kort",
            "drogfritt", "Restaurangen fungerar inte som bas", "Tillståndsenhetens tillsyn",
            "Genomförda tillsyner", "done", wave=2),
    Planned("Kontroll av penningflöden i verksamheter kring torget", "pengarna", "polisen", ("staden",), "trygghet",
            "medel", "drogfritt", "Pengarna från droghandeln stryps", "Ekobrottsutredare",
            "Polisens lägesbedömning", "started", wave=3),
    Planned("Spontanfotboll kvällstid", "positiva", "sdf-prevention", ("civilsamhallet",), "utbildning", "kort",
            "fritid", "Unga har något att göra på kvällarna", "Fritidsledare och en plan", "Antal deltagare",
            "drift", wave=0),
    Planned("Sommarscen på torget", "positiva", "kulturskolan", ("sdf", "naringsidkare"), "trygghet", "kort",
            "fritid", "Vanligt folk stannar på torget", "Scen, ljud och artister", "Besökare", "done", wave=0),
    Planned("Kulturskolan stannar på torget", "positiva", "kulturskolan", ("fastighetsagare",), "utbildning", "medel",
            "fritid", "De goda krafterna finns kvar på torget", "Lokal till rimlig hyra", "Elever på torget",
            "started", wave=2),
    Planned("Öppen mötesplats för föreningslivet", "arenor", "sdf", ("civilsamhallet", "fastighetsagare"), "boende",
            "medel", "fortroende", "Civilsamhället har en träffpunkt vid torget", "En lokal och en samordnare",
            "Föreningar som använder lokalen", "started", wave=4),
    Planned("Föräldravandringar i samarbete med skolorna", "mobilisera", "skolan", ("civilsamhallet",), "utbildning",
            "kort", "skola", "Föräldrar syns på torget under loven", "Skolornas föräldraföreningar",
            "Antal vandrande föräldrar", "done", wave=1),
    Planned("Lovaktiviteter under skolloven", "positiva", "sdf-prevention", ("civilsamhallet", "kulturskolan"),
            "utbildning", "kort", "fritid", "Färre rån av och mot unga under loven", "Lovmedel",
            "Rån av och mot unga under loven", "drift", wave=0),
    Planned("Samordnade orosanmälningar för unga i gruppen", "inkapacitera", "sdf-ifo", ("skolan", "polisen"),
            "utbildning", "kort", "skola", "Varje ung som syns i gruppen får en orosanmälan som följs upp",
            "Rutin mellan skola, polis och IFO", "Antal uppföljda anmälningar", "drift", wave=1),
    Planned("Stöd till avhoppare", "minska_basen", "sdf-ifo", ("polisen",), "trygghet", "medel", "fortroende",
            "Den som vill lämna gänget får hjälp", "Avhopparverksamhet", "Antal avhopp", "started", wave=3),
    Planned("Feriejobb för unga från området", "minska_basen", "arbetsformedlingen", ("sdf",), "arbete", "kort",
            "fritid", "Sommarjobb i stället för droghandel", "Feriejobbsmedel", "Antal feriejobb", "done", wave=4),
    Planned("Öppenvårdspsykiatri på plats en dag i veckan", "minska_basen", "region", ("sdf-ifo",), "trygghet",
            "medel", "drogfritt", "Psykisk ohälsa möts på plats", "En sjuksköterska och en kurator",
            "Antal besök", "paused", wave=5),
    Planned("Gemensam kommunikationsplan: handling först, prat sedan", "arenor", "sdf-kommunikation",
            ("polisen", "staden"), "boende", "kort", "fortroende", "Boende får veta vad som görs när det redan görs",
            "Kommunikatör", "Trygghetsmätningen", "done", wave=2),
    Planned("Ombyggnad av torget", "situationell", "staden", ("trafikkontoret", "fastighetsagare"), "boende", "lang",
            "platser", "Ett öppet, ljust torg där man gärna vistas", "Investeringsbeslut i staden",
            "Beslut och byggstart", "started", wave=6),
    Planned("Blandade upplåtelseformer kring torget", "situationell", "staden", ("fastighetsagare",), "boende",
            "lang", "platser", "En blandad befolkning kring torget", "Stadsbyggnadskontoret", "Planbeslut",
            "idea"),
    Planned("Praktikplatser hos handlarna på torget", "minska_basen", "arbetsformedlingen",
            ("naringsidkare", "sdf-centralt"), "arbete", "kort", "fortroende", "Unga vuxna får en fot in",
            "Handledare hos handlarna", "Antal praktikplatser", "started", wave=5),
    Planned("Nya typer av företag i tomma lokaler", "positiva", "sdf-centralt", ("fastighetsagare",), "arbete",
            "lang", "platser", "Inga döda fasader", "Hyresrabatter", "Uthyrda lokaler", "idea"),
    Planned("Tunnelbana utan spärrar kvällstid", "situationell", "sl", ("mtr",), "trygghet", "kort", "platser",
            "En utopisk idé från brainstormen", "–", "–", "cancelled", wave=2),
    Planned("Flytta systembolaget från torget", "situationell", "staden", ("naringsidkare",), "trygghet", "medel",
            "drogfritt", "Den negativa magneten flyttas", "Förhandling med Systembolaget", "–", "cancelled", wave=3),
    Planned("Skolans nya roll som central arena i området", "arenor", "skolan", ("sdf", "civilsamhallet"),
            "utbildning", "lang", "skola", "Skolan är öppen kvällstid för föreningar och föräldrar",
            "Beslut i utbildningsnämnden", "Kvällar med öppen skola", "idea"),
]

HORIZON_DAYS = {"kort": 180, "medel": 730, "lang": 2200}
DEVIATIONS = ["Personal saknades under semestern", "Tillståndet dröjde", "Färre deltagare än planerat"]
SUCCESS = ["Fastighetsägaren ställde upp direkt", "Föreningarna tog eget ansvar",
           "Polis och socialtjänst planerade tillsammans", "Snabba beslut i operativa gruppen"]


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def measures_story(ledger: Ledger, rng: random.Random, shift: timedelta = timedelta(0)) -> dict[str, uuid.UUID]:
    """Tells the measures; returns the ids by what they are called."""
    story = _Story(ledger, rng, shift)
    story.conference()
    story.inventory()
    story.gross_list()
    for k, at in enumerate(OPERATIONAL):
        story.operational_meeting(k, at, (OPS, POLICE)[k % 2])  # the chair alternates
        for strategic_at in [s for s in STRATEGIC if at < s <= at + timedelta(weeks=3)]:
            story.strategic_meeting(strategic_at)
    return story.ids


class _Story:
    def __init__(self, ledger: Ledger, rng: random.Random, shift: timedelta) -> None:
        self.ledger, self.rng, self.shift = ledger, rng, shift
        self.ids: dict[str, uuid.UUID] = {}
        self.planned: dict[uuid.UUID, Planned] = {}

    def at(self, moment: datetime) -> datetime:
        return moment + self.shift

    def day(self, d: date) -> str:
        return (d + self.shift).isoformat()

    def meeting(self, group: str, at: datetime, title: str, attendees: list[tuple[str, str]]) -> uuid.UUID:
        body = {"id": str(_uuid(self.rng)), "group": group, "date": self.at(at).date().isoformat(), "title": title,
                "attendees": [{"name": n, "org": o} for n, o in attendees]}
        with clock.frozen_at(self.at(at) - timedelta(days=7)):
            return uuid.UUID(self.ledger.schedule_meeting(OPS if group == "operational" else STRATEGIST, body).id)

    def decisions(self, meeting: uuid.UUID, at: datetime, by: Actor,
                  decisions: list[tuple[str, list[uuid.UUID], list[str]]], conclusions: str) -> None:
        for i, (text, measures, case_ids) in enumerate(decisions):
            with clock.frozen_at(self.at(at) + timedelta(minutes=5 + i)):
                self.ledger.record_decision(by, meeting, {"id": str(_uuid(self.rng)), "text": text,
                                                          "measures": [str(m) for m in measures], "cases": case_ids})
        with clock.frozen_at(self.at(at) + timedelta(hours=2)):
            version = self.ledger.meeting(meeting).version
            self.ledger.hold_meeting(by, meeting, version, conclusions=conclusions, attendees=None)

    def conference(self) -> None:
        """May 2018: about 70 people from a dozen organisations agree on the situation picture."""
        meeting = self.meeting("mobilisation", CONFERENCE,
                               "Mobiliseringskonferens: en gemensam lägesbild för Hässelby torg", [])
        with clock.frozen_at(self.at(CONFERENCE) + timedelta(minutes=1)):  # counted at the door, by organisation
            self.ledger.record_attendance(STRATEGIST, meeting, self.ledger.meeting(meeting).version,
                                          [{"org": org, "count": n, "names": []} for org, n in CONFERENCE_ATTENDANCE])
        self.decisions(meeting, CONFERENCE, STRATEGIST, [
            ("En gemensam, ocensurerad lägesbild för torget: symptom, orsaker och vem som kan påverka vad", [], []),
            ("Fem fokusområden gäller för arbetet", [], []),
            ("Arbetet börjar på Hässelby torg; den operativa gruppen inventerar det som redan görs", [], []),
        ], "Torget ska återerövras till medborgarna: reducera otryggheten, stoppa det akuta våldet, "
           "återerövra det offentliga rummet.")

    def _propose(self, p: Planned, start: date, end: date | None, at: datetime) -> Measure:
        mid = _uuid(self.rng)
        plan: dict[str, Any] = {
            "what": p.what, "start": start.isoformat(), "end": end.isoformat() if end else None, "goal": p.goal,
            "resources": p.resources, "indicators_text": p.indicators_text, "achieved": None, "owner_org": p.owner,
            "owner_person": None, "follow_up": "Operativa gruppen var tredje vecka", "palette": p.palette,
            "track": p.track, "horizon": p.horizon, "focus_area": p.focus, "sorting": {}, "partners": list(p.partners),
        }
        with clock.frozen_at(self.at(at)):
            m = Measure.propose(OPS, id=mid, area=self.ledger.area_for(OPS, None),
                                fingerprint=fingerprint_of({"id": str(mid), **plan}), plan=plan,
                                indicators=p.indicators)
        self.ids[p.what], self.planned[mid] = mid, p
        return m

    def inventory(self) -> None:
        """'Mycket görs redan idag – men ingen har koll på helheten': what already runs, by organisation."""
        meeting = self.meeting("operational", INVENTORY, "Operativa gruppen: inventering av det som redan görs",
                               OPERATIONAL_GROUP)
        created = []
        for i, p in enumerate(INVENTORY_LIST):
            since = p.since + self.shift if p.since else None
            m = self._propose(p, since, None, INVENTORY + timedelta(minutes=i))
            with clock.frozen_at(self.at(INVENTORY) + timedelta(minutes=30 + i)):
                m.decide(OPS, meeting_id=str(meeting), note="Pågår redan: inventerat")
                m.start_work(OPS, on=since.isoformat(), note=f"Har pågått sedan {since.isoformat()}")
            created.append(m)
        self.ledger.save(*created)
        self.decisions(meeting, INVENTORY, OPS, [
            (f"{len(created)} insatser som redan pågår är inventerade, sorterade efter organisation",
             [m.id for m in created], []),
        ], "Det görs mycket redan idag – men ingen har koll på helheten och ingen synkroniserar.")

    def gross_list(self) -> None:
        meeting = self.meeting("operational", GROSS_LIST_DAY, "Operativa gruppen: bruttolistan", OPERATIONAL_GROUP)
        created = []
        for i, p in enumerate(GROSS_LIST):
            start = (OPERATIONAL[p.wave] + timedelta(days=7 + 3 * (i % 5))).date()
            end = start + timedelta(days=HORIZON_DAYS[p.horizon])
            if p.fate == "late":
                end = (OPERATIONAL[-4]).date()  # promised for the summer of 2019; still not there
            elif p.fate in ("started", "paused", "idea"):
                end = max(end, (STORY_END + timedelta(days=120)).date())  # still to be finished, not late
            created.append(self._propose(p, start + self.shift, end + self.shift, GROSS_LIST_DAY + timedelta(minutes=i)))
        self.ledger.save(*created)
        self.decisions(meeting, GROSS_LIST_DAY, OPS, [
            (f"Bruttolistan: {len(created)} idéer, stora och små, några helt utopiska", [m.id for m in created], []),
            ("Idéerna sorteras: stort och smått, enkelt och komplext, symptom och orsak, inom och utanför mandatet",
             [], []),
        ], "Börja med det som ger snabb och synlig effekt för de boende.")

    def operational_meeting(self, k: int, at: datetime, by: Actor) -> None:
        meeting = self.meeting("operational", at, f"Operativa gruppen, möte {k + 3}", OPERATIONAL_GROUP)
        loaded = {mid: self.ledger.measure(mid) for mid in self.planned}
        touched: dict[str, list[uuid.UUID]] = {k_: [] for k_ in ("decided", "started", "done", "drift", "escalated",
                                                                 "cancelled")}
        today = (at + self.shift).date()
        for i, (mid, m) in enumerate(loaded.items()):
            p = self.planned[mid]
            with clock.frozen_at(self.at(at) + timedelta(minutes=10 + i)):
                self._advance(k, today, m, p, meeting, by, touched)
                for ind in m.indicators:
                    if ind["source"] == "manual" and k % 6 == 5:  # the survey's results come in twice a year
                        value = ind["baseline"] - (ind["baseline"] - ind["target"]) * (k + 1) / 26
                        m.record_indicator_value(by, indicator=ind["code"], value=round(value, 1),
                                                 measured_on=today.isoformat(), source="trygghetsmätning")
                if k == 2 and p.palette == "situationell" and m.status == "started":
                    for case_id in _cases_near(self.ledger, p.focus, self.at(at), 1 + i % 2):
                        m.link_case(by, case_id=case_id)
        changed = [m for m in loaded.values() if m.pending_events]
        with clock.frozen_at(self.at(at) + timedelta(minutes=5)):
            self.ledger.save(*changed)  # one meeting, one transaction (events keep their own times)
        decisions = [(f"{glossary.count(len(v), 'measure')}: {label}", v, []) for label, v in (
            ("beslutade", touched["decided"]), ("påbörjade", touched["started"]), ("genomförda", touched["done"]),
            ("förs in i ordinarie drift", touched["drift"]), ("avbryts", touched["cancelled"]),
            ("eskaleras till strategiska gruppen", touched["escalated"])) if v]
        self.decisions(meeting, at, by, decisions or [("Uppföljning enligt planen; inga nya beslut", [], [])],
                       "Fortsatt fokus på kvällstid och mörker vid torget och tunnelbaneuppgången.")

    def _advance(self, k: int, today: date, m: Measure, p: Planned, meeting: uuid.UUID, by: Actor,
                 touched: dict[str, list[uuid.UUID]]) -> None:
        mid = m.id
        if p.fate == "running":
            if p.what.startswith("Trygghetsmätning") or k != 8 or p.horizon != "kort":
                return
            m.move_to_operations(by, note="Ingår i ordinarie verksamhet")  # a year on, the short ones stay
            touched["drift"].append(mid)
            return
        if m.status == "idea" and p.fate != "idea" and k == p.wave:
            if p.fate == "cancelled":
                m.cancel(by, reason="Utanför gruppens mandat och inte realistiskt")
                touched["cancelled"].append(mid)
                return
            m.decide(by, meeting_id=str(meeting))
            touched["decided"].append(mid)
        elif m.status == "decided" and k == p.wave + 1:
            m.start_work(by)
            touched["started"].append(mid)
        elif m.status == "started" and m.end and today >= date.fromisoformat(m.end) and p.fate in ("done", "drift"):
            full = p.fate == "drift" or len(p.what) % 4 != 0
            outcome = "full" if full else "partly"
            m.complete(by, outcome=outcome,
                       achieved="Målet nått: " + p.goal[0].lower() + p.goal[1:] if full else "Delvis: " + p.goal,
                       deviation_reason=None if full else DEVIATIONS[len(p.what) % len(DEVIATIONS)],
                       success_factors=SUCCESS[len(p.what) % len(SUCCESS)])
            touched["done"].append(mid)
            if p.fate == "drift":
                m.move_to_operations(by, note="Finansieras nu inom ordinarie budget")
                touched["drift"].append(mid)
        elif m.status == "started" and p.fate == "paused" and k == p.wave + 4:
            m.pause(by, reason="Lokalen saknas till hösten")
        if p.fate == "late" and m.status in ("decided", "started") and k == p.wave + 6:
            m.escalate(by, support_needed="Beslut om finansiering av kamerorna och tillstånd för kameraövervakning")
            touched["escalated"].append(mid)
        if p.what.startswith("Ombyggnad") and m.status == "started" and k == p.wave + 3:
            m.escalate(by, support_needed="Investeringsbeslut i staden för torgets ombyggnad")
            touched["escalated"].append(mid)

    def strategic_meeting(self, at: datetime) -> None:
        meeting = self.meeting("strategic", at, "Strategiska gruppen: återrapport från operativa gruppen",
                               STRATEGIC_GROUP)
        escalated = [mid for mid in self.planned if self.ledger.measure(mid).support_needed]
        self.decisions(meeting, at, STRATEGIST, [
            ("Återrapporten från operativa gruppen mottagen", [], []),
            *([("Stöd beviljas för de eskalerade insatserna", escalated, [])] if escalated else []),
        ], "Insatserna ska över tid föras in i ordinarie drift; fler organisationer ska bära dem tillsammans.")


def _cases_near(ledger: Ledger, focus: str, before: datetime, n: int) -> list[str]:
    groups = {"drogfritt": ["SOC"], "platser": ["REN", "BEL", "KLO", "VEG", "FYS"]}.get(focus, ["UPP"])
    with ledger.store.read() as conn:
        return [r[0] for r in conn.execute(
            sa.select(cases.c.case_id).where(cases.c.group_code.in_(groups),
                                             cases.c.opened_at < before.replace(tzinfo=None))
            .order_by(cases.c.opened_at, cases.c.case_id).limit(n))]
