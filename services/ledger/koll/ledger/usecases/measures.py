"""Measures (insatser): proposing, deciding on and importing the operational group's plan."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, UUID, uuid5

import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError

from koll.ledger.domain.base import Actor, DomainError, KollAggregate, NotFound, WorkflowError
from koll.ledger.domain.measure import PLAN_FIELDS, Measure
from koll.ledger.policy import Policy
from koll.ledger.store import events_table
from koll.schema.messages import msg
from koll.schema.payloads_measures import (
    AssignMeasureSchema,
    CompleteSchema,
    DecideMeasureSchema,
    EscalateSchema,
    IndicatorSchema,
    IndicatorValueSchema,
    OperationsSchema,
    ProgressSchema,
    ReasonSchema,
    ReviseIndicatorSchema,
    RevisePlanSchema,
    StartMeasureSchema,
    UnlinkCaseSchema,
)

if TYPE_CHECKING:
    from koll.ledger.application import Ledger

_SHEET_NS = uuid5(NAMESPACE_URL, "https://koll.example/measure-sheet")


def sheet_row_id(row: dict[str, Any]) -> UUID:
    """A row without an Id gets one from what it says, so importing the same sheet twice meets itself."""
    return uuid5(_SHEET_NS, "|".join(str(row.get(k) or "") for k in ("what", "owner_org", "start")))


@dataclass(frozen=True)
class Recorded:
    """What creating with a client's id answers: the id, and whether this call recorded it."""

    id: str
    created: bool


@dataclass
class RowError:
    row: int
    field: str
    message: str


class SheetRejected(DomainError):
    """A sheet with any bad row: nothing from it is recorded."""

    code = "sheet_rejected"

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} error(s) in the sheet; nothing was recorded",
                         rows=[{"row": e.row, "field": e.field, "message": e.message} for e in errors])
        self.errors = errors


@dataclass
class Imported:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # per updated measure, the plan's columns that change: {field: [before, after]}
    changes: dict[str, dict[str, list[Any]]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # what each created or changed measure says


def create_once(ledger: Ledger, aggregate: KollAggregate, what: str) -> Recorded:
    """Record a new aggregate under the client's id: a retry with the same body is answered
    alike, the same id with another body is refused and changes nothing."""
    from koll.ledger.application import ConflictingRepeat  # application imports this module

    try:
        ledger.save(aggregate)
        return Recorded(str(aggregate.id), True)
    except IntegrityError:
        existing = ledger.repository.get(aggregate.id)
        if type(existing) is not type(aggregate):
            raise ConflictingRepeat("this id belongs to something else in the ledger",
                                    sv="id:t används redan för något annat i liggaren", field="id") from None
        if existing.fingerprint != aggregate.fingerprint:  # type: ignore[attr-defined]
            raise ConflictingRepeat(f"this id was already used for a different {what}",
                                    sv=f"id:t har redan använts för en annan {what}", field="id") from None
        return Recorded(str(aggregate.id), False)


def _what_key(row: dict[str, Any]) -> str:
    return " ".join(str(row.get("what") or "").split()).casefold()


def _standing(measure: Measure) -> dict[str, Any]:
    """The plan's columns and where the measure stands: what a sheet row can change."""
    return {**measure.plan(), "status": measure.status, "in_operations": measure.in_operations}


def _plan_changes(before: dict[str, Any], measure: Measure) -> dict[str, list[Any]]:
    """The columns a row changes, before and after (the import's preview shows them)."""
    after = _standing(measure)
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}


def _completion(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row.get(k) for k in ("outcome", "achieved", "deviation_reason", "success_factors")}


Decision = Callable[[Measure, Actor, dict[str, Any]], None]


def _day(value: Any) -> str | None:
    return value.isoformat() if value is not None and hasattr(value, "isoformat") else value


def _revise_indicator(m: Measure, by: Actor, b: dict[str, Any]) -> None:
    m.revise_indicator(by, b["code"], {k: _day(v) if k.startswith("baseline_") else v
                                       for k, v in b.items() if k != "code"})


