"""Ärenden (``/arenden``): the list a case handler works in, and a case's page (``/arenden/<id>``).

The list's filters, sorting and page live in the link, so a view can be sent to a colleague.
Every decision goes through ``usecases.cases.decide`` with the body checked by the same schema
as the API and the version the form was rendered from (a hidden field): a stale form is refused
with nothing recorded and what was typed kept in the form.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import abort, redirect, request, url_for
from marshmallow import ValidationError

from koll.ledger.api.auth import DECIDE, READ
from koll.ledger.application import StaleVersion
from koll.ledger.domain.base import Actor, DomainError, NotFound
from koll.ledger.history import describe
from koll.ledger.policy import Policy
from koll.ledger.queries import cases as q
from koll.ledger.queries import walks as walk_queries
from koll.ledger.usecases.cases import SCHEMAS, decide
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, field_errors, koll, page, reading, render, why
from koll.ledger.web.situation import map_config, visible_areas
from koll.ledger.web.told import tell
from koll.schema import taxonomy, vocabulary

PER_PAGE = 50
NEARBY_M = 150.0  # how far away a case may be to be offered as the original of a duplicate
NEARBY_SHOWN = 8  # the nearest few: more is a list nobody reads

# The case page's forms: the decision each records, the schema's fields it fills, fixed values.
FORMS: dict[str, tuple[str, tuple[str, ...], dict[str, str]]] = {
    "triage": ("triage", ("priority", "category", "note"), {}),
    "assign": ("assign", ("org", "person"), {}),
    "start_work": ("status", ("note",), {"status": "in_progress"}),
    "close": ("status", ("reason", "note"), {"status": "closed"}),
    "resolve": ("resolve", ("public_note",), {}),
    "duplicate": ("duplicate", ("duplicate_of", "note"), {}),
    "reopen": ("reopen", ("reason",), {}),
}
# Which forms a case offers in each status (the domain still has the last word).
OFFERED: dict[str, tuple[str, ...]] = {
    "new": ("triage", "duplicate", "close"),
    "triaged": ("assign", "triage", "duplicate", "close"),
    "assigned": ("start_work", "resolve", "assign", "duplicate", "close"),
    "in_progress": ("resolve", "assign", "duplicate", "close"),
    "resolved": ("reopen",),
    "closed": ("reopen",),
}


def _uuid(raw: str | None) -> str:
    try:
        return str(UUID(raw)) if raw else ""
    except ValueError:
        return ""


def list_filters() -> dict[str, str]:
    """The list's filters as given in the link (bad values dropped, never an error)."""
    a = request.args
    status = a.get("status", "open")
    if status not in ("open", "all") and status not in vocabulary.codes(vocabulary.CASE_STATUSES):
        status = "open"
    category = a.get("category") if a.get("category") in taxonomy.CATEGORY_BY_CODE else ""
    group = a.get("group") if a.get("group") in taxonomy.GROUP_BY_CODE else ""
    sort = a.get("sort") if a.get("sort") in q.SORTS else "opened"
    areas = [v.code for v in visible_areas()]
    area = a.get("area") if a.get("area") in areas else ""
    return {
        "area": area, "status": status, "category": category, "group": group,
        "place": a.get("place") if a.get("place") in taxonomy.PLACE_BY_CODE else "",
        "org": a.get("org") if a.get("org") in taxonomy.ORGANISATION_BY_CODE else "",
        "person": (a.get("person") or "").strip()[:120],
        "age": a.get("age") if a.get("age") in vocabulary.codes(vocabulary.CASE_AGES) else "",
        "dark": a.get("dark") if a.get("dark") in ("1", "0") else "",
        "walk": _uuid(a.get("walk")),
        "sort": sort, "order": "asc" if a.get("order") == "asc" else "desc",
    }


def _query_args(f: dict[str, str]) -> dict[str, Any]:
    """The filters in the words of ``queries.cases.case_filters`` (shared with the API and the map)."""
    args: dict[str, Any] = {"area": f["area"] or None, "category": f["category"] or None, "group": f["group"] or None,
                            "place": f["place"] or None, "assigned_org": f["org"] or None,
                            "assigned_person": f["person"] or None, "age": f["age"] or None,
                            "walk_id": f["walk"] or None}
    if f["dark"]:
        args["dark"] = f["dark"] == "1"
    if f["status"] == "open":
        args["open"] = True
    elif f["status"] != "all":
        args["status"] = f["status"]
    return args


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and int(raw) > 0 else 1


