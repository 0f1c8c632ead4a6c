"""Gemensam lägesbeskrivning (``/lagesbeskrivning``): the area's situation in words, written and
revised by the groups, with every earlier version; shown beside the counted picture (``/``)."""

from __future__ import annotations

from typing import Any

from flask import request

from koll.ledger.api.auth import READ
from koll.ledger.application import StaleVersion
from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.domain.situation_description import PARTS
from koll.ledger.usecases.process import DESCRIBE
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, page, render


def area_names() -> dict[str, str]:
    from koll.ledger.web.situation import visible_areas

    return {v.code: v.definition["name"].get(i18n.lang()) or v.name_sv for v in visible_areas()}


def chosen_area(names: dict[str, str], asked: str | None) -> str:
    """The area asked for if the user sees it, else the user's only one, else none."""
    if asked in names:
        return asked  # type: ignore[return-value]
    return next(iter(names)) if len(names) == 1 else ""


def description_context(area: str) -> dict[str, Any]:
    """What the situation page shows of the description beside its counts."""
    if not area:
        return {"description": None, "description_area": ""}
    d = koll().ledger.situation_description(area)
    latest = koll().ledger.situation_description_history(area)[0] if d is not None else None
    return {"description": d, "description_latest": latest, "description_area": area, "parts": PARTS}


@bp.route("/lagesbeskrivning", methods=["GET", "POST"])
@page(*READ)
def description(actor: Actor) -> Any:
    names = area_names()
    area = chosen_area(names, request.values.get("area"))
    ledger = koll().ledger
    error, field, status, saved = None, None, 200, False
    typed: dict[str, str] | None = None
    note = ""
    if request.method == "POST":
        typed = {p: request.form.get(p, "") for p in PARTS}
        note = request.form.get("note", "")
        try:
            seen = int(request.form.get("version", ""))
        except ValueError:
            seen = -1
        try:
            if actor.role not in DESCRIBE:
                raise DomainError("not allowed", sv=i18n.t("forbidden"))
            if not area:
                raise DomainError("choose an area", sv=i18n.t("choose_area"), field="area")
            ledger.describe_situation(actor, area, seen, typed, note=note.strip() or None)
            saved, typed, note = True, None, ""
        except StaleVersion as e:
            error = i18n.t("description_stale", seen=seen, now=e.details.get("current"))
            status = 409
        except DomainError as e:
            field = e.details.get("field")
            where = i18n.t(f"part_{field}") if field in PARTS else ""
            error = i18n.t("description_refused", why=e.bilingual()[i18n.lang()], where=where)
            status = 403 if actor.role not in DESCRIBE else 422
    current = ledger.situation_description(area) if area else None
    history = ledger.situation_description_history(area) if current is not None else []
    text = typed if typed is not None else (dict(current.text) if current is not None else {p: "" for p in PARTS})
    return render("description.html", area=area, areas=names, current=current, history=history, text=text,
                  note=note, error=error, field=field, saved=saved, parts=PARTS,
                  may_write=actor.role in DESCRIBE,
                  version=(current.version if current is not None else 0) if typed is None or status == 409
                  else seen), status
