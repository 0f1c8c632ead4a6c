"""Insatstavla (``/insatser``) and a measure's page (``/insatser/<id>``) with its decisions.

The board and the portfolio figures come from ``queries.measures``; decisions go through
``Ledger.decide_measure`` with the version the form was rendered from (a hidden field, the
page's If-Match), so a stale form is refused and says so instead of overwriting.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any
from uuid import UUID, uuid4

from flask import abort, redirect, request, url_for
from marshmallow import ValidationError

from koll.ledger.api.auth import DECIDE, GOVERN, READ
from koll.ledger.application import StaleVersion
from koll.ledger.domain.base import Actor, DomainError, NotFound
from koll.ledger.history import describe
from koll.ledger.policy import is_placeholder
from koll.ledger.queries import cases as case_queries
from koll.ledger.queries import measures as q
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, field_errors, koll, page, reading, render, why
from koll.ledger.measure_sheet import SheetInvalid, check_sheet, header_of
from koll.ledger.usecases.measures import DECISIONS
from koll.schema.payloads_measures import MeasureSchema
from koll.ledger.web.situation import visible_areas
from koll.ledger.web.told import tell
from koll.schema import taxonomy, vocabulary

# Board filters and groupings: (query argument, vocabulary kind for labels, its terms).
FACETS: list[tuple[str, str, Any]] = [
    ("owner", "org", taxonomy.ORGANISATIONS),
    ("palette", "palette", vocabulary.PALETTE),
    ("track", "track", vocabulary.TRACKS),
    ("horizon", "horizon", vocabulary.HORIZONS),
    ("focus_area", "focus", vocabulary.FOCUS_AREAS),
]
FACET_LABEL = {"owner": "owner", "palette": "palette", "track": "track", "horizon": "horizon", "focus_area": "focus"}
ROW_KEY = {"owner": "owner_org"}  # the board's row names a facet's column differently

# Which decisions the page offers from each status (the domain still has the last word).
ACTIONS: dict[str, tuple[str, ...]] = {
    "idea": ("decide", "cancel", "escalate"),
    "decided": ("start", "cancel", "escalate"),
    "started": ("progress", "complete", "pause", "escalate", "cancel", "operations"),
    "paused": ("start", "progress", "escalate", "cancel"),
    "done": ("operations",),
    "cancelled": (),
}


def board_filters() -> dict[str, Any]:
    a = request.args
    valid = {arg: set(vocabulary.codes(terms)) for arg, _, terms in FACETS}
    f = {arg: a.get(arg) if a.get(arg) in valid[arg] else "" for arg in valid}
    f["status"] = a.get("status") if a.get("status") in vocabulary.codes(vocabulary.MEASURE_STATUSES) else ""
    f["late"] = "1" if a.get("late") == "1" else ""
    f["group_by"] = a.get("group_by") if a.get("group_by") in valid else ""
    f["view"] = "table" if a.get("view") == "table" else "columns"
    areas = [v.code for v in visible_areas()]  # one area's board (the overview links here), or the user's only one
    f["area"] = a.get("area") if a.get("area") in areas else (areas[0] if len(areas) == 1 else "")
    return f


FACETS_KIND = {arg: kind for arg, kind, _ in FACETS}
FACETS_ORDER = {arg: list(vocabulary.codes(terms)) for arg, _, terms in FACETS}


def _groups(rows: list[dict[str, Any]], group_by: str) -> list[tuple[str, list[dict[str, Any]]]]:
    """Rows in sections by the chosen facet, in the vocabulary's order; ungrouped: one section."""
    if not group_by:
        return [("", rows)]
    key = ROW_KEY.get(group_by, group_by)
    order = FACETS_ORDER[group_by]
    sections: dict[str, list[dict[str, Any]]] = {}
    for r in rows:
        sections.setdefault(r.get(key) or "", []).append(r)
    ordered = sorted(sections, key=lambda c: order.index(c) if c in order else len(order))
    return [(i18n.label(FACETS_KIND[group_by], c) if c else "–", sections[c]) for c in ordered]


