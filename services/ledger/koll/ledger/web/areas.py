"""Områden on the boards: the strategic view across areas (``/oversikt``) and the administrator's
pages of areas (``/admin/omraden``), where an area's boundary and places are drawn on the map.

The overview reads ``queries.areas.overview``, the same rows ``GET /api/v1/areas/overview``
answers. Every change goes through the area commands of the API (``revise_area``,
``set_area_section``, ``import_area``) with the version the page was rendered from; a refused
form comes back with what was typed and the error beside the field it concerns.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask import abort, redirect, request, url_for
from marshmallow import ValidationError

from koll.ledger.api.auth import OVERVIEW
from koll.ledger.application import StaleVersion
from koll.ledger.domain.area import area_id_for
from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.projections.base import utc_naive
from koll.ledger.queries import areas as q
from koll.ledger.queries.meetings import CYCLE
from koll.ledger.usecases.areas import checked_definition
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, field_errors, koll, page, reading, render, why
from koll.ledger.web.situation import map_config, visible_areas
from koll.schema import taxonomy
from koll.schema.areas import AreaRevisionSchema, CategoriesSchema, OrganisationsSchema, PlacesSchema
from koll.schema.payloads import within_years

ADMIN = ("admin",)
MAX_ROWS = 500  # rows a section's form may send back: more is not a form made by this page


# --- Översikt: the strategic view across areas --------------------------------------------


def _since_day(raw: str | None, default: date) -> date:
    try:
        day = date.fromisoformat(raw) if raw else default
    except ValueError:
        return default
    return day if within_years(day) else default


@bp.route("/oversikt")
@page(*OVERVIEW)
def overview(actor: Actor) -> Any:
    """Per area the open cases and those new this period, active and late measures, the four
    principles, the last and next meeting and escalations waiting: the areas side by side."""
    zone = _zone_of_areas()
    today = datetime.now(zone).date()
    since = _since_day(request.args.get("fran"), today - CYCLE)
    with reading() as conn:
        rows = q.overview(conn, actor, utc_naive(datetime.combine(since, time.min, zone)), today)
    for r in rows:
        r["label"] = r["name"].get(i18n.lang()) or r["name"]["sv"]
    totals = {k: sum(r[k] for r in rows) for k in ("open_cases", "new_cases", "active_measures", "late_measures",
                                                   "escalations_waiting")}
    return render("overview.html", rows=rows, since=since, today=today, totals=totals)


def _zone_of_areas() -> ZoneInfo:
    """The clock a page across areas reads: the areas' own when they share one (they do in a city)."""
    zones = {v.definition.get("time_zone") or "Europe/Stockholm" for v in visible_areas()}
    return ZoneInfo(zones.pop() if len(zones) == 1 else "Europe/Stockholm")


def many_areas() -> bool:
    """Whether the signed-in user sees more than one area (then the menu offers the overview)."""
    return len(visible_areas()) > 1


# --- Admin: the list of areas and a new one ---------------------------------------------------


def _all_areas_map() -> dict[str, Any]:
    """Where a new area's map opens: over the areas there are, or Sweden when there are none."""
    views = visible_areas()
    config = map_config()
    boxes = [v.box for v in views]
    config["bounds"] = ([[min(b[1] for b in boxes), min(b[0] for b in boxes)],
                         [max(b[3] for b in boxes), max(b[2] for b in boxes)]] if boxes else [[55.3, 11.0], [69.1, 24.2]])
    config["others"] = [{"code": v.code, "label": v.name_sv, "boundary": v.definition["boundary"]} for v in views]
    return config


def _list_page(actor: Actor, *, status: int = 200, message: str | None = None, message_kind: str = "ok",
               form: dict[str, str] | None = None, errors: dict[str, str] | None = None) -> Any:
    with reading() as conn:
        rows = q.list_areas(conn, actor)
    editor = {**_all_areas_map(), "boundary": _json_or_none((form or {}).get("boundary")), "places": [],
              "form": "new-area"}
    return render("admin_areas.html", areas=rows, message=message, message_kind=message_kind, form=form or {},
                  errors=errors or {}, editor=editor), status


@bp.route("/admin/omraden")
@page(*ADMIN)
def admin_areas(actor: Actor) -> Any:
    return _list_page(actor)


NEW_FIELDS = {"code": "code", "name.sv": "name_sv", "name.en": "name_en", "boundary": "boundary",
              "time_zone": "time_zone"}