# A decision on a measure: the schema its body is checked against and the call on the aggregate
# it becomes. The API's endpoints and the measure page's forms both take them from here.
DECISIONS: dict[str, tuple[type, Decision]] = {
    "revise": (RevisePlanSchema, lambda m, by, b: m.revise(by, b)),
    "decide": (DecideMeasureSchema, lambda m, by, b: m.decide(
        by, note=b.get("note"), meeting_id=str(b["meeting_id"]) if b.get("meeting_id") else None)),
    "assign": (AssignMeasureSchema, lambda m, by, b: m.assign(by, org=b["org"], person=b.get("person"),
                                                              partners=b.get("partners"))),
    "start": (StartMeasureSchema, lambda m, by, b: m.start_work(by, note=b.get("note"), on=_day(b.get("on")))),
    "progress": (ProgressSchema, lambda m, by, b: m.report_progress(by, achieved=b.get("achieved"),
                                                                    note=b.get("note"))),
    "pause": (ReasonSchema, lambda m, by, b: m.pause(by, reason=b["reason"])),
    "complete": (CompleteSchema, lambda m, by, b: m.complete(
        by, outcome=b["outcome"], achieved=b.get("achieved"), deviation_reason=b.get("deviation_reason"),
        success_factors=b.get("success_factors"))),
    "cancel": (ReasonSchema, lambda m, by, b: m.cancel(by, reason=b["reason"])),
    "escalate": (EscalateSchema, lambda m, by, b: m.escalate(by, support_needed=b["support_needed"],
                                                             note=b.get("note"))),
    "operations": (OperationsSchema, lambda m, by, b: m.move_to_operations(by, org=b.get("org"),
                                                                           note=b.get("note"))),
    "indicators": (IndicatorSchema, lambda m, by, b: m.define_indicator(by, b)),
    "indicator-revise": (ReviseIndicatorSchema, _revise_indicator),
    "indicator-value": (IndicatorValueSchema, lambda m, by, b: m.record_indicator_value(
        by, indicator=b["indicator"], value=b["value"], measured_on=_day(b["measured_on"]),
        source=b.get("source"), note=b.get("note"))),
    "unlink-case": (UnlinkCaseSchema, lambda m, by, b: m.unlink_case(by, case_id=str(b["case_id"]),
                                                                     note=b.get("note"))),
}