@bp.route("/insatser")
@page(*READ)
def measures(actor: Actor) -> Any:
    view = request.args.get("vy", "")
    if view in VIEWS:
        return VIEWS[view](actor)
    f = board_filters()
    args: dict[str, Any] = {k: f[k] for k in ("area", "owner", "palette", "track", "horizon", "focus_area", "status")
                            if f[k]}
    if f["late"]:
        args["late"] = True
    with reading() as conn:
        data = q.board(conn, actor, args)
        portfolio = q.portfolio(conn, actor, area=f["area"] or None)
    rows = data["measures"]
    statuses = [s.code for s in vocabulary.MEASURE_STATUSES]
    facet_options = [(arg, FACET_LABEL[arg], kind, terms) for arg, kind, terms in FACETS]
    return render("measures.html", f=f, data=data, portfolio=portfolio, sections=_groups(rows, f["group_by"]),
                  statuses=statuses, facet_options=facet_options, tab="")


def _measure_uuid(measure_id: str) -> UUID:
    try:
        return UUID(measure_id)
    except ValueError:
        abort(404)


def _history(conn: Any, actor: Actor, measure_id: UUID) -> list[dict[str, Any]]:
    return tell((describe(e) for e in koll().ledger.history(measure_id)), conn, actor)


# --- Forms: what a form sends, as the body the API's schema checks -----------------------------

PLAN_TEXT = ("what", "start", "end", "goal", "resources", "indicators_text", "owner_org", "owner_person",
             "follow_up", "palette", "track", "horizon", "focus_area")
SORTING_TERMS = tuple(d.code for d in vocabulary.SORTING_DIMENSIONS)


def _typed(name: str) -> str | None:
    value = request.form.get(name, "").strip()
    return value or None


def sorting_from_form() -> dict[str, Any]:
    """The gross list's sorting questions as answered in the form (unanswered ones left out)."""
    out: dict[str, Any] = {d: v for d in SORTING_TERMS if (v := _typed(f"sorting_{d}"))}
    if (priority := _typed("sorting_priority")) is not None:
        out["priority"] = priority
    synergy = request.form.get("sorting_synergy", "")
    if synergy in ("ja", "nej"):
        out["synergy"] = synergy == "ja"
    return out


def plan_from_form() -> dict[str, Any]:
    """Every column of the plan as the form has it: an emptied field is an emptied column."""
    body: dict[str, Any] = {k: _typed(k) for k in PLAN_TEXT}
    body["partners"] = [p for p in request.form.getlist("partners") if p]
    body["sorting"] = sorting_from_form()
    return body


def _indicator_from_form() -> dict[str, Any]:
    body: dict[str, Any] = {k: v for k in ("code", "name", "unit", "baseline", "target", "direction", "source",
                                            "baseline_from", "baseline_to") if (v := _typed(k)) is not None}
    body["categories"] = [c for c in request.form.getlist("categories") if c]
    return body


def _indicator_revision_from_form() -> dict[str, Any]:
    body: dict[str, Any] = {"code": _typed("code") or ""}
    for k in ("baseline", "target", "baseline_from", "baseline_to"):
        body[k] = _typed(k)  # an emptied field empties the value
    return body


def _fields(*names: str) -> Callable[[], dict[str, Any]]:
    return lambda: {k: v for k in names if (v := _typed(k)) is not None}


def _required(*names: str) -> Callable[[], dict[str, Any]]:
    """A reason the decision needs: sent even when blank, so the schema and the domain refuse it."""
    return lambda: {k: request.form.get(k, "").strip() for k in names}


# The measure page's forms: the decision in usecases.measures.DECISIONS each records, and its body.
FORMS: dict[str, tuple[str, Callable[[], dict[str, Any]]]] = {
    "decide": ("decide", _fields("note")),
    "start": ("start", _fields("note")),
    "progress": ("progress", _fields("achieved", "note")),
    "pause": ("pause", _required("reason")),
    "complete": ("complete", _fields("outcome", "achieved", "deviation_reason", "success_factors")),
    "cancel": ("cancel", _required("reason")),
    "escalate": ("escalate", lambda: {**_required("support_needed")(), **_fields("note")()}),
    "operations": ("operations", _fields("note")),
    "revise": ("revise", plan_from_form),
    "unlink_case": ("unlink-case", _fields("case_id", "note")),
    "indicator": ("indicators", _indicator_from_form),
    "indicator_revise": ("indicator-revise", _indicator_revision_from_form),
}


