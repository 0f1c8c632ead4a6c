"""Koll's fixed vocabularies as data: statuses, the measure palette, roles, visibilities.

Codes are stable ASCII identifiers stored in events and sent over the API; labels are
Swedish first (the users' language), English second. Change a label freely, never a code.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass

from koll.schema.glossary import TERMS as _G

LANGUAGES = ("sv", "en")


@dataclass(frozen=True)
class Term:
    code: str
    sv: str
    en: str


def codes(terms: Iterable[Term]) -> tuple[str, ...]:
    """The codes of `terms`, in order."""
    return tuple(t.code for t in terms)


def label(terms: Iterable[Term], code: str, lang: str = "sv") -> str:
    """The label of `code` in `lang`. Works for anything with code/sv/en (categories, places)."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGUAGES}")
    for t in terms:
        if t.code == code:
            return getattr(t, lang)
    raise KeyError(f"unknown code {code!r}")


# --- Cases (ärenden) -------------------------------------------------------------------

CASE_STATUSES: tuple[Term, ...] = (
    Term("new", "Ny", "New"),
    Term("triaged", "Bedömd", "Triaged"),
    Term("assigned", "Tilldelad", "Assigned"),
    Term("in_progress", "Pågår", "In progress"),
    Term("resolved", "Åtgärdad", "Resolved"),
    Term("closed", "Avslutad", "Closed"),
)

CASE_CLOSE_REASONS: tuple[Term, ...] = (
    Term("duplicate", "Dubblett", "Duplicate"),
    Term("not_ours", "Inte vårt ansvar", "Not our responsibility"),
    Term("no_action", "Ingen åtgärd", "No action"),
)

# --- Measures (insatser) ---------------------------------------------------------------

MEASURE_STATUSES: tuple[Term, ...] = (
    Term("idea", "Idé – bruttolista", "Idea – gross list"),
    Term("decided", "Beslutad", "Decided"),
    Term("started", "Påbörjad", "Started"),
    Term("paused", "Pausad", "Paused"),
    Term("done", "Genomförd", "Done"),
    Term("cancelled", *_G["cancelled_measure"]),
)

# "Uppsatta mål – har vi nått dem, helt eller delvis": the report-back's first question.
OUTCOMES: tuple[Term, ...] = (
    Term("full", "Målet nått helt", "Goal fully reached"),
    Term("partly", "Målet nått delvis", "Goal partly reached"),
    Term("not_reached", "Målet inte nått", "Goal not reached"),
)

# The palette: the seven groups of short-term measures.
PALETTE: tuple[Term, ...] = (
    Term("inkapacitera", "Inkapacitera – polis, socialtjänst", "Incapacitate – police, social services"),
    Term("mobilisera", "Mobilisera civilsamhället", "Mobilise civil society"),
    Term(
        "minska_basen",
        "Minska basen – rekrytering, återfall, avhopp",
        "Shrink the base – recruitment, relapse, exit",
    ),
    Term("pengarna", "Gå på pengarna", "Follow the money"),
    Term("arenor", "Arenor och plattformar", "Arenas and platforms"),
    Term("situationell", "Situationell prevention", "Situational prevention"),
    Term("positiva", "Positiva insatser", "Positive measures"),
)

# Fyra spår: the long-term tracks.
TRACKS: tuple[Term, ...] = (
    Term("trygghet", "Trygghet och polis", "Safety and policing"),
    Term("utbildning", "Utbildning – ungdom och skola", "Education – youth and school"),
    Term("boende", "Boende", "Housing"),
    Term("arbete", "Arbete", "Work"),
)

HORIZONS: tuple[Term, ...] = (
    Term("kort", "Taktiskt – kort sikt (1–2 år)", "Tactical – short term (1–2 years)"),
    Term("medel", "Operativt – medellång sikt (2–5 år)", "Operational – medium term (2–5 years)"),
    Term("lang", "Strategiskt – lång sikt (5–15 år)", "Strategic – long term (5–15 years)"),
)

# Set by the strategic group.
FOCUS_AREAS: tuple[Term, ...] = (
    Term("fritid", "Ungdomar har en trygg fritid", "Young people have safe leisure time"),
    Term(
        "skola",
        "Förskolan och skolan har en central roll i trygghetsarbetet",
        "Preschool and school play a central role in safety work",
    ),
    Term(
        "platser",
        "Offentliga platser är trygga och välskötta",
        "Public places are safe and well kept",
    ),
    Term(
        "drogfritt",
        "Offentliga platser är fria från drogmissbruk och försäljning av droger",
        "Public places are free from drug abuse and drug dealing",
    ),
    Term(
        "fortroende",
        "Invånarna har förtroende för myndigheter",
        "Residents trust the authorities",
    ),
)