class MeasureCommands:
    """Mixed into the Ledger: ``self`` is the Ledger."""

    def propose_measure(self: Ledger, by: Actor, body: dict[str, Any]) -> Recorded:
        from koll.ledger.application import fingerprint_of

        make = Measure.record_running if body.get("inventory") else Measure.propose
        measure = make(by, id=UUID(str(body["id"])), fingerprint=fingerprint_of(body), plan=body,
                       indicators=body.get("indicators") or [], area=self.area_for(by, body.get("area")))
        return create_once(self, measure, "measure")

    def measure(self: Ledger, measure_id: UUID) -> Measure:
        return self._get(Measure, measure_id, what="measure")

    def decide_measure(self: Ledger, measure_id: UUID, expected_version: int,
                       decision: Callable[[Measure], None], by: Actor | None = None) -> Measure:
        return self.decide(Measure, measure_id, expected_version, decision, what="measure", by=by)

    def link_case_to_measure(self: Ledger, by: Actor, measure_id: UUID, expected_version: int,
                             case_id: UUID) -> Measure:
        self.require_in_area(self.measure(measure_id), by, "measure")  # another area's measure: not found
        try:
            case = self.case(case_id, by)
        except NotFound:
            raise DomainError(f"no case with id {case_id}",
                              sv=f"inget ärende med id {case_id}", field="case_id") from None
        return self.decide_measure(measure_id, expected_version,
                                   lambda m: m.link_case(by, case_id=str(case_id), case_area=getattr(case, "area", None)),
                                   by=by)

    def link_area_to_measure(self: Ledger, by: Actor, measure_id: UUID, expected_version: int, area: str) -> Measure:
        """A measure spans another area only by this explicit link."""
        from koll.ledger.usecases.areas import may_act_in

        if self.area_view(area) is None or not may_act_in(by, area):
            raise DomainError(f"no area '{area}' that you may act in", sv=f"inget område '{area}' som du får arbeta i",
                              field="area")
        return self.decide_measure(measure_id, expected_version, lambda m: m.link_area(by, area=area), by=by)

    def import_measures(self: Ledger, by: Actor, rows: Sequence[tuple[int, dict[str, Any]]],
                        record: bool = True, versioned: bool = False, with_ids: bool = True,
                        area: str | None = None) -> Imported:
        """The operational group's sheet, all or nothing: every row is checked under the same
        rules as the commands, every bad row is reported, and only a clean sheet is recorded,
        in one transaction. A row whose measure exists changes only what differs, and only when
        the row carries the version the measure is at now (``versioned``: the sheet has the
        Version column): an older copy never undoes newer work. A sheet without the Id column
        is matched to the measures by what they say, never imported as new copies of them.
        With ``record=False`` the rows are only checked."""
        errors: list[RowError] = []
        result = Imported()
        changed: list[Measure] = []
        ids = [UUID(str(r["id"])) if r.get("id") else sheet_row_id(r) for _, r in rows]
        if not with_ids:
            by_what = self._measures_by_what(by)
            ids = [by_what.get(_what_key(r), mid) for (_, r), mid in zip(rows, ids, strict=True)]
        existing, foreign = self._recorded_measures(ids)
        for mid in [m for m, measure in existing.items() if not Policy(by).may_see_record(measure)]:
            del existing[mid]  # another area's measure: as unknown to the importer as any other record
            foreign.add(mid)
        seen: dict[UUID, int] = {}
        for (number, row), mid in zip(rows, ids, strict=True):
            if mid in seen or mid in foreign:
                where = f"the same measure as row {seen[mid]}" if mid in seen else "something else in the ledger"
                errors.append(RowError(number, "id", f"this id belongs to {where}"))
                continue
            seen[mid] = number
            try:
                measure = existing.get(mid)
                was = measure.version if measure is not None else None
                if measure is None:
                    from koll.ledger.application import fingerprint_of

                    measure = Measure.propose(by, id=mid, fingerprint=fingerprint_of({**row, "id": str(mid)}),
                                              plan=row, area=self.area_for(by, area))
                    result.created.append(str(mid))
                else:
                    standing = _standing(measure)
                    changes = {k: row[k] for k in PLAN_FIELDS if k in row}
                    if "sorting_columns" in row:  # the sheet's sorting columns replace only themselves
                        kept = {k: v for k, v in measure.sorting.items() if k not in row["sorting_columns"]}
                        changes["sorting"] = kept | row["sorting"]
                    measure.revise(by, changes)
                measure.advance_to(by, row.get("status") or measure.status, _completion(row))
                if row.get("in_operations") and not measure.in_operations:
                    measure.move_to_operations(by)
                elif row.get("in_operations") is False and measure.in_operations:
                    raise DomainError("a measure in ordinary operations does not leave them by a sheet",
                                      field="in_operations")
            except DomainError as e:
                # A step the lifecycle refuses belongs to the Status column.
                where = e.details.get("field") or ("status" if isinstance(e, WorkflowError) else "_")
                errors.append(RowError(number, str(where), e.message))
                continue
            if measure.pending_events and str(mid) not in result.created:
                then = row.get("version")
                if not versioned or then != was:
                    message = msg("sheet_conflict", then=then, now=was) if versioned and then \
                        else msg("sheet_unversioned")
                    errors.append(RowError(number, "version", message["sv"]))
                    continue
            result.names[str(mid)] = measure.what
            if measure.pending_events:
                changed.append(measure)
                if str(mid) not in result.created:
                    result.updated.append(str(mid))
                    result.changes[str(mid)] = _plan_changes(standing, measure)
            elif str(mid) not in result.created:
                result.unchanged.append(str(mid))
        if errors:
            raise SheetRejected(errors)
        if changed and record:
            try:
                self.save(*changed)  # one transaction: all of the sheet or none of it
            except IntegrityError:
                from koll.ledger.application import StaleVersion

                raise StaleVersion("a measure in the sheet was changed by someone else while it was imported; "
                                   "nothing was recorded: import the sheet again") from None
        return result

    def _measures_by_what(self: Ledger, by: Actor) -> dict[str, UUID]:
        """Every measure in the importer's areas by what it says (a sheet without ids is matched
        by its first column)."""
        import json

        from koll.ledger.projections.measures import measures

        policy = Policy(by)
        with self.store.read() as conn:
            rows = conn.execute(sa.select(measures.c.measure_id, measures.c.what, measures.c.area,
                                          measures.c.linked_areas))
            return {_what_key({"what": what}): UUID(mid) for mid, what, area, linked in rows
                    if any(policy.may_see_area(a) for a in [area, *json.loads(linked or "[]")])}

    def _recorded_measures(self: Ledger, ids: Sequence[UUID]) -> tuple[dict[UUID, Measure], set[UUID]]:
        """The measures among ``ids`` that the ledger holds, and the ids it holds for something else."""
        wanted = sorted({str(i) for i in ids})
        found: list[str] = []
        with self.store.read() as conn:
            for i in range(0, len(wanted), 500):
                found += [r[0] for r in conn.execute(sa.select(events_table.c.originator_id).where(
                    events_table.c.originator_id.in_(wanted[i:i + 500]), events_table.c.originator_version == 1))]
        out: dict[UUID, Measure] = {}
        foreign: set[UUID] = set()
        for oid in found:
            aggregate = self.repository.get(UUID(oid))
            if isinstance(aggregate, Measure):
                out[UUID(oid)] = aggregate
            else:
                foreign.add(UUID(oid))
        return out, foreign