def _measure_page(actor: Actor, measure_id: str, *, status: int = 200, message: str | None = None,
                  message_kind: str = "ok", form: dict[str, Any] | None = None,
                  errors: dict[str, str] | None = None) -> Any:
    mid = _measure_uuid(measure_id)
    with reading() as conn:
        m = q.get_measure(conn, str(mid), actor)
        if m is None:
            abort(404)
        # A case the reader may not see is a placeholder row: there is one, and no more is said.
        linked = [case_queries.get_case(conn, actor, c) if isinstance(c, str) else c for c in m["cases"]]
        linked = [c for c in linked if c]
        offered = [c for c in case_queries.list_cases(conn, actor, {"open": True, "limit": 40,
                                                                    "area": m.get("area")})
                   if c["id"] not in m["cases"]] if actor.role in DECIDE else []
        history = _history(conn, actor, mid)
    charts = [indicator_chart(i, ind) for i, ind in enumerate(m["indicators"])]
    actions = ACTIONS.get(m["status"], ())
    if m.get("in_operations"):
        actions = tuple(a for a in actions if a != "operations")
    hidden = i18n.hidden_notice(sum(1 for c in linked if is_placeholder(c)))
    may = actor.role in DECIDE
    # the strategic group's long-term work may span areas, by an explicit link only
    other_areas = [a for a in visible_areas() if a.code not in (m.get("area"), *m["linked_areas"])] \
        if actor.role in GOVERN and m.get("area") and m["status"] != "cancelled" else []
    return render("measure.html", m=m, linked=linked, offered=offered, history=history, charts=charts,
                  other_areas=other_areas,
                  hidden=hidden, actions=actions if may else (), may_edit=may and m["status"] != "cancelled",
                  message=message, message_kind=message_kind, form=form or {}, errors=errors or {},
                  outcomes=vocabulary.OUTCOMES, **plan_choices()), status


def plan_choices() -> dict[str, Any]:
    """What the plan's selects offer (the new-idea form and the measure page share them)."""
    return {"organisations": taxonomy.ORGANISATIONS, "palette": vocabulary.PALETTE, "tracks": vocabulary.TRACKS,
            "horizons": vocabulary.HORIZONS, "focus_areas": vocabulary.FOCUS_AREAS,
            "sortings": [(d, vocabulary.SORTINGS[d.code]) for d in vocabulary.SORTING_DIMENSIONS],
            "groups": taxonomy.GROUPS}


def indicator_chart(i: int, ind: dict[str, Any]) -> dict[str, Any]:
    """An indicator's chart: the baseline period, then the measure's own period, and the target."""
    points = ind.get("own_points", ind["points"])
    labels = [str(p["at"]) for p in points]
    before = [p["value"] if p.get("baseline") else None for p in points]
    during = [None if p.get("baseline") or p.get("during") is False else p["value"] for p in points]
    datasets = [{"label": i18n.t("baseline_period"), "data": before, "color": "#8a8f98"},
                {"label": i18n.t("measure_period"), "data": during, "color": "#0b5cad"}]
    if ind.get("target") is not None:
        datasets.append({"label": i18n.t("target"), "data": [ind["target"]] * len(points), "color": "#1a7f37",
                         "dash": True})
    return {"id": f"ind-{i}", "label": ind["name"], "labels": labels, "data": [p["value"] for p in points],
            "datasets": datasets}


@bp.route("/insatser/<measure_id>")
@page(*READ)
def measure(actor: Actor, measure_id: str) -> Any:
    saved = request.args.get("saved")
    said = {"revise": "plan_saved", "new": "measure_added"}.get(saved or "", "saved")
    return _measure_page(actor, measure_id, message=i18n.t(said) if saved else None)


def _seen_version() -> int:
    try:
        return int(request.form.get("version", ""))
    except ValueError:
        return -1


@bp.route("/insatser/<measure_id>/omrade", methods=["POST"])
@page(*GOVERN)
def link_area(actor: Actor, measure_id: str) -> Any:
    """Let the measure span another area too: the same command as the API's link-area."""
    mid = _measure_uuid(measure_id)
    typed = request.form.to_dict()
    seen = _seen_version()
    try:
        koll().ledger.link_area_to_measure(actor, mid, seen, request.form.get("area", ""))
    except StaleVersion as e:
        return _measure_page(actor, measure_id, status=409, message=i18n.t("stale", seen=seen,
                                                                          now=e.details.get("current", "?")),
                             message_kind="warn", form=typed)
    except NotFound:
        abort(404)
    except DomainError as e:
        return _measure_page(actor, measure_id, status=422, message=i18n.t("refused", why=why(e)),
                             message_kind="error", form=typed, errors={"area": why(e)})
    return redirect(url_for("boards.measure", measure_id=measure_id, saved="area") + "#areas")