# How the operational group sorted its gross list (bruttolista): one axis, two poles.
SORTING_DIMENSIONS: tuple[Term, ...] = (
    Term("size", "Storlek", "Size"),
    Term("complexity", "Komplexitet", "Complexity"),
    Term("level", "Nivå", "Level"),
    Term("mandate", "Mandat", "Mandate"),
    Term("urgency", "Brådska", "Urgency"),
    Term("approach", "Inriktning", "Approach"),
    Term("visibility", "Synlighet", "Visibility"),
)

SORTINGS: dict[str, tuple[Term, ...]] = {
    "size": (Term("stor", "Stor", "Big"), Term("liten", "Liten", "Small")),
    "complexity": (Term("enkel", "Enkel", "Easy"), Term("komplex", "Komplex", "Complex")),
    "level": (
        Term("symptom", "Symptom", "Symptom"),
        Term("orsak", "Underliggande orsak", "Underlying cause"),
    ),
    "mandate": (
        Term("inom", "Inom gruppens mandat", "Within the group's mandate"),
        Term("utanfor", "Utanför gruppens mandat", "Outside the group's mandate"),
    ),
    "urgency": (
        Term("bradskande", "Brådskande", "Urgent"),
        Term("kan_vanta", "Kan vänta", "Can wait"),
    ),
    "approach": (Term("reaktiv", "Reaktiv", "Reactive"), Term("preventiv", "Preventiv", "Preventive")),
    # "Man ska börja med saker där man snabbt får synlig och påtaglig effekt för de boende i området"
    "visibility": (
        Term("synlig", "Synlig effekt för de boende", "Visible to residents"),
        Term("subtil", "Osynlig eller subtil", "Invisible or subtle"),
    ),
}

# --- Users and what they may see ---------------------------------------------------------

ROLES: tuple[Term, ...] = (
    Term("reporter", "Fältrapportör", "Field reporter"),
    Term("operational", "Operativa gruppen", "Operational group"),
    Term("strategic", "Strategiska gruppen", "Strategic group"),
    Term("auditor", "Revisor", "Auditor"),
    Term("admin", "Administratör", "Administrator"),
)

VISIBILITIES: tuple[Term, ...] = (
    Term("public", *_G["public"]),
    Term("internal", *_G["internal"]),
    Term("restricted", *_G["restricted"]),
)

# Reporters also see their own reports; that rule needs the author, so it lives elsewhere.
ROLE_SEES: dict[str, frozenset[str]] = {
    "reporter": frozenset({"public"}),
    "operational": frozenset({"public", "internal"}),
    "strategic": frozenset({"public", "internal"}),
    "auditor": frozenset({"public", "internal"}),
    "admin": frozenset({"public", "internal", "restricted"}),
}

# Restricted records are suspected-offence data (GDPR art. 10): only the organisations that
# act on them see them, whatever the user's role.
RESTRICTED_ORGS: frozenset[str] = frozenset({"polisen", "sdf-ifo"})


def stricter_visibility(a: str, b: str) -> str:
    """The more closely held of two visibilities (public < internal < restricted)."""
    order = codes(VISIBILITIES)
    return max(a, b, key=order.index)


def can_see(role: str, org: str, visibility: str) -> bool:
    """Whether a user with `role` in organisation `org` may see a record of `visibility`."""
    if role not in ROLE_SEES:
        raise ValueError(f"unknown role {role!r}")
    if visibility not in codes(VISIBILITIES):
        raise ValueError(f"unknown visibility {visibility!r}")
    if visibility in ROLE_SEES[role]:
        return True
    return visibility == "restricted" and org in RESTRICTED_ORGS


# How long a case has been open: the situation picture tells the fresh from the lingering.
CASE_AGES: tuple[Term, ...] = (
    Term("vecka", "Högst en vecka", "A week or less"),
    Term("manad", "1–4 veckor", "1–4 weeks"),
    Term("kvartal", "1–3 månader", "1–3 months"),
    Term("aldre", "Äldre än 3 månader", "Older than 3 months"),
)
CASE_AGE_LIMITS_DAYS = (7, 30, 91)  # the upper bound of each band but the last


_AGE_CODES = tuple(t.code for t in CASE_AGES)


def case_age(days: float) -> str:
    """The band of CASE_AGES for a case open ``days`` days (on the map's path: once a point)."""
    return _AGE_CODES[bisect_left(CASE_AGE_LIMITS_DAYS, days)]


# Walks are done in daylight and darkness; the square is most unsafe in the evening.
TIME_OF_DAY: tuple[Term, ...] = (
    Term("dag", "Dag", "Day"),
    Term("skymning", "Skymning", "Dusk"),
    Term("kvall", "Kväll", "Evening"),
    Term("natt", "Natt", "Night"),
)
