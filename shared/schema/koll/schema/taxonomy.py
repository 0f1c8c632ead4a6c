"""The Hässelby torg taxonomy as data: observation groups and categories, organisations,
named places and observation attributes.

Categories, routing and places are data, not code (FixMyStreet's lesson): another square is a
new module like this one, not a fork. Categories start from shared/taxonomy-draft.md and add
what the report's shared situation picture names on the square. Codes are stable and stored
in events; labels may be reworded at any time.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from koll.schema.vocabulary import TIME_OF_DAY, VISIBILITIES, codes


@dataclass(frozen=True)
class Group:
    code: str
    sv: str
    en: str


@dataclass(frozen=True)
class Category:
    code: str
    group: str
    sv: str
    en: str
    visibility: str  # "public" | "internal" | "restricted"
    photo: str  # "required" | "optional" | "blocked"
    owner: str  # organisation code usually holding responsibility (rådighet)
    positive: bool = False  # a positive note (e.g. place feels safe)
    urgent_hint: bool = False  # categories where "ring 112" should be offered


@dataclass(frozen=True)
class Organisation:
    code: str
    sv: str
    en: str
    sector: str  # "public" | "private" | "civil": the report's supporting triangle


@dataclass(frozen=True)
class Place:
    code: str
    sv: str
    en: str
    lat: float
    lon: float
    radius_m: float


@dataclass(frozen=True)
class Choice:
    code: str
    sv: str
    en: str


@dataclass(frozen=True)
class Attribute:
    code: str
    sv: str
    en: str
    kind: str  # "choice" | "int" | "bool"
    choices: tuple[Choice, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    groups: tuple[str, ...] = ()  # empty = all groups


VISIBILITY_VALUES = codes(VISIBILITIES)
PHOTO_VALUES = ("required", "optional", "blocked")
SECTOR_VALUES = ("public", "private", "civil")

# --- Organisations (aktörer) named in the report ----------------------------------------

# Tables below are one row a line, like the draft's table, so the formatter leaves them.
# fmt: off
ORGANISATIONS: tuple[Organisation, ...] = (
    Organisation("sdf", "Stadsdelsförvaltningen Hässelby-Vällingby", "Hässelby-Vällingby district administration", "public"),
    Organisation("sdf-ifo", "Socialtjänsten (IFO)", "Social services (IFO)", "public"),
    # The district's own units the report names on its page "Detta gör vi idag".
    Organisation("sdf-centralt", "Stadsdelen centralt", "The district administration, centrally", "public"),
    Organisation("sdf-prevention", "Preventionsarbetet (stadsdelen)", "Prevention work (the district)", "public"),
    Organisation("sdf-kommunikation", "Kommunikation (stadsdelen)", "Communications (the district)", "public"),
    Organisation("forskolan", "Förskolan", "Preschools", "public"),
    Organisation("staden", "Staden centralt", "City of Stockholm, central", "public"),
    Organisation("polisen", "Polisen, lokalpolisområdet", "Police, local police area", "public"),
    Organisation("trafikkontoret", "Trafikkontoret", "Traffic administration", "public"),
    Organisation("sl", "SL", "SL (Stockholm public transport)", "public"),
    Organisation("mtr", "MTR (tunnelbanan)", "MTR (metro operator)", "private"),
    Organisation("raddningstjansten", "Räddningstjänsten", "Fire and rescue service", "public"),
    Organisation("skolan", "Skolan", "Schools", "public"),
    Organisation("region", "Region Stockholm (öppenvårdspsykiatri)", "Region Stockholm (outpatient psychiatry)", "public"),
    Organisation("arbetsformedlingen", "Arbetsförmedlingen", "Public employment service", "public"),
    Organisation("kulturskolan", "Kulturskolan", "Municipal arts school", "public"),
    Organisation("biblioteket", "Biblioteket", "Library", "public"),
    Organisation("fastighetsagare", "Fastighetsägarföreningen / centrumägaren", "Property owners' association / centre owner", "private"),
    Organisation("naringsidkare", "Näringsidkare (ICA, restaurangen, Systembolaget)", "Businesses (ICA, the restaurant, Systembolaget)", "private"),
    Organisation("civilsamhallet", "Civilsamhället (föreningar, nattvandrare, grannsamverkan)", "Civil society (associations, night walkers, neighbourhood watch)", "civil"),
)
# fmt: on

# --- Observation groups and categories ---------------------------------------------------

GROUPS: tuple[Group, ...] = (
    Group("BEL", "Belysning", "Lighting"),
    Group("VEG", "Grönska och sikt", "Vegetation & sightlines"),
    Group("REN", "Nedskräpning och renhållning", "Litter & cleanliness"),
    Group("KLO", "Klotter och skadegörelse", "Graffiti & vandalism"),
    Group("FYS", "Fysisk miljö och underhåll", "Physical environment & maintenance"),
    Group("SOC", "Social oordning", "Social disorder"),
    Group("TRF", "Trafik och framkomlighet", "Traffic & accessibility"),
    Group("UPP", "Upplevd trygghet och platsvärden", "Perceived safety & place qualities"),
    Group("OVR", "Övrigt", "Other"),
)

# The draft's one-letter columns, kept so each row below reads like the draft's table.
_VIS = {"P": "public", "I": "internal", "R": "restricted"}
_PHOTO = {"K": "required", "V": "optional", "E": "blocked"}


def _c(code: str, sv: str, en: str, vis: str, photo: str, owner: str, **flags: bool) -> Category:
    return Category(code, code[:3], sv, en, _VIS[vis], _PHOTO[photo], owner, **flags)


# SOC rows describe situations, never people: GDPR art. 10 (suspected offences) means
# restricted or internal visibility, no photos, no names. Owner = the draft's first holder.
# fmt: off
CATEGORIES: tuple[Category, ...] = (
    _c("BEL-01", "Trasig/släckt belysning", "Broken / unlit light", "P", "K", "trafikkontoret"),
    _c("BEL-02", "Svag belysning, mörka partier", "Insufficient lighting / dark spot", "P", "V", "trafikkontoret"),
    _c("BEL-03", "Bländande eller felriktad belysning", "Glare / misdirected light", "P", "V", "trafikkontoret"),
    _c("BEL-04", "Belysning skymd av träd/buskar", "Light blocked by vegetation", "P", "K", "sdf"),
    _c("VEG-01", "Skymmande buskage/träd (möjligt gömställe)", "Overgrown bushes/trees (hiding place)", "P", "K", "sdf"),
    _c("VEG-02", "Skymd sikt / dålig överblick", "Blocked sightline / poor overview", "P", "V", "sdf"),
    _c("VEG-03", "Ovårdad grönyta / sly", "Unkempt green area / scrub", "P", "V", "sdf"),
    _c("REN-01", "Nedskräpning", "Litter", "P", "K", "sdf"),
    _c("REN-02", "Full/överfull papperskorg", "Overflowing bin", "P", "K", "sdf"),
    _c("REN-03", "Dumpat avfall / grovsopor", "Fly-tipping / dumped bulky waste", "P", "K", "sdf"),
    _c("REN-04", "Sprutor/kanyler", "Syringes / needles (hazard)", "I", "V", "sdf"),
    _c("REN-05", "Krossat glas", "Broken glass", "P", "V", "sdf"),
    _c("REN-06", "Urin/avföring, sanitär olägenhet", "Human waste / sanitation", "I", "E", "sdf"),
    # Report: "Skötsel av torget ... uppfattas som undermålig" (broken-window effects).
    _c("REN-07", "Bristande renhållning/städning av torget", "Poor cleaning of the square", "P", "V", "sdf"),
    _c("KLO-01", "Klotter", "Graffiti", "P", "K", "trafikkontoret"),
    _c("KLO-02", "Kränkande/hotfullt klotter, gängsymboler", "Offensive/threatening graffiti, gang tags", "I", "K", "trafikkontoret"),
    _c("KLO-03", "Skadegörelse på möbler/utrustning", "Damaged furniture / equipment", "P", "K", "sdf"),
    _c("KLO-04", "Krossad ruta/glas i byggnad", "Broken window / glass pane", "P", "K", "fastighetsagare"),
    _c("KLO-05", "Brandskada / anlagd brand", "Fire damage / arson", "I", "K", "fastighetsagare", urgent_hint=True),
    _c("KLO-06", "Olovliga affischer/klistermärken", "Illegal posters / stickers", "P", "V", "trafikkontoret"),
    _c("FYS-01", "Trasig markbeläggning / snubbelrisk", "Damaged paving / trip hazard", "P", "K", "trafikkontoret"),
    _c("FYS-02", "Trasigt lekredskap / utegym", "Broken play / fitness equipment", "P", "K", "sdf"),
    _c("FYS-03", "Trasig/saknad skylt, svårt att orientera sig", "Broken/missing signage, poor wayfinding", "P", "V", "trafikkontoret"),
    _c("FYS-04", "Övergivet fordon/cykel", "Abandoned vehicle / bicycle", "P", "K", "trafikkontoret"),
    _c("FYS-05", "Snö/halka", "Snow / ice", "P", "V", "trafikkontoret"),
    _c("FYS-06", "Instängd plats, gångtunnel, återvändsgränd", "Entrapment spot / tunnel / dead end", "P", "V", "trafikkontoret"),
    _c("FYS-07", "Tomma lokaler / döda fasader", "Vacant premises / blank facades", "P", "V", "fastighetsagare"),
    _c("FYS-08", "Byggställning/avspärrning som skapar gömställe", "Scaffolding / barrier creating hiding place", "P", "V", "fastighetsagare"),
    _c("SOC-01", "Misstänkt narkotikaförsäljning (öppen drogscen)", "Suspected open drug dealing", "R", "E", "polisen"),
    _c("SOC-02", "Narkotikabruk / påverkade personer", "Drug use / intoxicated persons", "R", "E", "polisen"),
    _c("SOC-03", "Alkoholförtäring / berusning på allmän plats", "Public drinking / drunkenness", "I", "E", "polisen"),
    _c("SOC-04", "Grupperingar som upplevs stökiga/hotfulla", "Groups perceived as disorderly/intimidating", "I", "E", "polisen"),
    _c("SOC-05", "Ordningsstörning / bråk", "Disturbance / fight", "I", "E", "polisen", urgent_hint=True),
    _c("SOC-06", "Hot eller trakasserier mot personal/allmänhet", "Threats / harassment (incl. against staff)", "R", "E", "polisen", urgent_hint=True),
    _c("SOC-07", "Buskörning (moped, EPA/A-traktor)", "Reckless driving (mopeds, A-tractors)", "I", "E", "polisen"),
    _c("SOC-08", "Person i behov av stöd / olovlig övernattning", "Person in need of support / rough sleeping", "R", "E", "sdf-ifo", urgent_hint=True),
    _c("SOC-09", "Inträffat brott (hänvisa till polisanmälan)", "Crime occurred (refer to police report)", "R", "E", "polisen", urgent_hint=True),
    # Added from the report's situation picture of the square (not in the draft).
    _c("SOC-10", "Utsättning – narkotika gömd inför kvällens försäljning", "Drugs stashed ahead of the evening's dealing", "R", "E", "polisen"),
    _c("SOC-11", "Rån av och mot unga", "Robbery by and of young people", "R", "E", "polisen", urgent_hint=True),
    _c("SOC-12", "Hot och utpressning mot näringsidkare", "Threats and extortion against businesses", "R", "E", "polisen", urgent_hint=True),
    _c("SOC-13", "Snatteri", "Shoplifting", "R", "E", "polisen"),
    _c("SOC-14", "Plankning i tunnelbanan", "Fare evasion on the metro", "I", "E", "mtr"),
    _c("SOC-15", "Hot mot personal i kollektivtrafiken", "Threats against public transport staff", "R", "E", "polisen", urgent_hint=True),
    _c("SOC-16", "Rekrytering av barn och unga till kriminalitet", "Recruitment of children and youths into crime", "R", "E", "sdf-ifo"),
    _c("SOC-17", "Garaget används som bostad eller toalett", "Garage used as a shelter or toilet", "I", "E", "fastighetsagare"),
    _c("SOC-18", "Våld / misshandel", "Violence / assault", "R", "E", "polisen", urgent_hint=True),
    _c("TRF-01", "Blockerad gångväg / felparkering", "Blocked path / illegal parking", "P", "K", "trafikkontoret"),
    _c("TRF-02", "Farlig trafikmiljö / korsning", "Dangerous traffic spot / crossing", "P", "V", "trafikkontoret"),
    _c("TRF-03", "Bristande tillgänglighet (rullstol, rullator, barnvagn)", "Accessibility barrier", "P", "V", "trafikkontoret"),
    _c("UPP-01", "Platsen upplevs otrygg (varför i fritext)", "Place feels unsafe (why, free text)", "I", "V", "sdf"),
    _c("UPP-02", "Platsen upplevs trygg/trivsam – värna", "Place feels safe/pleasant – preserve", "P", "V", "sdf", positive=True),
    _c("UPP-03", "Platsen saknar folkliv / är öde vissa tider", "Place deserted at certain times", "I", "V", "sdf"),
    _c("UPP-04", "Förslag på åtgärd eller aktivitet", "Suggestion for measure/activity", "I", "V", "sdf"),
    # Report: "mycket begränsad närvaro av de goda krafterna" – their presence is the goal.
    _c("UPP-05", "Goda krafter närvarande (föreningar, personal, evenemang)", "Positive presence (associations, staff, events)", "P", "V", "sdf", positive=True),
    # Report: Systembolaget "fungerar som en sorts negativ social magnet"; about a place,
    # but photos would show people, hence blocked.
    _c("UPP-06", "Plats som drar till sig störande grupper (negativ magnet)", "Place attracting disruptive groups (negative magnet)", "I", "E", "sdf"),
    _c("OVR-01", "Övrigt", "Other", "I", "V", "sdf"),
)
# fmt: on

# --- Named places of Hässelby torg --------------------------------------------------------

# APPROXIMATE coordinates (within ~100 m) around the square at 59.3665 N, 17.8435 E. They
# must be confirmed on site before anyone relies on them for routing or the map.
# fmt: off
PLACES: tuple[Place, ...] = (
    Place("torget", "Hässelby torg", "Hässelby square", 59.3665, 17.8435, 70.0),
    Place("tunnelbaneuppgangen", "Tunnelbaneuppgången", "Metro entrance", 59.3669, 17.8441, 25.0),
    Place("garaget", "Garaget", "The garage", 59.3660, 17.8426, 50.0),
    Place("systembolaget", "Systembolaget", "Systembolaget (liquor store)", 59.3664, 17.8443, 20.0),
    Place("ica", "ICA-butiken", "ICA supermarket", 59.3667, 17.8428, 25.0),
    Place("restaurangen", "Restaurangen", "The restaurant", 59.3665, 17.8438, 15.0),
    Place("biblioteket", "Biblioteket", "The library", 59.3662, 17.8440, 20.0),
    Place("kulturskolan", "Kulturskolan", "The culture school", 59.3661, 17.8434, 20.0),
    Place("busshallplatsen", "Busshållplatsen", "Bus stop", 59.3672, 17.8432, 25.0),
    Place("gangtunneln", "Gångtunneln", "Pedestrian tunnel", 59.3674, 17.8448, 20.0),
    Place("parken", "Parken och lekplatsen", "Park and playground", 59.3657, 17.8449, 40.0),
)
# fmt: on

# --- Observation attributes (Open311 "attributes" style) --------------------------------

ATTRIBUTES: tuple[Attribute, ...] = (
    Attribute(
        "tid_pa_dygnet", "Tid på dygnet", "Time of day", "choice",
        choices=tuple(Choice(t.code, t.sv, t.en) for t in TIME_OF_DAY),
    ),
    Attribute("upplevd_trygghet", "Upplevd trygghet (1–5)", "Perceived safety (1–5)", "int", minimum=1, maximum=5),
    # Counts only, never names or descriptions of people.
    Attribute(
        "antal_personer", "Antal personer", "Number of people", "choice",
        choices=(
            Choice("0", "Inga", "None"),
            Choice("1-2", "1–2", "1–2"),
            Choice("3-9", "3–9", "3–9"),
            Choice("10+", "10 eller fler", "10 or more"),
        ),
        groups=("SOC",),
    ),
    Attribute(
        "aterkommande", "Återkommande", "Recurring", "choice",
        choices=(
            Choice("forsta_gangen", "Första gången", "First time"),
            Choice("sett_forut", "Sett förut", "Seen before"),
            Choice("dagligen", "Dagligen", "Daily"),
        ),
    ),
    # Yes means: show the 112 / 114 14 banner and don't create a case.
    Attribute("akut", "Akut – pågår just nu", "Urgent – happening now", "bool"),
)

# --- Lookups -----------------------------------------------------------------------------


def _index(items: tuple, kind: str) -> dict:
    """Code -> item, refusing duplicates so a copy-paste slip fails at import, not in use."""
    index: dict = {}
    for item in items:
        if item.code in index:
            raise ValueError(f"duplicate {kind} code {item.code!r}")
        index[item.code] = item
    return index


GROUP_BY_CODE: dict[str, Group] = _index(GROUPS, "group")
CATEGORY_BY_CODE: dict[str, Category] = _index(CATEGORIES, "category")
ORGANISATION_BY_CODE: dict[str, Organisation] = _index(ORGANISATIONS, "organisation")
PLACE_BY_CODE: dict[str, Place] = _index(PLACES, "place")
ATTRIBUTE_BY_CODE: dict[str, Attribute] = _index(ATTRIBUTES, "attribute")
# The national catalogue alone, whatever areas add to the look-ups above.
NATIONAL_CATEGORIES: frozenset[str] = frozenset(CATEGORY_BY_CODE)
NATIONAL_ORGANISATIONS: frozenset[str] = frozenset(ORGANISATION_BY_CODE)


def _lookup(index: dict, code: str, kind: str):
    try:
        return index[code]
    except KeyError:
        raise KeyError(f"unknown {kind} code {code!r}; known: {', '.join(index)}") from None


def group(code: str) -> Group:
    return _lookup(GROUP_BY_CODE, code, "group")


def category(code: str) -> Category:
    return _lookup(CATEGORY_BY_CODE, code, "category")


def organisation(code: str) -> Organisation:
    return _lookup(ORGANISATION_BY_CODE, code, "organisation")


def place(code: str) -> Place:
    return _lookup(PLACE_BY_CODE, code, "place")


def attribute(code: str) -> Attribute:
    return _lookup(ATTRIBUTE_BY_CODE, code, "attribute")


def attributes_for(group_code: str) -> tuple[Attribute, ...]:
    """The attributes an observation in `group_code` may carry."""
    return tuple(a for a in ATTRIBUTES if not a.groups or group_code in a.groups)


def categories_in(group_code: str) -> tuple[Category, ...]:
    return tuple(c for c in CATEGORIES if c.group == group_code)


# --- Geometry ------------------------------------------------------------------------------

EARTH_RADIUS_M = 6_371_008.8  # mean Earth radius (IUGG)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two WGS84 points given in degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearest_place(lat: float, lon: float) -> Place | None:
    """The nearest named place whose radius contains the point, or None if none does.

    Places overlap (the square contains the restaurant), so the nearest centre wins: a point
    at the restaurant door is "restaurangen", not "torget".
    """
    # Places are tens of metres across: a flat approximation around the point (off by less than a
    # millimetre at that scale) picks the same place as haversine, at a fraction of the cost.
    k = math.cos(math.radians(lat))
    best: tuple[float, Place] | None = None
    for p in PLACES:
        d = _M_PER_DEGREE * math.hypot(p.lat - lat, (p.lon - lon) * k)
        if d <= p.radius_m and (best is None or d < best[0]):
            best = (d, p)
    return best[1] if best else None


_M_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180


# --- What areas add ------------------------------------------------------------------------


def register_area_terms(places: Iterable[Place] = (), organisations: Iterable[Organisation] = (),
                        categories: Iterable[Category] = ()) -> None:
    """Places, organisations and local categories that areas define, made known to the look-ups
    and validators of this process beside the national catalogue (the ledger calls this as it
    reads its areas from the ledger). A code keeps the first meaning it was given: codes are
    meant to be unique across a deployment."""
    for p in places:
        PLACE_BY_CODE.setdefault(p.code, p)
    for o in organisations:
        ORGANISATION_BY_CODE.setdefault(o.code, o)
    for c in categories:
        CATEGORY_BY_CODE.setdefault(c.code, c)
