"""Payloads of the operational group's work: measures (insatser), their indicators, meetings
(möten) and decisions. One definition validates the API, an imported sheet's rows and the docs."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from koll.schema import taxonomy, vocabulary
from koll.schema.messages import msg
from koll.schema.payloads import NOTE_MAX, Day, StrictSchema, _choice, _code_in

TEXT_MAX = 4000
MEETING_GROUPS = ("operational", "strategic", "mobilisation", "workshop")  # the two groups, the conference, workshops
ESCALATION_ANSWERS = ("granted", "declined", "other")
_org = _code_in(taxonomy.ORGANISATION_BY_CODE, "unknown_org")


def _text(required: bool = False, max_len: int = TEXT_MAX) -> fields.String:
    if required:
        return fields.String(required=True, validate=validate.Length(min=1, max=max_len))
    return fields.String(load_default=None, allow_none=True, validate=validate.Length(max=max_len))


def _counted(value: str) -> None:
    """What a computed indicator counts: a category ("REN-01") or a whole group ("REN")."""
    if value not in taxonomy.CATEGORY_BY_CODE and value not in taxonomy.GROUP_BY_CODE:
        raise ValidationError(msg("unknown_category", value=value))  # type: ignore[arg-type]


class SortingSchema(StrictSchema):
    """Where the measure sits on the gross list's axes (bruttolistans sortering)."""

    size = fields.String(validate=_choice(vocabulary.SORTINGS["size"]))
    complexity = fields.String(validate=_choice(vocabulary.SORTINGS["complexity"]))
    level = fields.String(validate=_choice(vocabulary.SORTINGS["level"]))
    mandate = fields.String(validate=_choice(vocabulary.SORTINGS["mandate"]))
    urgency = fields.String(validate=_choice(vocabulary.SORTINGS["urgency"]))
    approach = fields.String(validate=_choice(vocabulary.SORTINGS["approach"]))
    visibility = fields.String(validate=_choice(vocabulary.SORTINGS["visibility"]))
    priority = fields.Integer(validate=validate.Range(1, 5))
    synergy = fields.Boolean(metadata={"description": "potential for synergy with other measures"})


class IndicatorSchema(StrictSchema):
    """A success indicator: measured by hand (survey, police assessment) or counted from the ledger."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_-]{1,40}$"))
    name = _text(max_len=200)
    unit = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    baseline = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    target = fields.Float(load_default=None, allow_none=True, allow_nan=False)
    direction = fields.String(load_default="down", validate=validate.OneOf(("down", "up")))
    source = fields.String(load_default="manual", validate=validate.OneOf(("manual", "computed")))
    categories = fields.List(fields.String(validate=_counted), load_default=list)
    places = fields.List(fields.String(validate=_code_in(taxonomy.PLACE_BY_CODE, "unknown_place")),
                         load_default=list)
    baseline_from = Day(allow_none=True, metadata={"description": "first day of the baseline period"})
    baseline_to = Day(allow_none=True, metadata={"description": "last day of the baseline period"})

    @validates_schema
    def _computed_counts_something(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("source") == "computed" and not data.get("categories"):
            raise ValidationError({"categories": [msg("counts_nothing")]})


class ReviseIndicatorSchema(StrictSchema):
    """An indicator's baseline (value and period), target (målvärde), name or unit, changed."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z0-9_-]{1,40}$"))
    name = fields.String(validate=validate.Length(min=1, max=200))
    unit = fields.String(allow_none=True, validate=validate.Length(max=40))
    baseline = fields.Float(allow_none=True, allow_nan=False)
    target = fields.Float(allow_none=True, allow_nan=False)
    direction = fields.String(validate=validate.OneOf(("down", "up")))
    baseline_from = Day(allow_none=True)
    baseline_to = Day(allow_none=True)


class PlanSchema(StrictSchema):
    """The operational group's columns for one measure."""

    what = _text(required=True, max_len=500)
    start = Day(load_default=None, allow_none=True)
    end = Day(load_default=None, allow_none=True)
    goal = _text()
    resources = _text()
    indicators_text = _text()
    achieved = _text()
    owner_org = fields.String(load_default=None, allow_none=True, validate=_org)
    owner_person = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    follow_up = _text()
    palette = fields.String(load_default=None, allow_none=True, validate=_choice(vocabulary.PALETTE))
    track = fields.String(load_default=None, allow_none=True, validate=_choice(vocabulary.TRACKS))
    horizon = fields.String(load_default=None, allow_none=True, validate=_choice(vocabulary.HORIZONS))
    focus_area = fields.String(load_default=None, allow_none=True, validate=_choice(vocabulary.FOCUS_AREAS))
    sorting = fields.Nested(SortingSchema, load_default=dict)
    partners = fields.List(fields.String(validate=_org), load_default=list)

    @validates_schema
    def _period(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError({"end": [msg("end_before_start")]})


class RevisePlanSchema(PlanSchema):
    """Some of the plan's columns, changed; the columns not sent stay as they are."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(partial=True, **kwargs)


class MeasureSchema(PlanSchema):
    """A new measure on the gross list; ``id`` is the client's, so a retry is recognised."""

    id = fields.UUID(required=True)
    indicators = fields.List(fields.Nested(IndicatorSchema), load_default=list)
    area = fields.String(validate=validate.Length(1, 40),
                         metadata={"description": "the area's code; left out, the caller's only area"})
    inventory = fields.Boolean(metadata={"description": "already running (the inventory): recorded as started "
                                                        "on its start date, which is in the past"})


class SheetRowSchema(PlanSchema):
    """One row of an imported sheet: the plan, where it stands, and what it reached."""

    id = fields.UUID(load_default=None, allow_none=True)
    version = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(1, 1_000_000))
    status = fields.String(load_default=None, allow_none=True, validate=_choice(vocabulary.MEASURE_STATUSES))
    outcome = fields.String(load_default=None, allow_none=True, validate=_choice(vocabulary.OUTCOMES))
    deviation_reason = _text()
    success_factors = _text()
    in_operations = fields.Boolean(load_default=None, allow_none=True)


