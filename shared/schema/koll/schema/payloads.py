"""The payloads phone and server exchange, as marshmallow schemas: one definition serves the
server's validation, the OpenAPI document, and the phone's check before a report is queued."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load, validate, validates, validates_schema


from koll.schema import taxonomy, vocabulary
from koll.schema.messages import msg
from koll.schema.times import Instant

LOCATION_SOURCES = ("gps", "network", "pin", "place")
MAX_BATCH = 500
NOTE_MAX = 2000


def _code_in(index: dict[str, Any], message: str):
    def check(value: str) -> None:
        if value not in index:
            raise ValidationError(msg(message, value=value))  # type: ignore[arg-type]

    return check


def _choice(terms: tuple[vocabulary.Term, ...]) -> validate.OneOf:
    return validate.OneOf(vocabulary.codes(terms))


# --- The rules every payload shares ----------------------------------------------------------

# Reports, walks, meetings and measures happen in this century: year 1 or 9999 is a slip or an
# attack, and both break what stores and compares times (year 1 + 01:00 is year 0 in UTC).
FIRST_YEAR, LAST_YEAR = 2000, 2100
YEARS_NOTE = f"years {FIRST_YEAR}–{LAST_YEAR}"


def within_years(value: date) -> bool:
    """The rule itself, for readers that drop a bad value instead of refusing it (the boards' filters)."""
    return FIRST_YEAR <= value.year <= LAST_YEAR


def _in_years(value: date) -> None:
    if not within_years(value):
        raise ValidationError(msg("years", min=FIRST_YEAR, max=LAST_YEAR))  # type: ignore[arg-type]


def _with_years(kwargs: dict[str, Any], what: str) -> dict[str, Any]:
    validators = kwargs.pop("validate", None)
    more = [] if validators is None else list(validators) if isinstance(validators, (list, tuple)) else [validators]
    metadata = dict(kwargs.pop("metadata", None) or {})
    metadata["description"] = f"{metadata['description']} ({what}, {YEARS_NOTE})" if metadata.get(
        "description") else f"{what}, {YEARS_NOTE}"
    return {**kwargs, "validate": [_in_years, *more], "metadata": metadata}


class Moment(fields.AwareDateTime):
    """A moment with its UTC offset, in the years Koll keeps: the one type for every time a
    body or a query string carries."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_years(kwargs, "ISO 8601 with offset"))


class Day(fields.Date):
    """A calendar day (YYYY-MM-DD), in the years Koll keeps."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**_with_years(kwargs, "YYYY-MM-DD"))


BIGINT_MAX = 2**63 - 1  # what a 64-bit column holds: past it SQLite and PostgreSQL fail the query itself


class Position(fields.Integer):
    """A position in the ledger or a row's id: a whole number from ``minimum`` to what a 64-bit
    column holds."""

    def __init__(self, minimum: int = 0, **kwargs: Any) -> None:
        super().__init__(validate=validate.Range(minimum, BIGINT_MAX), **kwargs)


def unreadable_text(value: Any) -> dict[str, Any] | list[Any]:
    """Where ``value`` holds text no store can keep: a NUL (PostgreSQL refuses it) or half of a
    UTF-16 pair (no UTF-8 can encode it). Errors nest as marshmallow's do; a bad key is named
    with the character escaped, never echoed back."""
    if isinstance(value, str):
        return [msg("unreadable_text")] if _is_unreadable(value) else []
    errors: dict[Any, Any] = {}
    if isinstance(value, Mapping):
        for key, item in value.items():
            name = key
            if isinstance(key, str) and _is_unreadable(key):
                name = key.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")
                errors[name] = [msg("unreadable_text")]
                continue
            found = unreadable_text(item)
            if found:
                errors[name] = found
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            found = unreadable_text(item)
            if found:
                errors[i] = found
    return errors


_UNREADABLE = re.compile("[\x00\ud800-\udfff]")


def _is_unreadable(text: str) -> bool:
    return _UNREADABLE.search(text) is not None


class StrictSchema(Schema):
    """Every request schema: unknown fields refused, and one rule for text in every field,
    the query string's included."""

    class Meta:
        unknown = RAISE

    # Fields whose items another schema loads one by one (a batch's reports), each with this rule.
    checked_per_item: tuple[str, ...] = ()

    @pre_load
    def _readable_text(self, data: Any, **_: Any) -> Any:
        if isinstance(data, Mapping) and self.checked_per_item:
            errors = unreadable_text({k: v for k, v in data.items() if k not in self.checked_per_item})
        else:
            errors = unreadable_text(data)
        if errors:
            raise ValidationError(errors if isinstance(errors, dict) else {"_schema": errors})
        return data


class LocationSchema(StrictSchema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))
    accuracy_m = fields.Float(load_default=None, allow_none=True, allow_nan=False,
                              validate=validate.Range(0, 100_000))
    source = fields.String(required=True, validate=validate.OneOf(LOCATION_SOURCES))


