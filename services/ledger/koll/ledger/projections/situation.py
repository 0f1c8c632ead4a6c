"""The situation picture (lägesbild): cases and observations with where, when, darkness and status."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.case import Case
from koll.ledger.domain.observation import Observation
from koll.ledger.history import sorted_json
from koll.ledger.projections.base import CHUNK, Batch, RowProjection, listed, recalled, utc_naive
from koll.schema import vocabulary

metadata = sa.MetaData()

cases = sa.Table(
    "rm_cases",
    metadata,
    sa.Column("case_id", sa.String(36), primary_key=True),
    sa.Column("area", sa.String(40)),  # NULL only before a ledger's migration to areas
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("group_code", sa.String(8), nullable=False),
    sa.Column("place", sa.String(40)),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("visibility", sa.String(16), nullable=False),
    sa.Column("priority", sa.Integer),
    sa.Column("assigned_org", sa.String(40)),
    sa.Column("assigned_person", sa.String(120)),
    sa.Column("close_reason", sa.String(16)),
    sa.Column("duplicate_of", sa.String(36)),
    sa.Column("public_note", sa.Text),
    sa.Column("first_observation", sa.String(36), nullable=False),
    sa.Column("related_case", sa.String(36)),
    sa.Column("walk_id", sa.String(36)),
    sa.Column("opened_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("first_observed_at", sa.DateTime),
    sa.Column("last_observed_at", sa.DateTime),
    # The first and last observed times of reports held more closely than their case, by level
    # ({"restricted": [first, last]}, ISO text): kept out of the two columns above, which every
    # reader of the case sees, until the case is held as closely. Never shown (queries.cases).
    sa.Column("held_observed", sa.Text),
    sa.Column("time_of_day", sa.String(12)),
    sa.Column("dark", sa.Boolean),
    sa.Column("observations", sa.Integer, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("rm_cases_area_status", "area", "status"),
    sa.Index("rm_cases_status", "status"),
    # The case list: counts by status over what a reader may see, and its newest first, from the index alone.
    sa.Index("rm_cases_status_visibility", "status", "visibility", "opened_at", "case_id"),
    sa.Index("rm_cases_category", "category"),
    sa.Index("rm_cases_latlon", "lat", "lon"),
)

observations = sa.Table(
    "rm_observations",
    metadata,
    sa.Column("observation_id", sa.String(36), primary_key=True),
    sa.Column("case_id", sa.String(36), nullable=False),
    sa.Column("area", sa.String(40)),
    sa.Column("category", sa.String(16), nullable=False),
    sa.Column("group_code", sa.String(8), nullable=False),
    sa.Column("place", sa.String(40)),
    sa.Column("lat", sa.Float, nullable=False),
    sa.Column("lon", sa.Float, nullable=False),
    sa.Column("accuracy_m", sa.Float),
    sa.Column("location_source", sa.String(12)),
    sa.Column("observed_at", sa.DateTime, nullable=False),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Column("time_of_day", sa.String(12), nullable=False),
    sa.Column("dark", sa.Boolean, nullable=False),
    sa.Column("walk_id", sa.String(36)),
    sa.Column("reporter", sa.String(120), nullable=False),
    sa.Column("reporter_role", sa.String(16), nullable=False),
    sa.Column("reporter_org", sa.String(40), nullable=False),
    sa.Column("visibility", sa.String(16), nullable=False),
    # Sealed with the report's own key: an erasure destroys the key, and this copy with it.
    sa.Column("note_sealed", sa.Text),
    sa.Column("contact_sealed", sa.Text),  # the reporter's address for the notice of resolution
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("photos", sa.Text, nullable=False),
    sa.Index("rm_observations_case", "case_id"),
    sa.Index("rm_observations_area", "area", "observed_at"),
    sa.Index("rm_observations_walk", "walk_id"),
    sa.Index("rm_observations_observed", "observed_at"),
    sa.Index("rm_observations_reporter", "reporter"),
    sa.Index("rm_observations_visibility", "visibility", "case_id"),
)

LEVELS = vocabulary.codes(vocabulary.VISIBILITIES)  # from the least to the most closely held

# Built once (projections.base.listed): they run on every append.
_HELD = sa.select(cases.c.case_id, cases.c.visibility).where(cases.c.case_id.in_(listed("ids")),
                                                              cases.c.visibility != LEVELS[0])
_HOLD_REPORTS = (observations.update().where(observations.c.case_id.in_(listed("ids")),
                                             observations.c.visibility.in_(listed("looser")))
                 .values(visibility=sa.bindparam("level")))


def held_cases(conn: sa.Connection, case_ids: Iterable[str]) -> dict[str, str]:
    """The cases among ``case_ids`` held more closely than public, with their visibility."""
    known, wanted = recalled(CasesProjection.name, set(case_ids))  # those the batch just folded
    found = {k: v for k, v in known.items() if v is not None and v != LEVELS[0]}
    for i in range(0, len(wanted), CHUNK):
        found.update({r[0]: r[1] for r in conn.execute(_HELD, {"ids": wanted[i:i + CHUNK]})})
    return found


def by_level(held: dict[str, str]) -> Iterable[tuple[str, list[str], list[str]]]:
    """(level, the ids held at it, the levels looser than it), for each level something is held at."""
    for n, level in enumerate(LEVELS):
        ids = sorted(k for k, v in held.items() if v == level)
        if ids and n:
            yield level, ids, list(LEVELS[:n])


def follow_cases(conn: sa.Connection, case_ids: Iterable[str]) -> None:
    """Every observation is held at least as closely as its case, whenever it was filed: a case
    triaged into a restricted category takes its earlier reports with it."""
    for level, ids, looser in by_level(held_cases(conn, case_ids)):
        for i in range(0, len(ids), CHUNK):
            conn.execute(_HOLD_REPORTS, {"ids": ids[i:i + CHUNK], "looser": looser, "level": level})


def all_held_cases(conn: sa.Connection) -> dict[str, str]:
    """Every case held more closely than public, with its visibility."""
    q = sa.select(cases.c.case_id, cases.c.visibility).where(cases.c.visibility != LEVELS[0])
    return {r[0]: r[1] for r in conn.execute(q)}


def hold_cases_as(conn: sa.Connection, held: dict[str, str]) -> None:
    """Hold these cases (and so their observations) at least as closely as ``held`` says: the boards
    as they stood at a past moment follow what has been restricted since.

    Only the cases held more loosely here than in ``held`` are touched: the others (most of them,
    and all of them when a cached scratch is asked again) already hold their reports as closely,
    since the projections keep that true as they fold."""
    # One pass over the scratch's cases: thousands of IN-list look-ups cost more than reading all.
    here = {r[0]: r[1] for r in conn.execute(sa.select(cases.c.case_id, cases.c.visibility))} if held else {}
    rank = {level: n for n, level in enumerate(LEVELS)}
    looser_here = {k: v for k, v in held.items() if k in here and rank[here[k]] < rank[v]}
    for level, ids, looser in by_level(looser_here):
        for i in range(0, len(ids), CHUNK):
            conn.execute(cases.update().where(cases.c.case_id.in_(ids[i:i + CHUNK]), cases.c.visibility.in_(looser))
                         .values(visibility=level))
    follow_cases(conn, looser_here)


def cases_touched(batch: Batch) -> set[str]:
    """Cases whose visibility, or whose set of observations, a batch may have changed."""
    touched: set[str] = set()
    for _, event in batch:
        if isinstance(event, Observation.Recorded):
            touched.add(event.case_id)
        elif isinstance(event, Case.Triaged):
            touched.add(str(event.originator_id))
    return touched


def degrees(value: float) -> float:
    """Seven decimals: about a centimetre, finer than any phone's fix, without a float's tail of
    noise (59.36690000000001) in every answer and export. The ledger keeps what was sent."""
    return round(float(value), 7)


class CasesProjection(RowProjection):
    name = "cases"
    metadata = metadata
    table = cases
    key = "case_id"
    events = (Case.Event, Observation.Recorded)
    remember = "visibility"  # for held_cases, in the same batch

    def keys(self, event: Any) -> Iterable[str]:
        if isinstance(event, Case.Event):
            return (str(event.originator_id),)
        if isinstance(event, Observation.Recorded):
            return (event.case_id,)
        return ()

    def creates(self, event: Any) -> bool:
        return isinstance(event, Case.Opened)

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        at = utc_naive(event.timestamp)
        if isinstance(event, Case.Opened):
            return {
                "case_id": str(event.originator_id), "area": getattr(event, "area", None), "category": event.category,
                "group_code": event.group, "place": event.place, "lat": degrees(event.location["lat"]),
                "lon": degrees(event.location["lon"]),
                "status": "new", "visibility": event.visibility, "priority": None, "assigned_org": None,
                "assigned_person": None, "close_reason": None, "duplicate_of": None, "public_note": None,
                "first_observation": event.first_observation, "related_case": event.related_case,
                "walk_id": None, "opened_at": at, "updated_at": at, "first_observed_at": None,
                "last_observed_at": None, "held_observed": None, "time_of_day": None, "dark": None, "observations": 0,
                "version": event.originator_version,
            }
        if row is None:
            return None
        row = dict(row)
        if isinstance(event, Observation.Recorded):
            observed = utc_naive(event.observed_at)
            row["observations"] += 1
            level = getattr(event, "visibility", None) or row["visibility"]
            if _RANK.get(level, 0) > _RANK.get(row["visibility"], 0):
                # A report held more closely than its case (a police report on a public case): its
                # time on the case would tell every reader of the case that it exists, and when.
                held = json.loads(row["held_observed"] or "{}")
                at = observed.isoformat(timespec="microseconds")
                first, last = held.get(level, (at, at))
                held[level] = [min(first, at), max(last, at)]
                row["held_observed"] = json.dumps(held, sort_keys=True)
            else:
                _observed_between(row, observed, observed)
            if str(event.originator_id) == row["first_observation"]:
                row["time_of_day"] = event.time_of_day
                row["dark"] = event.dark
                row["walk_id"] = event.walk_id
            return row
        row["version"] = event.originator_version
        row["updated_at"] = at
        if isinstance(event, Case.Triaged):
            row.update(status="triaged", priority=event.priority, category=event.category, group_code=event.group,
                       visibility=getattr(event, "visibility", None) or row["visibility"])
            _take_in_held(row)
        elif isinstance(event, Case.Assigned):
            row.update(status="assigned", assigned_org=event.org, assigned_person=event.person)
        elif isinstance(event, Case.WorkStarted):
            row.update(status="in_progress")
        elif isinstance(event, Case.Resolved):
            row.update(status="resolved", public_note=event.public_note)
        elif isinstance(event, Case.Closed):
            row.update(status="closed", close_reason=event.reason, duplicate_of=event.duplicate_of)
        elif isinstance(event, Case.Reopened):
            row.update(status="triaged", close_reason=None, duplicate_of=None)
        return row


_RANK = {level: n for n, level in enumerate(LEVELS)}


def _observed_between(row: dict[str, Any], first: datetime, last: datetime) -> None:
    row["last_observed_at"] = max(filter(None, [row["last_observed_at"], last]))
    row["first_observed_at"] = min(filter(None, [row["first_observed_at"], first]))


def _take_in_held(row: dict[str, Any]) -> None:
    """The case is now held at least as closely as some of its reports: their times count."""
    if not row["held_observed"]:
        return
    held = json.loads(row["held_observed"])
    for level in [lv for lv in held if _RANK.get(lv, 0) <= _RANK.get(row["visibility"], 0)]:
        first, last = held.pop(level)
        _observed_between(row, datetime.fromisoformat(first), datetime.fromisoformat(last))
    row["held_observed"] = json.dumps(held, sort_keys=True) if held else None


class ObservationsProjection(RowProjection):
    name = "observations"
    metadata = metadata
    table = observations
    key = "observation_id"
    events = (Observation.Event,)
    remember = "case_id"  # for the timeline's follow_cases, in the same batch

    def keys(self, event: Any) -> Iterable[str]:
        if isinstance(event, Observation.Event):
            return (str(event.originator_id),)
        return ()

    def creates(self, event: Any) -> bool:
        return isinstance(event, Observation.Recorded)

    def apply(self, conn: sa.Connection, batch: Batch) -> None:
        # After CasesProjection (earlier in every projector's list): rm_cases holds the batch's cases.
        super().apply(conn, batch)
        touched = cases_touched(batch)
        if touched:
            follow_cases(conn, touched)

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        if isinstance(event, Observation.Recorded):
            loc = event.location
            return {
                "observation_id": str(event.originator_id), "case_id": event.case_id,
                "area": getattr(event, "area", None),
                "category": event.category, "group_code": event.group, "place": event.place,
                "lat": degrees(loc["lat"]), "lon": degrees(loc["lon"]), "accuracy_m": loc.get("accuracy_m"),
                "location_source": loc.get("source"), "observed_at": utc_naive(event.observed_at),
                "recorded_at": utc_naive(event.timestamp),
                "time_of_day": event.time_of_day, "dark": event.dark,
                "walk_id": event.walk_id, "reporter": event.by["user"], "reporter_role": event.by["role"],
                "reporter_org": event.by["org"], "visibility": event.visibility, "note_sealed": event.note,
                "contact_sealed": getattr(event, "contact", None),
                "attributes": sorted_json(event.attributes),
                "photos": "[]",
            }
        if row is None:
            return None
        row = dict(row)
        if isinstance(event, Observation.PhotoAttached):
            photos = json.loads(row["photos"])
            if event.sha256 not in photos:
                photos.append(event.sha256)
            row["photos"] = json.dumps(photos)
        return row
