"""Case (ärende): the lifecycle of one problem at one place, gathering observations of it.

new → triaged → assigned → in_progress → resolved; closed (duplicate, not ours, no action)
from any open state; resolved or closed cases can be reopened.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, DomainError, KollAggregate
from koll.schema import taxonomy, vocabulary

OPEN = frozenset({"new", "triaged", "assigned", "in_progress"})
ENDED = frozenset({"resolved", "closed"})
CLOSE_REASONS = frozenset({"duplicate", "not_ours", "no_action"})

_CASE_NS = uuid5(NAMESPACE_URL, "https://koll.example/case")


def case_id_for(first_observation_id: UUID) -> UUID:
    """A case opened by an observation gets an id derived from it, so a retry opens no second case."""
    return uuid5(_CASE_NS, str(first_observation_id))


class Case(KollAggregate):
    @event("Opened")
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002  chosen by the caller so a retry finds the same aggregate
        category: str,
        group: str,
        place: str | None,
        location: dict[str, Any],
        visibility: str,
        first_observation: str,
        related_case: str | None,
        by: dict[str, str],
        area: str | None = None,  # None only in a ledger from before areas (see Area.LedgerAdopted)
    ) -> None:
        self.area = area
        self.category = category
        self.group = group
        self.place = place
        self.location = location
        self.visibility = visibility
        self.first_observation = first_observation
        self.related_case = related_case
        self.status = "new"
        self.priority: int | None = None
        self.assigned_org: str | None = None
        self.assigned_person: str | None = None
        self.close_reason: str | None = None
        self.duplicate_of: str | None = None
        self.public_note: str | None = None

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    # Commands: check the rule, then record the fact.

    def triage(self, by: Actor, *, priority: int, category: str | None, group: str | None, note: str | None) -> None:
        self.require("triage", {"new", "triaged"})
        category = category or self.category
        # A case recategorised to a closely held category is held as closely; it is never loosened,
        # since its reports were filed under the visibility they had then.
        visibility = vocabulary.stricter_visibility(self.visibility, taxonomy.category(category).visibility)
        self._triaged(by=by.as_dict(), priority=priority, category=category,
                      group=group or self.group, note=note, visibility=visibility)

    def assign(self, by: Actor, *, org: str, person: str | None) -> None:
        self.require("assign", {"triaged", "assigned", "in_progress"})
        self._assigned(by=by.as_dict(), org=org, person=person)

    def start_work(self, by: Actor, *, note: str | None) -> None:
        self.require("start", {"assigned"})
        self._work_started(by=by.as_dict(), note=note)

    def resolve(self, by: Actor, *, public_note: str | None) -> None:
        self.require("resolve", {"assigned", "in_progress"})
        self._resolved(by=by.as_dict(), public_note=public_note)

    def close(self, by: Actor, *, reason: str, duplicate_of: str | None = None, note: str | None = None) -> None:
        self.require("close", OPEN)
        if reason not in CLOSE_REASONS:
            raise DomainError(f"unknown reason to close a case: '{reason}'",
                              sv=f"okänt skäl att stänga ett ärende: '{reason}'", field="reason")
        if reason == "duplicate":
            if not duplicate_of:
                raise DomainError("a duplicate must name the case it duplicates",
                                  sv="en dubblett måste ange ärendet den är en dubblett av", field="duplicate_of")
            if duplicate_of == str(self.id):
                raise DomainError("a case cannot duplicate itself",
                                  sv="ett ärende kan inte vara en dubblett av sig självt", field="duplicate_of")
        self._closed(by=by.as_dict(), reason=reason, duplicate_of=duplicate_of, note=note)

    def reopen(self, by: Actor, *, reason: str) -> None:
        self.require("reopen", ENDED)
        self._reopened(by=by.as_dict(), reason=reason)

    # Facts: how each recorded event changes the case.

    @event("Triaged")
    def _triaged(self, by: dict, priority: int, category: str, group: str, note: str | None,
                 visibility: str | None = None) -> None:  # None: recorded before triage could tighten it
        self.status = "triaged"
        self.priority = priority
        self.category = category
        self.group = group
        self.visibility = visibility or self.visibility

    @event("Assigned")
    def _assigned(self, by: dict, org: str, person: str | None) -> None:
        self.status = "assigned"
        self.assigned_org = org
        self.assigned_person = person

    @event("WorkStarted")
    def _work_started(self, by: dict, note: str | None) -> None:
        self.status = "in_progress"

    @event("Resolved")
    def _resolved(self, by: dict, public_note: str | None) -> None:
        self.status = "resolved"
        self.public_note = public_note

    @event("Closed")
    def _closed(self, by: dict, reason: str, duplicate_of: str | None, note: str | None) -> None:
        self.status = "closed"
        self.close_reason = reason
        self.duplicate_of = duplicate_of

    @event("Reopened")
    def _reopened(self, by: dict, reason: str) -> None:
        self.status = "triaged"
        self.close_reason = None
        self.duplicate_of = None
