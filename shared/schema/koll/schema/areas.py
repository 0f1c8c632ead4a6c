"""An area's definition file, as a marshmallow schema: the same shape `koll area import` reads,
`koll area export` writes and `GET /api/v1/areas/{code}` answers.

Geometry is GeoJSON (RFC 7946): WGS 84, longitude before latitude. Categories come from the
national catalogue (``koll.schema.taxonomy``) by code, or are the area's own ("local").
Loading is canonical: a file loaded, exported and loaded again is the same definition.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from koll.schema import taxonomy, vocabulary
from koll.schema.payloads import StrictSchema

CODE = validate.Regexp(r"^[a-z0-9][a-z0-9-]{1,39}$", error="a code is 2–40 lower-case letters, digits or '-'")
CATEGORY_CODE = validate.Regexp(r"^[A-Z]{3}-[A-Z0-9]{2,8}$", error="a category code looks like 'BEL-01'")
MAX_VERTICES = 10_000  # a boundary drawn by hand has dozens; this only stops a runaway file


def _check_position(p: Any, where: str) -> None:
    if (not isinstance(p, list) or len(p) not in (2, 3)
            or not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in p)):
        raise ValidationError(f"{where}: a position is [longitude, latitude]")
    if not (-180 <= p[0] <= 180 and -90 <= p[1] <= 90):
        raise ValidationError(f"{where}: [longitude, latitude] out of range (longitude first)")


def _check_ring(ring: Any, where: str) -> None:
    if not isinstance(ring, list) or len(ring) < 4:
        raise ValidationError(f"{where}: a ring has at least four positions")
    for p in ring:
        _check_position(p, where)
    if ring[0] != ring[-1]:
        raise ValidationError(f"{where}: a ring ends where it starts")


def check_geometry(value: Any, kinds: tuple[str, ...]) -> None:
    if not isinstance(value, dict) or value.get("type") not in kinds or "coordinates" not in value:
        raise ValidationError(f"a GeoJSON geometry of type {' or '.join(kinds)}")
    if set(value) - {"type", "coordinates"}:
        raise ValidationError("a geometry has only 'type' and 'coordinates'")
    c = value["coordinates"]
    if value["type"] == "Point":
        _check_position(c, "Point")
        return
    polygons = [c] if value["type"] == "Polygon" else c
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError("a MultiPolygon has at least one polygon")
    vertices = 0
    for poly in polygons:
        if not isinstance(poly, list) or not poly:
            raise ValidationError("a Polygon has at least its outer ring")
        for ring in poly:
            _check_ring(ring, value["type"])
            vertices += len(ring)
    if vertices > MAX_VERTICES:
        raise ValidationError(f"at most {MAX_VERTICES} positions")


class Geometry(fields.Dict):
    """A GeoJSON geometry of the given kinds, kept as it came (plain JSON)."""

    def __init__(self, kinds: tuple[str, ...], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kinds = kinds

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        check_geometry(value, self.kinds)
        return {"type": value["type"], "coordinates": value["coordinates"]}


class NameSchema(StrictSchema):
    sv = fields.String(required=True, validate=validate.Length(1, 120))
    en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))


class LabelSchema(StrictSchema):
    code = fields.String(required=True, validate=validate.Length(1, 40))
    sv = fields.String(required=True, validate=validate.Length(1, 200))
    en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class PlaceSchema(StrictSchema):
    """A named place: a point with a radius, or a polygon."""

    code = fields.String(required=True, validate=CODE)
    sv = fields.String(required=True, validate=validate.Length(1, 120))
    en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=120))
    geometry = Geometry(("Point", "Polygon", "MultiPolygon"), required=True)
    radius_m = fields.Float(load_default=None, allow_none=True, allow_nan=False, validate=validate.Range(1, 5000))

    @validates_schema
    def _radius(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("geometry", {}).get("type") == "Point" and not data.get("radius_m"):
            raise ValidationError({"radius_m": ["a point place needs its radius in metres"]})
        if data.get("geometry", {}).get("type") != "Point" and data.get("radius_m"):
            raise ValidationError({"radius_m": ["only a point place has a radius"]})


class OrganisationSchema(StrictSchema):
    """An organisation taking part (aktör): its sector in the report's supporting triangle, the
    address its notifications go to, and the categories it answers for by default."""

    code = fields.String(required=True, validate=CODE)
    sv = fields.String(required=True, validate=validate.Length(1, 200))
    en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    sector = fields.String(required=True, validate=validate.OneOf(taxonomy.SECTOR_VALUES))
    email = fields.Email(load_default=None, allow_none=True)
    categories = fields.List(fields.String(validate=CATEGORY_CODE), load_default=list)


class CategorySchema(StrictSchema):
    """A category in use: a national one by its code alone, or a local one in full."""

    code = fields.String(required=True, validate=CATEGORY_CODE)
    local = fields.Boolean(load_default=False)
    group = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(list(taxonomy.GROUP_BY_CODE)))
    sv = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 200))
    en = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    visibility = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(taxonomy.VISIBILITY_VALUES))
    photo = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(taxonomy.PHOTO_VALUES))
    owner = fields.String(load_default=None, allow_none=True)

    @validates_schema
    def _national_or_local(self, data: dict[str, Any], **_: Any) -> None:
        code = data.get("code", "")
        if not data.get("local"):
            if code not in taxonomy.NATIONAL_CATEGORIES:
                raise ValidationError({"code": [f"'{code}' is not in the national catalogue; "
                                                "mark a category of your own with \"local\": true"]})
            extra = [k for k in ("group", "sv", "en", "visibility", "photo", "owner") if data.get(k)]
            if extra:
                raise ValidationError({extra[0]: ["a national category is named by its code alone"]})
            return
        if code in taxonomy.NATIONAL_CATEGORIES:
            raise ValidationError({"code": [f"'{code}' is a national category; give a local one its own code"]})
        missing = {k: ["a local category needs this"] for k in ("group", "sv", "visibility", "photo", "owner")
                   if not data.get(k)}
        if missing:
            raise ValidationError(missing)
        if code[:3] != data["group"]:
            raise ValidationError({"code": [f"a category's code starts with its group ({data['group']})"]})


def _unique(items: list[dict[str, Any]], section: str) -> dict[str, list[str]]:
    seen: set[str] = set()
    for i, item in enumerate(items):
        if item["code"] in seen:
            return {f"{section}.{i}.code": [f"'{item['code']}' is listed twice"]}
        seen.add(item["code"])
    return {}


class AreaDefinitionSchema(StrictSchema):
    """One area, whole: what a district edits, keeps in version control and imports."""

    code = fields.String(required=True, validate=CODE)
    name = fields.Nested(NameSchema, required=True)
    boundary = Geometry(("Polygon", "MultiPolygon"), required=True)
    time_zone = fields.String(load_default="Europe/Stockholm")
    places = fields.List(fields.Nested(PlaceSchema), load_default=list)
    organisations = fields.List(fields.Nested(OrganisationSchema), load_default=list)
    categories = fields.List(fields.Nested(CategorySchema), load_default=list)
    focus_areas = fields.List(fields.Nested(LabelSchema), load_default=list)
    palette = fields.List(fields.Nested(LabelSchema), load_default=list)

    @validates("time_zone")
    def _zone(self, value: str, **_: Any) -> None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"unknown time zone '{value}' (e.g. Europe/Stockholm)") from None

    @validates_schema
    def _consistent(self, data: dict[str, Any], **_: Any) -> None:
        errors: dict[str, list[str]] = {}
        for section in ("places", "organisations", "categories", "focus_areas", "palette"):
            errors |= _unique(data.get(section) or [], section)
        check_sections(data, errors)
        if errors:
            raise ValidationError(errors)


def check_sections(data: dict[str, Any], errors: dict[str, list[str]]) -> None:
    """What ties the sections together: categories the organisations answer for are in use, a local
    category's owner takes part, palette labels name the national palette."""
    in_use = {c["code"] for c in data.get("categories") or []}
    orgs = {o["code"] for o in data.get("organisations") or []} | taxonomy.NATIONAL_ORGANISATIONS
    for i, o in enumerate(data.get("organisations") or []):
        for code in o.get("categories") or []:
            if code not in in_use:
                errors[f"organisations.{i}.categories"] = [f"'{code}' is not among the area's categories"]
    for i, c in enumerate(data.get("categories") or []):
        if c.get("local") and c.get("owner") not in orgs:
            errors[f"categories.{i}.owner"] = [f"'{c.get('owner')}' is not an organisation of the area"]
    palette = set(vocabulary.codes(vocabulary.PALETTE))
    for i, p in enumerate(data.get("palette") or []):
        if p["code"] not in palette:
            errors[f"palette.{i}.code"] = [f"'{p['code']}' is not in the palette ({', '.join(sorted(palette))})"]


class AreaRevisionSchema(StrictSchema):
    """The parts of an area changed by ``POST /areas/{code}/revise``: any of them."""

    name = fields.Nested(NameSchema)
    boundary = Geometry(("Polygon", "MultiPolygon"))
    time_zone = fields.String()
    focus_areas = fields.List(fields.Nested(LabelSchema))
    palette = fields.List(fields.Nested(LabelSchema))

    _zone = AreaDefinitionSchema._zone


class PlacesSchema(StrictSchema):
    places = fields.List(fields.Nested(PlaceSchema), required=True)


class OrganisationsSchema(StrictSchema):
    organisations = fields.List(fields.Nested(OrganisationSchema), required=True)


class CategoriesSchema(StrictSchema):
    categories = fields.List(fields.Nested(CategorySchema), required=True)


def definition_errors(data: dict[str, Any]) -> dict[str, Any]:
    """Errors by field of a whole definition (empty when it loads)."""
    try:
        AreaDefinitionSchema().load(data)
    except ValidationError as e:
        return e.messages  # type: ignore[return-value]
    return {}