@bp.route("/insatser/<measure_id>", methods=["POST"])
@page(*DECIDE)
def decide(actor: Actor, measure_id: str) -> Any:
    """Every form on the measure's page: the body checked by the API's schema, then the same
    ledger command at the version the form was rendered from; refused, nothing is recorded and
    what was typed stays in the form."""
    mid = _measure_uuid(measure_id)
    action = request.form.get("action", "")
    typed = {k: (request.form.getlist(k) if k in ("partners", "categories") else v)
             for k, v in request.form.items()}
    seen = _seen_version()

    def refused(status: int, message: str, kind: str = "error", errors: dict[str, str] | None = None) -> Any:
        return _measure_page(actor, measure_id, status=status, message=message, message_kind=kind, form=typed,
                             errors=errors)

    try:
        if action == "link_case":
            case_id = request.form.get("case_id", "").strip()
            try:
                cid = UUID(case_id)
            except ValueError:
                reason = i18n.t("case_id_needed")
                return refused(422, i18n.t("refused", why=reason), errors={"case_id": reason})
            koll().ledger.link_case_to_measure(actor, mid, seen, cid)
        elif action in FORMS:
            name, body_of = FORMS[action]
            schema, decision = DECISIONS[name]
            body = schema().load(body_of())
            koll().ledger.decide_measure(mid, seen, lambda m: decision(m, actor, body), by=actor)
        else:
            return refused(422, i18n.t("refused", why=action or "–"))
    except ValidationError as e:
        errors = field_errors(e)
        reason = "; ".join(f"{i18n.field_text(k)}: {v}" for k, v in errors.items())
        return refused(422, i18n.t("refused", why=reason), errors=errors)
    except StaleVersion as e:
        if action == "revise":
            typed.update(_theirs_where_untouched(mid, seen, typed))
        return refused(409, i18n.t("stale", seen=seen, now=e.details.get("current", "?")), "warn")
    except NotFound:
        abort(404)
    except DomainError as e:
        field = e.details.get("field")
        return refused(422, i18n.t("refused", why=why(e)), errors={field: why(e)} if field else None)
    anchor = {"revise": "#plan", "link_case": "#cases", "unlink_case": "#cases", "indicator": "#indicators",
              "indicator_revise": "#indicators"}.get(action, "#decisions")
    return redirect(url_for("boards.measure", measure_id=measure_id, saved=action) + anchor)


def _theirs_where_untouched(mid: UUID, seen: int, typed: dict[str, Any]) -> dict[str, Any]:
    """A stale plan form shown again: what the user changed is kept as typed, a column they left
    as it was shows what the other change made of it, so sending it again undoes nobody's work."""
    try:
        then = koll().ledger.repository.get(mid, version=seen)
    except Exception:  # noqa: BLE001 - no such version: keep everything as typed
        return {}
    now = koll().ledger.measure(mid)
    out: dict[str, Any] = {}
    for k in PLAN_TEXT:
        if (typed.get(k) or "") == (getattr(then, k) or ""):
            out[k] = getattr(now, k) or ""
    if sorted(typed.get("partners") or []) == sorted(then.partners):
        out["partners"] = list(now.partners)
    return out


# --- A new idea on the gross list, or what an organisation already does -----------------------


@bp.route("/insatser/ny", methods=["GET", "POST"])
@page(*DECIDE)
def new_measure(actor: Actor) -> Any:
    """``/insatser/ny``: an idea for the gross list with the sorting questions answered;
    ``?inventering=1``: work an organisation already does, running since a day in the past."""
    inventory = (request.values.get("inventering") or request.form.get("inventory")) == "1"
    form: dict[str, Any] = {}
    errors: dict[str, str] = {}
    message = None
    status = 200
    if request.method == "POST":
        form = {k: (request.form.getlist(k) if k == "partners" else v) for k, v in request.form.items()}
        body = {**plan_from_form(), "id": request.form.get("id", "")}
        if inventory:
            body["inventory"] = True
        try:
            loaded = MeasureSchema().load({k: v for k, v in body.items() if v is not None})
            recorded = koll().ledger.propose_measure(actor, loaded)
            return redirect(url_for("boards.measure", measure_id=recorded.id, saved="new"))
        except ValidationError as e:
            errors = field_errors(e)
            message = i18n.t("new_refused", why="; ".join(f"{i18n.field_text(k)}: {v}" for k, v in errors.items()))
        except DomainError as e:
            field = e.details.get("field")
            errors = {field: why(e)} if field else {}
            message = i18n.t("new_refused", why=why(e))
        status = 422
    return render("measure_new.html", form=form, errors=errors, message=message, inventory=inventory,
                  new_id=form.get("id") or str(uuid4()), **plan_choices()), status