@bp.route("/admin/omraden", methods=["POST"])
@page(*ADMIN)
def admin_areas_new(actor: Actor) -> Any:
    """A new area: drawn and named on the page, or a definition file pasted or uploaded."""
    typed = {k: request.form.get(k, "").strip() for k in ("code", "name_sv", "name_en", "time_zone", "boundary")}
    typed["definition"] = request.form.get("definition", "")
    upload = request.files.get("file")
    raw = upload.read().decode("utf-8", "replace") if upload and upload.filename else typed["definition"].strip()
    errors: dict[str, str] = {}
    if raw:
        typed["definition"] = raw
        try:
            data = json.loads(raw)
        except ValueError as e:
            return _new_refused(actor, typed, {"definition": i18n.t("not_json", why=str(e))})
        if not isinstance(data, dict):
            return _new_refused(actor, typed, {"definition": i18n.t("not_a_definition")})
        where = lambda key: "definition"  # noqa: E731 - every error of a file belongs to the file
    else:
        boundary = _json_or_none(typed["boundary"])
        if boundary is None:
            errors["boundary"] = i18n.t("draw_boundary_first")
        data = {"code": typed["code"], "name": {"sv": typed["name_sv"], "en": typed["name_en"] or None},
                "time_zone": typed["time_zone"] or "Europe/Stockholm", "boundary": boundary or {}}
        where = lambda key: NEW_FIELDS.get(key, NEW_FIELDS.get(key.split(".")[0], "code"))  # noqa: E731
    try:
        checked_definition(data)  # every error at once, by field, before anything is recorded
    except ValidationError as e:
        for key, text in field_errors(e).items():
            field = where(key)
            if field not in errors or raw:
                errors[field] = "; ".join(filter(None, [errors.get(field), f"{key}: {text}" if raw else text]))
    code = str(data.get("code") or "").strip()
    if code and not errors and koll().ledger._area_or_none(area_id_for(code)) is not None:
        errors["definition" if raw else "code"] = i18n.t("area_exists", code=code)
    if errors:
        return _new_refused(actor, typed, errors)
    try:
        koll().ledger.import_area(actor, data)
    except DomainError as e:
        return _new_refused(actor, typed, {"definition" if raw else "code": why(e)})
    return redirect(url_for("boards.admin_areas_area", code=code, klart="created"))


def _new_refused(actor: Actor, typed: dict[str, str], errors: dict[str, str]) -> Any:
    return _list_page(actor, status=422, message=i18n.t("area_refused", why="; ".join(errors.values())),
                      message_kind="error", form=typed, errors=errors)



def _json_or_none(raw: str | None) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


# --- Admin: one area, its boundary and places on the map, its organisations and categories ----

PARTS = ("grund", "platser", "aktorer", "kategorier")
DONE = {"created": "area_created", "grund": "area_saved", "platser": "places_saved", "aktorer": "orgs_saved",
        "kategorier": "categories_saved"}
PLACE_FIELDS = ("code", "sv", "en", "lat", "lon", "radius_m", "shape", "remove")
ORG_FIELDS = ("code", "sv", "en", "sector", "email", "remove")
LOCAL_FIELDS = ("code", "group", "sv", "en", "visibility", "photo", "owner", "remove")


def _number(v: Any) -> str:
    return "" if v is None else (f"{v:.6f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v))


def place_rows(definition: dict[str, Any]) -> list[dict[str, str]]:
    """The places as the form's rows (strings, as typed): a point by lat/lon, a polygon kept whole."""
    rows = []
    for p in definition["places"]:
        g = p["geometry"]
        point = g["type"] == "Point"
        rows.append({"code": p["code"], "sv": p["sv"], "en": p.get("en") or "",
                     "lat": _number(float(g["coordinates"][1])) if point else "",
                     "lon": _number(float(g["coordinates"][0])) if point else "",
                     "radius_m": _number(p.get("radius_m")), "shape": "" if point else json.dumps(g)})
    return rows


def org_rows(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"code": o["code"], "sv": o["sv"], "en": o.get("en") or "", "sector": o["sector"],
             "email": o.get("email") or "", "categories": list(o.get("categories") or [])}
            for o in definition["organisations"]]


def category_form(definition: dict[str, Any]) -> dict[str, Any]:
    return {"national": [c["code"] for c in definition["categories"] if not c.get("local")],
            "local": [{k: c.get(k) or "" for k in LOCAL_FIELDS if k != "remove"}
                      for c in definition["categories"] if c.get("local")]}