def _bulk(actor: Actor) -> tuple[dict[str, Any], dict[str, str], int]:
    """Triage and/or assign every selected case at the version its row showed; the report of
    which were recorded, which had changed meanwhile (nothing recorded) and which were refused."""
    form = {k: request.form.get(k, "").strip() for k in ("priority", "category", "org", "person")}
    steps: list[tuple[str, dict[str, Any]]] = []
    errors: dict[str, str] = {}
    for action, fields, present in (("triage", ("priority", "category"), form["priority"] or form["category"]),
                                    ("assign", ("org", "person"), form["org"] or form["person"])):
        if not present:
            continue
        data = {k: form[k] for k in fields if form[k]}
        try:
            steps.append((action, SCHEMAS[action]().load(data)))
        except ValidationError as e:
            errors.update(field_errors(e))
    chosen = request.form.getlist("case")
    report: dict[str, Any] = {"done": [], "stale": [], "refused": []}
    reasons: dict[str, str] = report.setdefault("why", {})
    if errors:
        return report, errors, 422
    if not steps or not chosen:
        return report, {"_": i18n.t("bulk_nothing")}, 422
    for item in chosen:
        case_id, _, version = item.partition(":")
        try:
            decide(koll().ledger, UUID(case_id), int(version), steps, actor)
            report["done"].append(case_id)
        except StaleVersion:
            report["stale"].append(case_id)
        except DomainError as e:
            report["refused"].append(case_id)
            reasons[case_id] = why(e)
        except ValueError:  # not a case id and version: a form not made by this page
            report["refused"].append(case_id)
    return report, {}, 200 if report["done"] else 409


@bp.route("/arenden", methods=["GET", "POST"])
@page(*READ)
def cases(actor: Actor) -> Any:
    f = list_filters()
    report: dict[str, Any] | None = None
    errors: dict[str, str] = {}
    status = 200
    if request.method == "POST":
        if actor.role not in DECIDE:
            abort(403)
        report, errors, status = _bulk(actor)
    with reading() as conn:
        data = q.case_page(conn, actor, _query_args(f), sort=f["sort"], descending=f["order"] == "desc",
                           page=_page_number(), per_page=PER_PAGE)
        walks = walk_queries.list_walks(conn, actor, {})
    kept = set(request.form.getlist("case")) if request.method == "POST" else set()
    if report:
        kept = {c for c in kept if c.partition(":")[0] not in report["done"]}
    return render("cases.html", f=f, data=data, walks=walks, report=report, errors=errors,
                  bulk=request.form if errors or (report and (report["stale"] or report["refused"])) else {},
                  kept={c.partition(":")[0] for c in kept}, can_bulk=actor.role in DECIDE,
                  categories=taxonomy.CATEGORIES, groups=taxonomy.GROUPS, places=taxonomy.PLACES,
                  organisations=taxonomy.ORGANISATIONS, statuses=vocabulary.CASE_STATUSES,
                  ages=vocabulary.CASE_AGES, sorts=list(q.SORTS),
                  areas=[{"code": v.code, "label": v.definition["name"].get(i18n.lang()) or v.name_sv}
                         for v in visible_areas()]), status


def _case_uuid(case_id: str) -> UUID:
    try:
        return UUID(case_id)
    except ValueError:
        abort(404)


def _observation_features(observations: list[dict[str, Any]], case: dict[str, Any]) -> dict[str, Any]:
    def feature(lat: float, lon: float, category: str, group: str, place: str | None, status: str) -> dict[str, Any]:
        return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
                "properties": {"group": group, "category": category, "observations": 1,
                               "category_label": i18n.label("category", category),
                               "group_label": i18n.label("group", group),
                               "place_label": i18n.label("place", place) if place else "", "status_label": status}}

    features = [feature(o["lat"], o["lon"], o["category"], o["group"], o["place"], i18n.local(o["observed_at"]))
                for o in observations]
    if not features:
        features = [feature(case["lat"], case["lon"], case["category"], case["group"], case["place"],
                            i18n.label("case_status", case["status"]))]
    return {"type": "FeatureCollection", "features": features}


