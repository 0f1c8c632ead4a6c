"""Insatstavla (``/insatser``) and a measure's page (``/insatser/<id>``) with its decisions.

The board and the portfolio figures come from ``queries.measures``; decisions go through
``Ledger.decide_measure`` with the version the form was rendered from (a hidden field, the
page's If-Match), so a stale form is refused and says so instead of overwriting.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from flask import abort, redirect, request, url_for

from koll.ledger.api.auth import DECIDE, READ
from koll.ledger.application import StaleVersion
from koll.ledger.domain.base import Actor, DomainError, NotFound
from koll.ledger.history import describe
from koll.ledger.policy import is_placeholder
from koll.ledger.queries import cases as case_queries
from koll.ledger.queries import measures as q
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, page, reading, render
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


def _text(name: str) -> str | None:
    value = request.form.get(name, "").strip()
    return value or None


def decision_for(action: str, by: Actor) -> Callable[[Any], None]:
    """The form's action as a call on the Measure aggregate."""
    if action == "decide":
        return lambda m: m.decide(by, note=_text("note"))
    if action == "start":
        return lambda m: m.start_work(by, note=_text("note"))
    if action == "progress":
        return lambda m: m.report_progress(by, achieved=_text("achieved"), note=_text("note"))
    if action == "pause":
        return lambda m: m.pause(by, reason=_text("reason") or "")
    if action == "complete":
        return lambda m: m.complete(by, outcome=request.form.get("outcome", ""), achieved=_text("achieved"),
                                    deviation_reason=_text("deviation_reason"),
                                    success_factors=_text("success_factors"))
    if action == "cancel":
        return lambda m: m.cancel(by, reason=_text("reason") or "")
    if action == "escalate":
        return lambda m: m.escalate(by, support_needed=_text("support_needed") or "", note=_text("note"))
    if action == "operations":
        return lambda m: m.move_to_operations(by, note=_text("note"))
    raise DomainError(f"unknown action '{action}'", sv=f"okänd åtgärd '{action}'", field="action")


def board_filters() -> dict[str, Any]:
    a = request.args
    valid = {arg: set(vocabulary.codes(terms)) for arg, _, terms in FACETS}
    f = {arg: a.get(arg) if a.get(arg) in valid[arg] else "" for arg in valid}
    f["status"] = a.get("status") if a.get("status") in vocabulary.codes(vocabulary.MEASURE_STATUSES) else ""
    f["late"] = "1" if a.get("late") == "1" else ""
    f["group_by"] = a.get("group_by") if a.get("group_by") in valid else ""
    f["view"] = "table" if a.get("view") == "table" else "columns"
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
    f = board_filters()
    args: dict[str, Any] = {k: f[k] for k in ("owner", "palette", "track", "horizon", "focus_area", "status") if f[k]}
    if f["late"]:
        args["late"] = True
    with reading() as conn:
        data = q.board(conn, actor, args)
        portfolio = q.portfolio(conn)
    rows = data["measures"]
    statuses = [s.code for s in vocabulary.MEASURE_STATUSES]
    facet_options = [(arg, FACET_LABEL[arg], kind, terms) for arg, kind, terms in FACETS]
    return render("measures.html", f=f, data=data, portfolio=portfolio, sections=_groups(rows, f["group_by"]),
                  statuses=statuses, facet_options=facet_options)


def _measure_uuid(measure_id: str) -> UUID:
    try:
        return UUID(measure_id)
    except ValueError:
        abort(404)


def _history(conn: Any, actor: Actor, measure_id: UUID) -> list[dict[str, Any]]:
    return tell((describe(e) for e in koll().ledger.history(measure_id)), conn, actor)


def _measure_page(actor: Actor, measure_id: str, *, status: int = 200, message: str | None = None,
                  message_kind: str = "ok", form: dict[str, str] | None = None) -> Any:
    mid = _measure_uuid(measure_id)
    with reading() as conn:
        m = q.get_measure(conn, str(mid), actor)
        if m is None:
            abort(404)
        # A case the reader may not see is a placeholder row: there is one, and no more is said.
        linked = [case_queries.get_case(conn, actor, c) if isinstance(c, str) else c for c in m["cases"]]
        linked = [c for c in linked if c]
        history = _history(conn, actor, mid)
    charts = [{"id": f"ind-{i}", "label": ind["name"], "labels": [str(p["at"]) for p in ind["points"]],
               "data": [p["value"] for p in ind["points"]]} for i, ind in enumerate(m["indicators"])]
    actions = ACTIONS.get(m["status"], ())
    if m.get("in_operations"):
        actions = tuple(a for a in actions if a != "operations")
    hidden = i18n.hidden_notice(sum(1 for c in linked if is_placeholder(c)))
    return render("measure.html", m=m, linked=linked, history=history, charts=charts, hidden=hidden,
                  actions=actions if actor.role in DECIDE else (), message=message, message_kind=message_kind,
                  form=form or {}, outcomes=vocabulary.OUTCOMES), status


@bp.route("/insatser/<measure_id>")
@page(*READ)
def measure(actor: Actor, measure_id: str) -> Any:
    saved = request.args.get("saved")
    return _measure_page(actor, measure_id, message=i18n.t("saved") if saved else None)


@bp.route("/insatser/<measure_id>", methods=["POST"])
@page(*DECIDE)
def decide(actor: Actor, measure_id: str) -> Any:
    mid = _measure_uuid(measure_id)
    action = request.form.get("action", "")
    try:
        seen = int(request.form.get("version", ""))
    except ValueError:
        seen = -1
    try:
        koll().ledger.decide_measure(mid, seen, decision_for(action, actor))
    except StaleVersion as e:
        now = e.details.get("current", "?")
        return _measure_page(actor, measure_id, status=409, message=i18n.t("stale", seen=seen, now=now),
                             message_kind="warn", form=request.form.to_dict())
    except NotFound:
        abort(404)
    except DomainError as e:
        return _measure_page(actor, measure_id, status=422, message=i18n.t("refused", why=e.message),
                             message_kind="error", form=request.form.to_dict())
    return redirect(url_for("boards.measure", measure_id=measure_id, saved=action) + "#decisions")