# --- The gross list, the inventory and the matrix ----------------------------------------------

# How the gross list sorts: a sorting question's poles in the order "do first".
GROSS_SORTS = {"what": None, **{d: [t.code for t in vocabulary.SORTINGS[d]] for d in SORTING_TERMS},
               "priority": None, "synergy": None, "owner": None}


def start_here(sorting: dict[str, Any]) -> bool:
    """The report's "where to start": simple, within the group's mandate, urgent and visible."""
    return (sorting.get("complexity") == "enkel" and sorting.get("mandate") == "inom"
            and sorting.get("urgency") == "bradskande" and sorting.get("visibility") == "synlig")


def _gross_key(sort: str) -> Callable[[dict[str, Any]], Any]:
    def key(m: dict[str, Any]) -> Any:
        s = m["sorting"]
        if sort == "what":
            return (m["what"].casefold(),)
        if sort == "priority":
            return (s.get("priority") is None, s.get("priority") or 0, m["what"].casefold())
        if sort == "synergy":
            return (not s.get("synergy"), m["what"].casefold())
        if sort == "owner":
            return (m["owner_org"] is None, i18n.label("org", m["owner_org"]) if m["owner_org"] else "",
                    m["what"].casefold())
        poles = GROSS_SORTS[sort] or []
        v = s.get(sort)
        return (poles.index(v) if v in poles else len(poles), m["what"].casefold())
    return key


def gross_list(actor: Actor) -> Any:
    sort = request.args.get("sortera", "what")
    sort = sort if sort in GROSS_SORTS else "what"
    start = request.args.get("start") == "1"
    with reading() as conn:
        rows = q.board(conn, actor, {"status": "idea"})["measures"]
    for m in rows:
        m["start_here"] = start_here(m["sorting"])
    if start:
        rows = [m for m in rows if m["start_here"]]
    rows.sort(key=_gross_key(sort))
    return render("measures_gross.html", rows=rows, sort=sort, start=start, sorts=list(GROSS_SORTS),
                  dimensions=vocabulary.SORTING_DIMENSIONS, tab="bruttolista")


def inventory(actor: Actor) -> Any:
    """What each organisation already does ("Mycket görs redan idag – men ingen har koll på helheten"):
    the measures recorded as already running, by the organisation that does them and those it works with."""
    with reading() as conn:
        rows = [m for m in q.board(conn, actor, {})["measures"] if m.get("inventory")]
    by_org: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for m in rows:
        if m["owner_org"]:
            by_org.setdefault(m["owner_org"], []).append(("owner", m))
        for p in m["partners"]:
            by_org.setdefault(p, []).append(("partner", m))
    order = [o.code for o in taxonomy.ORGANISATIONS]
    orgs = sorted(by_org, key=lambda o: (-sum(1 for r, _ in by_org[o] if r == "owner"), order.index(o)
                                         if o in order else len(order)))
    return render("measures_inventory.html", orgs=[(o, by_org[o]) for o in orgs], total=len(rows),
                  tab="inventering")


def matrix(actor: Actor) -> Any:
    """The four tracks (and the palette's groups) against the three time horizons."""
    rows_of = request.args.get("rader", "track")
    rows_of = rows_of if rows_of in ("track", "palette") else "track"
    with reading() as conn:
        measures_ = [m for m in q.board(conn, actor, {})["measures"] if m["status"] != "cancelled"]
    terms = vocabulary.TRACKS if rows_of == "track" else vocabulary.PALETTE
    horizons = [h.code for h in vocabulary.HORIZONS]
    cells: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for m in measures_:
        cells.setdefault((m.get(rows_of) or "", m.get("horizon") or ""), []).append(m)
    row_codes = [t.code for t in terms] + ([""] if any(k[0] == "" for k in cells) else [])
    col_codes = horizons + ([""] if any(k[1] == "" for k in cells) else [])
    return render("measures_matrix.html", rows_of=rows_of, row_codes=row_codes, col_codes=col_codes, cells=cells,
                  kind=rows_of, tab="matris")


VIEWS: dict[str, Callable[[Actor], Any]] = {"bruttolista": gross_list, "inventering": inventory, "matris": matrix}


# --- The sheet: upload, preview, confirm ----------------------------------------------------

SHEET_MAX = 2 * 1024 * 1024  # what the preview carries to the confirmation in the form