def validate_attributes(group: str, attributes: dict[str, Any]) -> dict[str, Any]:
    """Attributes are data in the taxonomy; check each against its definition."""
    errors: dict[str, Any] = {}
    for code, value in attributes.items():
        attr = taxonomy.ATTRIBUTE_BY_CODE.get(code)
        if attr is None:
            errors[code] = [msg("unknown_attribute", value=code)]
            continue
        if attr.groups and group not in attr.groups:
            errors[code] = [msg("attribute_not_for_group", value=code)]
        elif attr.kind == "choice":
            allowed = [c.code for c in attr.choices]
            if value not in allowed:
                errors[code] = [msg("bad_choice", value=value, choices=", ".join(allowed))]
        elif attr.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int) or not (
                    attr.minimum <= value <= attr.maximum):  # type: ignore[operator]
                errors[code] = [msg("range", min=attr.minimum, max=attr.maximum)]
        elif attr.kind == "bool" and not isinstance(value, bool):
            errors[code] = [msg("bad_choice", value=value, choices="true, false")]
    return errors


class ObservationSchema(StrictSchema):
    """One observation as a phone files it. ``id`` is the phone's, so a retry is recognised."""

    id = fields.UUID(required=True)
    category = fields.String(required=True, validate=_code_in(taxonomy.CATEGORY_BY_CODE, "unknown_category"))
    observed_at = Moment(required=True)
    location = fields.Nested(LocationSchema, required=True)
    place = fields.String(load_default=None, allow_none=True,
                          validate=_code_in(taxonomy.PLACE_BY_CODE, "unknown_place"))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))
    walk_id = fields.UUID(load_default=None, allow_none=True)
    case_id = fields.UUID(load_default=None, allow_none=True)
    attributes = fields.Dict(keys=fields.String(), load_default=dict)
    # No default: a report without it is placed by its point, and hashes as it did before areas.
    area = fields.String(validate=validate.Length(1, 40),
                         metadata={"description": "the area's code; left out, the area whose boundary holds the point"})
    # No default either: a report without it hashes as before. Sealed like the note, so erasable.
    notify_email = fields.Email(validate=validate.Length(max=254), metadata={
        "description": "an address that hears when the case is resolved (the reporter asked to); "
                       "never shown, sealed like the note and erased with it"})

    @validates("observed_at")
    def _not_future(self, value: datetime, **_: Any) -> None:
        now = datetime.now(timezone.utc)
        if value > now + timedelta(minutes=10):  # phones' clocks drift a little
            raise ValidationError(msg("in_future"))  # type: ignore[arg-type]
        if value < now - timedelta(days=366):
            raise ValidationError(msg("too_old"))  # type: ignore[arg-type]

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        category = taxonomy.CATEGORY_BY_CODE.get(data.get("category", ""))
        if category is not None:
            errors = validate_attributes(category.group, data.get("attributes") or {})
            if errors:
                raise ValidationError({"attributes": errors})
        if (data.get("attributes") or {}).get("akut") is True:
            raise ValidationError({"attributes": {"akut": [msg("urgent")]}})
        location = data.get("location") or {}
        if location.get("source") == "place" and not data.get("place"):
            raise ValidationError({"place": [msg("place_needed")]})


class BatchSchema(StrictSchema):
    """A phone's outbox, sent at once; each item is checked on its own so one bad item
    does not hold back the rest."""

    observations = fields.List(fields.Dict(), required=True,
                               validate=validate.Length(min=1, max=MAX_BATCH))
    checked_per_item = ("observations",)


class FiledSchema(Schema):
    id = fields.UUID()
    case_id = fields.UUID()


class BatchItemResultSchema(Schema):
    id = fields.String(allow_none=True)
    status = fields.Integer()
    case_id = fields.UUID(allow_none=True)
    title = fields.String()
    errors = fields.Dict()


