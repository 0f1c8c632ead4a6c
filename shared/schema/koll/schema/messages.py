"""Validation messages in Swedish and English.

marshmallow speaks English; people on the square read Swedish. Every message a schema can
give is known here in both languages, so an error names the field and says what is wrong
in either. Messages are {"sv": …, "en": …}.
"""

from __future__ import annotations

import re
from typing import Any

# Our own messages: code -> (sv, en). Placeholders are filled by ``msg``.
OWN: dict[str, tuple[str, str]] = {
    "unknown_category": ("okänd kategori '{value}'", "unknown category '{value}'"),
    "unknown_place": ("okänd plats '{value}'", "unknown place '{value}'"),
    "unknown_org": ("okänd organisation '{value}'", "unknown organisation '{value}'"),
    "unknown_attribute": ("okänt attribut '{value}'", "unknown attribute '{value}'"),
    "attribute_not_for_group": ("attributet '{value}' gäller inte den här kategorin",
                                "attribute '{value}' does not apply to this category"),
    "bad_choice": ("'{value}' är inget giltigt val; välj bland {choices}",
                   "'{value}' is not a valid choice; choose from {choices}"),
    "range": ("måste vara mellan {min} och {max}", "must be between {min} and {max}"),
    "in_future": ("tidpunkten ligger i framtiden", "the time is in the future"),
    "too_old": ("tidpunkten är äldre än ett år", "the time is more than a year ago"),
    "place_needed": ("välj en plats när positionen ska tas från platsen",
                     "name a place when the place is the location's source"),
    "urgent": ("Pågår det just nu? Ring 112. Koll är ingen larmtjänst.",
               "Is it happening now? Call 112. Koll is not an emergency service."),
    "too_many": ("högst {max} poster per sändning", "at most {max} items per batch"),
    "photo_blocked": ("foton får inte bifogas för den här kategorin", "photos are not allowed for this category"),
    "end_before_start": ("slutdatum ligger före startdatum", "end date is before start date"),
    "deviation_needed": ("ange orsaken till avvikelsen när målet inte nåtts helt",
                         "give the reason for the deviation when the goal was not fully reached"),
    "counts_nothing": ("ange vilka kategorier indikatorn räknar", "name the categories the indicator counts"),
    "not_a_date": ("'{value}' är inget datum (ÅÅÅÅ-MM-DD)", "'{value}' is not a date (YYYY-MM-DD)"),
    "unknown_value": ("'{value}' finns inte bland {choices}", "'{value}' is not one of {choices}"),
    "column_missing": ("kolumnen '{value}' saknas i rubrikraden", "the header row lacks the column '{value}'"),
    "not_a_sheet": ("filen är inget Excel-ark (xlsx)", "the file is not an Excel sheet (xlsx)"),
    "event_type": ("en händelsetyp skrivs som 'Case.Assigned' eller 'Case.*'",
                   "an event type is written like 'Case.Assigned' or 'Case.*'"),
    "save_as_xlsx": ("filen är ett OpenDocument- eller gammalt Excel-ark: spara som xlsx och försök igen",
                     "the file is an OpenDocument or old Excel sheet: save it as xlsx and try again"),
    "sheet_conflict": ("insatsen har ändrats i Koll sedan arket exporterades (version {then}, nu {now}): "
                       "exportera arket igen och för in ändringen där",
                       "the measure was changed in Koll after the sheet was exported (version {then}, now {now}): "
                       "export the sheet again and make the change there"),
    "sheet_unversioned": ("arket saknar kolumnen Version, så Koll kan inte se om raden är äldre än insatsen: "
                          "exportera arket från Koll och ändra i det",
                          "the sheet has no Version column, so Koll cannot tell whether the row is older than the "
                          "measure: export the sheet from Koll and edit that"),
    "listed_twice": ("samma värde förekommer två gånger", "the same value is listed twice"),
    "photo_too_large": ("fotot är för stort (högst {max_mb} MB)", "the photo is too large (at most {max_mb} MB)"),
    "photo_type": ("bara JPEG, PNG eller WebP kan tas emot", "only JPEG, PNG or WebP can be received"),
    "photo_too_many_pixels": ("fotot har för många bildpunkter (högst {max_mp} miljoner)",
                              "the photo has too many pixels (at most {max_mp} million)"),
    "years": ("året måste vara mellan {min} och {max}", "the year must be between {min} and {max}"),
    "unreadable_text": ("texten innehåller tecken som inte kan lagras (NUL eller ett halvt UTF-16-par)",
                        "the text holds characters that cannot be stored (NUL or half a UTF-16 pair)"),
    "key_twice": ("nyckeln förekommer två gånger i samma objekt", "the key appears twice in the same object"),
    "too_deep": ("JSON nästlad djupare än {max} nivåer", "JSON nested deeper than {max} levels"),
    "not_json": ("inte giltig JSON i UTF-8", "not valid JSON in UTF-8"),
    "sheet_too_large": ("arket är för stort (högst {max_mb} MB uppackat och {max_rows} rader)",
                        "the sheet is too large (at most {max_mb} MB unpacked and {max_rows} rows)"),
    "unreadable_cell": ("cellen kan inte läsas ({value})", "the cell cannot be read ({value})"),
}