@bp.route("/insatser/ark", methods=["POST"])
@page(*DECIDE)
def sheet_upload(actor: Actor) -> Any:
    """The sheet checked, not recorded: what it would create and change column by column, and
    every conflict; the confirmation sends the same file back to be recorded."""
    confirm = request.form.get("confirm") == "1"
    if confirm:
        try:
            data = base64.b64decode(request.form.get("sheet", ""), validate=True)
        except ValueError:
            data = b""
        name = request.form.get("filename", "")
    else:
        upload = request.files.get("file")
        data = upload.read(SHEET_MAX + 1) if upload else b""
        name = upload.filename if upload else ""
    if not data:
        return render("measure_sheet.html", result=None, errors=[{"row": 0, "column": "",
                                                                   "message": i18n.t("sheet_missing")}],
                      confirm=False, filename=name, sheet=""), 422
    if len(data) > SHEET_MAX:
        return render("measure_sheet.html", result=None, errors=[{"row": 0, "column": "",
                                                                   "message": i18n.t("sheet_too_big")}],
                      confirm=False, filename=name, sheet=""), 413
    try:
        result = check_sheet(koll().ledger, actor, data, record=confirm)
    except SheetInvalid as e:
        errors = [{"row": x.row, "column": x.column, "message": x.message.get(i18n.lang()) or x.message.get("sv")}
                  for x in e.errors]
        return render("measure_sheet.html", result=None, errors=errors, confirm=confirm, filename=name,
                      sheet=""), e.status
    except StaleVersion:
        return render("measure_sheet.html", result=None, errors=[{"row": 0, "column": "",
                                                                   "message": i18n.t("sheet_raced")}],
                      confirm=confirm, filename=name, sheet=""), 409
    names = result.names
    changes = [(mid, names.get(mid, mid), [(header_of(k), before, after) for k, (before, after) in cols.items()])
               for mid, cols in result.changes.items()]
    return render("measure_sheet.html", result=result, errors=[], confirm=confirm, filename=name,
                  sheet=base64.b64encode(data).decode() if not confirm else "", changes=changes,
                  created=[(mid, names.get(mid, "")) for mid in result.created]), 200


# --- Words the measure pages show ------------------------------------------------------------


SHORT = {"inom": ("Inom", "Within"), "utanfor": ("Utanför", "Outside"), "synlig": ("Synlig", "Visible"),
         "subtil": ("Subtil", "Subtle"), "orsak": ("Orsak", "Cause")}


def sorting_label(dimension: str, value: Any, short: bool = False) -> str:
    """A sorting answer in words: "Enkel", "Inom gruppens mandat", "Prioritet 2", "Synergi: ja";
    ``short`` for a table's cell ("Inom", "Synlig"), where the column's head says the rest."""
    if short and value in SHORT:
        return SHORT[value][1 if i18n.lang() == "en" else 0]
    if dimension == "priority":
        return f"{i18n.t('q_priority').split(' (')[0]} {value}"
    if dimension == "synergy":
        return f"{i18n.t('synergy')}: {i18n.t('yes') if value else i18n.t('no')}"
    for term in vocabulary.SORTINGS.get(dimension, ()):
        if term.code == value:
            return term.en if i18n.lang() == "en" else term.sv
    return str(value)


def _dimension(term: Any) -> str:
    return term.en if i18n.lang() == "en" else term.sv


def sort_name(key: str) -> str:
    """What the gross list can be sorted by: the plan's first columns, then the sorting questions."""
    return {"what": i18n.t("col_what"), "owner": i18n.t("col_owner")}.get(key) or i18n.t("q_" + key)


def sheet_value(value: Any) -> str:
    """A cell's value before or after, as the sheet's reader wrote it."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return i18n.t("yes") if value else i18n.t("no")
    if isinstance(value, list):
        return ", ".join(i18n.label("org", v) if v in taxonomy.ORGANISATION_BY_CODE else str(v) for v in value)
    if isinstance(value, dict):
        return " · ".join(sorting_label(k, v) for k, v in value.items()) or "–"
    if isinstance(value, str) and value in taxonomy.ORGANISATION_BY_CODE:
        return i18n.label("org", value)
    for kind in ("measure_status", "palette", "track", "horizon", "focus"):
        text = i18n.label(kind, value)
        if text != value:
            return text
    return str(value)


@bp.app_context_processor
def _measure_words() -> dict[str, Any]:
    return {"sorting_label": sorting_label, "sort_name": sort_name, "label_of_dimension": _dimension,
            "sheet_value": sheet_value}
