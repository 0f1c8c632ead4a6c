"""The measure board: one row a measure, and the few histories the boards draw from
(escalations for the report-back, hand-recorded indicator values for the trends)."""

from __future__ import annotations

import json
from datetime import datetime
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa

from koll.ledger.domain.measure import Measure
from koll.ledger.projections.base import RowProjection, utc_naive

metadata = sa.MetaData()

measures = sa.Table(
    "rm_measures",
    metadata,
    sa.Column("measure_id", sa.String(36), primary_key=True),
    sa.Column("area", sa.String(40)),  # NULL only before a ledger's migration to areas
    sa.Column("linked_areas", sa.Text, nullable=False),  # JSON list: other areas, by explicit link
    sa.Column("what", sa.Text, nullable=False),
    sa.Column("start_date", sa.String(10)),  # ISO dates compare as text
    sa.Column("end_date", sa.String(10)),
    sa.Column("goal", sa.Text),
    sa.Column("resources", sa.Text),
    sa.Column("indicators_text", sa.Text),
    sa.Column("achieved", sa.Text),
    sa.Column("owner_org", sa.String(40)),
    sa.Column("owner_person", sa.String(120)),
    sa.Column("follow_up", sa.Text),
    sa.Column("palette", sa.String(20)),
    sa.Column("track", sa.String(20)),
    sa.Column("horizon", sa.String(10)),
    sa.Column("focus_area", sa.String(20)),
    sa.Column("sorting", sa.Text, nullable=False),
    sa.Column("partners", sa.Text, nullable=False),
    sa.Column("organisations", sa.Integer, nullable=False),
    sa.Column("status", sa.String(12), nullable=False),
    sa.Column("outcome", sa.String(12)),
    sa.Column("deviation_reason", sa.Text),
    sa.Column("success_factors", sa.Text),
    sa.Column("in_operations", sa.Boolean, nullable=False),
    sa.Column("inventory", sa.Boolean, nullable=False),  # already running when recorded (the inventory)
    sa.Column("support_needed", sa.Text),
    sa.Column("cases", sa.Text, nullable=False),
    sa.Column("indicators", sa.Text, nullable=False),
    sa.Column("proposed_at", sa.DateTime, nullable=False),
    sa.Column("decided_at", sa.DateTime),
    sa.Column("started_at", sa.DateTime),
    sa.Column("done_at", sa.DateTime),
    sa.Column("cancelled_at", sa.DateTime),
    sa.Column("operations_at", sa.DateTime),
    sa.Column("escalated_at", sa.DateTime),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Index("rm_measures_status", "status"),
    sa.Index("rm_measures_owner", "owner_org"),
    info={"fold": 2},  # 2: started_at is the day a measure was said to start
)

escalations = sa.Table(
    "rm_measure_escalations",
    metadata,
    sa.Column("escalation_id", sa.String(48), primary_key=True),
    sa.Column("measure_id", sa.String(36), nullable=False),
    sa.Column("support_needed", sa.Text, nullable=False),
    sa.Column("note", sa.Text),
    sa.Column("by_org", sa.String(40), nullable=False),
    sa.Column("escalated_at", sa.DateTime, nullable=False),
    sa.Index("rm_measure_escalations_at", "escalated_at"),
)

indicator_values = sa.Table(
    "rm_indicator_values",
    metadata,
    sa.Column("value_id", sa.String(48), primary_key=True),
    sa.Column("measure_id", sa.String(36), nullable=False),
    sa.Column("indicator", sa.String(40), nullable=False),
    sa.Column("value", sa.Float, nullable=False),
    sa.Column("measured_on", sa.String(10), nullable=False),
    sa.Column("source", sa.String(40)),
    sa.Column("recorded_at", sa.DateTime, nullable=False),
    sa.Index("rm_indicator_values_measure", "measure_id"),
)

# What each event sets on the row besides version and updated_at.
_STATUS = {Measure.Decided: "decided", Measure.Started: "started", Measure.Paused: "paused",
           Measure.Completed: "done", Measure.Cancelled: "cancelled"}
_STAMP = {Measure.Decided: "decided_at", Measure.Completed: "done_at", Measure.Cancelled: "cancelled_at",
          Measure.MovedToOperations: "operations_at", Measure.Escalated: "escalated_at"}
_COLUMN = {"start": "start_date", "end": "end_date"}


def _organisations(owner: str | None, partners: list[str]) -> int:
    return len({*(o for o in [owner] if o), *partners})


