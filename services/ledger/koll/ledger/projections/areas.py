"""The areas as they stand: one row an area with its whole definition, and the migrations.

Folded live, in rebuilds and in the as-of replay alike, so a board as of a past day reads the
area as it was that day. Rows of other read models that were recorded before areas existed
get their area from ``Area.LedgerAdopted`` (see ``RowProjection``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.area import Area, bbox
from koll.ledger.projections.base import RowProjection, utc_naive

metadata = sa.MetaData()

areas = sa.Table(
    "rm_areas",
    metadata,
    sa.Column("area_id", sa.String(36), primary_key=True),
    sa.Column("code", sa.String(40), nullable=False, unique=True),
    sa.Column("name_sv", sa.String(120), nullable=False),
    sa.Column("name_en", sa.String(120)),
    # The boundary's box: which areas can hold a point, before the exact test.
    sa.Column("min_lon", sa.Float, nullable=False),
    sa.Column("min_lat", sa.Float, nullable=False),
    sa.Column("max_lon", sa.Float, nullable=False),
    sa.Column("max_lat", sa.Float, nullable=False),
    sa.Column("definition", sa.Text, nullable=False),
    sa.Column("adopted", sa.Text, nullable=False),  # the migrations: [{"first", "last"}]
    sa.Column("defined_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
)


def _row_for(definition: dict[str, Any]) -> dict[str, Any]:
    min_lon, min_lat, max_lon, max_lat = bbox(definition["boundary"])
    return {"code": definition["code"], "name_sv": definition["name"]["sv"], "name_en": definition["name"].get("en"),
            "min_lon": min_lon, "min_lat": min_lat, "max_lon": max_lon, "max_lat": max_lat,
            "definition": json.dumps(definition, ensure_ascii=False, sort_keys=True)}


class AreasProjection(RowProjection):
    name = "areas"
    metadata = metadata
    table = areas
    key = "area_id"
    events = (Area.Event,)

    def keys(self, event: Any) -> Iterable[str]:
        return (str(event.originator_id),) if isinstance(event, Area.Event) else ()

    def creates(self, event: Any) -> bool:
        return isinstance(event, Area.Defined)

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        at = utc_naive(event.timestamp)
        if isinstance(event, Area.Defined):
            return {"area_id": str(event.originator_id), **_row_for(event.definition), "adopted": "[]",
                    "defined_at": at, "updated_at": at, "version": event.originator_version}
        if row is None:
            return None
        row = {**row, "updated_at": at, "version": event.originator_version}
        definition = json.loads(row["definition"])
        if isinstance(event, Area.Revised):
            definition.update(event.changes)
        elif isinstance(event, Area.PlacesSet):
            definition["places"] = event.items
        elif isinstance(event, Area.OrganisationsSet):
            definition["organisations"] = event.items
        elif isinstance(event, Area.CategoriesSet):
            definition["categories"] = event.items
        elif isinstance(event, Area.LedgerAdopted):
            row["adopted"] = json.dumps([*json.loads(row["adopted"]), {"first": event.first, "last": event.last}])
        return {**row, **_row_for(definition)}
