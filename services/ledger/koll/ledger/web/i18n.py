"""Swedish first, English with ``?lang=en``: the boards' own words, plus labels from koll.schema.

A small dict is enough: every string the pages show is a key here, and the vocabularies
(categories, places, statuses, palette …) carry their own sv/en labels in ``koll.schema``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import request, session

from koll.schema import taxonomy, vocabulary

LANGS = ("sv", "en")

# key: (Swedish, English)
WORDS: dict[str, tuple[str, str]] = {
    "app_tagline": ("ha koll på helheten", "have the whole picture"),
    "nav_situation": ("Lägesbild", "Situation"),
    "nav_measures": ("Insatser", "Measures"),
    "nav_meetings": ("Möten", "Meetings"),
    "nav_walks": ("Vandringar", "Safety walks"),
    "nav_audit": ("Revision", "Audit"),
    "nav_main": ("Huvudmeny", "Main menu"),
    "skip": ("Hoppa till innehållet", "Skip to content"),
    "sign_in": ("Logga in", "Sign in"),
    "sign_out": ("Logga ut", "Sign out"),
    "signed_in_as": ("Inloggad som", "Signed in as"),
    "user_name": ("Användarnamn", "User name"),
    "password": ("Lösenord", "Password"),
    "bad_login": ("Fel användarnamn eller lösenord.", "Wrong user name or password."),
    "too_many_logins": ("För många misslyckade inloggningar. Försök igen om {minutes} minuter.",
                        "Too many failed sign-ins. Try again in {minutes} minutes."),
    "csrf_failed": ("Formuläret hade gått ut. Försök igen.", "The form had expired. Please try again."),
    "forbidden": ("Din roll får inte se den här sidan.", "Your role may not see this page."),
    "not_found": ("Hittades inte.", "Not found."),
    "language": ("Språk", "Language"),
    "other_lang": ("In English", "På svenska"),
    # Lägesbild
    "situation_title": ("Lägesbild – {area}", "Situation – {area}"),
    "area": ("Område", "Area"),
    "all_areas": ("alla områden", "all areas"),
    "filters": ("Filter", "Filters"),
    "period_from": ("Från", "From"),
    "period_to": ("Till", "To"),
    "group": ("Kategorigrupp", "Category group"),
    "category": ("Kategori", "Category"),
    "place": ("Plats", "Place"),
    "status": ("Status", "Status"),
    "all": ("Alla", "All"),
    "open_cases": ("Öppna ärenden", "Open cases"),
    "apply": ("Visa", "Show"),
    "reset": ("Rensa", "Reset"),
    "map": ("Karta", "Map"),
    "map_label": ("Karta över torget med ärenden", "Map of the square with cases"),
    "heat": ("Värmekarta", "Heat map"),
    "map_capped": ("Kartan visar de {shown} nyaste av {total} ärenden; nedladdningarna innehåller alla.",
                   "The map shows the {shown} newest of {total} cases; the downloads hold them all."),
    "cases": ("Ärenden", "Cases"),
    "cases_count": ("ärenden", "cases"),
    "by_category": ("Per kategori", "By category"),
    "by_group": ("Per kategorigrupp", "By category group"),
    "by_place": ("Per plats", "By place"),
    "by_time_of_day": ("Per tid på dygnet", "By time of day"),
    "by_darkness": ("Ljus eller mörker", "Daylight or darkness"),
    "by_age": ("Hur länge ärendet varit öppet", "How long the case has been open"),
    "by_status": ("Per status", "By status"),
    "dark": ("Mörker", "Darkness"),
    "light": ("Dagsljus", "Daylight"),
    "unknown": ("Okänd", "Unknown"),
    "trend_4": ("Trend, 4 veckor", "Trend, 4 weeks"),
    "trend_12": ("Trend, 12 veckor", "Trend, 12 weeks"),
    "observations_per_week": ("Iakttagelser per vecka", "Observations per week"),
    "download": ("Ladda ner den här vyn", "Download this view"),
    "download_png": ("Diagram som bild (PNG)", "Chart as image (PNG)"),
    "count": ("Antal", "Count"),
    "share": ("Andel", "Share"),
    "none_match": ("Inget matchar filtret.", "Nothing matches the filter."),
    "week": ("Vecka", "Week"),
    "total": ("Totalt", "Total"),
    # Insatser
    "measures_title": ("Insatstavla", "Measure board"),
    "principles": ("Portföljens fyra principer", "The portfolio's four principles"),
    "critical_mass": ("Kritisk massa", "Critical mass"),
    "endurance": ("Uthållighet", "Endurance"),
    "many_kinds": ("Många olika", "Many kinds"),
    "across_boundaries": ("Över gränser", "Across boundaries"),
    "active_measures": ("aktiva insatser", "active measures"),
    "in_ordinary": ("i ordinarie drift", "in ordinary operations"),
    "median_age": ("medianålder (dagar)", "median age (days)"),
    "palette_groups_used": ("av sju paletter", "of seven palette groups"),
    "multi_org": ("med flera organisationer", "with several organisations"),
    "owner": ("Ansvarig organisation", "Owner organisation"),
    "owner_person": ("Ansvarig person", "Responsible person"),
    "palette": ("Palett", "Palette group"),
    "track": ("Spår", "Track"),
    "horizon": ("Horisont", "Horizon"),
    "focus": ("Fokusområde", "Focus area"),
    "group_by": ("Gruppera efter", "Group by"),
    "no_grouping": ("Ingen gruppering", "No grouping"),
    "columns_view": ("Kolumner per status", "Columns by status"),
    "table_view": ("Tabell (Excel-kolumnerna)", "Table (the Excel columns)"),
    "col_what": ("Vad ska göras?", "What is to be done?"),
    "col_start": ("När ska arbetet inledas?", "When does the work start?"),
    "col_end": ("När ska det vara slutfört?", "When is it to be finished?"),
    "col_goal": ("Vad ska uppnås?", "What is to be achieved?"),
    "col_resources": ("Vilka resurser behövs/ska tillföras?", "Which resources are needed?"),
    "col_indicators": ("Vilka indikatorer finns för framgång?", "Which indicators of success?"),
    "col_achieved": ("Vad har vi uppnått?", "What have we achieved?"),
    "col_owner": ("Vem har ansvar?", "Who is responsible?"),
    "col_followup": ("Hur ska det följas upp?", "How is it followed up?"),
    "late": ("Försenad", "Late"),
    "late_measures": ("försenade", "late"),
    "no_measures": ("Inga insatser ännu.", "No measures yet."),
    "measure": ("Insats", "Measure"),
    "indicators": ("Indikatorer", "Indicators"),
    "baseline": ("Utgångsläge", "Baseline"),
    "target": ("Mål", "Target"),
    "linked_cases": ("Ärenden som insatsen gäller", "Cases the measure addresses"),
    "history": ("Historik", "History"),
    "decisions": ("Beslut", "Decisions"),
    "record_decision": ("Registrera beslut", "Record a decision"),
    "action": ("Åtgärd", "Action"),
    "act_decide": ("Besluta", "Decide"),
    "act_start": ("Starta", "Start"),
    "act_progress": ("Rapportera framsteg", "Report progress"),
    "act_complete": ("Slutför", "Complete"),
    "act_cancel": ("Ställ in", "Cancel"),
    "act_escalate": ("Eskalera till strategiska gruppen", "Escalate to the strategic group"),
    "act_pause": ("Pausa", "Pause"),
    "act_operations": ("Flytta in i ordinarie drift", "Move into ordinary operations"),
    "trend_improving": ("förbättras", "improving"),
    "trend_worsening": ("försämras", "worsening"),
    "trend_flat": ("oförändrad", "flat"),
    "reached": ("målet nått", "target reached"),
    "latest": ("Senast", "Latest"),
    "note": ("Anteckning", "Note"),
    "outcome": ("Utfall", "Outcome"),
    "deviation": ("Orsak till avvikelse", "Reason for deviation"),
    "support_needed": ("Stöd som behövs", "Support needed"),
    "achieved": ("Vad har vi uppnått?", "What have we achieved?"),
    "ordinary": ("Flyttas in i ordinarie drift", "Moved into ordinary operations"),
    "save": ("Spara", "Save"),
    "version": ("Version", "Version"),
    "saved": ("Beslutet är registrerat.", "The decision is recorded."),
    "stale": ("Någon annan har ändrat insatsen sedan du öppnade sidan (du såg version {seen}, nu är den "
              "version {now}). Ingenting skrevs över – läs det nya läget nedan och fatta beslutet igen.",
              "Someone else changed the measure after you opened the page (you saw version {seen}, it is now "
              "version {now}). Nothing was overwritten – read the new state below and decide again."),
    "refused": ("Beslutet kunde inte registreras: {why}", "The decision could not be recorded: {why}"),
    "pending_data": ("Den här delen väntar på sitt datalager (insatser, möten, vandringar och revision "
                     "byggs parallellt).", "This part is waiting for its data layer."),
    "when": ("När", "When"),
    "who": ("Vem", "Who"),
    "role": ("Roll", "Role"),
    "org": ("Organisation", "Organisation"),
    "what": ("Vad", "What"),
    "details": ("Detaljer", "Details"),
    # Möten
    "meetings_title": ("Möten", "Meetings"),
    "meeting": ("Möte", "Meeting"),
    "date": ("Datum", "Date"),
    "attendees": ("Deltagare", "Attendees"),
    "report_back": ("Återrapportering", "Report-back"),
    "print": ("Skriv ut", "Print"),
    "rb_goals": ("Uppsatta mål – har vi nått dem helt eller delvis, och varför avvikelse?",
                 "Goals set – reached fully or partly, and why any deviation?"),
    "rb_success": ("Framgångsfaktorer – vad har hjälpt, vilka hinder har hanterats?",
                   "Success factors – what helped, which obstacles were handled?"),
    "rb_support": ("Behov av stöd – beslut från strategiska gruppen eller organisationerna",
                   "Support needed – decisions from the strategic group or the organisations"),
    "rb_conclusions": ("Slutsatser för det långsiktiga arbetet", "Conclusions for the long-term work"),
    "rb_started": ("Startade insatser", "Measures started"),
    "rb_done": ("Genomförda insatser", "Measures done"),
    "rb_late": ("Försenade insatser", "Late measures"),
    "rb_change": ("Lägets förändring per kategori", "Change in the situation by category"),
    "period": ("Period", "Period"),
    "nothing": ("Inget att rapportera.", "Nothing to report."),
    "no_meetings": ("Inga möten ännu.", "No meetings yet."),
    # Vandringar
    "walks_title": ("Trygghetsvandringar", "Safety walks"),
    "walk": ("Vandring", "Walk"),
    "findings": ("Fynd", "Findings"),
    "protocol": ("Protokoll per ansvarig organisation", "Protocol by responsible organisation"),
    "no_walks": ("Inga vandringar ännu.", "No safety walks yet."),
    "participants": ("Deltagare", "Participants"),
    "state_morker": ("mörker", "darkness"),
    "state_dagsljus": ("dagsljus", "daylight"),
    "state_planned": ("planerad", "planned"),
    "state_started": ("pågår", "in progress"),
    "state_ended": ("avslutad", "ended"),
    "state_held": ("genomfört", "held"),
    "positive_notes": ("Positiva iakttagelser", "Positive notes"),
    # Revision
    "audit_title": ("Revision – vem beslutade vad och när", "Audit – who decided what and when"),
    "timeline": ("Tidslinje", "Timeline"),
    "as_of": ("Tavlorna som de såg ut", "The boards as they stood"),
    "as_of_at": ("Vid tidpunkt", "At"),
    "show_as_of": ("Visa läget då", "Show the state then"),
    "side_by_side": ("Historik sida vid sida", "Histories side by side"),
    "aggregate": ("Ärende eller insats (id)", "Case or measure (id)"),
    "actor": ("Användare", "User"),
    "kind": ("Slag", "Kind"),
    "case": ("Ärende", "Case"),
    "compare": ("Jämför", "Compare"),
    "load_more": ("Fler", "More"),
    # Restricted access: what a board leaves out, said without saying what
    "restricted_case": ("Ett ärende med begränsad åtkomst", "A case with restricted access"),
    "fewer_than": ("färre än {n}", "fewer than {n}"),
    "restricted_h": ("Begränsad åtkomst: ärenden per kategori och vecka",
                     "Restricted access: cases by category and week"),
    "restricted_note": ("Antalen visas utan platser, anteckningar, foton eller id.",
                        "Counts only: no places, notes, photos or ids."),
    "week": ("Vecka", "Week"),
}

# What a board leaves out, counted: (Swedish one, Swedish many, English one, English many).
HIDDEN: dict[str, tuple[str, str, str, str]] = {
    "case": ("1 ärende med begränsad åtkomst visas inte", "{n} ärenden med begränsad åtkomst visas inte",
             "1 case with restricted access is not shown", "{n} cases with restricted access are not shown"),
    "observation": ("1 iakttagelse med begränsad åtkomst visas inte",
                    "{n} iakttagelser med begränsad åtkomst visas inte",
                    "1 observation with restricted access is not shown",
                    "{n} observations with restricted access are not shown"),
    "event": ("1 händelse med begränsad åtkomst visas inte", "{n} händelser med begränsad åtkomst visas inte",
              "1 event with restricted access is not shown", "{n} events with restricted access are not shown"),
}


def hidden_notice(n: int, kind: str = "case") -> str | None:
    """"3 ärenden med begränsad åtkomst visas inte" (None when nothing is left out)."""
    if not n:
        return None
    sv_one, sv_many, en_one, en_many = HIDDEN[kind]
    one, many = (en_one, en_many) if lang() == "en" else (sv_one, sv_many)
    return one if n == 1 else many.format(n=n)


def lang() -> str:
    """The page's language: ``?lang=`` wins and is remembered in the session; Swedish by default."""
    wanted = request.args.get("lang")
    if wanted in LANGS:
        session["lang"] = wanted
        return wanted
    return session.get("lang", "sv") if session.get("lang") in LANGS else "sv"


