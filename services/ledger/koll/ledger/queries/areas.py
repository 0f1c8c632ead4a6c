"""Areas as the API, the boards and `koll area export` read them: the definition file's shape."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.base import Actor
from koll.ledger.projections.areas import areas


def may_see(actor: Actor, code: str) -> bool:
    return not actor.areas or code in actor.areas


def list_areas(conn: sa.Connection, actor: Actor) -> list[dict[str, Any]]:
    """The areas the caller may see, in brief."""
    out = []
    for r in conn.execute(sa.select(areas).order_by(areas.c.code)):
        if not may_see(actor, r.code):
            continue
        d = json.loads(r.definition)
        out.append({"code": r.code, "name": d["name"], "time_zone": d["time_zone"], "version": r.version,
                    "bbox": [r.min_lon, r.min_lat, r.max_lon, r.max_lat], "places": len(d["places"]),
                    "organisations": len(d["organisations"]), "categories": len(d["categories"]),
                    "adopted": json.loads(r.adopted)})
    return out


def area_definition(conn: sa.Connection, actor: Actor | None, code: str) -> tuple[dict[str, Any], int] | None:
    """(the definition, its version), or None when there is none the caller may see."""
    r = conn.execute(sa.select(areas.c.definition, areas.c.version).where(areas.c.code == code)).first()
    if r is None or (actor is not None and not may_see(actor, code)):
        return None
    return json.loads(r.definition), r.version


def area_codes(conn: sa.Connection) -> list[str]:
    return [r[0] for r in conn.execute(sa.select(areas.c.code).order_by(areas.c.code))]
