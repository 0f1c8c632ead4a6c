"""Swedish first, English with ``?lang=en``: the boards' own words, plus labels from koll.schema.

A small dict is enough: every string the pages show is a key here, and the vocabularies
(categories, places, statuses, palette …) carry their own sv/en labels in ``koll.schema``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timezone
from typing import Any

from flask import g, request, session

from koll.ledger.domain.daylight import STOCKHOLM
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
    "daylight_today": ("I dag ljust {sunrise}–{sunset}: efter solnedgången {sunset} räknas iakttagelser som gjorda "
                       "i mörker.",
                       "Today light {sunrise}–{sunset}: after sunset at {sunset} reports count as made in the dark."),
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
    "meeting_new": ("Planera ett möte", "Schedule a meeting"),
    "meeting_state_planned": ("planerat", "planned"),  # ett möte: neuter, unlike a walk's "planerad"
    "meeting_state_held": ("genomfört", "held"),
    "schedule_meeting": ("Planera mötet", "Schedule the meeting"),
    "meeting_kind": ("Slags möte", "Kind of meeting"),
    "kind_operational": ("Operativa gruppen", "Operational group"),
    "kind_strategic": ("Strategiska gruppen", "Strategic group"),
    "kind_mobilisation": ("Mobiliseringskonferens", "Mobilisation conference"),
    "kind_workshop": ("Workshop", "Workshop"),
    "next_in_rhythm": ("Nästa datum var tredje vecka", "Next date every three weeks"),
    "title": ("Rubrik", "Title"),
    "form_refused": ("Inget sparades: {why}", "Nothing was recorded: {why}"),
    "meeting_stale": ("Mötet har ändrats sedan du öppnade sidan (du såg version {seen}, nu är den {now}). Inget "
                      "sparades; det du skrev finns kvar – läs igenom och skicka igen.",
                      "The meeting has changed since you opened the page (you saw version {seen}, it is now {now}). "
                      "Nothing was recorded; what you typed is kept – check it and send again."),
    "meeting_saved_scheduled": ("Mötet är planerat.", "The meeting is scheduled."),
    "meeting_saved_attendance": ("Närvaron är registrerad.", "The attendance is recorded."),
    "meeting_saved_decision": ("Beslutet är protokollfört.", "The decision is minuted."),
    "meeting_saved_answer": ("Eskaleringen är besvarad och stängd.", "The escalation is answered and closed."),
    "meeting_saved_hold": ("Mötet är genomfört och protokollet stängt.", "The meeting is held and its record closed."),
    "agenda": ("Dagordning", "Agenda"),
    "since_meeting": ("sedan mötet", "since the meeting"),
    "escalations_waiting": ("Eskaleringar som väntar på svar", "Escalations waiting for an answer"),
    "to_decide": ("Insatser att besluta (bruttolistan)", "Measures to decide (the gross list)"),
    "active_measures": ("Pågående insatser", "Measures under way"),
    "before": ("Förra perioden", "Period before"),
    "attendance": ("Närvaro per organisation", "Attendance by organisation"),
    "no_attendance": ("Ingen närvaro registrerad ännu.", "No attendance recorded yet."),
    "record_attendance": ("Registrera närvaro", "Record attendance"),
    "attendance_help": ("Antal från varje organisation och gärna namnen, åtskilda med komma.",
                        "How many came from each organisation, and their names if you like, separated by commas."),
    "names": ("Namn", "Names"),
    "other_org": ("Övriga", "Others"),
    "no_decisions": ("Inga beslut ännu.", "No decisions yet."),
    "concerns_measures": ("Beslutet gäller insatserna", "The decision concerns the measures"),
    "concerns_cases": ("Beslutet gäller ärendena", "The decision concerns the cases"),
    "cases_help": ("Ärendenas id (de första tecknen räcker), åtskilda med mellanslag eller komma.",
                   "The cases' ids (the first characters will do), separated by spaces or commas."),
    "decide_ideas": ("Insatser från bruttolistan beslutas i och med beslutet",
                     "Measures from the gross list are decided by this decision"),
    "decision_text": ("Beslut", "Decision"),
    "hold_meeting": ("Mötet är genomfört", "The meeting is held"),
    "conclusions": ("Slutsatser", "Conclusions"),
    "answer_escalation": ("Besvara eskaleringen", "Answer the escalation"),
    "answer": ("Svar", "Answer"),
    "answer_note": ("Beslut och motivering", "Decision and reasons"),
    "answer_granted": ("Stöd beviljas", "Support granted"),
    "answer_declined": ("Avslås", "Declined"),
    "answer_other": ("Annat beslut", "Other decision"),
    "rb_escalations_open": ("Eskaleringar som väntar på svar", "Escalations waiting for an answer"),
    "rb_escalations_answered": ("Strategiska gruppens svar sedan förra mötet",
                                "The strategic group's answers since the last meeting"),
    # Vandringar
    "walks_title": ("Trygghetsvandringar", "Safety walks"),
    "walk": ("Vandring", "Walk"),
    "findings": ("Fynd", "Findings"),
    "protocol": ("Protokoll per ansvarig organisation", "Protocol by responsible organisation"),
    "no_walks": ("Inga vandringar ännu.", "No safety walks yet."),
    "participants": ("Deltagare", "Participants"),
    "walk_new": ("Planera en trygghetsvandring", "Plan a safety walk"),
    "plan_walk": ("Planera vandringen", "Plan the walk"),
    "walk_time": ("Klockan", "Time"),
    "local_time_help": ("Svensk tid (Europe/Stockholm).", "Swedish time (Europe/Stockholm)."),
    "walk_bad_time": ("ange datum och klockslag", "give a date and a time"),
    "route": ("Rutt", "Route"),
    "route_help": ("Platserna vandringen går förbi.", "The places the walk passes."),
    "no_route": ("ingen rutt angiven", "no route given"),
    "walk_organisations": ("Organisationer som går med", "Organisations taking part"),
    "walk_saved_planned": ("Vandringen är planerad. Ge vandrarna koden nedan.",
                           "The walk is planned. Give the walkers the code below."),
    "join_code": ("Kod för att gå med", "Code to join"),
    "join_help": ("Vandrarna skriver koden i appen eller skannar QR-koden.",
                  "Walkers type the code in the app or scan the QR code."),
    "join_qr_title": ("QR-kod för att gå med i vandringen: {code}", "QR code to join the walk: {code}"),
    "protocol_empty_planned": ("Vandringen är planerad och har inte börjat: protokollet är tomt tills vandrarna "
                               "rapporterar sina iakttagelser.",
                               "The walk is planned and has not begun: the protocol is empty until the walkers "
                               "report what they see."),
    "protocol_empty_started": ("Vandringen pågår; inga iakttagelser har rapporterats ännu.",
                               "The walk is under way; nothing has been reported yet."),
    "protocol_empty_ended": ("Inga iakttagelser rapporterades under vandringen.",
                             "Nothing was reported during the walk."),
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
    "local_time": ("svensk tid", "Swedish time"),
    "position": ("position", "position"),
    "kind_Case": ("Ärende", "Case"),
    "kind_Observation": ("Iakttagelse", "Observation"),
    "kind_Measure": ("Insats", "Measure"),
    "kind_Meeting": ("Möte", "Meeting"),
    "kind_Walk": ("Vandring", "Walk"),
    "kind_User": ("Användare", "User"),
    # Ärenden
    "nav_cases": ("Ärenden", "Cases"),
    "cases_title": ("Ärenden", "Cases"),
    "case_title": ("Ärende", "Case"),
    "org_assigned": ("Ansvarig organisation", "Responsible organisation"),
    "assignee": ("Handläggare", "Assignee"),
    "age": ("Ålder", "Age"),
    "darkness": ("Ljus", "Light"),
    "walk_filter": ("Trygghetsvandring", "Safety walk"),
    "sort": ("Sortera", "Sort"),
    "order": ("Ordning", "Order"),
    "order_desc": ("Nyast / störst först", "Newest / largest first"),
    "order_asc": ("Äldst / minst först", "Oldest / smallest first"),
    "sort_opened": ("Öppnat", "Opened"),
    "sort_updated": ("Senast ändrat", "Last changed"),
    "sort_observed": ("Senast iakttaget", "Last observed"),
    "sort_priority": ("Prioritet", "Priority"),
    "sort_observations": ("Antal iakttagelser", "Number of observations"),
    "sort_category": ("Kategori", "Category"),
    "sort_place": ("Plats", "Place"),
    "sort_status": ("Status", "Status"),
    "sort_org": ("Ansvarig organisation", "Responsible organisation"),
    "priority": ("Prioritet", "Priority"),
    "priority_1": ("1 – hög", "1 – high"),
    "priority_2": ("2 – normal", "2 – normal"),
    "priority_3": ("3 – låg", "3 – low"),
    "opened": ("Öppnat", "Opened"),
    "page_of": ("Sida {page} av {pages}", "Page {page} of {pages}"),
    "previous": ("Föregående", "Previous"),
    "next": ("Nästa", "Next"),
    "select_case": ("Välj ärendet", "Select the case"),
    "select_all": ("Välj alla på sidan", "Select all on the page"),
    "bulk_title": ("Bedöm och tilldela valda ärenden", "Triage and assign the selected cases"),
    "bulk_help": ("Välj ärenden i listan. Prioritet bedömer dem, organisation tilldelar dem; båda gör båda.",
                  "Select cases in the list. A priority triages them, an organisation assigns them; both do both."),
    "bulk_apply": ("Registrera för valda ärenden", "Record for the selected cases"),
    "bulk_nothing": ("Välj minst ett ärende och ange prioritet eller organisation.",
                     "Select at least one case and give a priority or an organisation."),
    "bulk_done": ("Registrerat för {n}.", "Recorded for {n}."),
    "bulk_stale": ("Ändrat av någon annan sedan sidan öppnades, inget registrerat: {n}.",
                   "Changed by someone else since the page was opened, nothing recorded: {n}."),
    "bulk_refused": ("Kunde inte registreras: {n}.", "Could not be recorded: {n}."),
    "unchanged": ("oförändrad", "unchanged"),
    "no_cases": ("Inga ärenden matchar filtret.", "No cases match the filter."),
    "observations": ("Iakttagelser", "Observations"),
    "reporter": ("Rapportör", "Reporter"),
    "photos": ("Foton", "Photos"),
    "act_triage": ("Bedöm", "Triage"),
    "act_assign": ("Tilldela", "Assign"),
    "act_start_work": ("Påbörja arbetet", "Start work"),
    "act_close": ("Avsluta utan åtgärd", "Close without action"),
    "act_resolve": ("Markera som åtgärdat", "Mark as resolved"),
    "act_duplicate": ("Markera som dubblett", "Mark as duplicate"),
    "act_reopen": ("Öppna igen", "Reopen"),
    "public_note": ("Svar till rapportören (visas för den som rapporterade)",
                    "Answer to the reporter (shown to whoever reported it)"),
    "reporters_told": ("får besked med svaret via e-post när ärendet markeras som åtgärdat.",
                       "will hear by e-mail, with the answer, when the case is marked resolved."),
    "close_reason": ("Skäl", "Reason"),
    "reopen_reason": ("Varför öppnas ärendet igen?", "Why is the case reopened?"),
    "duplicate_of": ("Dubblett av", "Duplicate of"),
    "nearby_cases": ("Öppna ärenden i närheten", "Open cases nearby"),
    "no_nearby": ("Inga öppna ärenden i närheten att slå ihop med.", "No open cases nearby to merge with."),
    "metres": ("m", "m"),
    "case_saved": ("Beslutet är registrerat i ärendet.", "The decision is recorded on the case."),
    "case_stale": ("Någon annan har ändrat ärendet sedan du öppnade sidan (du såg version {seen}, nu är den "
                   "version {now}). Ingenting registrerades – läs det nya läget och fatta beslutet igen; det du "
                   "skrev finns kvar i formuläret.",
                   "Someone else changed the case after you opened the page (you saw version {seen}, it is now "
                   "version {now}). Nothing was recorded – read the new state and decide again; what you typed "
                   "is still in the form."),
    "case_not_now": ("det går inte när ärendet har status {status}", "that is not possible while the case is {status}"),
    "case_refused": ("Beslutet kunde inte registreras: {why}", "The decision could not be recorded: {why}"),
    "case_now_restricted": ("Beslutet är registrerat. Ärendet är nu begränsat och syns bara för polisen och IFO.",
                            "The decision is recorded. The case is now restricted to the police and IFO."),
    "keep_category": ("Behåll kategorin", "Keep the category"),
    "choose": ("Välj …", "Choose …"),
    "open_case": ("Öppna ärendet", "Open the case"),
    "related_case": ("Följer på ett tidigare ärende", "Follows an earlier case"),
    # Användare
    "nav_users": ("Användare", "Users"),
    "users_title": ("Användare", "Users"),
    "add_user": ("Lägg till användare", "Add a user"),
    "first_sign_in": ("Första inloggningen", "First sign-in"),
    "via_link": ("Engångslänk för inloggning", "One-time sign-in link"),
    "add_user_help": ("Användaren får en engångslänk där hen väljer sitt eget lösenord; ingen annan ser det.",
                      "The user gets a one-time link where they choose their own password; nobody else sees it."),
    "manage_user": ("Ändra, återställ, inaktivera", "Change, reset, deactivate"),
    "expires": ("Går ut", "Expires"),
    "name_needed": ("ange ett användarnamn (högst 120 tecken)", "give a user name (at most 120 characters)"),
    "user_deactivated": ("Användaren är inaktiverad; alla hens nycklar och inloggningar har upphört.",
                         "The user is deactivated; all their tokens and sessions have ended."),
    "tokens_revoked": ("Nycklarna är återkallade.", "The tokens are revoked."),
    "password_reset": ("Lösenordet för {name} är återställt: det gamla fungerar inte längre.",
                       "The password of {name} is reset: the old one no longer works."),
    "choose_password": ("Välj ditt lösenord", "Choose your password"),
    "choose_password_for": ("Du loggar in som {name}. Välj ett lösenord som bara du känner till.",
                            "You are signing in as {name}. Choose a password only you know."),
    "new_password": ("Nytt lösenord", "New password"),
    "new_password_again": ("Samma lösenord igen", "The same password again"),
    "save_and_sign_in": ("Spara och logga in", "Save and sign in"),
    "passwords_differ": ("Lösenorden är inte lika.", "The passwords differ."),
    "link_dead": ("Länken är redan använd, har gått ut eller finns inte. Be administratören om en ny.",
                  "The link has been used, has expired or does not exist. Ask the administrator for a new one."),
    "active": ("Aktiv", "Active"),
    "inactive": ("Inaktiverad", "Deactivated"),
    "tokens": ("Nycklar (inloggningar)", "Tokens (sign-ins)"),
    "token_label": ("Etikett", "Label"),
    "created": ("Skapad", "Created"),
    "change_role": ("Byt roll", "Change role"),
    "reset_password": ("Nytt tillfälligt lösenord", "Reset the password"),
    "deactivate": ("Inaktivera", "Deactivate"),
    "revoke": ("Återkalla", "Revoke"),
    "revoke_all": ("Återkalla alla nycklar", "Revoke all tokens"),
    "user_added": ("Användaren {name} är tillagd.", "The user {name} is added."),
    "user_link": ("Ge {name} den här länken (den fungerar en gång, i 24 timmar):",
                  "Give {name} this link (it works once, for 24 hours):"),
    "user_changed": ("Ändringen är registrerad.", "The change is recorded."),
    "password_short": ("lösenordet måste ha minst {n} tecken", "the password needs at least {n} characters"),
    "user_refused": ("Kunde inte registreras: {why}", "Could not be recorded: {why}"),
}

# What happened, in words: an event's name (Aggregate.Event) told as a sentence.
EVENTS: dict[str, tuple[str, str]] = {
    "Case.Opened": ("Ärendet öppnades", "The case was opened"),
    "Case.Triaged": ("Ärendet bedömdes", "The case was triaged"),
    "Case.Assigned": ("Ärendet tilldelades", "The case was assigned"),
    "Case.WorkStarted": ("Arbetet med ärendet påbörjades", "Work on the case started"),
    "Case.Resolved": ("Ärendet åtgärdades", "The case was resolved"),
    "Case.Closed": ("Ärendet avslutades", "The case was closed"),
    "Case.Reopened": ("Ärendet öppnades igen", "The case was reopened"),
    "Observation.Recorded": ("En iakttagelse rapporterades", "An observation was reported"),
    "Observation.PhotoAttached": ("Ett foto bifogades", "A photo was attached"),
    "Observation.Erased": ("Rapportens personuppgifter raderades", "The report's personal data was erased"),
    "Measure.Proposed": ("Insatsen föreslogs till bruttolistan", "The measure was proposed for the gross list"),
    "Measure.Revised": ("Insatsens plan ändrades", "The measure's plan was changed"),
    "Measure.Decided": ("Insatsen beslutades", "The measure was decided"),
    "Measure.Assigned": ("Insatsen fick en ny ansvarig", "The measure got a new owner"),
    "Measure.Started": ("Insatsen påbörjades", "The measure was started"),
    "Measure.ProgressReported": ("Framsteg rapporterades", "Progress was reported"),
    "Measure.Paused": ("Insatsen pausades", "The measure was paused"),
    "Measure.Completed": ("Insatsen avslutades", "The measure was completed"),
    "Measure.Cancelled": ("Insatsen ställdes in", "The measure was cancelled"),
    "Measure.Escalated": ("Insatsen eskalerades till strategiska gruppen", "The measure was escalated to the strategic group"),
    "Measure.MovedToOperations": ("Insatsen flyttades in i ordinarie drift", "The measure moved into ordinary operations"),
    "Measure.CaseLinked": ("Ett ärende kopplades till insatsen", "A case was linked to the measure"),
    "Measure.IndicatorDefined": ("En indikator lades till", "An indicator was defined"),
    "Measure.IndicatorValueRecorded": ("Ett indikatorvärde registrerades", "An indicator value was recorded"),
    "Meeting.Scheduled": ("Mötet planerades", "The meeting was scheduled"),
    "Meeting.DecisionRecorded": ("Ett beslut protokollfördes", "A decision was minuted"),
    "Meeting.Held": ("Mötet hölls", "The meeting was held"),
    "Meeting.AttendanceRecorded": ("Närvaron registrerades", "The attendance was recorded"),
    "Walk.Planned": ("Trygghetsvandringen planerades", "The safety walk was planned"),
    "Walk.Started": ("Trygghetsvandringen började", "The safety walk started"),
    "Walk.Ended": ("Trygghetsvandringen avslutades", "The safety walk ended"),
    "Walk.PeopleErased": ("Deltagarnas namn raderades", "The walkers' names were erased"),
    "User.Registered": ("Användaren lades till", "The user was added"),
    "User.Deactivated": ("Användaren inaktiverades", "The user was deactivated"),
    "User.RoleChanged": ("Användarens roll ändrades", "The user's role was changed"),
}

# The fields a change is told with, in words; (Swedish, English, vocabulary kind for the value or None).
FIELDS: dict[str, tuple[str, str, str | None]] = {
    "status": ("Status", "Status", "status"),
    "priority": ("Prioritet", "Priority", None),
    "category": ("Kategori", "Category", "category"),
    "group": ("Kategorigrupp", "Category group", "group"),
    "place": ("Plats", "Place", "place"),
    "org": ("Organisation", "Organisation", "org"),
    "person": ("Person", "Person", None),
    "assigned_org": ("Ansvarig organisation", "Responsible organisation", "org"),
    "assigned_person": ("Handläggare", "Assignee", None),
    "owner_org": ("Ansvarig organisation", "Owner organisation", "org"),
    "owner_person": ("Ansvarig person", "Responsible person", None),
    "partners": ("Samarbetspartner", "Partners", "org"),
    "reason": ("Skäl", "Reason", "close_reason"),
    "close_reason": ("Skäl", "Reason", "close_reason"),
    "note": ("Anteckning", "Note", None),
    "public_note": ("Svar till rapportören", "Answer to the reporter", None),
    "duplicate_of": ("Dubblett av", "Duplicate of", "case"),
    "case_id": ("Ärende", "Case", "case"),
    "related_case": ("Följer på ärende", "Follows case", "case"),
    "meeting_id": ("Möte", "Meeting", "meeting"),
    "what": ("Vad ska göras?", "What is to be done?", None),
    "start": ("Start", "Start", None),
    "end": ("Slut", "End", None),
    "on": ("Datum", "Date", None),
    "goal": ("Mål", "Goal", None),
    "resources": ("Resurser", "Resources", None),
    "follow_up": ("Uppföljning", "Follow-up", None),
    "achieved": ("Vad har vi uppnått?", "What have we achieved?", None),
    "outcome": ("Utfall", "Outcome", "outcome"),
    "deviation_reason": ("Orsak till avvikelse", "Reason for deviation", None),
    "success_factors": ("Framgångsfaktorer", "Success factors", None),
    "support_needed": ("Stöd som behövs", "Support needed", None),
    "palette": ("Palett", "Palette group", "palette"),
    "track": ("Spår", "Track", "track"),
    "horizon": ("Horisont", "Horizon", "horizon"),
    "focus_area": ("Fokusområde", "Focus area", "focus"),
    "in_operations": ("I ordinarie drift", "In ordinary operations", "yes_no"),
    "active": ("Aktiv", "Active", "yes_no"),
    "role": ("Roll", "Role", "role"),
    "name": ("Namn", "Name", None),
    "title": ("Rubrik", "Title", None),
    "date": ("Datum", "Date", None),
    "text": ("Beslut", "Decision", None),
    "conclusions": ("Slutsatser", "Conclusions", None),
    "summary": ("Sammanfattning", "Summary", None),
    "value": ("Värde", "Value", None),
    "indicator": ("Indikator", "Indicator", None),
    "measured_on": ("Mätdatum", "Measured on", None),
    "escalation": ("Eskalering", "Escalation", None),
    "answer": ("Svar", "Answer", None),
    "attendance": ("Närvaro", "Attendance", None),
    "measures": ("Insatser", "Measures", None),
    "cases": ("Ärenden", "Cases", None),
    "route": ("Rutt", "Route", "place"),
    "organisations": ("Organisationer", "Organisations", "org"),
    "planned_at": ("Tid", "Time", None),
}

# Counted nouns: (Swedish one, Swedish many, English one, English many).
NOUNS: dict[str, tuple[str, str, str, str]] = {
    "case": ("ärende", "ärenden", "case", "cases"),
    "measure": ("insats", "insatser", "measure", "measures"),
    "observation": ("iakttagelse", "iakttagelser", "observation", "observations"),
    "photo": ("foto", "foton", "photo", "photos"),
    "user": ("användare", "användare", "user", "users"),
    "token": ("nyckel", "nycklar", "token", "tokens"),
    "reporter": ("rapportör", "rapportörer", "reporter", "reporters"),
    "finding": ("fynd", "fynd", "finding", "findings"),
    "meeting": ("möte", "möten", "meeting", "meetings"),
    "walk": ("vandring", "vandringar", "walk", "walks"),
    "event": ("händelse", "händelser", "event", "events"),
}


def number(n: int) -> str:
    """50 000 in Swedish (a no-break space between thousands), 50,000 in English."""
    text = f"{n:,}"
    return text if lang() == "en" else text.replace(",", "\u00a0")


def noun(n: int, what: str) -> str:
    """The noun for ``n`` of them: 'ärende' for 1, 'ärenden' otherwise."""
    sv1, svn, en1, enn = NOUNS[what]
    return (en1 if n == 1 else enn) if lang() == "en" else (sv1 if n == 1 else svn)


def count(n: int, what: str) -> str:
    """'1 ärende', '3 ärenden': a number and its noun in the right form."""
    return f"{number(n)} {noun(n, what)}"


def local(value: Any, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A moment on the square's own clock (Europe/Stockholm), whatever it was stored as: read
    models keep naive UTC, events ISO text with an offset. A date alone is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if not isinstance(value, datetime):
        return value.strftime(fmt.split(" ")[0]) if isinstance(value, date) else str(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(STOCKHOLM).strftime(fmt)


def event_text(name: str) -> str:
    """'Measure.Completed' → 'Insatsen avslutades'; an event without words shows its name."""
    words = EVENTS.get(name)
    if words is None:
        return name
    return words[1] if lang() == "en" else words[0]


def field_text(key: str) -> str:
    words = FIELDS.get(key)
    if words is None:
        return key
    return words[1] if lang() == "en" else words[0]

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
    if "koll_lang" in g:  # asked hundreds of times a page: decided once a request
        return g.koll_lang
    wanted = request.args.get("lang")
    if wanted in LANGS:
        session["lang"] = wanted
    else:
        wanted = session.get("lang", "sv") if session.get("lang") in LANGS else "sv"
    g.koll_lang = wanted
    return wanted


def state(code: str | None) -> str:
    """A walk's light or status, a meeting's status: small words with no vocabulary of their own."""
    return t(f"state_{code}") if f"state_{code}" in WORDS else (code or "")


def t(key: str, **fmt: Any) -> str:
    sv, en = WORDS.get(key, (key, key))
    text = en if lang() == "en" else sv
    return text.format(**fmt) if fmt else text


_BY_CODE: dict[str, dict[str, Any]] = {}  # kind → code → term, built on first use (a page asks hundreds of times)


def label(kind: str, code: str | None) -> str:
    """A vocabulary label in the page's language; unknown codes show as themselves."""
    items = VOCABULARIES.get(kind)
    if items is None:
        return code or ""
    if code is None or code == "okand":
        return t("unknown")
    index = _BY_CODE.get(kind)
    if index is None:
        index = _BY_CODE[kind] = {item.code: item for item in items}
    item = index.get(code)
    return getattr(item, lang()) if item is not None else code


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
    "close_reason": vocabulary.CASE_CLOSE_REASONS,
}
