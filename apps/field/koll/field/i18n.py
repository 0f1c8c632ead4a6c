"""The app's own words, Swedish first, and its times. The taxonomy's labels come from koll.schema."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from koll.schema.glossary import NOUNS, TERMS as G

LANGS = ("sv", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("Koll – fältrapport", "Koll – field report"),
    # set-up
    "setup_title": ("Logga in", "Sign in"),
    "server": ("Serveradress", "Server address"),
    "token": ("Nyckel (token)", "Key (token)"),
    "or_name": ("… eller namn och lösenord", "… or name and password"),
    "username": ("Användarnamn", "User name"),
    "password": ("Lösenord", "Password"),
    "sign_in": ("Logga in", "Sign in"),
    "sign_out": ("Logga ut", "Sign out"),
    "signing_in": ("Loggar in …", "Signing in …"),
    "signed_in_as": ("Inloggad som {user} ({role}, {org})", "Signed in as {user} ({role}, {org})"),
    "bad_token": ("Servern känner inte igen nyckeln eller lösenordet.",
                  "The server does not recognise the key or password."),
    "no_server": ("Kunde inte nå servern: {detail}", "Could not reach the server: {detail}"),
    "need_credentials": ("Ange en nyckel, eller namn och lösenord.", "Give a key, or a name and a password."),
    "auth_lost": ("Inloggningen gäller inte längre – logga in igen. Inget går förlorat.",
                  "The sign-in is no longer valid – sign in again. Nothing is lost."),
    # home
    "new_report": ("Ny rapport", "New report"),
    "nearby": ("I närheten", "Nearby"),
    "walk": ("Trygghetsvandring", "Safety walk"),
    "mine": ("Mina rapporter", "My reports"),
    "outbox": ("Utkorg", "Outbox"),
    "send_now": ("Skicka nu", "Send now"),
    "language": ("In English", "På svenska"),
    "back": ("Tillbaka", "Back"),
    "home": ("Start", "Home"),
    "outbox_summary": ("Utkorg: {ready} väntar, {sending} skickas, {sent} {sent_w}, {failed} {failed_w}, {draft} utkast",
                       "Outbox: {ready} waiting, {sending} sending, {sent} sent, {failed} failed, {draft} {draft_w}"),
    "online": ("Ansluten", "Online"),
    "offline": ("Ingen kontakt med servern – rapporterna sparas och skickas senare",
                "No contact with the server – reports are kept and sent later"),
    # report
    "choose_group": ("Vad har du sett?", "What did you see?"),
    "choose_category": ("Välj kategori", "Choose a category"),
    "note": ("Anteckning (beskriv platsen och situationen, inga namn)",
             "Note (describe the place and the situation, no names)"),
    "attributes": ("Detaljer", "Details"),
    "photo": ("Foto", "Photo"),
    "photo_required": ("Foto krävs för den här kategorin", "A photo is required for this category"),
    "photo_optional": ("Foto (valfritt)", "Photo (optional)"),
    "photo_blocked": ("Foton tillåts inte här (personuppgifter)", "No photos here (personal data)"),
    "take_photo": ("Ta foto", "Take photo"),
    "photo_taken": ("Foto bifogat, så här skickas det (förminskat, utan platsdata):",
                    "Photo attached, sent like this (smaller, without location data):"),
    "remove_photo": ("Ta bort foto", "Remove photo"),
    "location": ("Position", "Location"),
    "gps_waiting": ("Väntar på GPS … du kan markera på kartan eller välja plats under tiden",
                    "Waiting for GPS … you can drop a pin or choose a place meanwhile"),
    "gps_none": ("Ingen GPS på den här enheten – markera på kartan eller välj plats",
                 "No GPS on this device – drop a pin or choose a place"),
    "gps_fix": ("GPS: noggrannhet {acc} m", "GPS: accuracy {acc} m"),
    "gps_poor": ("Osäker position ({acc} m) – markera gärna på kartan eller välj plats",
                 "Poor position ({acc} m) – consider a pin or a named place"),
    "gps_network": ("Ungefärlig position från mobilnätet ({acc} m), inte GPS",
                    "Rough position from the mobile network ({acc} m), not GPS"),
    "gps_stale": ("Gammal GPS-position ({age} s sedan, {acc} m) – du kan ha flyttat dig",
                  "Old GPS fix ({age} s ago, {acc} m) – you may have moved"),
    "gps_denied": ("Koll får inte använda platsen. Tillåt Plats för Koll i telefonens inställningar, "
                   "eller markera på kartan eller välj plats.",
                   "Koll may not use the location. Allow Location for Koll in the phone's settings, "
                   "or drop a pin or choose a place."),
    "accept_fix": ("Använd ändå", "Use it anyway"),
    "fix_accepted": ("godkänd av dig", "accepted by you"),
    "accept_network": ("positionen är från mobilnätet: godkänn den eller markera på kartan",
                       "the position is from the mobile network: accept it or drop a pin"),
    "accept_stale": ("positionen är gammal: godkänn den eller markera på kartan",
                     "the position is old: accept it or drop a pin"),
    "accept_poor": ("positionen är osäker: godkänn den eller markera på kartan",
                    "the position is poor: accept it or drop a pin"),
    "camera_refused": ("Koll får inte använda kameran. Tillåt Kamera i telefonens inställningar, "
                       "eller välj en bild ur galleriet.",
                       "Koll may not use the camera. Allow Camera in the phone's settings, "
                       "or choose a picture from the gallery."),
    "no_camera": ("Ingen kamera-app hittades – välj en bild ur galleriet.",
                  "No camera app found – choose a picture from the gallery."),
    "no_gallery": ("Inget galleri hittades.", "No gallery found."),
    "gallery_failed": ("Bilden gick inte att läsa.", "The picture could not be read."),
    "not_an_image": ("Filen är ingen bild (JPEG eller PNG).", "The file is not a picture (JPEG or PNG)."),
    "from_gallery": ("Ur galleriet", "From the gallery"),
    "pin_set": ("Markerat på kartan: {lat:.5f}, {lon:.5f}", "Marked on the map: {lat:.5f}, {lon:.5f}"),
    "place_set": ("Plats: {place}", "Place: {place}"),
    "night_map": ("Mörk karta", "Dark map"),
    "use_gps": ("Använd GPS", "Use GPS"),
    "drop_pin": G["mark_on_map"],
    "choose_place": ("Välj plats", "Choose place"),
    "no_place": ("(ingen namngiven plats)", "(no named place)"),
    "file": ("Skicka rapport", "File report"),
    "save_draft": ("Spara utkast", "Save draft"),
    "queued": ("Rapporten ligger i utkorgen och skickas när det går.",
               "The report is in the outbox and is sent when possible."),
    "draft_saved": ("Utkastet är sparat.", "The draft is saved."),
    "fix_errors": ("Rätta först: {errors}", "Fix first: {errors}"),
    "need_location": ("ange en position", "give a location"),
    "need_category": ("välj en kategori", "choose a category"),
    "urgent": ("Pågår det just nu?", "Is it happening now?"),
    "ring_112": ("Ring 112! Koll är ingen larmtjänst. Rapportera i efterhand när faran är över. "
                 "Ej akut: polisen 114 14.",
                 "Call 112! Koll is not an emergency service. Report afterwards when the danger is over. "
                 "Not urgent: police 114 14."),
    "urgent_suggest": ("Pågår det just nu? Ring 112 – rapportera efteråt.",
                       "Is it happening now? Call 112 – report afterwards."),
    "vis_public": ("Syns för alla samverkande och i den offentliga lägesbilden.",
                   "Visible to all partners and on the public situation picture."),
    "vis_internal": ("Intern: syns bara för de samverkande organisationerna, inte offentligt.",
                     "Internal: seen only by the partner organisations, not publicly."),
    "vis_restricted": ("Begränsad: syns bara för {orgs}. Beskriv situationen, aldrig personer.",
                       "Restricted: seen only by {orgs}. Describe the situation, never people."),
    "same_as_this": G["same_case"],
    "joined_case": G["joins_case"],
    "new_case": ("Nytt ärende", "New case"),
    "nearby_offer": ("Öppna ärenden inom 50 m i samma grupp:", "Open cases within 50 m in the same group:"),
    "nearby_none": ("Inga öppna ärenden i närheten.", "No open cases nearby."),
    "nearby_offline": ("Kunde inte hämta ärenden i närheten (inget nät).", "Could not fetch nearby cases (offline)."),
    "nearby_no_location": ("Ingen position ännu.", "No location yet."),
    "case_line": ("{category} · {status} · {dist} m · {n} {observations}",
                  "{category} · {status} · {dist} m · {n} {observations}"),
    "filed_by": ("av {user}", "by {user}"),
    # outbox states
    "state_draft": ("utkast", "draft"),
    "state_ready": ("väntar", "waiting"),
    "state_sending": ("skickas", "sending"),
    "state_sent": ("skickad", "sent"),
    "state_failed": ("misslyckad", "failed"),
    "photo_pending": ("foto väntar", "photo waiting"),
    "photo_sent": ("foto skickat", "photo sent"),
    "photo_failed": ("foto avvisat", "photo refused"),
    "edit": ("Redigera", "Edit"),
    "delete": ("Ta bort", "Delete"),
    # walk
    "walk_title": ("Vandringens rubrik", "Title of the walk"),
    "walk_dark": ("I mörker", "In darkness"),
    "walk_orgs": ("Organisationer som går med", "Organisations taking part"),
    "walk_participants": ("Deltagare (namn, åtskilda med komma)", "Participants (names, comma separated)"),
    "walk_kind": ("Deltagarna är", "The participants are"),
    "kind_boende": G["walker_resident"],
    "kind_forening": G["walker_association"],
    "kind_personal": G["walker_staff"],
    "start_walk": ("Starta vandring", "Start walk"),
    "join_walk": ("Gå med i en vandring", "Join a walk"),
    "join_code_hint": ("Kod, t.ex. K7P4QX", "Code, e.g. K7P4QX"),
    "join_code_bad": ("Koden har sex tecken (bokstäver och siffror, inga 0/O eller 1/I).",
                      "The code has six characters (letters and digits, no 0/O or 1/I)."),
    "join_code_unknown": ("Ingen vandring har koden {code}. Kontrollera den med ledaren.",
                          "No walk has the code {code}. Check it with the leader."),
    "join_offline": ("Kan inte nå servern för att hitta vandringen – försök igen när du har nät.",
                     "Cannot reach the server to find the walk – try again when you have a connection."),
    "joining": ("Letar efter vandring {code} …", "Looking for walk {code} …"),
    "scan_qr": ("Skanna vandringens QR-kod", "Scan the walk's QR code"),
    "scan_unavailable": ("Ingen QR-läsare på den här enheten – skriv koden.",
                         "No QR reader on this device – type the code."),
    "walk_code_label": ("Kod för de andra: {code}", "Code for the others: {code}"),
    "walk_code_waiting": ("Koden för de andra kommer när vandringen nått servern.",
                          "The code for the others comes once the walk has reached the server."),
    "lead_walk": ("… eller led en egen vandring", "… or lead a walk of your own"),
    "leave_walk": ("Lämna vandringen", "Leave the walk"),
    "walk_left": ("Du har lämnat vandringen; ledaren avslutar den.", "You have left the walk; the leader ends it."),
    "sign_out_warning": ("{n} {reports} har inte nått servern än. De skickas i ditt namn när nätet finns, "
                         "även efter att du loggat ut. Logga ut ändå?",
                         "{n} {reports} {have} not reached the server yet. They are sent in your name when "
                         "there is a connection, even after you sign out. Sign out anyway?"),
    "sign_out_anyway": ("Logga ut ändå", "Sign out anyway"),
    "cancel": ("Avbryt", "Cancel"),
    "signed_out_unsent": ("Utloggad. {n} {reports} skickas i ditt namn när nätet finns.",
                          "Signed out. {n} {reports} {are} sent in your name when there is a connection."),
    "join": ("Gå med", "Join"),
    "walk_active": ("Pågående vandring: {title}", "Walk in progress: {title}"),
    "finding": G["new_observation"],
    "positive": G["positive_observation"],
    "end_walk": ("Avsluta vandringen", "End the walk"),
    "protocol": ("Protokoll", "Protocol"),
    "walk_findings": ("{n} {findings} under vandringen", "{n} {findings} on this walk"),
    "walk_ended": ("Vandringen är avslutad.", "The walk has ended."),
    "protocol_unavailable": ("Protokollet går inte att hämta just nu: {detail}",
                             "The protocol cannot be fetched right now: {detail}"),
    "walk_id_label": ("Vandringens id (dela med de andra): {id}", "Walk id (share with the others): {id}"),
    # mine
    "mine_empty": ("Inga rapporter ännu.", "No reports yet."),
    "mine_offline": ("Visar det senast hämtade läget (inget nät).", "Showing the last fetched state (offline)."),
    "refresh": ("Uppdatera", "Refresh"),
    # areas
    "choose_area": ("Välj område", "Choose an area"),
    "choose_area_hint": ("Du får rapportera i flera områden. Välj det du är i nu; telefonen kommer ihåg det.",
                         "You may report in several areas. Choose the one you are in now; the phone remembers it."),
    "change_area": ("Byt område", "Change area"),
    "area_in": ("Område: {area}", "Area: {area}"),
    "area_places": ("{n} {places}", "{n} {places}"),
    "area_loading": ("Hämtar området …", "Loading the area …"),
    "area_unavailable": ("Området går inte att hämta utan nät, och telefonen har inte sparat det än.",
                         "The area cannot be loaded without a connection, and the phone has not kept it yet."),
    "areas_none": ("Inga områden ännu – rapporter placeras efter sin position.",
                   "No areas yet – reports are placed by their position."),
    "map_loading": ("Kartan över {area} hämtas … {done} MB{share}", "Fetching the map of {area} … {done} MB{share}"),
    "map_new": ("Kartan över {area} är hämtad.", "The map of {area} is in."),
    "map_offline": ("Kartan kunde inte uppdateras (inget nät) – den sparade visas.",
                    "The map could not be updated (no connection) – the kept one is shown."),
    "responsible": ("ansvarig", "responsible"),
}


# Singular and plural of the words counted on screen: the shared glossary's.
PLURALS: dict[str, tuple[tuple[str, str], tuple[str, str]]] = {
    word: ((sv1, svn), (en1, enn)) for word, (sv1, svn, en1, enn) in NOUNS.items()
} | {
    # English verbs agree with the count ("1 report has", "2 reports have"); Swedish ones do not change.
    "have": (("har", "har"), ("has", "have")),
    "are": (("", ""), ("is", "are")),
}


def plural(n: int, word: str, lang: str = "sv") -> str:
    sv, en = PLURALS[word]
    one, many = en if lang == "en" else sv
    return one if n == 1 else many


def t(key: str, lang: str = "sv", **values: Any) -> str:
    sv, en = STRINGS[key]
    text = en if lang == "en" else sv
    return text.format(**values) if values else text


def pick(item: Any, lang: str) -> str:
    """The label of a taxonomy item (anything with .sv and .en) or a {"sv","en"} dict."""
    if isinstance(item, dict):
        return item.get(lang) or item.get("sv") or ""
    return getattr(item, lang if lang in LANGS else "sv")


def local_time(iso: str, time_zone: str | None = None) -> str:
    """A stored UTC moment in the area's local time (its ``time_zone``); where the phone has no
    time-zone database, as the phone's own clock shows it."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso[11:16]
    try:
        from zoneinfo import ZoneInfo

        return moment.astimezone(ZoneInfo(time_zone)).strftime("%H:%M") if time_zone else \
            moment.astimezone().strftime("%H:%M")
    except (ImportError, LookupError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        return moment.astimezone().strftime("%H:%M")