class BatchResultSchema(Schema):
    results = fields.List(fields.Nested(BatchItemResultSchema))


# --- Case decisions -------------------------------------------------------------------------


class TriageSchema(StrictSchema):
    priority = fields.Integer(required=True, validate=validate.Range(1, 3))
    category = fields.String(load_default=None, allow_none=True,
                             validate=_code_in(taxonomy.CATEGORY_BY_CODE, "unknown_category"))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))


class AssignSchema(StrictSchema):
    org = fields.String(required=True, validate=_code_in(taxonomy.ORGANISATION_BY_CODE, "unknown_org"))
    person = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class CaseStatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("in_progress", "closed")))
    reason = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(("not_ours", "no_action")))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))

    @validates_schema
    def _reason_for_closing(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("status") == "closed" and not data.get("reason"):
            raise ValidationError({"reason": [{"sv": "ange varför ärendet avslutas",
                                               "en": "say why the case is closed"}]})


class ResolveSchema(StrictSchema):
    public_note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))


class ReopenSchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=1, max=NOTE_MAX))


class DuplicateSchema(StrictSchema):
    duplicate_of = fields.UUID(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))


# --- Reading cases ---------------------------------------------------------------------------


class CaseQuerySchema(StrictSchema):
    area = fields.String(validate=validate.Length(1, 40), metadata={"description": "an area's code"})
    status = fields.String(validate=_choice(vocabulary.CASE_STATUSES))
    category = fields.String(validate=_code_in(taxonomy.CATEGORY_BY_CODE, "unknown_category"))
    group = fields.String(validate=_code_in(taxonomy.GROUP_BY_CODE, "unknown_category"))
    place = fields.String(validate=_code_in(taxonomy.PLACE_BY_CODE, "unknown_place"))
    bbox = fields.String(metadata={"description": "min_lon,min_lat,max_lon,max_lat"})
    since = Moment()
    walk_id = fields.UUID()
    open = fields.Boolean()
    limit = fields.Integer(load_default=500, validate=validate.Range(1, 5000))
    offset = fields.Integer(load_default=0, validate=validate.Range(0, 10_000_000))

    @validates("bbox")
    def _bbox(self, value: str, **_: Any) -> None:
        parse_bbox(value)


def parse_bbox(value: str) -> tuple[float, float, float, float]:
    try:
        parts = [float(p) for p in value.split(",")]
    except ValueError:
        parts = []
    if len(parts) != 4 or not (-180 <= parts[0] <= parts[2] <= 180 and -90 <= parts[1] <= parts[3] <= 90):
        raise ValidationError({"sv": "bbox ska vara min_lon,min_lat,max_lon,max_lat",  # type: ignore[arg-type]
                               "en": "bbox must be min_lon,min_lat,max_lon,max_lat"})
    return parts[0], parts[1], parts[2], parts[3]


class NearbyQuerySchema(StrictSchema):
    lat = fields.Float(required=True, allow_nan=False, validate=validate.Range(-90, 90))
    lon = fields.Float(required=True, allow_nan=False, validate=validate.Range(-180, 180))
    radius_m = fields.Float(load_default=50.0, validate=validate.Range(1, 5000))
    group = fields.String(validate=_code_in(taxonomy.GROUP_BY_CODE, "unknown_category"))


class CaseSchema(Schema):
    """A case as the boards and the phone see it."""

    id = fields.String()
    area = fields.String(allow_none=True)
    category = fields.String()
    group = fields.String()
    place = fields.String(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()
    status = fields.String()
    visibility = fields.String()
    priority = fields.Integer(allow_none=True)
    assigned_org = fields.String(allow_none=True)
    assigned_person = fields.String(allow_none=True)
    close_reason = fields.String(allow_none=True)
    # The original's id, or {"restricted": true, "sv": …, "en": …} when the reader may not see it.
    duplicate_of = fields.Raw(allow_none=True)
    public_note = fields.String(allow_none=True)
    walk_id = fields.String(allow_none=True)
    opened_at = Instant()
    updated_at = Instant()
    first_observed_at = Instant(allow_none=True)
    last_observed_at = Instant(allow_none=True)
    time_of_day = fields.String(allow_none=True)
    dark = fields.Boolean(allow_none=True)
    observations = fields.Integer()
    version = fields.Integer()
    distance_m = fields.Float()