def state(code: str | None) -> str:
    """A walk's light or status, a meeting's status: small words with no vocabulary of their own."""
    return t(f"state_{code}") if f"state_{code}" in WORDS else (code or "")


def t(key: str, **fmt: Any) -> str:
    sv, en = WORDS.get(key, (key, key))
    text = en if lang() == "en" else sv
    return text.format(**fmt) if fmt else text


def _label(items: Iterable[Any], code: str | None) -> str:
    if code is None or code == "okand":
        return t("unknown")
    for item in items:
        if item.code == code:
            return getattr(item, lang())
    return code


def label(kind: str, code: str | None) -> str:
    """A vocabulary label in the page's language; unknown codes show as themselves."""
    items = VOCABULARIES.get(kind)
    return _label(items, code) if items is not None else (code or "")


VOCABULARIES: dict[str, Iterable[Any]] = {
    "category": taxonomy.CATEGORIES,
    "group": taxonomy.GROUPS,
    "place": taxonomy.PLACES,
    "org": taxonomy.ORGANISATIONS,
    "case_status": vocabulary.CASE_STATUSES,
    "measure_status": vocabulary.MEASURE_STATUSES,
    "outcome": vocabulary.OUTCOMES,
    "palette": vocabulary.PALETTE,
    "track": vocabulary.TRACKS,
    "horizon": vocabulary.HORIZONS,
    "focus": vocabulary.FOCUS_AREAS,
    "role": vocabulary.ROLES,
    "time_of_day": vocabulary.TIME_OF_DAY,
    "case_age": vocabulary.CASE_AGES,
}
