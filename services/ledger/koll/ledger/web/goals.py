"""Mål och uppföljning (``/mal``): the area's short- and long-term goals with their indicators now
against baseline and target, perceived safety per week and place, and the safety surveys
(imported as CSV here). Every write goes through the ledger's commands."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime, timezone
from typing import Any

from flask import request

from koll.ledger.api.auth import READ
from koll.ledger.domain.base import Actor, DomainError
from koll.ledger.queries import follow_up as q
from koll.ledger.usecases.process import DESCRIBE
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, page, reading, render
from koll.ledger.web.description import area_names, chosen_area

GOAL_FIELDS = ("title", "horizon", "track", "name", "source", "categories", "places", "question", "baseline",
               "baseline_period", "target", "direction", "unit")


def slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text.lower()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:40] or "mal"


def follow_up_context(actor: Actor, area: str) -> dict[str, Any]:
    """Perceived safety and the newest survey results, for the situation page beside its counts."""
    if not area:
        return {"safety": None, "surveys": []}
    with reading() as conn:
        safety = q.perceived_safety(conn, actor, area, datetime.now(timezone.utc))
    return {"safety": safety, "surveys": q.survey_results(koll().ledger.follow_up(area))[:8]}


def _goal_from(form: dict[str, str], existing: dict[str, Any] | None) -> dict[str, Any]:
    split = lambda v: [x.strip() for x in v.split(",") if x.strip()]  # noqa: E731
    indicator = {"name": form["name"], "source": form["source"], "categories": split(form["categories"]),
                 "places": split(form["places"]), "question": form["question"] or None,
                 "baseline": form["baseline"], "baseline_period": form["baseline_period"] or None,
                 "target": form["target"], "direction": form["direction"] or "down", "unit": form["unit"] or None}
    before = list(existing["indicators"]) if existing else []
    indicator["code"] = f"{slug(form['title'])}-{len(before) + 1}"
    return {"code": slug(form["title"]), "horizon": form["horizon"], "title": form["title"],
            "track": form["track"] or None, "indicators": [*before, indicator] if form["name"] else before}


@bp.route("/mal", methods=["GET", "POST"])
@page(*READ)
def goals(actor: Actor) -> Any:
    names = area_names()
    area = chosen_area(names, request.values.get("area"))
    ledger = koll().ledger
    message, kind, status = None, "ok", 200
    typed = {f: "" for f in GOAL_FIELDS}
    survey_name = ""
    if request.method == "POST":
        what = request.form.get("what")
        try:
            if actor.role not in DESCRIBE:
                raise DomainError("not allowed", sv=i18n.t("forbidden"))
            if not area:
                raise DomainError("choose an area", sv=i18n.t("choose_area"), field="area")
            if what == "survey":
                survey_name = request.form.get("survey_name", "").strip()
                upload = request.files.get("file")
                text = upload.read().decode("utf-8-sig") if upload else ""
                ledger.import_survey(actor, area, survey_name or (upload.filename if upload else "") or "Trygghetsmätning",
                                     text)
                message = i18n.t("survey_saved")
                survey_name = ""
            else:
                typed = {f: request.form.get(f, "").strip() for f in GOAL_FIELDS}
                current = ledger.follow_up(area)
                existing = current.goals.get(slug(typed["title"])) if current else None
                ledger.set_goal(actor, area, _goal_from(typed, existing))
                message = i18n.t("goal_saved", title=typed["title"])
                typed = {f: "" for f in GOAL_FIELDS}
        except UnicodeDecodeError:
            message, kind, status = i18n.t("goal_refused", why=i18n.t("survey_not_utf8")), "error", 422
        except DomainError as e:
            field = e.details.get("field") or ""
            last = field.split(".")[-1]
            where = i18n.t(f"gf_{last}") if f"gf_{last}" in i18n.WORDS else last
            message = i18n.t("goal_refused", why=f"{where}: {e.bilingual()[i18n.lang()]}")
            kind, status = "error", 403 if actor.role not in DESCRIBE else 422
    follow_up = ledger.follow_up(area) if area else None
    now = datetime.now(timezone.utc)
    with reading() as conn:
        shown = q.goals(conn, actor, area, now, follow_up) if area else []
        safety = q.perceived_safety(conn, actor, area, now) if area else None
    return render("goals.html", area=area, areas=names, goals=shown, safety=safety,
                  surveys=q.survey_results(follow_up), typed=typed, survey_name=survey_name, message=message,
                  message_kind=kind, may_write=actor.role in DESCRIBE), status