def _case_page(actor: Actor, case_id: str, *, status: int = 200, message: str | None = None,
               message_kind: str = "ok", form: dict[str, str] | None = None,
               errors: dict[str, str] | None = None) -> Any:
    cid = _case_uuid(case_id)
    vault = koll().ledger.vault
    with reading() as conn:
        case = q.get_case(conn, actor, str(cid))
        if case is None:
            abort(404)
        observations = q.case_observations(conn, actor, str(cid))
        for o in observations:
            o["note"] = vault.open(o["id"], o.pop("note_sealed"))
        # the same kind of problem first (that is what a duplicate usually is), then any other
        near = lambda group: q.nearby(conn, actor, case["lat"], case["lon"], NEARBY_M, group=group,  # noqa: E731
                                      limit=NEARBY_SHOWN, exclude=case["id"])
        nearby = near(case["group"])
        if len(nearby) < NEARBY_SHOWN:
            seen = {c["id"] for c in nearby}
            nearby += [c for c in near(None) if c["id"] not in seen][:NEARBY_SHOWN - len(nearby)]
        history = tell((describe(e) for e in koll().ledger.history(cid)), conn, actor)
    offered = OFFERED.get(case["status"], ()) if actor.role in DECIDE else ()
    data = {"map": map_config(case.get("area") or ""), "features": _observation_features(observations, case),
            "cases": i18n.t("observations"), "heat": i18n.t("heat")}
    return render("case.html", c=case, observations=observations, nearby=nearby, history=history, data=data,
                  offered=offered, message=message, message_kind=message_kind, form=form or {},
                  errors=errors or {}, categories=taxonomy.CATEGORIES, organisations=taxonomy.ORGANISATIONS,
                  close_reasons=[r for r in vocabulary.CASE_CLOSE_REASONS if r.code != "duplicate"]), status


@bp.route("/arenden/<case_id>")
@page(*READ)
def case(actor: Actor, case_id: str) -> Any:
    saved = request.args.get("saved")
    return _case_page(actor, case_id, message=i18n.t("case_saved") if saved else None)


@bp.route("/arenden/<case_id>", methods=["POST"])
@page(*DECIDE)
def decide_case(actor: Actor, case_id: str) -> Any:
    cid = _case_uuid(case_id)
    action = request.form.get("action", "")
    if action not in FORMS:
        return _case_page(actor, case_id, status=422, message=i18n.t("case_refused", why=action or "–"),
                          message_kind="error", form=request.form.to_dict())
    decision, fields, fixed = FORMS[action]
    typed = request.form.to_dict()
    try:
        seen = int(request.form.get("version", ""))
    except ValueError:
        seen = -1
    data = {k: v.strip() for k in fields if (v := request.form.get(k, "")).strip()} | fixed
    try:
        body = SCHEMAS[decision]().load(data)
        recorded = decide(koll().ledger, cid, seen, [(decision, body)], actor)
    except ValidationError as e:
        errors = field_errors(e)
        reason = "; ".join(f"{i18n.field_text(k)}: {v}" for k, v in errors.items())
        return _case_page(actor, case_id, status=422, message=i18n.t("case_refused", why=reason),
                          message_kind="error", form=typed, errors=errors)
    except StaleVersion as e:
        return _case_page(actor, case_id, status=409, message=i18n.t("case_stale", seen=seen,
                                                                      now=e.details.get("current", "?")),
                          message_kind="warn", form=typed)
    except NotFound:
        if decision == "duplicate":  # the original is gone or not theirs to see: the form's fault
            return _case_page(actor, case_id, status=422, message=i18n.t("case_refused", why=i18n.t("not_found")),
                              message_kind="error", form=typed, errors={"duplicate_of": i18n.t("not_found")})
        abort(404)
    except DomainError as e:
        return _case_page(actor, case_id, status=422, message=i18n.t("case_refused", why=why(e)),
                          message_kind="error", form=typed)
    if not Policy(actor).may_see(recorded.visibility):
        return redirect(url_for("boards.cases", restricted=1))
    return redirect(url_for("boards.case", case_id=case_id, saved=action) + "#history")
