"""Areas: defining one from a file, changing it part by part, the migration of an older ledger,
and placing a report in the area its point is in.

A definition is checked whole (``koll.schema.areas``) whichever way it arrives, and only what
really changes is recorded: importing the file just exported records nothing.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any
from uuid import UUID
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError
from marshmallow import ValidationError

from koll.ledger.domain import daylight
from koll.ledger.domain.area import (
    REVISABLE,
    SECTIONS,
    Area,
    OutsideAreas,
    area_id_for,
    centre,
    centroid,
    contains,
)
from koll.ledger.domain.base import Actor, DomainError, NotFound
from koll.ledger.projections.areas import areas as areas_table
from koll.schema import taxonomy
from koll.schema.areas import AreaDefinitionSchema

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


@dataclass(frozen=True)
class AreaView:
    """An area as the write side needs it to place a report."""

    code: str
    name_sv: str
    definition: dict[str, Any]
    box: tuple[float, float, float, float]
    version: int

    @cached_property
    def sky(self) -> daylight.Sky:
        """Where the area's sun is read (its boundary's centroid) and its clock."""
        lat, lon = centroid(self.definition["boundary"])
        return daylight.Sky(lat, lon, ZoneInfo(self.definition.get("time_zone") or "Europe/Stockholm"))

    def holds(self, lat: float, lon: float) -> bool:
        min_lon, min_lat, max_lon, max_lat = self.box
        return min_lon <= lon <= max_lon and min_lat <= lat <= max_lat and contains(
            self.definition["boundary"], lat, lon)


def may_act_in(actor: Actor, code: str) -> bool:
    """A user with no areas named acts in every area (how every user before areas was made):
    the areas one may act in are those the policy lets one see."""
    from koll.ledger.policy import Policy

    return Policy(actor).may_see_area(code)


def checked_definition(data: dict[str, Any]) -> dict[str, Any]:
    """The definition loaded canonically, with the places checked against the boundary; every
    error at once, by field."""
    errors: dict[str, Any] = {}
    try:
        definition = AreaDefinitionSchema().load(data)
    except ValidationError as e:
        errors, definition = dict(e.messages), data  # type: ignore[arg-type]
    try:
        errors |= {f"places.{i}.geometry": [f"the place '{p['code']}' lies outside the area's boundary"]
                   for i, p in enumerate(definition["places"])
                   if p["geometry"]["type"] == "Point" and not contains(
                       definition["boundary"], p["geometry"]["coordinates"][1], p["geometry"]["coordinates"][0])}
    except (KeyError, TypeError, IndexError, AttributeError):
        pass  # a malformed boundary or place: the schema's errors already say where
    if errors:
        raise ValidationError(errors)
    return definition


def register_terms(definition: dict[str, Any]) -> None:
    """The area's own places, organisations and local categories, known to this process's
    validators and labels (national codes keep their national meaning)."""
    places = []
    for p in definition["places"]:
        lat, lon = centre(p["geometry"])
        places.append(taxonomy.Place(p["code"], p["sv"], p.get("en") or p["sv"], lat, lon, p.get("radius_m") or 0.0))
    organisations = [taxonomy.Organisation(o["code"], o["sv"], o.get("en") or o["sv"], o["sector"])
                     for o in definition["organisations"]]
    categories = [taxonomy.Category(c["code"], c["group"], c["sv"], c.get("en") or c["sv"], c["visibility"], c["photo"],
                                    c["owner"]) for c in definition["categories"] if c.get("local")]
    taxonomy.register_area_terms(places, organisations, categories)


class AreaGrid:
    """The areas by cells of a twentieth of a degree their bounding boxes touch: a point is tested
    against the few areas near it, not a city's 180 (a country-wide area is always a candidate)."""

    CELL = 0.05
    MAX_CELLS = 10_000

    def __init__(self, views: list[AreaView]) -> None:
        self.cells: dict[tuple[int, int], list[tuple[int, AreaView]]] = {}
        self.everywhere: list[tuple[int, AreaView]] = []
        for n, v in enumerate(views):
            min_lon, min_lat, max_lon, max_lat = v.box
            xs = range(math.floor(min_lon / self.CELL), math.floor(max_lon / self.CELL) + 1)
            ys = range(math.floor(min_lat / self.CELL), math.floor(max_lat / self.CELL) + 1)
            if len(xs) * len(ys) > self.MAX_CELLS:
                self.everywhere.append((n, v))
                continue
            for x in xs:
                for y in ys:
                    self.cells.setdefault((x, y), []).append((n, v))

    def near(self, lat: float, lon: float) -> list[AreaView]:
        """The areas whose box may hold the point, in the order the areas are listed."""
        found = self.cells.get((math.floor(lon / self.CELL), math.floor(lat / self.CELL)), [])
        if self.everywhere:
            found = sorted(found + self.everywhere, key=lambda nv: nv[0])
        return [v for _, v in found]


