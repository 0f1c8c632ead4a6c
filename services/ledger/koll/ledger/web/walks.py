"""Vandringar (``/vandringar``): safety walks, their findings on the map, the protocol; a walk
planned in the browser (``/vandringar/ny``) and its page (``/vandringar/<id>``) with the route
and the short join code walkers type or scan (as a QR code of ``/vandringar/kod/<code>``, which
the phone reads to the code and the browser follows to the walk)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from uuid import UUID, uuid4

import segno
from flask import abort, redirect, request, url_for
from markupsafe import Markup
from marshmallow import ValidationError

from koll.ledger.api.auth import FILE, READ
from koll.ledger.domain import clock
from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.domain.daylight import STOCKHOLM
from koll.ledger.domain.walk import is_join_code
from koll.ledger.queries import walks as q
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, field_errors, koll, page, reading, render, why
from koll.ledger.web.situation import area_choices, map_config
from koll.schema import taxonomy
from koll.schema.payloads_walks import WalkPlanSchema


def _feature(f: dict[str, Any]) -> dict[str, Any]:
    group = taxonomy.category(f["category"]).group
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [f["lon"], f["lat"]]},
            "properties": {"group": group, "category": f["category"], "observations": 1,
                           "category_label": i18n.label("category", f["category"]),
                           "group_label": i18n.label("group", group),
                           "place_label": i18n.label("place", f["place"]) if f["place"] else "",
                           "status_label": i18n.label("org", f["responsible"])}}


def join_qr(code: str) -> Markup:
    """The join code's link as an inline SVG QR code (no image request, nothing for the CSP)."""
    link = url_for("boards.walk_by_code", code=code, _external=True)
    svg = segno.make(link, error="m").svg_inline(scale=4, title=i18n.t("join_qr_title", code=code))
    return Markup(svg)


@bp.route("/vandringar")
@page(*READ)
def walks(actor: Actor) -> Any:
    return _walks_page(actor, request.args.get("walk"))


@bp.route("/vandringar/<walk_id>")
@page(*READ)
def walk(actor: Actor, walk_id: str) -> Any:
    try:
        UUID(walk_id)
    except ValueError:
        abort(404)
    return _walks_page(actor, walk_id, one=True)


@bp.route("/vandringar/kod/<code>")
@page(*READ)
def walk_by_code(actor: Actor, code: str) -> Any:
    wanted = "".join(ch for ch in code.upper() if ch not in " -")
    with reading() as conn:
        found = q.walk_id_by_code(conn, wanted, actor) if is_join_code(wanted) else None
    if found is None:
        abort(404)
    return redirect(url_for("boards.walk", walk_id=found))


def _walks_page(actor: Actor, chosen: str | None, one: bool = False) -> Any:
    with reading() as conn:
        rows = q.list_walks(conn, actor, {})
        chosen = chosen or (rows[0]["id"] if rows else None)
        doc = q.protocol(conn, actor, chosen, koll().ledger.vault) if chosen else None
    if one and doc is None:
        abort(404)
    findings = [f for g in doc["organisations"] for f in g["findings"]] + doc["positive"] if doc else []
    data = {"map": map_config(),
            "features": {"type": "FeatureCollection", "features": [_feature(f) for f in findings]},
            "cases": i18n.t("findings"), "heat": i18n.t("heat")}
    code = doc["walk"].get("join_code") if doc and doc["walk"]["status"] != "ended" else None
    return render("walks.html", walks=rows, chosen=chosen, doc=doc, data=data, saved=request.args.get("saved"),
                  join_code=code, qr=join_qr(code) if code else None, can_plan=actor.role in FILE)


@bp.route("/vandringar/ny", methods=["GET", "POST"])
@page(*FILE)
def new_walk(actor: Actor) -> Any:
    """Plan a walk: date and time on the square's clock, the route in the order walked, the
    organisations by name. The walk's id is the form's, so sending it twice plans it once."""
    today = clock.now().astimezone(STOCKHOLM).date()
    form: dict[str, Any] = {"id": str(uuid4()), "date": today.isoformat(), "time": "18:00", "route": [],
                            "organisations": []}
    errors: dict[str, str] = {}
    message = None
    status = 200
    if request.method == "POST":
        form = {k: request.form.get(k, "").strip() for k in ("id", "title", "date", "time", "area")}
        form |= {"route": request.form.getlist("route"), "organisations": request.form.getlist("organisations")}
        try:
            when = datetime.combine(date.fromisoformat(form["date"]), time.fromisoformat(form["time"]),
                                    tzinfo=STOCKHOLM)
        except ValueError:
            when = None
            errors["planned_at"] = i18n.t("walk_bad_time")
        data: dict[str, Any] = {"id": form["id"], "title": form["title"], "route": form["route"],
                                "organisations": form["organisations"]}
        if when:
            data["planned_at"] = when.isoformat()
        if form["area"]:
            data["area"] = form["area"]
        try:
            plan = WalkPlanSchema().load(data)
            if not errors:
                planned = koll().ledger.plan_walk(actor, plan)
                return redirect(url_for("boards.walk", walk_id=planned.id, saved="planned"))
        except ValidationError as e:
            errors |= field_errors(e)
        except DomainError as e:
            errors[str(e.details.get("field") or "_")] = why(e)
        message = i18n.t("form_refused", why="; ".join(f"{i18n.field_text(k)}: {v}" for k, v in errors.items()))
        status = 422
    areas = area_choices()
    codes = [a["code"] for a in areas]
    chosen = form.get("area") or request.args.get("area") or ""
    form["area"] = chosen if chosen in codes else (codes[0] if codes else "")
    places, organisations = walk_choices(form["area"])
    return render("walk_new.html", form=form, errors=errors, message=message, areas=areas,
                  places=places, organisations=organisations), status


def walk_choices(area: str) -> tuple[list[Any], list[Any]]:
    """The places a walk in this area can pass and the organisations that act there: the area's
    own lists, as the phone gets them; the national ones before any area is defined."""
    view = koll().ledger.area_view(area) if area else None
    if view is None:
        return list(taxonomy.PLACES), list(taxonomy.ORGANISATIONS)
    d = view.definition
    return ([taxonomy.PLACE_BY_CODE[p["code"]] for p in d["places"] if p["code"] in taxonomy.PLACE_BY_CODE],
            [taxonomy.ORGANISATION_BY_CODE[o["code"]] for o in d["organisations"]
             if o["code"] in taxonomy.ORGANISATION_BY_CODE])