class DecideMeasureSchema(StrictSchema):
    note = _text(max_len=NOTE_MAX)
    meeting_id = fields.UUID(load_default=None, allow_none=True)


class AssignMeasureSchema(StrictSchema):
    org = fields.String(required=True, validate=_org)
    person = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    partners = fields.List(fields.String(validate=_org), load_default=None, allow_none=True)


class StartMeasureSchema(StrictSchema):
    note = _text(max_len=NOTE_MAX)
    on = Day(load_default=None, allow_none=True)


class ProgressSchema(StrictSchema):
    achieved = _text()
    note = _text(max_len=NOTE_MAX)


class ReasonSchema(StrictSchema):
    reason = _text(required=True, max_len=NOTE_MAX)


class CompleteSchema(StrictSchema):
    outcome = fields.String(required=True, validate=_choice(vocabulary.OUTCOMES))
    achieved = _text()
    deviation_reason = _text()
    success_factors = _text()

    @validates_schema
    def _why_not_all(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("outcome") in ("partly", "not_reached") and not (data.get("deviation_reason") or "").strip():
            raise ValidationError({"deviation_reason": [msg("deviation_needed")]})


class EscalateSchema(StrictSchema):
    support_needed = _text(required=True)
    note = _text(max_len=NOTE_MAX)


class OperationsSchema(StrictSchema):
    org = fields.String(load_default=None, allow_none=True, validate=_org)
    note = _text(max_len=NOTE_MAX)


class LinkCaseSchema(StrictSchema):
    case_id = fields.UUID(required=True)


class UnlinkCaseSchema(StrictSchema):
    case_id = fields.UUID(required=True)
    note = _text(max_len=NOTE_MAX)


class LinkAreaSchema(StrictSchema):
    area = fields.String(required=True, validate=validate.Length(1, 40))


class IndicatorValueSchema(StrictSchema):
    indicator = fields.String(required=True, validate=validate.Length(min=1, max=40))
    value = fields.Float(required=True, allow_nan=False)
    measured_on = Day(required=True)
    source = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40),
                           metadata={"description": "e.g. trygghetsmätning, polisens bedömning"})
    note = _text(max_len=NOTE_MAX)


class MeasureQuerySchema(StrictSchema):
    area = fields.String(validate=validate.Length(1, 40), metadata={"description": "an area's code"})
    status = fields.String(validate=_choice(vocabulary.MEASURE_STATUSES))
    owner = fields.String(validate=_org)
    palette = fields.String(validate=_choice(vocabulary.PALETTE))
    track = fields.String(validate=_choice(vocabulary.TRACKS))
    horizon = fields.String(validate=_choice(vocabulary.HORIZONS))
    focus_area = fields.String(validate=_choice(vocabulary.FOCUS_AREAS))
    late = fields.Boolean()
    as_of = Day(metadata={"description": "the day late is judged on; today when left out"})
    weeks = fields.Integer(load_default=12, validate=validate.Range(1, 104))


class PortfolioQuerySchema(StrictSchema):
    as_of = Day()


class RecordedSchema(Schema):
    id = fields.UUID()


# --- Meetings (möten) ------------------------------------------------------------------------


class AttendeeSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    org = fields.String(load_default=None, allow_none=True, validate=_org)


class MeetingSchema(StrictSchema):
    id = fields.UUID(required=True)
    group = fields.String(required=True, validate=validate.OneOf(MEETING_GROUPS))
    date = Day(required=True)
    title = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    attendees = fields.List(fields.Nested(AttendeeSchema), load_default=list)
    area = fields.String(validate=validate.Length(1, 40),
                         metadata={"description": "the area's code; left out, the caller's only area"})


class DecisionSchema(StrictSchema):
    id = fields.UUID(required=True)
    text = _text(required=True)
    measures = fields.List(fields.UUID(), load_default=list)
    cases = fields.List(fields.UUID(), load_default=list)
    decide_measures = fields.Boolean(load_default=False, metadata={
        "description": "the measures named that are ideas on the gross list are decided in this meeting"})
    escalation = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 48), metadata={
        "description": "the escalation this decision answers (the strategic group only); it closes it"})
    answer = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(ESCALATION_ANSWERS))


class AttendanceRowSchema(StrictSchema):
    org = fields.String(load_default=None, allow_none=True, validate=_org)
    count = fields.Integer(load_default=0, validate=validate.Range(0, 10000))
    names = fields.List(fields.String(validate=validate.Length(1, 120)), load_default=list,
                        validate=validate.Length(max=500))


class AttendanceSchema(StrictSchema):
    """Who came, by organisation: a count and any names; replaces what was recorded before."""

    attendance = fields.List(fields.Nested(AttendanceRowSchema), required=True, validate=validate.Length(max=100))


class HoldSchema(StrictSchema):
    conclusions = _text()
    attendees = fields.List(fields.Nested(AttendeeSchema), load_default=None, allow_none=True)


class MeetingQuerySchema(StrictSchema):
    area = fields.String(validate=validate.Length(1, 40), metadata={"description": "an area's code"})
    group = fields.String(validate=validate.OneOf(MEETING_GROUPS))
