"""Vandringar (``/vandringar``): safety walks, their findings on the map, the protocol."""

from __future__ import annotations

from typing import Any

from flask import request

from koll.ledger.api.auth import READ
from koll.ledger.domain.base import Actor
from koll.ledger.queries import walks as q
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, page, reading, render
from koll.ledger.web.situation import map_config
from koll.schema import taxonomy


def _feature(f: dict[str, Any]) -> dict[str, Any]:
    group = taxonomy.category(f["category"]).group
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [f["lon"], f["lat"]]},
            "properties": {"group": group, "category": f["category"], "observations": 1,
                           "category_label": i18n.label("category", f["category"]),
                           "group_label": i18n.label("group", group),
                           "place_label": i18n.label("place", f["place"]) if f["place"] else "",
                           "status_label": i18n.label("org", f["responsible"])}}


@bp.route("/vandringar")
@page(*READ)
def walks(actor: Actor) -> Any:
    with reading() as conn:
        rows = q.list_walks(conn, actor, {})
        chosen = request.args.get("walk") or (rows[0]["id"] if rows else None)
        doc = q.protocol(conn, actor, chosen, koll().ledger.vault) if chosen else None
    findings = [f for g in doc["organisations"] for f in g["findings"]] + doc["positive"] if doc else []
    data = {"map": map_config(),
            "features": {"type": "FeatureCollection", "features": [_feature(f) for f in findings]},
            "cases": i18n.t("findings"), "heat": i18n.t("heat")}
    return render("walks.html", walks=rows, chosen=chosen, doc=doc, data=data)
