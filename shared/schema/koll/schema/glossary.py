"""The shared glossary: the words the boards and the phone both say, as the users say them.

One place for the Swedish of the report (Hässelby torg): the boards (koll.ledger.web.i18n) and
the field app (koll.field.i18n) take these rather than their own spelling, so a measure is
"Avbruten" on the board and never "Inställd" elsewhere, and a walk notes "iakttagelser", never
"fynd". Each term is (Swedish, English). Counted nouns carry their singular and plural, and
``count`` puts the right one beside the number ("1 insats", "2 insatser").

Wording follows the report: "palettens sju insatsgrupper", "fyra spår och tre tidshorisonter",
"gör många olika slag", "arbeta gränsöverskridande", "för in i ordinarie drift".

Språket
-------
This module is the one place for a word the users see more than once: a page, the phone or a
mail that needs "insats", "utgångsläge" or "samverkanspartner" takes it from here (``term``) and
puts a number beside a noun with ``count`` (never "{n} rapporter" by hand: "1 rapport"). A date
in running text is written with ``long_date`` ("2 december 2026"), times on the 24-hour clock.
How the words were chosen: the report's own word first (insatsgrupp, tidshorisont, bruttolista,
lägesbild, ordinarie drift, trygghetsvandring, iakttagelse, Avbryt/Avbruten, Målvärde,
Offentlig, Markera på kartan, Samma ärende, Föreningsaktiv), else the word Swedish municipal
staff, police and caretakers use for it; one word per concept (a baseline is "utgångsläge",
never "baslinje"; a partner "samverkanspartner", never "samarbetspartner"; what is seen on a
walk an "iakttagelse", never "notering" or "fynd"; not public is "inte offentlig", never
"publik"); Swedish compounds written together (insatsgrupp, not "insats grupp"); headings and
buttons capitalise only their first word; no English where Swedish has a plain word
("utan nät", not "offline").
"""

from __future__ import annotations

from typing import Any

LANGUAGES = ("sv", "en")

# key: (Swedish, English)
TERMS: dict[str, tuple[str, str]] = {
    # the portfolio and its four principles
    "measure": ("Insats", "Measure"),
    "palette_group": ("Insatsgrupp", "Measure group"),
    "palette_groups_used": ("av palettens sju insatsgrupper", "of the palette's seven measure groups"),
    "track": ("Spår", "Track"),
    "horizon": ("Tidshorisont", "Time horizon"),
    "focus_area": ("Fokusområde", "Focus area"),
    "critical_mass": ("Kritisk massa", "Critical mass"),
    "endurance": ("Uthållighet", "Endurance"),
    "many_kinds": ("Många olika slag", "Many kinds"),
    "across_boundaries": ("Gränsöverskridande", "Across boundaries"),
    "gross_list": ("Bruttolista", "Gross list"),
    "inventory": ("Det här görs redan", "Already under way"),
    # what is done to a measure
    "cancel_measure": ("Avbryt", "Cancel"),
    "cancelled_measure": ("Avbruten", "Cancelled"),
    "measure_cancelled": ("Insatsen avbröts", "The measure was cancelled"),
    "into_operations": ("För in i ordinarie drift", "Move into ordinary operations"),
    "moved_into_operations": ("Förs in i ordinarie drift", "Moved into ordinary operations"),
    "measure_into_operations": ("Insatsen fördes in i ordinarie drift", "The measure moved into ordinary operations"),
    "in_operations": ("I ordinarie drift", "In ordinary operations"),
    "goal": ("Mål", "Goal"),
    "target_value": ("Målvärde", "Target value"),
    "baseline": ("Utgångsläge", "Baseline"),
    "baseline_period": ("Utgångslägets period", "Baseline period"),
    "baseline_from": ("Utgångslägets första dag", "Baseline period from"),
    "baseline_to": ("Utgångslägets sista dag", "Baseline period to"),
    "partners": ("Samverkanspartner", "Partners"),
    "route": ("Rutt", "Route"),
    "indicator": ("Indikator", "Indicator"),
    # who may see a report
    "public": ("Offentlig", "Public"),
    "internal": ("Intern", "Internal"),
    "restricted": ("Begränsad", "Restricted"),
    # the field report
    "mark_on_map": ("Markera på kartan", "Mark on the map"),
    "marked_on_map": ("Markerat på kartan", "Marked on the map"),
    "same_case": ("Samma ärende", "Same case"),
    "joins_case": ("Läggs till i ärende {case}", "Added to case {case}"),
    "observations": ("Iakttagelser", "Observations"),
    "new_observation": ("Ny iakttagelse", "New observation"),
    "positive_observation": ("Positiv iakttagelse", "Positive observation"),
    "walker_association": ("Föreningsaktiv", "Association member"),
    "walker_resident": ("Boende", "Resident"),
    "walker_staff": ("Personal", "Staff"),
    # the shared situation
    "situation_picture": ("Lägesbild", "Situation picture"),
    "situation_description": ("Gemensam lägesbeskrivning", "Shared situation description"),
    "perceived_safety": ("Upplevd trygghet", "Perceived safety"),
    "safety_survey": ("Trygghetsmätning", "Safety survey"),
    "safety_walk": ("Trygghetsvandring", "Safety walk"),
}