# Whether any area changed: asked before every report, so built once (projections.base.listed).
_AREAS_KEY = sa.select(sa.func.count(), sa.func.sum(areas_table.c.version), sa.func.max(areas_table.c.updated_at))
_held = threading.local()  # the areas held for the batch being placed on this thread


def _areas_of(by: Actor, views: list[AreaView]) -> list[AreaView]:
    """The areas ``by`` may report in, worked out once a batch for each kind of caller."""
    key = (by.role, tuple(sorted(getattr(by, "areas", ()) or ())))
    memo = getattr(_held, "mine", None)
    if memo is not None and key in memo:
        return memo[key]
    mine = [a for a in views if may_act_in(by, a.code)]
    if memo is not None:
        memo[key] = mine
    return mine


class AreaCommands:
    """Mixed into the Ledger: ``self`` is the Ledger."""

    _area_cache: tuple[Any, list[AreaView]] | None = None

    def import_area(self: Ledger, by: Actor, data: dict[str, Any]) -> dict[str, Any]:
        """Defines the area, or records the parts of it that differ from what is recorded."""
        definition = checked_definition(data)
        area_id = area_id_for(definition["code"])
        existing = self._area_or_none(area_id)
        if existing is None:
            area = Area(id=area_id, code=definition["code"], definition=definition, by=by.as_dict())
            try:
                self.save(area)
            except IntegrityError:
                existing = self._area_or_none(area_id)
                if existing is None:
                    raise
            else:
                return {"code": definition["code"], "created": True, "changed": ["definition"], "version": area.version}
        assert existing is not None
        changed = list(existing.revise(by, {k: definition[k] for k in REVISABLE}))
        changed += [s for s in SECTIONS if existing.set_section(by, s, definition[s])]
        if changed:
            self.save(existing)
        return {"code": definition["code"], "created": False, "changed": changed, "version": existing.version}

    def revise_area(self: Ledger, by: Actor, code: str, expected_version: int, changes: dict[str, Any]) -> Area:
        def decision(area: Area) -> None:
            checked_definition({**area.definition, **changes})
            area.revise(by, changes)

        return self.decide(Area, area_id_for(code), expected_version, decision, what="area")

    def set_area_section(self: Ledger, by: Actor, code: str, expected_version: int, section: str,
                         items: list[dict[str, Any]]) -> Area:
        def decision(area: Area) -> None:
            merged = checked_definition({**area.definition, section: items})
            area.set_section(by, section, merged[section])

        return self.decide(Area, area_id_for(code), expected_version, decision, what="area")

    def adopt_ledger(self: Ledger, by: Actor, code: str) -> dict[str, Any]:
        """The migration of a ledger recorded before areas existed: everything up to now that
        belongs to no area is recorded as this area's, by one event naming the positions."""
        area = self._get(Area, area_id_for(code), what="area")
        if any(getattr(a, "adopted", None) for a in self._all_areas()):
            raise DomainError("the ledger was already assigned to an area",
                              sv="liggaren är redan förd till ett område", field="area")
        last = self.recorder.max_notification_id() or 0
        area.adopt_ledger(by, first=1, last=last)
        self.save(area)
        return {"area": code, "first": 1, "last": last}

    def _all_areas(self: Ledger) -> list[Area]:
        with self.store.read() as conn:
            ids = [r[0] for r in conn.execute(sa.select(areas_table.c.area_id))]
        return [self._get(Area, UUID(i), what="area") for i in ids]

    def _area_or_none(self: Ledger, area_id: UUID) -> Area | None:
        try:
            return self._get(Area, area_id, what="area")
        except NotFound:
            return None

    # Reading areas where the write side needs them.

    @contextmanager
    def areas_held(self: Ledger, views: list[AreaView] | None = None) -> Iterator[list[AreaView]]:
        """One look at the areas for a whole batch of reports on this thread: a batch of 500 is
        placed among the boundaries as they stood when it began (as one transaction records it),
        instead of asking the database whether an area changed before each report. ``views``: the
        areas as the caller has just read them (a request, to validate its body), held as they are."""
        if getattr(_held, "views", None) is not None:  # a batch within a batch: the outer look holds
            yield _held.views
            return
        _held.views, _held.mine = (self.area_views() if views is None else views), {}
        try:
            yield _held.views
        finally:
            _held.views = _held.mine = None

    def area_views(self: Ledger) -> list[AreaView]:
        """Every area, from the read model; kept while no area changes (one small query a call,
        none within ``areas_held``)."""
        held = getattr(_held, "views", None)
        if held is not None:
            return held
        with self.store.read() as conn:
            key = tuple(conn.execute(_AREAS_KEY).one())
            if self._area_cache is not None and self._area_cache[0] == key:
                return self._area_cache[1]
            views = [AreaView(r.code, r.name_sv, json.loads(r.definition), (r.min_lon, r.min_lat, r.max_lon, r.max_lat),
                              r.version) for r in conn.execute(sa.select(areas_table).order_by(areas_table.c.code))]
        self._area_cache = (key, views)
        for v in views:
            register_terms(v.definition)
        return views

    def area_view(self: Ledger, code: str) -> AreaView | None:
        return next((a for a in self.area_views() if a.code == code), None)

    _grid_cache: tuple[list[AreaView], AreaGrid] | None = None

    def _area_grid(self: Ledger, views: list[AreaView]) -> AreaGrid:
        cached = self._grid_cache
        if cached is None or cached[0] is not views:
            cached = self._grid_cache = (views, AreaGrid(views))
        return cached[1]

    def sky_of(self: Ledger, code: str | None) -> daylight.Sky:
        """The sun and clock a record of the area is told by (the square's, before areas)."""
        view = self.area_view(code) if code else None
        return view.sky if view is not None else daylight.BEFORE_AREAS

    def place_in_area(self: Ledger, by: Actor, lat: float, lon: float, named: str | None = None) -> AreaView | None:
        """The area a report at (lat, lon) belongs to: the one it names, or the one whose boundary
        holds the point, among those the caller may report in. None while no area is defined (a
        ledger from before areas, until its migration). Within ``areas_held`` a batch reads them once."""
        views = self.area_views()
        if not views:
            if named:
                raise DomainError(f"no area '{named}'", sv=f"inget område '{named}'", field="area")
            return None
        mine = _areas_of(by, views)
        if named is not None:
            chosen = next((a for a in mine if a.code == named), None)
            if chosen is None:
                raise DomainError(f"no area '{named}' that you may report in",
                                  sv=f"inget område '{named}' som du får rapportera i", field="area",
                                  areas=[a.code for a in mine])
            if not chosen.holds(lat, lon):
                raise OutsideAreas(f"the point lies outside {chosen.name_sv}",
                                   sv=f"platsen ligger utanför {chosen.name_sv}", field="location",
                                   areas=[a.code for a in mine])
            return chosen
        allowed = {a.code for a in mine} if len(mine) != len(views) else None
        for a in self._area_grid(views).near(lat, lon):
            if (allowed is None or a.code in allowed) and a.holds(lat, lon):
                return a
        names = ", ".join(a.name_sv for a in mine) or "inget"
        raise OutsideAreas(f"the point lies inside no area you may report in ({', '.join(a.code for a in mine)})",
                           sv=f"platsen ligger inte inom något område du får rapportera i ({names})",
                           field="location", areas=[a.code for a in mine])

    def area_for(self: Ledger, by: Actor, named: str | None) -> str | None:
        """The area a walk, measure or meeting belongs to: the one named, or the caller's only
        area; with several to choose from, the caller must name one."""
        views = self.area_views()
        if not views:
            if named:
                raise DomainError(f"no area '{named}'", sv=f"inget område '{named}'", field="area")
            return None
        mine = [a.code for a in views if may_act_in(by, a.code)]
        if named is not None:
            if named not in mine:
                raise DomainError(f"no area '{named}' that you may act in",
                                  sv=f"inget område '{named}' som du får arbeta i", field="area", areas=mine)
            return named
        if len(mine) == 1:
            return mine[0]
        raise DomainError(f"name the area: one of {', '.join(mine)}",
                          sv=f"ange området: ett av {', '.join(mine)}", field="area", areas=mine)
