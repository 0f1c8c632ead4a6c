"""The vocabulary, as the phone and the boards need it."""

from __future__ import annotations

from dataclasses import asdict

from flask_smorest import Blueprint

from marshmallow import fields

from koll.ledger.api.auth import READ, requires
from koll.ledger.api.common import actor, reading
from koll.ledger.api.errors import Problem
from koll.ledger.domain.area import centre
from koll.ledger.queries.areas import area_definition
from koll.schema.payloads import StrictSchema
from koll.schema import taxonomy, vocabulary

blp = Blueprint("taxonomy", __name__, url_prefix="/api/v1", description="Categories, places and statuses")


def _terms(terms: tuple[vocabulary.Term, ...]) -> list[dict]:
    return [asdict(t) for t in terms]


class TaxonomyQuerySchema(StrictSchema):
    area = fields.String(metadata={"description": "an area's code: its places, organisations, categories, "
                                                  "focus areas and palette labels instead of the national ones"})


@blp.route("/taxonomy")
@requires(*READ)
@blp.arguments(TaxonomyQuerySchema, location="query")
def get_taxonomy(args: dict):  # type: ignore[no-untyped-def]
    national = _national()
    if not args.get("area"):
        return national
    with reading() as conn:
        found = area_definition(conn, actor(), args["area"])
    if found is None:
        raise Problem(404, f"no area '{args['area']}'")
    return {**national, **area_terms(found[0])}


def area_terms(d: dict) -> dict:
    """What an area puts in place of the national lists (its focus areas and palette labels
    only where it names them)."""
    out: dict = {
        "area": {"code": d["code"], "name": d["name"], "time_zone": d["time_zone"], "boundary": d["boundary"]},
        "places": [_place(p) for p in d["places"]],
        "organisations": [{k: o.get(k) for k in ("code", "sv", "en", "sector", "categories")}
                          for o in d["organisations"]],
        "categories": [asdict(taxonomy.category(c["code"])) if not c.get("local")
                       else {**{k: c.get(k) for k in ("code", "group", "sv", "en", "visibility", "photo", "owner")},
                             "positive": False, "urgent_hint": False, "local": True}
                       for c in d["categories"]],
    }
    if d["focus_areas"]:
        out["focus_areas"] = d["focus_areas"]
    if d["palette"]:
        labels = {p["code"]: p for p in d["palette"]}
        out["palette"] = [labels.get(t.code, asdict(t)) for t in vocabulary.PALETTE]
    return out


def _place(p: dict) -> dict:
    lat, lon = centre(p["geometry"])
    return {"code": p["code"], "sv": p["sv"], "en": p.get("en"), "lat": lat, "lon": lon,
            "radius_m": p.get("radius_m"), "geometry": p["geometry"]}


def _national() -> dict:
    return {
        "groups": [asdict(g) for g in taxonomy.GROUPS],
        "categories": [asdict(c) for c in taxonomy.CATEGORIES],
        "places": [asdict(p) for p in taxonomy.PLACES],  # the national lists: a ledger from before areas
        "organisations": [asdict(o) for o in taxonomy.ORGANISATIONS],
        "attributes": [asdict(a) for a in taxonomy.ATTRIBUTES],
        "case_statuses": _terms(vocabulary.CASE_STATUSES),
        "case_close_reasons": _terms(vocabulary.CASE_CLOSE_REASONS),
        "measure_statuses": _terms(vocabulary.MEASURE_STATUSES),
        "outcomes": _terms(vocabulary.OUTCOMES),
        "palette": _terms(vocabulary.PALETTE),
        "tracks": _terms(vocabulary.TRACKS),
        "horizons": _terms(vocabulary.HORIZONS),
        "focus_areas": _terms(vocabulary.FOCUS_AREAS),
        "sortings": {k: _terms(v) for k, v in vocabulary.SORTINGS.items()},
        "roles": _terms(vocabulary.ROLES),
        "visibilities": _terms(vocabulary.VISIBILITIES),
        "time_of_day": _terms(vocabulary.TIME_OF_DAY),
        "case_ages": _terms(vocabulary.CASE_AGES),
    }