# marshmallow's own messages, matched by pattern.
_STANDARD: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^Missing data for required field\.$"), "måste fyllas i"),
    (re.compile(r"^Field may not be null\.$"), "fältet får inte vara tomt (null)"),
    (re.compile(r"^Unknown field\.$"), "okänt fält"),
    (re.compile(r"^Not a valid UUID\.$"), "inte ett giltigt UUID"),
    (re.compile(r"^Not a valid number\.$"), "inte ett giltigt tal"),
    (re.compile(r"^Not a valid integer\.$"), "inte ett giltigt heltal"),
    (re.compile(r"^Not a valid string\.$"), "inte en giltig text"),
    (re.compile(r"^Not a valid boolean\.$"), "inte ett giltigt sant/falskt-värde"),
    (re.compile(r"^Not a valid datetime\.$"), "inte en giltig tidpunkt (ISO 8601)"),
    (re.compile(r"^Not a valid date\.$"), "inte ett giltigt datum (ÅÅÅÅ-MM-DD)"),
    (re.compile(r"^Not a valid mapping type\.$"), "inte ett objekt"),
    (re.compile(r"^Not a valid list\.$"), "inte en lista"),
    (re.compile(r"^Invalid input type\.$"), "fel slags värde"),
    (re.compile(r"^Not a valid aware datetime\.$"), "tidpunkten måste ha en tidszon"),
    (re.compile(r"^Not a valid (.*)\.$"), "ogiltigt värde"),
    (re.compile(r"^Special numeric values \(nan or infinity\) are not permitted\.$"), "NaN och oändlighet är inte tillåtna"),
    (re.compile(r"^Must be greater than or equal to (.+) and less than or equal to (.+)\.$"),
     r"måste vara mellan \1 och \2"),
    (re.compile(r"^Must be greater than or equal to (.+)\.$"), r"måste vara minst \1"),
    (re.compile(r"^Must be less than or equal to (.+)\.$"), r"måste vara högst \1"),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), r"längden måste vara mellan \1 och \2"),
    (re.compile(r"^Shorter than minimum length (\d+)\.$"), r"för kort (minst \1 tecken)"),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), r"för långt (högst \1 tecken)"),
    (re.compile(r"^Must be one of: (.*)\.$"), r"måste vara ett av: \1"),
    (re.compile(r"^Invalid value\.$"), "ogiltigt värde"),
]


def msg(code: str, **values: Any) -> dict[str, str]:
    sv, en = OWN[code]
    return {"sv": sv.format(**values), "en": en.format(**values)}


def bilingual(message: Any) -> Any:
    """Turn marshmallow's error structure into one whose leaves are {"sv", "en"}."""
    if isinstance(message, dict):
        if set(message) == {"sv", "en"} and all(isinstance(v, str) for v in message.values()):
            return message
        return {str(k): bilingual(v) for k, v in message.items()}
    if isinstance(message, list):
        return [bilingual(m) for m in message]
    text = str(message)
    for pattern, sv in _STANDARD:
        if pattern.match(text):
            return {"sv": pattern.sub(sv, text), "en": text}
    return {"sv": text, "en": text}


def flatten(errors: Any, prefix: str = "") -> dict[str, list[dict[str, str]]]:
    """{"location.lat": [{"sv", "en"}], …}: one list of messages per field path."""
    out: dict[str, list[dict[str, str]]] = {}
    if isinstance(errors, dict) and not (set(errors) == {"sv", "en"}):
        for k, v in errors.items():
            key = f"{prefix}.{k}" if prefix else str(k)
            for path, msgs in flatten(v, key).items():
                out.setdefault(path, []).extend(msgs)
        return out
    items = errors if isinstance(errors, list) else [errors]
    out[prefix or "_schema"] = [bilingual(m) for m in items if not isinstance(m, (dict, list)) or
                                (isinstance(m, dict) and set(m) == {"sv", "en"})]
    for m in items:
        if isinstance(m, (dict, list)) and not (isinstance(m, dict) and set(m) == {"sv", "en"}):
            for path, msgs in flatten(m, prefix).items():
                out.setdefault(path, []).extend(msgs)
    return {k: v for k, v in out.items() if v}
