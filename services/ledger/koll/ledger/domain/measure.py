"""Measure (insats): one row of the operational group's plan, and what became of it.

idea (on the gross list) → decided → started → done | paused | cancelled; paused → started
again. A started or done measure can move into ordinary operations (ordinarie drift); any
measure not ended can be escalated to the strategic group with the support it needs.
Dates are ISO strings (YYYY-MM-DD): the event store's JSON takes no ``date``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, DomainError, KollAggregate

ACTIVE = frozenset({"decided", "started", "paused"})
ENDED = frozenset({"done", "cancelled"})
NOT_ENDED = frozenset({"idea"}) | ACTIVE
OUTCOMES = ("full", "partly", "not_reached")
DIRECTIONS = ("down", "up")  # whether success means fewer or more
INDICATOR_SOURCES = ("manual", "computed")

# The plan's columns: what a revision may change, and what an import compares.
PLAN_FIELDS = ("what", "start", "end", "goal", "resources", "indicators_text", "achieved", "owner_org",
               "owner_person", "follow_up", "palette", "track", "horizon", "focus_area", "sorting", "partners")

# The shortest way along the lifecycle from one status to another: what an imported sheet's
# Status column asks for is reached step by step, each step under the same rules as a command.
_PATHS: dict[str, tuple[str, ...]] = {
    "decided": ("decided",),
    "started": ("decided", "started"),
    "paused": ("decided", "started", "paused"),
    "done": ("decided", "started", "done"),
    "cancelled": ("cancelled",),
}


def iso_day(value: str | date | None, field: str) -> str | None:
    """A date as the ledger stores it, or a refusal that names the field."""
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value.isoformat()[:10]
    try:
        return date.fromisoformat(str(value)[:10]).isoformat()
    except ValueError:
        raise DomainError(f"'{value}' is not a date (YYYY-MM-DD)",
                          sv=f"'{value}' är inget datum (ÅÅÅÅ-MM-DD)", field=field) from None


def check_period(start: str | None, end: str | None) -> None:
    if start and end and end < start:
        raise DomainError("the end date is before the start date", sv="slutdatum ligger före startdatum", field="end")


def check_indicator(spec: dict[str, Any]) -> dict[str, Any]:
    """An indicator of success as the measure keeps it: a code, how it is measured, where it should go."""
    source = spec.get("source", "manual")
    if source not in INDICATOR_SOURCES:
        raise DomainError(f"unknown indicator source '{source}'",
                          sv=f"okänd källa för indikatorn '{source}'", field="indicators.source")
    direction = spec.get("direction", "down")
    if direction not in DIRECTIONS:
        raise DomainError(f"unknown direction '{direction}'",
                          sv=f"okänd riktning '{direction}'", field="indicators.direction")
    categories = list(spec.get("categories") or [])
    if source == "computed" and not categories:
        raise DomainError("a computed indicator names the categories it counts",
                          sv="en beräknad indikator anger vilka kategorier den räknar", field="indicators.categories")
    baseline_from = iso_day(spec.get("baseline_from"), "baseline_from")
    baseline_to = iso_day(spec.get("baseline_to"), "baseline_to")
    if bool(baseline_from) != bool(baseline_to):
        raise DomainError("a baseline period has a first and a last day",
                          sv="en baslinjeperiod har både första och sista dag", field="baseline_to")
    if baseline_from and baseline_to and baseline_to < baseline_from:
        raise DomainError("the baseline period ends before it starts",
                          sv="baslinjeperioden slutar innan den börjar", field="baseline_to")
    return {"code": spec["code"], "name": spec.get("name") or spec["code"], "unit": spec.get("unit"),
            "baseline": spec.get("baseline"), "target": spec.get("target"), "direction": direction,
            "source": source, "categories": categories, "places": list(spec.get("places") or []),
            "baseline_from": baseline_from, "baseline_to": baseline_to}


def required_text(value: str | None, field: str, en: str, sv: str) -> str:
    """A reason the server insists on: an empty or blank text is refused, whatever the browser let through."""
    text = (value or "").strip()
    if not text:
        raise DomainError(en, sv=sv, field=field)
    return text


class Measure(KollAggregate):
    @event("Proposed")
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002  chosen by the client, so a retry finds the same measure
        what: str,
        start: str | None,
        end: str | None,
        goal: str | None,
        resources: str | None,
        indicators_text: str | None,
        achieved: str | None,
        owner_org: str | None,
        owner_person: str | None,
        follow_up: str | None,
        palette: str | None,
        track: str | None,
        horizon: str | None,
        focus_area: str | None,
        sorting: dict[str, Any],
        partners: list[str],
        indicators: list[dict[str, Any]],
        fingerprint: str,
        by: dict[str, str],
        area: str | None = None,  # None only in a ledger from before areas (see Area.LedgerAdopted)
        inventory: bool = False,  # already running when it was recorded (the inventory, not a new idea)
    ) -> None:
        self.area = area
        self.inventory = inventory
        self.linked_areas: list[str] = []  # other areas it spans, by explicit link only
        self.what = what
        self.start = start
        self.end = end
        self.goal = goal
        self.resources = resources
        self.indicators_text = indicators_text
        self.achieved = achieved
        self.owner_org = owner_org
        self.owner_person = owner_person
        self.follow_up = follow_up
        self.palette = palette
        self.track = track
        self.horizon = horizon
        self.focus_area = focus_area
        self.sorting = sorting
        self.partners = partners
        self.indicators = indicators
        self.fingerprint = fingerprint
        self.status = "idea"
        self.outcome: str | None = None
        self.deviation_reason: str | None = None
        self.success_factors: str | None = None
        self.in_operations = False
        self.support_needed: str | None = None
        self.cases: list[str] = []

    @classmethod
    def propose(cls, by: Actor, *, id: UUID, fingerprint: str, plan: dict[str, Any],  # noqa: A002
                indicators: list[dict[str, Any]] = (), area: str | None = None) -> Measure:  # type: ignore[assignment]
        """A new measure on the gross list, its plan checked before anything is recorded."""
        plan = cls._checked_plan(plan)
        specs = [check_indicator(i) for i in indicators]
        if len({i["code"] for i in specs}) != len(specs):
            raise DomainError("two indicators share a code", sv="två indikatorer har samma kod", field="indicators")
        return cls(id=id, **plan, indicators=specs, fingerprint=fingerprint, by=by.as_dict(), area=area,
                   inventory=False)

    @classmethod
    def record_running(cls, by: Actor, *, id: UUID, fingerprint: str, plan: dict[str, Any],  # noqa: A002
                       indicators: list[dict[str, Any]] = (), area: str | None = None) -> Measure:  # type: ignore[assignment]
        """What an organisation already does (the inventory before the gross list): a measure
        running since a day in the past, recorded as proposed, decided and started on that day."""
        plan = cls._checked_plan(plan)
        if not plan["start"]:
            raise DomainError("say since when it runs", sv="ange sedan när insatsen pågår", field="start")
        if plan["start"] > date.today().isoformat():
            raise DomainError("work already running started in the past",
                              sv="det som redan pågår har startat, startdatum kan inte ligga i framtiden",
                              field="start")
        if not plan["owner_org"]:
            raise DomainError("say which organisation does it", sv="ange vilken organisation som gör det",
                              field="owner_org")
        specs = [check_indicator(i) for i in indicators]
        measure = cls(id=id, **plan, indicators=specs, fingerprint=fingerprint, by=by.as_dict(), area=area,
                      inventory=True)
        measure.decide(by, note="inventering: pågår redan")
        measure.start_work(by, on=plan["start"])
        return measure

    @staticmethod
    def _checked_plan(plan: dict[str, Any]) -> dict[str, Any]:
        # An empty cell and an empty text are the same absence: a sheet round trip must not differ.
        out = {f: (None if plan.get(f) == "" else plan.get(f)) for f in PLAN_FIELDS}
        if not (out["what"] or "").strip():
            raise DomainError("say what is to be done", sv="ange vad som ska göras", field="what")
        out["start"] = iso_day(out["start"], "start")
        out["end"] = iso_day(out["end"], "end")
        check_period(out["start"], out["end"])
        out["sorting"] = dict(out["sorting"] or {})
        # The owner is one of the organisations; partners are the others working with it.
        out["partners"] = sorted({p for p in (out["partners"] or []) if p != out["owner_org"]})
        return out

    @property
    def organisations(self) -> list[str]:
        return sorted({*(o for o in [self.owner_org] if o), *self.partners})

    def plan(self) -> dict[str, Any]:
        return {f: getattr(self, f) for f in PLAN_FIELDS}

    # Commands: check the rule, then record the fact.

    def revise(self, by: Actor, changes: dict[str, Any]) -> None:
        """Change columns of the plan; only what really changes is recorded."""
        merged = self._checked_plan({**self.plan(), **changes})
        changed = {k: v for k, v in merged.items() if v != getattr(self, k)}
        if changed:
            self.require("revise", NOT_ENDED | {"done"})
            self._revised(by=by.as_dict(), changes=changed)

    def decide(self, by: Actor, *, note: str | None = None, meeting_id: str | None = None) -> None:
        self.require("decide", {"idea"})
        self._decided(by=by.as_dict(), note=note, meeting_id=meeting_id)

    def assign(self, by: Actor, *, org: str, person: str | None, partners: list[str] | None = None) -> None:
        self.require("assign", NOT_ENDED)
        keep = self.partners if partners is None else partners
        self._assigned(by=by.as_dict(), org=org, person=person, partners=sorted({p for p in keep if p != org}))

    def start_work(self, by: Actor, *, note: str | None = None, on: str | None = None) -> None:
        self.require("start", {"decided", "paused"})
        self._started(by=by.as_dict(), note=note, on=iso_day(on, "on"))

    def report_progress(self, by: Actor, *, achieved: str | None, note: str | None = None) -> None:
        self.require("progress", {"started", "paused"})
        self._progress_reported(by=by.as_dict(), achieved=achieved, note=note)

    def pause(self, by: Actor, *, reason: str) -> None:
        self.require("pause", {"started"})
        reason = required_text(reason, "reason", "say why the measure is paused", "ange varför insatsen pausas")
        self._paused(by=by.as_dict(), reason=reason)

    def complete(self, by: Actor, *, outcome: str, achieved: str | None = None,
                 deviation_reason: str | None = None, success_factors: str | None = None) -> None:
        """Done, with how far the goal was reached; any shortfall says why."""
        self.require("complete", {"started"})
        if outcome not in OUTCOMES:
            raise DomainError(f"unknown outcome '{outcome}'", sv=f"okänt utfall '{outcome}'", field="outcome")
        if outcome != "full" and not (deviation_reason or "").strip():
            raise DomainError("a goal not fully reached needs the reason for the deviation",
                              field="deviation_reason")
        self._completed(by=by.as_dict(), outcome=outcome, achieved=achieved if achieved is not None else self.achieved,
                        deviation_reason=deviation_reason, success_factors=success_factors)

    def cancel(self, by: Actor, *, reason: str) -> None:
        self.require("cancel", NOT_ENDED)
        reason = required_text(reason, "reason", "say why the measure is cancelled", "ange varför insatsen avbryts")
        self._cancelled(by=by.as_dict(), reason=reason)

    def escalate(self, by: Actor, *, support_needed: str, note: str | None = None) -> None:
        """Ask the strategic group for what the operational group cannot decide itself."""
        self.require("escalate", NOT_ENDED)
        support_needed = required_text(support_needed, "support_needed", "say what support is needed",
                                       "ange vilket stöd som behövs")
        self._escalated(by=by.as_dict(), support_needed=support_needed, note=note)

    def move_to_operations(self, by: Actor, *, org: str | None = None, note: str | None = None) -> None:
        """From project form into ordinary operations: the report's endurance principle."""
        self.require("operations", {"started", "done"})
        if self.in_operations:
            raise DomainError("the measure is already part of ordinary operations",
                              sv="insatsen ingår redan i ordinarie drift", field="org")
        self._moved_to_operations(by=by.as_dict(), org=org or self.owner_org, note=note)

    def link_case(self, by: Actor, *, case_id: str, case_area: str | None = None) -> None:
        if case_id in self.cases:
            return  # linking twice is linking once
        if case_area and getattr(self, "area", None) and case_area not in self.areas:
            raise DomainError(f"the case is in {case_area}, outside the measure's areas; link the area first",
                              sv=f"ärendet hör till {case_area}, utanför insatsens områden; koppla området först",
                              field="case_id")
        self._case_linked(by=by.as_dict(), case_id=case_id)

    def unlink_case(self, by: Actor, *, case_id: str, note: str | None = None) -> None:
        """The case turned out not to be what the measure addresses."""
        if case_id not in self.cases:
            raise DomainError("the case is not linked to the measure",
                              sv="ärendet är inte kopplat till insatsen", field="case_id")
        self._case_unlinked(by=by.as_dict(), case_id=case_id, note=note)

    @property
    def areas(self) -> list[str]:
        """Its own area and those it was explicitly linked to (the strategic group's long-term work)."""
        own = getattr(self, "area", None)
        return [*([own] if own else []), *getattr(self, "linked_areas", [])]

    def link_area(self, by: Actor, *, area: str) -> bool:
        if area in self.areas:
            return False
        self._area_linked(by=by.as_dict(), area=area)
        return True

    @event("AreaLinked")
    def _area_linked(self, by: dict, area: str) -> None:
        self.linked_areas = [*getattr(self, "linked_areas", []), area]

    def define_indicator(self, by: Actor, spec: dict[str, Any]) -> None:
        indicator = check_indicator(spec)
        if any(i["code"] == indicator["code"] for i in self.indicators):
            raise DomainError(f"the measure already has an indicator '{indicator['code']}'",
                              sv=f"insatsen har redan en indikator '{indicator['code']}'", field="code")
        self._indicator_defined(by=by.as_dict(), indicator=indicator)

    def revise_indicator(self, by: Actor, code: str, changes: dict[str, Any]) -> None:
        """An indicator's baseline (value and period), target, name or unit changed; only what differs is recorded."""
        spec = next((i for i in self.indicators if i["code"] == code), None)
        if spec is None:
            raise DomainError(f"the measure has no indicator '{code}'",
                              sv=f"insatsen har ingen indikator '{code}'", field="indicator")
        allowed = ("name", "unit", "baseline", "target", "direction", "baseline_from", "baseline_to")
        merged = check_indicator({**spec, **{k: v for k, v in changes.items() if k in allowed}})
        changed = {k: v for k, v in merged.items() if v != spec.get(k)}
        if changed:
            self._indicator_revised(by=by.as_dict(), indicator=code, changes=changed)

    def record_indicator_value(self, by: Actor, *, indicator: str, value: float, measured_on: str,
                               source: str | None = None, note: str | None = None) -> None:
        """A value measured by hand (a safety survey, a police assessment)."""
        spec = next((i for i in self.indicators if i["code"] == indicator), None)
        if spec is None:
            raise DomainError(f"the measure has no indicator '{indicator}'",
                              sv=f"insatsen har ingen indikator '{indicator}'", field="indicator")
        if spec["source"] == "computed":
            raise DomainError(f"'{indicator}' is computed from the ledger, not recorded by hand",
                              sv=f"'{indicator}' beräknas ur liggaren och registreras inte för hand", field="indicator")
        self._indicator_value_recorded(by=by.as_dict(), indicator=indicator, value=float(value),
                                       measured_on=iso_day(measured_on, "measured_on"), source=source, note=note)

    def advance_to(self, by: Actor, status: str, completion: dict[str, Any]) -> None:
        """Walk the lifecycle to ``status`` one allowed step at a time (an imported sheet's Status)."""
        if status == self.status:
            return
        steps = _PATHS.get(status, ())
        if self.status in steps:
            steps = steps[steps.index(self.status) + 1:]
        elif self.status == "paused" and status in ("started", "done"):
            steps = ("started", "done")[: ("started", "done").index(status) + 1]
        for step in steps:
            if step == "decided":
                self.decide(by)
            elif step == "started":
                self.start_work(by)
            elif step == "paused":
                self.pause(by, reason=completion.get("deviation_reason") or "pausad enligt planen")
            elif step == "done":
                self.complete(by, outcome=completion.get("outcome") or "", achieved=completion.get("achieved"),
                              deviation_reason=completion.get("deviation_reason"),
                              success_factors=completion.get("success_factors"))
            elif step == "cancelled":
                self.cancel(by, reason=completion.get("deviation_reason") or "struken enligt planen")
        if self.status != status:
            raise DomainError(f"a measure cannot go from '{self.status}' to '{status}'",
                              sv=f"en insats kan inte gå från '{self.status}' till '{status}'", field="status")

    # Facts: how each recorded event changes the measure.

    @event("Revised")
    def _revised(self, by: dict, changes: dict[str, Any]) -> None:
        for k, v in changes.items():
            setattr(self, k, v)

    @event("Decided")
    def _decided(self, by: dict, note: str | None, meeting_id: str | None) -> None:
        self.status = "decided"

    @event("Assigned")
    def _assigned(self, by: dict, org: str, person: str | None, partners: list[str]) -> None:
        self.owner_org = org
        self.owner_person = person
        self.partners = partners

    @event("Started")
    def _started(self, by: dict, note: str | None, on: str | None) -> None:
        self.status = "started"

    @event("ProgressReported")
    def _progress_reported(self, by: dict, achieved: str | None, note: str | None) -> None:
        if achieved is not None:
            self.achieved = achieved

    @event("Paused")
    def _paused(self, by: dict, reason: str) -> None:
        self.status = "paused"

    @event("Completed")
    def _completed(self, by: dict, outcome: str, achieved: str | None, deviation_reason: str | None,
                   success_factors: str | None) -> None:
        self.status = "done"
        self.outcome = outcome
        self.achieved = achieved
        self.deviation_reason = deviation_reason
        self.success_factors = success_factors

    @event("Cancelled")
    def _cancelled(self, by: dict, reason: str) -> None:
        self.status = "cancelled"
        self.deviation_reason = reason

    @event("Escalated")
    def _escalated(self, by: dict, support_needed: str, note: str | None) -> None:
        self.support_needed = support_needed

    @event("MovedToOperations")
    def _moved_to_operations(self, by: dict, org: str | None, note: str | None) -> None:
        self.in_operations = True

    @event("CaseLinked")
    def _case_linked(self, by: dict, case_id: str) -> None:
        self.cases = [*self.cases, case_id]

    @event("CaseUnlinked")
    def _case_unlinked(self, by: dict, case_id: str, note: str | None) -> None:
        self.cases = [c for c in self.cases if c != case_id]

    @event("IndicatorRevised")
    def _indicator_revised(self, by: dict, indicator: str, changes: dict[str, Any]) -> None:
        self.indicators = [{**i, **changes} if i["code"] == indicator else i for i in self.indicators]

    @event("IndicatorDefined")
    def _indicator_defined(self, by: dict, indicator: dict[str, Any]) -> None:
        self.indicators = [*self.indicators, indicator]

    @event("IndicatorValueRecorded")
    def _indicator_value_recorded(self, by: dict, indicator: str, value: float, measured_on: str | None,
                                  source: str | None, note: str | None) -> None:
        pass  # values live in the read model that draws the trend; the measure needs none of them
