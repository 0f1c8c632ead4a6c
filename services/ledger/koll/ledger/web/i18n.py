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
from koll.schema import glossary, taxonomy, vocabulary
from koll.schema.glossary import TERMS as G

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
    "csrf_failed": ("Formuläret har gått ut. Försök igen.", "The form had expired. Please try again."),
    "forbidden": ("Din roll får inte se den här sidan.", "Your role may not see this page."),
    "not_found": ("Hittades inte.", "Not found."),
    "language": ("Språk", "Language"),
    "other_lang": ("In English", "På svenska"),
    # Lägesbild
    "daylight_today": ("Ljust i dag {sunrise}–{sunset}. Efter solnedgången kl. {sunset} räknas iakttagelser som gjorda "
                       "i mörker.",
                       "Today light {sunrise}–{sunset}: after sunset at {sunset} reports count as made in the dark."),
    "situation_title": ("Lägesbild – {area}", "Situation – {area}"),
    "area": ("Område", "Area"),
    "all_areas": ("alla områden", "all areas"),
    # Områden: the overview across areas and the administrator's pages of areas (web/areas.py)
    "nav_overview": ("Översikt", "Overview"),
    "nav_areas": ("Områden", "Areas"),
    "overview_title": ("Översikt över områdena", "Overview of the areas"),
    "overview_intro": ("Områdena sida vid sida, som den strategiska gruppen ser dem: öppna ärenden, insatser, "
                       "portföljens fyra principer, möten och eskaleringar som väntar på svar.",
                       "The areas side by side, as the strategic group sees them: open cases, measures, the "
                       "portfolio's four principles, meetings and escalations waiting for an answer."),
    "overview_caption": ("Nya ärenden sedan {since}; försenade insatser per {today}.",
                         "New cases since {since}; late as of {today}."),
    "new_since": ("Nya sedan", "New since"),
    "new_this_period": ("Nya", "New"),
    "active_measures_col": ("Pågående insatser", "Measures active"),
    "late_measures_col": ("Försenade", "Late"),
    "last_meeting": ("Senaste möte", "Last meeting"),
    "next_meeting": ("Nästa möte", "Next meeting"),
    "escalations_waiting": ("Eskaleringar som väntar", "Escalations waiting"),
    "to_measures": ("insatser →", "measures →"),
    "waiting_for_answer": ("väntar på svar", "waiting for an answer"),
    "no_areas": ("Inga områden att visa.", "No areas to show."),
    "areas_title": ("Områden", "Areas"),
    "new_area": ("Nytt område", "New area"),
    "new_area_help": ("Ge området en kod och ett namn och rita gränsen på kartan: klicka på \u201dRita gränsen\u201d "
                      "och sedan på kartan, ett hörn i taget. Platser, aktörer och kategorier lägger du till på "
                      "områdets sida.",
                      "Give the area a code and a name and draw its boundary on the map: click \u201cDraw the "
                      "boundary\u201d, then on the map, one corner at a time. Places, organisations and categories "
                      "are added on the area's page."),
    "code_help": ("2–40 små bokstäver, siffror eller bindestreck, t.ex. rosengard-centrum.",
                  "2–40 lower-case letters, digits or hyphens, e.g. rosengard-centrum."),
    "create_area": ("Skapa området", "Create the area"),
    "from_definition": ("Från en definitionsfil", "From a definition file"),
    "from_definition_help": ("Klistra in eller ladda upp en fil i samma form som koll area export skriver.",
                             "Paste or upload a file in the shape koll area export writes."),
    "definition_file": ("Fil (.json)", "File (.json)"),
    "import_area": ("Läs in området", "Import the area"),
    "download_definition": ("Ladda ner definitionsfilen", "Download the definition file"),
    "area_base": ("Namn, tidszon och gräns", "Name, time zone and boundary"),
    "save_area_base": ("Spara namn och gräns", "Save name and boundary"),
    "places_h": ("Platser", "Places"),
    "places_help": ("En plats är en punkt med en radie. Klicka på \u201dVälj på kartan\u201d och sedan på kartan för "
                    "att sätta punkten; den nya platsen skrivs i den tomma raden sist.",
                    "A place is a point with a radius. Click \u201cPick on the map\u201d, then on the map to set the "
                    "point; a new place goes in the empty row at the end."),
    "save_places": ("Spara platserna", "Save the places"),
    "orgs_h": ("Aktörer", "Organisations"),
    "orgs_help": ("De som deltar: sektor, e-post för aviseringar och vilka kategorier de svarar för.",
                  "Those taking part: sector, e-mail for notifications and the categories they answer for."),
    "save_orgs": ("Spara aktörerna", "Save the organisations"),
    "categories_h": ("Kategorier", "Categories"),
    "categories_help": ("Kategorierna i bruk: ur den nationella katalogen, och områdets egna.",
                        "The categories in use: from the national catalogue, and the area's own."),
    "local_categories": ("Egna kategorier", "Local categories"),
    "save_categories": ("Spara kategorierna", "Save the categories"),
    "drawn_polygon": ("Ritad yta (ändras i definitionsfilen)", "Drawn polygon (changed in the definition file)"),
    "on_map": ("Karta", "Map"),
    "pick_on_map": ("Välj på kartan", "Pick on the map"),
    "remove": ("Ta bort", "Remove"),
    "map_tools": ("Kartverktyg", "Map tools"),
    "draw_boundary": ("Rita gränsen", "Draw the boundary"),
    "undo_vertex": ("Ångra senaste hörnet", "Undo the last corner"),
    "clear_boundary": ("Börja om", "Start over"),
    "map_idle": ("Dra i ett hörn för att flytta det.", "Drag a corner to move it."),
    "map_drawing": ("Klicka på kartan för att lägga till hörn.", "Click on the map to add corners."),
    "map_picking": ("Klicka på kartan där platsen ligger.", "Click on the map where the place is."),
    "area_map_label": ("Karta över området med gräns och platser", "Map of the area with its boundary and places"),
    "vertices": ("Gränsen har {n} hörn.", "The boundary has {n} corners."),
    "area_refused": ("Inget registrerat: {why}", "Nothing recorded: {why}"),
    "area_stale": ("Någon annan har ändrat området sedan du öppnade sidan (du såg version {seen}, nu är den {now}). "
                   "Inget registrerat; det du skrev står kvar – se över och spara igen.",
                   "Someone else changed the area since you opened the page (you saw version {seen}, it is now "
                   "{now}). Nothing recorded; what you typed is kept – check and save again."),
    "area_exists": ("det finns redan ett område '{code}' – ändra det på dess sida",
                    "there already is an area '{code}' – change it on its page"),
    "not_json": ("filen är inte giltig JSON ({why})", "the file is not valid JSON ({why})"),
    "not_a_definition": ("filen är inte en områdesdefinition", "the file is not an area definition"),
    "draw_boundary_first": ("rita gränsen på kartan (minst tre hörn)", "draw the boundary on the map (three corners at least)"),
    "place_position_needed": ("välj platsen på kartan eller skriv latitud och longitud",
                              "pick the place on the map or type its latitude and longitude"),
    "a_number": ("ett tal, t.ex. 30", "a number, e.g. 30"),
    "area_created": ("Området är skapat. Lägg till platser, aktörer och kategorier nedan.",
                     "The area is created. Add places, organisations and categories below."),
    "area_saved": ("Namn och gräns är sparade.", "Name and boundary saved."),
    "places_saved": ("Platserna är sparade.", "The places are saved."),
    "orgs_saved": ("Aktörerna är sparade.", "The organisations are saved."),
    "categories_saved": ("Kategorierna är sparade.", "The categories are saved."),
    "row_places": ("Plats", "Place"),
    "row_orgs": ("Aktör", "Organisation"),
    "row_local": ("Egen kategori", "Local category"),
    "field_code": ("Kod", "Code"),
    "field_sv": ("Namn (svenska)", "Name (Swedish)"),
    "field_en": ("Namn (engelska)", "Name (English)"),
    "field_name_sv": ("Namn (svenska)", "Name (Swedish)"),
    "field_name_en": ("Namn (engelska)", "Name (English)"),
    "field_time_zone": ("Tidszon", "Time zone"),
    "field_boundary": ("Gräns", "Boundary"),
    "field_definition": ("Definition (JSON)", "Definition (JSON)"),
    "field_lat": ("Latitud", "Latitude"),
    "field_lon": ("Longitud", "Longitude"),
    "field_radius_m": ("Radie (m)", "Radius (m)"),
    "field_sector": ("Sektor", "Sector"),
    "field_email": ("E-post", "E-mail"),
    "field_categories": ("Svarar för", "Answers for"),
    "field_group": ("Grupp", "Group"),
    "field_visibility": ("Synlighet", "Visibility"),
    "field_photo": ("Foto", "Photo"),
    "field_owner": ("Ansvarig aktör (kod)", "Responsible organisation (code)"),
    "field_places": ("Platser", "Places"),
    "field_organisations": ("Aktörer", "Organisations"),
    "field_categories_all": ("Kategorier", "Categories"),
    "sector_public": ("offentlig", "public"),
    "sector_private": ("privat", "private"),
    "sector_civil": ("civilsamhälle", "civil society"),
    "photo_required": ("krävs", "required"),
    "photo_optional": ("valfritt", "optional"),
    "photo_blocked": ("tillåts inte", "not allowed"),
    "daylight_area": ("{area}: ljust {sunrise}–{sunset}", "{area}: light {sunrise}–{sunset}"),
    "daylight_after_sunset": ("Efter solnedgången räknas iakttagelser som gjorda i mörker.",
                              "After sunset reports count as made in the dark."),
    "daylight_polar_night": ("I dag går solen inte upp: mörkt hela dagen, alla iakttagelser räknas som gjorda i mörker.",
                             "The sun does not rise today: dark all day, every report counts as made in the dark."),
    "daylight_midnight_sun": ("I dag går solen inte ned: ljust hela dygnet.",
                              "The sun does not set today: light all day and night."),
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
    "map_label": ("Karta över området med ärenden", "Map of the area with cases"),
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
    "by_age": ("Hur länge ärendena har varit öppna", "How long the cases have been open"),
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
    "critical_mass": G["critical_mass"],
    "endurance": G["endurance"],
    "many_kinds": G["many_kinds"],
    "across_boundaries": G["across_boundaries"],
    "active_measures": ("aktiva insatser", "active measures"),
    "in_ordinary": ("i ordinarie drift", "in ordinary operations"),
    "median_age": ("medianålder (dagar)", "median age (days)"),
    "palette_groups_used": G["palette_groups_used"],
    "multi_org": ("med flera organisationer", "with several organisations"),
    "owner": ("Ansvarig organisation", "Owner organisation"),
    "owner_person": ("Ansvarig person", "Responsible person"),
    "palette": G["palette_group"],
    "track": G["track"],
    "horizon": G["horizon"],
    "focus": G["focus_area"],
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
    "baseline": G["baseline"],
    "target": G["target_value"],
    "linked_cases": ("Ärenden som insatsen gäller", "Cases the measure addresses"),
    "history": ("Historik", "History"),
    "decisions": ("Beslut", "Decisions"),
    "record_decision": ("Registrera beslut", "Record a decision"),
    "action": ("Åtgärd", "Action"),
    "act_decide": ("Besluta", "Decide"),
    "act_start": ("Starta", "Start"),
    "act_progress": ("Rapportera framsteg", "Report progress"),
    "act_complete": ("Slutför", "Complete"),
    "act_cancel": G["cancel_measure"],
    "act_escalate": ("Eskalera till strategiska gruppen", "Escalate to the strategic group"),
    "act_pause": ("Pausa", "Pause"),
    "act_operations": G["into_operations"],
    "trend_improving": ("förbättras", "improving"),
    "trend_worsening": ("försämras", "worsening"),
    "trend_flat": ("oförändrad", "flat"),
    "reached": ("målet är nått", "target reached"),
    "latest": ("Senast", "Latest"),
    "note": ("Anteckning", "Note"),
    "outcome": ("Utfall", "Outcome"),
    "deviation": ("Orsak till avvikelse", "Reason for deviation"),
    "support_needed": ("Stöd som behövs", "Support needed"),
    "achieved": ("Vad har vi uppnått?", "What have we achieved?"),
    "ordinary": G["moved_into_operations"],
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
    # Insatser: forms, the gross list, the inventory, the matrix, the sheet
    "target_value": ("Målvärde", "Target value"),
    "plan_saved": ("Planen är sparad.", "The plan is saved."),
    "new_refused": ("Insatsen kunde inte föras in: {why}", "The measure could not be recorded: {why}"),
    "measure_added": ("Insatsen är införd.", "The measure is recorded."),
    "measure_areas": ("Områden", "Areas"),
    "link_area": ("Insatsen gäller även området", "Span the area too"),
    "why": ("Varför", "Why"),
    "baseline_period": G["baseline_period"],
    "measure_period": ("Insatsens period", "The measure's period"),
    "baseline_from": G["baseline_from"],
    "baseline_to": G["baseline_to"],
    "baseline_mean": ("Snitt per vecka i utgångsläget", "Weekly mean in the baseline"),
    "period_mean": ("Snitt per vecka under insatsen", "Weekly mean during the measure"),
    "baseline_and_target": ("Utgångsläge och målvärde", "Baseline and target"),
    "add_indicator": ("Lägg till indikator", "Add an indicator"),
    "indicator_name": ("Indikatorns namn", "Indicator name"),
    "indicator_code": ("Kort kod (a–z, 0–9)", "Short code (a–z, 0–9)"),
    "indicator_source": ("Hur mäts den?", "How is it measured?"),
    "source_computed": ("Räknas ur rapporterna", "Counted from the reports"),
    "source_manual": ("Förs in för hand (t.ex. trygghetsmätning)", "Entered by hand (e.g. a safety survey)"),
    "direction": ("Framgång är", "Success is"),
    "counts_groups": ("Räknar kategorigrupperna", "Counts the category groups"),
    "case_id_needed": ("välj ett ärende", "choose a case"),
    "link_case": ("Koppla ett öppet ärende", "Link an open case"),
    "link": ("Koppla", "Link"),
    "unlink": ("Koppla bort", "Unlink"),
    "edit_plan": ("Ändra planen", "Change the plan"),
    "save_plan": ("Spara planen", "Save the plan"),
    "partners": G["partners"],
    "cancelled_because": ("Insatsen avbröts:", "The measure was cancelled:"),
    "inventory_note": ("Pågick redan när den fördes in (inventeringen).", "Already running when recorded (the inventory)."),
    "measure_views": ("Insatsernas vyer", "Views of the measures"),
    "board_view": ("Tavlan", "Board"),
    "gross_list": ("Bruttolista", "Gross list"),
    "inventory": ("Inventering", "Inventory"),
    "matrix": ("Spår och tidshorisont", "Tracks and horizons"),
    "new_idea": ("Ny idé", "New idea"),
    "new_running": ("Något som redan görs", "Something already done"),
    "new_idea_lead": ("En idé till bruttolistan. Svara på sorteringsfrågorna så att listan kan sorteras och ni ser var ni kan börja.",
                      "An idea for the gross list. Answer the sorting questions so the list can be sorted."),
    "new_running_lead": ("Inventeringen: mycket görs redan idag – men ingen har koll på helheten. För in det en organisation redan gör, med dagen det började.",
                         "The inventory: record what an organisation already does, with the day it began."),
    "add_to_gross_list": ("Lägg till i bruttolistan", "Add to the gross list"),
    "record_running": ("För in i inventeringen", "Record in the inventory"),
    "sorting_questions": ("Sorteringsfrågor", "Sorting questions"),
    "q_size": ("Stort eller smått?", "Large or small?"),
    "q_complexity": ("Enkelt eller komplext?", "Simple or complicated?"),
    "q_level": ("Symptom eller underliggande orsak?", "Symptom or underlying cause?"),
    "q_mandate": ("Inom gruppens mandat?", "Within the group's mandate?"),
    "q_urgency": ("Bråttom eller kan vänta?", "Urgent or can wait?"),
    "q_approach": ("Reaktiv eller preventiv?", "Reactive or preventive?"),
    "q_visibility": ("Synlig effekt för de boende?", "Visible to residents?"),
    "q_priority": ("Prioritet (1 högst)", "Priority (1 highest)"),
    "q_synergy": ("Synergieffekter med andra insatser?", "Synergies with other measures?"),
    "not_answered": ("Inte besvarat", "Not answered"),
    "yes": ("Ja", "Yes"),
    "no": ("Nej", "No"),
    "synergy": ("Synergi", "Synergy"),
    "where_to_start": ("Var börjar vi?", "Where do we start?"),
    "where_to_start_lead": ("Enkelt, inom gruppens mandat, brådskande och synligt för de boende: "
                            "börja där sannolikheten att lyckas är stor.",
                            "Simple, within the mandate, urgent and visible: start where success is likely."),
    "all_ideas": ("Alla idéer", "All ideas"),
    "sort_by": ("Sortera efter", "Sort by"),
    "start_here": ("Börja här", "Start here"),
    "no_ideas": ("Inga idéer på bruttolistan.", "No ideas on the gross list."),
    "inventory_lead": ("Det som redan görs, per organisation: det den ansvarar för och det den är med i.",
                       "What is already done, by organisation: what it owns and what it takes part in."),
    "no_inventory": ("Inget är inventerat ännu.", "Nothing is inventoried yet."),
    "as_owner": ("ansvarig", "owner"),
    "as_partner": ("samverkanspartner", "partner"),
    "matrix_rows": ("Rader", "Rows"),
    "no_horizon": ("Ingen tidshorisont", "No horizon"),
    "sheet_title": ("Insatsarket", "The measure sheet"),
    "sheet_upload": ("Ladda upp arket (xlsx)", "Upload the sheet (xlsx)"),
    "sheet_check": ("Visa vad som ändras", "Show what will change"),
    "sheet_lead": ("Ladda upp arket så visas först vad det skulle skapa och ändra, kolumn för kolumn. Ingenting registreras förrän du bekräftar.",
                   "Upload the sheet to see first what it would create and change. Nothing is recorded until you confirm."),
    "download_xlsx": ("Ladda ner tavlan som xlsx", "Download the board as xlsx"),
    "sheet_preview": ("Förhandsvisning – ingenting är registrerat ännu", "Preview – nothing is recorded yet"),
    "sheet_recorded": ("Arket är registrerat.", "The sheet is recorded."),
    "sheet_confirm": ("Bekräfta och registrera", "Confirm and record"),
    "sheet_cancel": ("Avbryt", "Cancel"),
    "sheet_created": ("Nya insatser", "New measures"),
    "sheet_changed": ("Ändrade insatser", "Changed measures"),
    "sheet_unchanged": ("Oförändrade", "Unchanged"),
    "sheet_ignored": ("Kolumner som inte läses", "Columns not read"),
    "sheet_errors": ("Arket kan inte registreras – ingenting har ändrats", "The sheet cannot be recorded – nothing was changed"),
    "sheet_row": ("Rad", "Row"),
    "sheet_column": ("Kolumn", "Column"),
    "sheet_before": ("Före", "Before"),
    "sheet_after": ("Efter", "After"),
    "sheet_missing": ("Välj en fil att ladda upp.", "Choose a file to upload."),
    "sheet_too_big": ("Filen är för stor för ett insatsark.", "The file is too large for a measure sheet."),
    "sheet_raced": ("Någon ändrade en insats i arket medan det registrerades; ingenting registrerades. Ladda upp arket igen.",
                    "Someone changed a measure while the sheet was recorded; nothing was recorded. Upload it again."),
    "sheet_nothing": ("Arket ändrar ingenting.", "The sheet changes nothing."),
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
    "meeting_kind": ("Typ av möte", "Kind of meeting"),
    "kind_operational": ("Operativa gruppen", "Operational group"),
    "kind_strategic": ("Strategiska gruppen", "Strategic group"),
    "kind_mobilisation": ("Mobiliseringskonferens", "Mobilisation conference"),
    "kind_workshop": ("Workshop", "Workshop"),
    "next_in_rhythm": ("Nästa datum med möte var tredje vecka", "Next date every three weeks"),
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
    "agenda_escalations": ("Eskaleringar som väntar på svar", "Escalations waiting for an answer"),
    "to_decide": ("Insatser att besluta (bruttolistan)", "Measures to decide (the gross list)"),
    "agenda_active": ("Pågående insatser", "Measures under way"),
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
    "decide_ideas": ("Insatser från bruttolistan som beslutas genom beslutet",
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
    "findings": G["observations"],
    "protocol": ("Protokoll per ansvarig organisation", "Protocol by responsible organisation"),
    "no_walks": ("Inga vandringar ännu.", "No safety walks yet."),
    "participants": ("Deltagare", "Participants"),
    "walk_new": ("Planera en trygghetsvandring", "Plan a safety walk"),
    "plan_walk": ("Planera vandringen", "Plan the walk"),
    "walk_time": ("Klockslag", "Time"),
    "local_time_help": ("Svensk tid (Europe/Stockholm).", "Swedish time (Europe/Stockholm)."),
    "walk_bad_time": ("ange datum och klockslag", "give a date and a time"),
    "route": G["route"],
    "route_help": ("Platserna vandringen går förbi.", "The places the walk passes."),
    "walk_area_help": ("Välj området först: platserna och organisationerna nedan är områdets egna.",
                       "Choose the area first: the places and organisations below are the area's own."),
    "walk_area_show": ("Visa områdets platser", "Show the area's places"),
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
    "positive_notes": ("Positiva iakttagelser", "Positive observations"),
    # Revision
    "audit_title": ("Revision – vem beslutade vad och när", "Audit – who decided what and when"),
    "timeline": ("Tidslinje", "Timeline"),
    "as_of": ("Tavlorna som de såg ut", "The boards as they stood"),
    "as_of_at": ("Tidpunkt", "At"),
    "show_as_of": ("Visa läget då", "Show the state then"),
    "side_by_side": ("Historik sida vid sida", "Histories side by side"),
    "aggregate": ("Ärende eller insats (id)", "Case or measure (id)"),
    "actor": ("Användare", "User"),
    "kind": ("Slag", "Kind"),
    "case": ("Ärende", "Case"),
    "compare": ("Jämför", "Compare"),
    "load_more": ("Visa fler", "More"),
    # Restricted access: what a board leaves out, said without saying what
    "restricted_case": ("Ett ärende med begränsad åtkomst", "A case with restricted access"),
    "fewer_than": ("färre än {n}", "fewer than {n}"),
    "restricted_h": ("Begränsad åtkomst: ärenden per kategori och vecka",
                     "Restricted access: cases by category and week"),
    "restricted_note": ("Antalen visas utan platser, anteckningar, foton eller id.",
                        "Counts only: no places, notes, photos or ids."),
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
    "bulk_help": ("Välj ärenden i listan. Med en prioritet bedöms de, med en organisation tilldelas de; anger du båda sker "
                  "båda.",
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
    "rb_area_goals": ("Områdets mål: utgångsläge och läget vid mötet", "The area's goals: baseline and where they stood at the meeting"),
    "rb_at_meeting": ("Vid mötet", "At the meeting"),
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
    # Gemensam lägesbeskrivning
    "description_title": G["situation_description"],
    "description_help": ("Konkret, rakt på sak och ocensurerat: hur det faktiskt ser ut, skrivet av dem som "
                         "känner platsen. Den kompletterar lägesbildens antal; varje version sparas.",
                         "Concrete, straight to the point and not censored: how it actually is, written by those "
                         "who know the place. Beside the counted picture; every version is kept."),
    "description_now": ("Gällande lägesbeskrivning", "The description now"),
    "description_none": ("Ingen lägesbeskrivning är skriven för området ännu.",
                         "No situation description has been written for the area yet."),
    "description_write": ("Skriv lägesbeskrivningen", "Write the description"),
    "description_revise": ("Revidera lägesbeskrivningen", "Revise the description"),
    "description_open": ("Läs hela lägesbeskrivningen och dess historik", "Read the whole description and its history"),
    "description_note": ("Vad ändrades och varför (valfritt)", "What changed and why (optional)"),
    "description_saved": ("Lägesbeskrivningen är sparad som version {version}.",
                          "The description is saved as version {version}."),
    "description_stale": ("Någon annan har ändrat lägesbeskrivningen sedan du öppnade sidan (du såg version {seen}, "
                          "nu är den version {now}). Ingenting sparades – läs den nya versionen; det du skrev finns "
                          "kvar i formuläret.",
                          "Someone else changed the description after you opened the page (you saw version {seen}, "
                          "it is now version {now}). Nothing was saved – read the new version; what you typed is "
                          "still in the form."),
    "description_refused": ("Lägesbeskrivningen kunde inte sparas: {why} {where}",
                            "The description could not be saved: {why} {where}"),
    "choose_area": ("Välj ett område.", "Choose an area."),
    "part_symptoms": ("Symptom – vad syns och vad händer?", "Symptoms – what is seen and happens?"),
    "part_symptoms_help": ("Det som syns på platsen, stort som smått: från nedskräpning till droghandel.",
                           "What shows on the spot, big and small: from litter to drug dealing."),
    "part_causes": ("Orsaker och effekter", "Causes and effects"),
    "part_causes_help": ("Vad ligger bakom, och vad leder det till?", "What lies behind it, and what does it lead to?"),
    "part_concrete": ("Det konkreta", "The concrete"),
    "part_concrete_help": ("Platser, tider, grupper – det man kan peka på.", "Places, times, groups – what one can point at."),
    "part_subtle": ("Det subtila", "The subtle"),
    "part_subtle_help": ("Stämningen, normaliteten, vem som \"äger\" platsen – det som är svårare att räkna.",
                         "The mood, what passes for normal, who \"owns\" the place – what is harder to count."),
    "part_influence": ("Vem kan påverka vad?", "Who can influence what?"),
    "part_influence_help": ("Vilka aktörer rår på vilka delar av läget.", "Which organisations can change which parts."),
    "kind_SituationDescription": G["situation_description"],
    # Mål och uppföljning
    "nav_goals": ("Mål", "Goals"),
    "goals_title": ("Mål och uppföljning", "Goals and follow-up"),
    "goals_help": ("Områdets mål på kort och lång sikt, var och ett med indikatorer: utgångsläge, målvärde och "
                   "läget nu. Insatsernas egna indikatorer finns på insatserna.",
                   "The area's short- and long-term goals, each with indicators: baseline, target value and "
                   "the state now. The measures' own indicators are on the measures."),
    "goals_kort": ("Mål på kort sikt", "Short-term goals"),
    "goals_lang": ("Mål på lång sikt", "Long-term goals"),
    "goal_now": ("Nu", "Now"),
    "goal_how": ("Läget", "Standing"),
    "goal_not_better": ("inte bättre än utgångsläget", "not better than the baseline"),
    "goal_add": ("Lägg till ett mål eller en indikator", "Add a goal or an indicator"),
    "goal_add_help": ("Finns redan ett mål med samma namn läggs indikatorn till där.", "A goal of the same name gets the indicator added."),
    "goal_title": ("Mål", "Goal"),
    "goal_horizon": ("Sikt", "Horizon"),
    "goal_saved": ("Målet \u201d{title}\u201d är sparat.", "The goal \"{title}\" is saved."),
    "goal_refused": ("Kunde inte sparas – {why}", "Could not be saved – {why}"),
    "gf_name": ("Indikator", "Indicator"),
    "gf_source": ("Källa", "Source"),
    "gf_categories": ("Kategorier eller grupper (t.ex. SOC-01, REN)", "Categories or groups (e.g. SOC-01, REN)"),
    "gf_places": ("Platser (koder, t.ex. torget)", "Places (codes, e.g. torget)"),
    "gf_question": ("Fråga i trygghetsmätningen", "Question in the safety survey"),
    "gf_baseline_period": G["baseline_period"],
    "gf_direction": ("Bättre är", "Better is"),
    "gf_unit": ("Enhet", "Unit"),
    "gf_title": ("Mål", "Goal"),
    "gf_code": ("Mål", "Goal"),
    "gf_baseline": G["baseline"],
    "gf_target": G["target_value"],
    "gf_file": ("Fil", "File"),
    "direction_down": ("lägre", "lower"),
    "direction_up": ("högre", "higher"),
    "source_observations": ("Rapporter per vecka", "Reports per week"),
    "source_perceived_safety": ("Upplevd trygghet i rapporterna (1–5)", "Perceived safety in the reports (1–5)"),
    "source_survey": G["safety_survey"],
    "safety_title": ("Upplevd trygghet per vecka och plats", "Perceived safety by week and place"),
    "safety_note": ("Summan av rapporternas upplevda trygghet (1 = mycket otryggt, 5 = tryggt) / antalet rapporter, "
                    "med medelvärdet under.",
                    "The sum of the reports' perceived safety (1 = very unsafe, 5 = safe) / the number of "
                    "reports, with the mean below."),
    "safety_cell": ("summa {sum} av {reports}", "sum {sum} of {reports}"),
    "survey_title": ("Trygghetsmätningar", "Safety surveys"),
    "survey_none": ("Ingen trygghetsmätning är inläst ännu.", "No safety survey has been imported yet."),
    "survey_import": ("Läs in trygghetsmätning (CSV)", "Import a safety survey (CSV)"),
    "survey_help": ("En rad per resultat med kolumnerna datum; fråga; plats; värde; enhet (semikolon eller komma).",
                    "One row a result with the columns datum; fråga; plats; värde; enhet (semicolon or comma)."),
    "survey_name": ("Mätningens namn", "The survey's name"),
    "survey_file": ("Fil (CSV)", "File (CSV)"),
    "survey_saved": ("Trygghetsmätningen är inläst.", "The safety survey is imported."),
    "survey_not_utf8": ("filen är inte UTF-8-text", "the file is not UTF-8 text"),
    "survey_question": ("Fråga", "Question"),
    "value": ("Värde", "Value"),
    "indicator": G["indicator"],
    "kind_FollowUp": ("Uppföljning", "Follow-up"),
    # Boendesidan (offentlig, utan inloggning)
    "public_intro": ("Så här arbetar stadsdelen, polisen, fastighetsägarna, föreningarna och de andra "
                     "tillsammans för ett tryggare område: vad som har rapporterats, vad vi har gjort och när nästa "
                     "trygghetsvandring går.",
                     "How the district, the police, the property owners, the associations and the others work "
                     "together for a safer area: what has been reported, what we have done and when the next "
                     "safety walk is."),
    "public_next_walk": ("Nästa trygghetsvandring", "The next safety walk"),
    "public_route": G["route"],
    "public_walk_welcome": ("Alla som bor och verkar här är välkomna att gå med.",
                            "Everyone who lives or works here is welcome to join."),
    "public_no_walk": ("Ingen vandring är planerad just nu.", "No walk is planned right now."),
    "public_done": ("Det här har vi gjort", "What we have done"),
    "public_nothing_done": ("Inget att visa ännu.", "Nothing to show yet."),
    "public_no_reports": ("Inga rapporter de senaste tolv veckorna.", "No reports in the last twelve weeks."),
    "public_status_done": ("Genomfört", "Done"),
    "public_status_started": ("Pågår", "Under way"),
    "public_reported": ("Det här har rapporterats, vecka för vecka", "What has been reported, week by week"),
    "public_reported_note": ("Antal rapporter per slag och vecka, de senaste tolv veckorna. Små antal visas som "
                             "\u201dfärre än 3\u201d och inga platser, anteckningar eller foton visas – ingen ska kunna "
                             "pekas ut.",
                             "Reports by kind and week, the last twelve weeks. Small numbers show as \"fewer than "
                             "3\" and no places, notes or photos are shown – nobody can be singled out."),
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
    "Measure.Completed": ("Insatsen genomfördes", "The measure was completed"),
    "Measure.Cancelled": G["measure_cancelled"],
    "Measure.CaseUnlinked": ("Ett ärende kopplades bort från insatsen", "A case was unlinked from the measure"),
    "Measure.IndicatorRevised": ("En indikators utgångsläge eller målvärde ändrades", "An indicator's baseline or target was changed"),
    "Measure.AreaLinked": ("Insatsen kopplades till ytterligare ett område", "The measure was linked to another area"),
    "Measure.Escalated": ("Insatsen eskalerades till strategiska gruppen", "The measure was escalated to the strategic group"),
    "Measure.MovedToOperations": G["measure_into_operations"],
    "Measure.CaseLinked": ("Ett ärende kopplades till insatsen", "A case was linked to the measure"),
    "Measure.IndicatorDefined": ("En indikator lades till", "An indicator was defined"),
    "Measure.IndicatorValueRecorded": ("Ett indikatorvärde registrerades", "An indicator value was recorded"),
    "Meeting.Scheduled": ("Mötet planerades", "The meeting was scheduled"),
    "Meeting.DecisionRecorded": ("Ett beslut protokollfördes", "A decision was minuted"),
    "Meeting.Held": ("Mötet hölls", "The meeting was held"),
    "FollowUp.Opened": ("Områdets uppföljning började", "The area's follow-up began"),
    "FollowUp.GoalSet": ("Ett mål sattes", "A goal was set"),
    "FollowUp.SurveyImported": ("En trygghetsmätning lästes in", "A safety survey was imported"),
    "SituationDescription.Written": ("Lägesbeskrivningen skrevs", "The situation description was written"),
    "SituationDescription.Revised": ("Lägesbeskrivningen reviderades", "The situation description was revised"),
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
    "partners": (*G["partners"], "org"),
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
    "palette": (*G["palette_group"], "palette"),
    "track": (*G["track"], "track"),
    "horizon": (*G["horizon"], "horizon"),
    "focus_area": ("Fokusområde", "Focus area", "focus"),
    "in_operations": (*G["in_operations"], "yes_no"),
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
    "route": (*G["route"], "place"),
    "organisations": ("Organisationer", "Organisations", "org"),
    "planned_at": ("Tid", "Time", None),
    "indicators_text": ("Indikatorer", "Indicators", None),
    "sorting": ("Sortering", "Sorting", None),
    "baseline": ("Utgångsläge", "Baseline", None),
    "target": ("Målvärde", "Target value", None),
    "baseline_from": (*G["baseline_from"], None),
    "baseline_to": (*G["baseline_to"], None),
    "code": ("Kod", "Code", None),
    "categories": ("Kategorier", "Categories", None),
    "changes": ("Ändringar", "Changes", None),
}

# Counted nouns come from the shared glossary: (Swedish one, Swedish many, English one, English many).
NOUNS = glossary.NOUNS


def number(n: int) -> str:
    """50 000 in Swedish (a no-break space between thousands), 50,000 in English."""
    text = f"{n:,}"
    return text if lang() == "en" else text.replace(",", "\u00a0")


def noun(n: int, what: str) -> str:
    """The noun for ``n`` of them: 'ärende' for 1, 'ärenden' otherwise."""
    return glossary.noun(n, what, lang())


def count(n: int, what: str) -> str:
    """'1 ärende', '3 ärenden': a number and its noun in the right form."""
    return f"{number(n)} {noun(n, what)}"


def long_date(day: Any) -> str:
    """A date in running text: '2 december 2026'."""
    return glossary.long_date(day, lang())


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
    if item is None and kind in AREA_TERMS:  # an area's own place, organisation or category
        item = AREA_TERMS[kind].get(code)
    return getattr(item, lang()) if item is not None else code


# The look-ups that also hold the terms areas define (registered as the ledger reads its areas).
AREA_TERMS: dict[str, dict[str, Any]] = {"place": taxonomy.PLACE_BY_CODE, "org": taxonomy.ORGANISATION_BY_CODE,
                                         "category": taxonomy.CATEGORY_BY_CODE}

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