def _typed_rows(section: str, names: tuple[str, ...], lists: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    try:
        n = min(int(request.form.get(f"{section}-rows", "0")), MAX_ROWS)
    except ValueError:
        n = 0
    rows = []
    for i in range(n):
        row: dict[str, Any] = {k: request.form.get(f"{section}-{i}-{k}", "").strip() for k in names}
        for k in lists:
            row[k] = request.form.getlist(f"{section}-{i}-{k}")
        rows.append(row)
    return rows


def _kept(rows: list[dict[str, Any]], required: tuple[str, ...]) -> list[tuple[int, dict[str, Any]]]:
    """The rows to record, with their index on the form: not marked for removal, and not the empty new row."""
    return [(i, r) for i, r in enumerate(rows)
            if not r.get("remove") and any(r.get(k) for k in required)]


def _places_from(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int], dict[str, str]]:
    items, index, errors = [], [], {}
    for i, r in _kept(rows, ("code", "sv", "lat", "lon", "shape")):
        item: dict[str, Any] = {"code": r["code"], "sv": r["sv"], "en": r["en"] or None}
        if r["lat"] or r["lon"] or not r["shape"]:
            try:
                lat, lon = float(r["lat"].replace(",", ".")), float(r["lon"].replace(",", "."))
            except ValueError:
                errors[f"places-{i}-lat"] = i18n.t("place_position_needed")
                continue
            item["geometry"] = {"type": "Point", "coordinates": [lon, lat]}
        else:
            item["geometry"] = _json_or_none(r["shape"]) or {}
        try:
            item["radius_m"] = float(r["radius_m"].replace(",", ".")) if r["radius_m"] else None
        except ValueError:
            errors[f"places-{i}-radius_m"] = i18n.t("a_number")
            continue
        items.append(item)
        index.append(i)
    return items, index, errors


def _orgs_from(rows: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[int], dict[str, str]]:
    items, index = [], []
    for i, r in _kept(rows, ("code", "sv", "email")):
        items.append({"code": r["code"], "sv": r["sv"], "en": r["en"] or None, "sector": r["sector"],
                      "email": r["email"] or None, "categories": r["categories"]})
        index.append(i)
    return items, index, {}


def _categories_from(definition: dict[str, Any], national: list[str], local_rows: list[dict[str, Any]]
                     ) -> tuple[list[dict[str, Any]], list[int], dict[str, str]]:
    """The categories in the order recorded (an unchanged form records nothing): national ones
    still ticked and local ones still listed where they were, then new national ones in the
    catalogue's order, then new local ones as typed."""
    ticked = set(national) & taxonomy.NATIONAL_CATEGORIES
    local = {r["code"]: (i, {"code": r["code"], "local": True, **{k: r[k] or None for k in LOCAL_FIELDS[1:-1]}})
             for i, r in _kept(local_rows, ("code", "sv"))}
    items: list[dict[str, Any]] = []
    index: list[int] = []
    placed: set[str] = set()
    for c in definition["categories"]:
        if not c.get("local") and c["code"] in ticked:
            items.append({"code": c["code"]})
            index.append(-1)
        elif c.get("local") and c["code"] in local:
            i, item = local[c["code"]]
            items.append(item)
            index.append(i)
        placed.add(c["code"])
    for c in taxonomy.CATEGORIES:
        if c.code in ticked and c.code not in placed:
            items.append({"code": c.code})
            index.append(-1)
    for code, (i, item) in local.items():
        if code not in placed:
            items.append(item)
            index.append(i)
    return items, index, {}


SECTION_OF = {"platser": ("places", PlacesSchema), "aktorer": ("organisations", OrganisationsSchema),
              "kategorier": ("categories", CategoriesSchema)}
FORM_PREFIX = {"places": "places", "organisations": "orgs", "categories": "local"}


def _row_errors(section: str, e: ValidationError, index: list[int]) -> dict[str, str]:
    """'places.2.radius_m' (the item's index) → 'places-5-radius_m' (the row's on the form)."""
    out: dict[str, str] = {}
    for key, text in field_errors(e).items():
        parts = key.split(".")
        if len(parts) >= 2 and parts[0] == section and parts[1].isdigit() and int(parts[1]) < len(index):
            row, field = index[int(parts[1])], (parts[2] if len(parts) > 2 else "code")
            field = "lat" if field == "geometry" else field
            name = f"{FORM_PREFIX[section]}-{row}-{field}" if row >= 0 else "categories"
        else:
            name = section if parts[0] in (section, "_schema") else parts[0]
        out[name] = "; ".join(filter(None, [out.get(name), text]))
    return out


def _area_page(actor: Actor, code: str, *, status: int = 200, part: str | None = None,
               typed: dict[str, Any] | None = None, errors: dict[str, str] | None = None,
               message: str | None = None, message_kind: str = "ok", seen: int | None = None) -> Any:
    """The area's page; a refused form shows what was typed, at the version it was typed on
    (a stale one at the version now recorded, so a second look can be saved)."""
    with reading() as conn:
        found = q.area_definition(conn, actor, code)
    if found is None:
        abort(404)
    definition, version = found
    forms: dict[str, Any] = {
        "grund": {"name_sv": definition["name"]["sv"], "name_en": definition["name"].get("en") or "",
                  "time_zone": definition["time_zone"], "boundary": json.dumps(definition["boundary"])},
        "platser": place_rows(definition), "aktorer": org_rows(definition), "kategorier": category_form(definition),
    }
    if part and typed is not None:
        forms[part] = typed
    categories = [c for c in taxonomy.CATEGORIES if c.code in taxonomy.NATIONAL_CATEGORIES]
    in_use = [c["code"] for c in definition["categories"]]
    editor = {**map_config(code), "boundary": _json_or_none(forms["grund"]["boundary"]), "form": "area-base"}
    return render("admin_area.html", code=code, definition=definition, version=version, forms=forms, part=part,
                  form_version=version if seen is None else seen,
                  errors=errors or {}, message=message, message_kind=message_kind, editor=editor,
                  national=categories, groups=taxonomy.GROUPS, in_use=in_use,
                  sectors=taxonomy.SECTOR_VALUES, visibilities=taxonomy.VISIBILITY_VALUES,
                  photos=taxonomy.PHOTO_VALUES), status


