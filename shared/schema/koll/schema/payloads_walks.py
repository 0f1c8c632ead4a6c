"""Safety walks (trygghetsvandringar): the words and the payloads of planning and walking one.

A walk is planned (when, where, by day or in darkness, who comes), started, and ended; what
the walkers see is filed as ordinary observations carrying the walk's id.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema


from koll.schema.glossary import TERMS as _G
from koll.schema import taxonomy
from koll.schema.messages import msg
from koll.schema.times import Instant
from koll.schema.payloads import NOTE_MAX, Moment, StrictSchema, _code_in
from koll.schema.vocabulary import Term, codes

WALK_STATUSES: tuple[Term, ...] = (
    Term("planned", "Planerad", "Planned"),
    Term("started", "Pågår", "Under way"),
    Term("ended", "Avslutad", "Ended"),
)

# The report: the square is "particularly unsafe in the evening and in darkness", so walks are
# done both ways and compared.
LIGHT: tuple[Term, ...] = (
    Term("dagsljus", "Dagsljus", "Daylight"),
    Term("morker", "Mörker", "Darkness"),
)

# Who walks: residents, associations and staff (the report's supporting triangle).
PARTICIPANT_KINDS: tuple[Term, ...] = (
    Term("boende", *_G["walker_resident"]),
    Term("forening", *_G["walker_association"]),
    Term("personal", *_G["walker_staff"]),
)

MAX_PARTICIPANTS = 200


class ParticipantSchema(StrictSchema):
    """A walker. The name is personal data: the ledger seals it and can erase it."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    kind = fields.String(required=True, validate=validate.OneOf(codes(PARTICIPANT_KINDS)))
    org = fields.String(load_default=None, allow_none=True,
                        validate=_code_in(taxonomy.ORGANISATION_BY_CODE, "unknown_org"))


class WalkPlanSchema(StrictSchema):
    """A walk as it is planned. ``id`` is the client's, so a retry is recognised."""

    id = fields.UUID(required=True)
    title = fields.String(required=True, validate=validate.Length(min=1, max=200))
    planned_at = Moment(required=True)
    route = fields.List(fields.String(validate=_code_in(taxonomy.PLACE_BY_CODE, "unknown_place")),
                        load_default=list, validate=validate.Length(max=50),
                        metadata={"description": "place codes in the order walked"})
    light = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(codes(LIGHT)),
                          metadata={"description": "daylight or darkness; from planned_at when left out"})
    organisations = fields.List(fields.String(validate=_code_in(taxonomy.ORGANISATION_BY_CODE, "unknown_org")),
                                load_default=list, validate=validate.Length(max=len(taxonomy.ORGANISATIONS)))
    participants = fields.List(fields.Nested(ParticipantSchema), load_default=list,
                               validate=validate.Length(max=MAX_PARTICIPANTS))
    area = fields.String(validate=validate.Length(1, 40),
                         metadata={"description": "the area's code; left out, the caller's only area"})

    @validates_schema
    def _organisations_once(self, data: dict[str, Any], **_: Any) -> None:
        orgs = data.get("organisations") or []
        if len(set(orgs)) != len(orgs):
            raise ValidationError({"organisations": [msg("listed_twice")]})


class WalkEndSchema(StrictSchema):
    # Free text may name people: sealed with the walk's key like the participants.
    summary = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=NOTE_MAX))


class WalkStartSchema(StrictSchema):
    pass


class WalkQuerySchema(StrictSchema):
    area = fields.String(validate=validate.Length(1, 40), metadata={"description": "an area's code"})
    status = fields.String(validate=validate.OneOf(codes(WALK_STATUSES)))
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 2000))


class WalkCreatedSchema(Schema):
    id = fields.UUID()
    join_code = fields.String(allow_none=True, metadata={"description": "the short code walkers join with"})


class WalkSchema(Schema):
    """A walk as the boards and the phone see it; names only for those who may read them."""

    id = fields.String()
    area = fields.String(allow_none=True)
    title = fields.String()
    planned_at = Instant()
    route = fields.List(fields.String())
    light = fields.String()
    organisations = fields.List(fields.String())
    participants = fields.List(fields.Nested(ParticipantSchema), allow_none=True)
    participant_counts = fields.Dict(keys=fields.String(), values=fields.Integer())
    status = fields.String()
    started_at = Instant(allow_none=True)
    ended_at = Instant(allow_none=True)
    dark_at_start = fields.Boolean(allow_none=True)
    summary = fields.String(allow_none=True)
    findings = fields.Integer()
    positive = fields.Integer()
    planned_by = fields.String()
    version = fields.Integer()
    join_code = fields.String(allow_none=True, metadata={
        "description": "six characters without 0/O and 1/I; GET /walks/join/{code} finds the walk"})


class WalkListSchema(Schema):
    walks = fields.List(fields.Nested(WalkSchema))


class ProtocolQuerySchema(StrictSchema):
    format = fields.String(load_default="json", validate=validate.OneOf(("json", "csv", "html")))


class FindingSchema(Schema):
    """One finding in a walk's protocol."""

    id = fields.String()
    case_id = fields.String()
    category = fields.String()
    category_sv = fields.String()
    category_en = fields.String()
    place = fields.String(allow_none=True)
    place_sv = fields.String(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()
    observed_at = Instant()
    time_of_day = fields.String()
    dark = fields.Boolean()
    note = fields.String(allow_none=True)
    photos = fields.List(fields.String())
    case_status = fields.String()
    responsible = fields.String(metadata={"description": "the case's assigned organisation, else the category's owner"})
    positive = fields.Boolean()


class ResponsibleFindingsSchema(Schema):
    org = fields.String()
    name_sv = fields.String()
    name_en = fields.String()
    findings = fields.List(fields.Nested(FindingSchema))


class ProtocolSchema(Schema):
    walk = fields.Nested(WalkSchema)
    organisations = fields.List(fields.Nested(ResponsibleFindingsSchema))
    positive = fields.List(fields.Nested(FindingSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Integer())
