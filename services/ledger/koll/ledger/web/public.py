"""The residents' page of an area (``/omrade/<code>``), open to anyone, no sign-in: what has been
reported (counts by group and week, nothing identifying), "Det här har vi gjort", and the next
safety walk. The queries decide what may be told (koll.ledger.queries.public)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

from flask import abort

from koll.ledger.queries import public as q
from koll.ledger.web import i18n
from koll.ledger.web.common import bp, koll, reading, render


@bp.route("/omrade/<code>")
def public_area(code: str) -> Any:
    view = next((v for v in koll().ledger.area_views() if v.code == code), None)
    if view is None:
        abort(404)
    now = datetime.now(timezone.utc)
    with reading() as conn:
        reported = q.reports_by_group_and_week(conn, code, now)
        done = q.done_and_under_way(conn, code)
        walk = q.next_walk(conn, code, now)
    places = {p["code"]: p.get(i18n.lang()) or p["sv"] for p in view.definition["places"]}
    if walk is not None:
        walk["places"] = [places.get(p, p) for p in json.loads(walk["route"])]
    name = view.definition["name"].get(i18n.lang()) or view.name_sv
    response = render("public.html", area=code, area_name=name, reported=reported, done=done, walk=walk)
    return response