@bp.route("/admin/omraden/<code>")
@page(*ADMIN)
def admin_areas_area(actor: Actor, code: str) -> Any:
    done = DONE.get(request.args.get("klart", ""))
    return _area_page(actor, code, message=i18n.t(done) if done else None)


@bp.route("/admin/omraden/<code>/<part>", methods=["POST"])
@page(*ADMIN)
def admin_areas_change(actor: Actor, code: str, part: str) -> Any:
    """One part of the area changed, at the version the page showed; refused with what was typed."""
    if part not in PARTS:
        abort(404)
    with reading() as conn:
        found = q.area_definition(conn, actor, code)
    if found is None:
        abort(404)
    definition = found[0]
    try:
        seen = int(request.form.get("version", ""))
    except ValueError:
        seen = -1
    ledger = koll().ledger
    if part == "grund":
        typed: Any = {k: request.form.get(k, "").strip() for k in ("name_sv", "name_en", "time_zone", "boundary")}
        changes = {"name": {"sv": typed["name_sv"], "en": typed["name_en"] or None}, "time_zone": typed["time_zone"],
                   "boundary": _json_or_none(typed["boundary"]) or {}}
        where = {"name": "name_sv", "time_zone": "time_zone", "boundary": "boundary"}
        try:
            changes = AreaRevisionSchema().load(changes)
            action = lambda: ledger.revise_area(actor, code, seen, changes)  # noqa: E731
        except ValidationError as e:
            errors = {where.get(k.split(".")[0], k): v for k, v in field_errors(e).items()}
            return _refused(actor, code, part, typed, errors)
        section, index = None, []
    else:
        section, schema = SECTION_OF[part]
        if part == "platser":
            typed = _typed_rows("places", PLACE_FIELDS)
            items, index, errors = _places_from(typed)
        elif part == "aktorer":
            typed = _typed_rows("orgs", ORG_FIELDS, ("categories",))
            items, index, errors = _orgs_from(typed)
        else:
            typed = {"national": request.form.getlist("national"),
                     "local": _typed_rows("local", LOCAL_FIELDS)}
            items, index, errors = _categories_from(definition, typed["national"], typed["local"])
        if errors:
            return _refused(actor, code, part, typed, errors)
        try:
            items = schema().load({section: items})[section]
        except ValidationError as e:
            return _refused(actor, code, part, typed, _row_errors(section, e, index))
        action = lambda: ledger.set_area_section(actor, code, seen, section, items)  # noqa: E731
    try:
        action()
    except ValidationError as e:  # what ties the area together: a place outside the boundary, say
        errors = _row_errors(section, e, index) if section else field_errors(e)
        return _refused(actor, code, part, typed, errors)
    except StaleVersion as e:
        return _area_page(actor, code, status=409, part=part, typed=typed, message_kind="warn",
                          message=i18n.t("area_stale", seen=seen, now=e.details.get("current", "?")))
    except DomainError as e:
        return _refused(actor, code, part, typed, {part: why(e)})
    return redirect(url_for("boards.admin_areas_area", code=code, klart=part) + f"#{part}")


def _refused(actor: Actor, code: str, part: str, typed: Any, errors: dict[str, str]) -> Any:
    reason = "; ".join(f"{_where(k)}: {v}" for k, v in errors.items())
    seen = request.form.get("version", "")
    return _area_page(actor, code, status=422, part=part, typed=typed, errors=errors, message_kind="error",
                      message=i18n.t("area_refused", why=reason), seen=int(seen) if seen.isdigit() else -1)


def _where(field: str) -> str:
    """'places-2-radius_m' → 'Plats 3, radie (m)': where on the page the error is."""
    parts = field.split("-")
    if len(parts) == 3 and parts[1].isdigit():
        return f"{i18n.t('row_' + parts[0])} {int(parts[1]) + 1}, {i18n.t('field_' + parts[2])}"
    return i18n.t("field_" + field) if "field_" + field in i18n.WORDS else field