class MeasuresProjection(RowProjection):
    name = "measures"
    metadata = metadata
    table = measures
    key = "measure_id"
    events = (Measure.Event,)

    def keys(self, event: Any) -> Iterable[str]:
        return (str(event.originator_id),) if isinstance(event, Measure.Event) else ()

    def creates(self, event: Any) -> bool:
        return isinstance(event, Measure.Proposed)

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        at = utc_naive(event.timestamp)
        if isinstance(event, Measure.Proposed):
            return {
                "measure_id": str(event.originator_id), "area": getattr(event, "area", None), "linked_areas": "[]",
                "what": event.what, "start_date": event.start,
                "end_date": event.end, "goal": event.goal, "resources": event.resources,
                "indicators_text": event.indicators_text, "achieved": event.achieved,
                "owner_org": event.owner_org, "owner_person": event.owner_person, "follow_up": event.follow_up,
                "palette": event.palette, "track": event.track, "horizon": event.horizon,
                "focus_area": event.focus_area, "sorting": json.dumps(event.sorting, sort_keys=True),
                "partners": json.dumps(event.partners), "organisations": _organisations(event.owner_org, event.partners),
                "status": "idea", "outcome": None, "deviation_reason": None, "success_factors": None,
                "in_operations": False, "inventory": bool(getattr(event, "inventory", False)),
                "support_needed": None, "cases": "[]",
                "indicators": json.dumps(event.indicators, ensure_ascii=False), "proposed_at": at,
                "decided_at": None, "started_at": None, "done_at": None, "cancelled_at": None,
                "operations_at": None, "escalated_at": None, "updated_at": at, "version": event.originator_version,
            }
        if row is None:
            return None
        row = dict(row, version=event.originator_version, updated_at=at)
        kind = type(event)
        if kind is Measure.AreaLinked:
            row["linked_areas"] = json.dumps([*json.loads(row["linked_areas"]), event.area])
        if kind in _STATUS:
            row["status"] = _STATUS[kind]
        if kind in _STAMP:
            row[_STAMP[kind]] = at
        if isinstance(event, Measure.Started):
            # Age counts from the first start, on the day it was said to start (work already running
            # when it was recorded started then, not on the day it was entered).
            on = getattr(event, "on", None)
            row["started_at"] = row["started_at"] or (datetime.fromisoformat(on) if on else at)
        elif isinstance(event, Measure.Revised):
            for k, v in event.changes.items():
                if k == "sorting":
                    v = json.dumps(v, sort_keys=True)
                elif k == "partners":
                    v = json.dumps(v)
                row[_COLUMN.get(k, k)] = v
            row["organisations"] = _organisations(row["owner_org"], json.loads(row["partners"]))
        elif isinstance(event, Measure.Assigned):
            row.update(owner_org=event.org, owner_person=event.person, partners=json.dumps(event.partners),
                       organisations=_organisations(event.org, event.partners))
        elif isinstance(event, Measure.ProgressReported) and event.achieved is not None:
            row["achieved"] = event.achieved
        elif isinstance(event, Measure.Completed):
            row.update(outcome=event.outcome, achieved=event.achieved, deviation_reason=event.deviation_reason,
                       success_factors=event.success_factors)
        elif isinstance(event, Measure.Cancelled):
            row["deviation_reason"] = event.reason
        elif isinstance(event, Measure.Escalated):
            row["support_needed"] = event.support_needed
        elif isinstance(event, Measure.MovedToOperations):
            row["in_operations"] = True
        elif isinstance(event, Measure.CaseLinked):
            row["cases"] = json.dumps([*json.loads(row["cases"]), event.case_id])
        elif isinstance(event, Measure.CaseUnlinked):
            row["cases"] = json.dumps([c for c in json.loads(row["cases"]) if c != event.case_id])
        elif isinstance(event, Measure.IndicatorRevised):
            row["indicators"] = json.dumps([{**i, **event.changes} if i["code"] == event.indicator else i
                                            for i in json.loads(row["indicators"])], ensure_ascii=False)
        elif isinstance(event, Measure.IndicatorDefined):
            row["indicators"] = json.dumps([*json.loads(row["indicators"]), event.indicator], ensure_ascii=False)
        return row


class FactRows(RowProjection):
    """One row per recorded fact of one kind, keyed by aggregate and version: a history the
    boards need, kept as it was recorded."""

    fact: type

    @property
    def events(self) -> tuple[type, ...]:  # type: ignore[override]
        return (self.fact,)

    def keys(self, event: Any) -> Iterable[str]:
        return (f"{event.originator_id}:{event.originator_version}",) if isinstance(event, self.fact) else ()

    def creates(self, event: Any) -> bool:
        return True

    def fold(self, row: dict[str, Any] | None, event: Any) -> dict[str, Any] | None:
        return {self.key: f"{event.originator_id}:{event.originator_version}", "measure_id": str(event.originator_id),
                **self.columns(event)}

    def columns(self, event: Any) -> dict[str, Any]:
        raise NotImplementedError


class EscalationsProjection(FactRows):
    """Each escalation kept, so a report-back shows the support asked for in its own period."""

    name = "measure_escalations"
    metadata = metadata
    table = escalations
    key = "escalation_id"
    fact = Measure.Escalated

    def columns(self, event: Any) -> dict[str, Any]:
        return {"support_needed": event.support_needed, "note": event.note, "by_org": event.by["org"],
                "escalated_at": utc_naive(event.timestamp)}


class IndicatorValuesProjection(FactRows):
    """Values measured by hand: the points of an indicator's trend."""

    name = "indicator_values"
    metadata = metadata
    table = indicator_values
    key = "value_id"
    fact = Measure.IndicatorValueRecorded

    def columns(self, event: Any) -> dict[str, Any]:
        return {"indicator": event.indicator, "value": event.value, "measured_on": event.measured_on,
                "source": event.source, "recorded_at": utc_naive(event.timestamp)}