# Counted nouns: (Swedish one, Swedish many, English one, English many).
NOUNS: dict[str, tuple[str, str, str, str]] = {
    "case": ("ärende", "ärenden", "case", "cases"),
    "open_case": ("öppet ärende", "öppna ärenden", "open case", "open cases"),
    "measure": ("insats", "insatser", "measure", "measures"),
    "active_measure": ("aktiv insats", "aktiva insatser", "active measure", "active measures"),
    "late_measure": ("försenad", "försenade", "late", "late"),
    "delayed_measure": ("försenad insats", "försenade insatser", "late measure", "late measures"),
    # who walked: "2 boende, 1 föreningsaktiv, 3 personal" (the walk protocol's participants)
    "walker_boende": ("boende", "boende", "resident", "residents"),
    "walker_forening": ("föreningsaktiv", "föreningsaktiva", "association member", "association members"),
    "walker_personal": ("personal", "personal", "staff", "staff"),
    "escalation": ("eskalering", "eskaleringar", "escalation", "escalations"),
    "observation": ("iakttagelse", "iakttagelser", "observation", "observations"),
    "finding": ("iakttagelse", "iakttagelser", "observation", "observations"),
    "report": ("rapport", "rapporter", "report", "reports"),
    "reporter": ("rapportör", "rapportörer", "reporter", "reporters"),
    "area": ("område", "områden", "area", "areas"),
    "place": ("plats", "platser", "place", "places"),
    "photo": ("foto", "foton", "photo", "photos"),
    "user": ("användare", "användare", "user", "users"),
    "token": ("nyckel", "nycklar", "token", "tokens"),
    "meeting": ("möte", "möten", "meeting", "meetings"),
    "walk": ("vandring", "vandringar", "walk", "walks"),
    "event": ("händelse", "händelser", "event", "events"),
    "organisation": ("organisation", "organisationer", "organisation", "organisations"),
    "day": ("dag", "dagar", "day", "days"),
    "week": ("vecka", "veckor", "week", "weeks"),
    "draft": ("utkast", "utkast", "draft", "drafts"),
    "attempt": ("försök", "försök", "attempt", "attempts"),
    "sent": ("skickad", "skickade", "sent", "sent"),
    "failed": ("misslyckad", "misslyckade", "failed", "failed"),
    "answer": ("svar", "svar", "answer", "answers"),
}


def term(key: str, lang: str = "sv") -> str:
    """A glossary term in ``lang`` (Swedish unless English is asked for)."""
    sv, en = TERMS[key]
    return en if lang == "en" else sv


def noun(n: int, what: str, lang: str = "sv") -> str:
    """The noun for ``n`` of them: 'insats' for 1, 'insatser' otherwise."""
    sv1, svn, en1, enn = NOUNS[what]
    return (en1 if n == 1 else enn) if lang == "en" else (sv1 if n == 1 else svn)


def count(n: int, what: str, lang: str = "sv") -> str:
    """'1 insats', '3 insatser', a thousand written '1 000' in Swedish."""
    text = f"{n:,}"
    return f"{text if lang == 'en' else text.replace(',', chr(0xa0))} {noun(n, what, lang)}"


MONTHS = ("januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober",
          "november", "december")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
             "November", "December")


def long_date(day: Any, lang: str = "sv") -> str:
    """A date in running text: '2 december 2026' (English '2 December 2026'); a datetime gives its date."""
    if lang == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
