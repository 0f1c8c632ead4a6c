"""Meeting (möte): the operational group every three weeks, the strategic group above it.

planned → held. Decisions are recorded while the meeting is open, each one a fact that names
the measures and cases it touches; ``Held`` closes the record with the conclusions (and is
the moment the audit trail seals what the group saw).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, DomainError, KollAggregate
from koll.ledger.domain.measure import iso_day

GROUPS = ("operational", "strategic")


class Meeting(KollAggregate):
    @event("Scheduled")
    def __init__(self, *, id: UUID, group: str, date: str, title: str | None,  # noqa: A002
                 attendees: list[dict[str, Any]], fingerprint: str, by: dict[str, str],
                 area: str | None = None) -> None:  # None only in a ledger from before areas
        self.area = area
        self.group = group
        self.date = date
        self.title = title
        self.attendees = attendees
        self.fingerprint = fingerprint
        self.status = "planned"
        self.decisions: dict[str, str] = {}  # decision id -> its fingerprint, to answer a retry
        self.conclusions: str | None = None

    @classmethod
    def schedule(cls, by: Actor, *, id: UUID, group: str, date: str, title: str | None,  # noqa: A002
                 attendees: list[dict[str, Any]], fingerprint: str, area: str | None = None) -> Meeting:
        if group not in GROUPS:
            raise DomainError(f"unknown group '{group}'", sv=f"okänd grupp '{group}'", field="group")
        return cls(id=id, group=group, date=iso_day(date, "date"), title=title, attendees=attendees,
                   fingerprint=fingerprint, by=by.as_dict(), area=area)

    def decide(self, by: Actor, *, decision_id: str, text: str, measures: list[str], cases: list[str],
               fingerprint: str) -> bool:
        """Records a decision; False when this very decision was recorded before (a retry).
        The ledger answers a repeated id with other content before it gets here."""
        if decision_id in self.decisions:
            return False
        self.require("decide", {"planned"})
        self._decision_recorded(by=by.as_dict(), decision_id=decision_id, text=text, measures=measures,
                                cases=cases, fingerprint=fingerprint)
        return True

    def hold(self, by: Actor, *, conclusions: str | None, attendees: list[dict[str, Any]] | None) -> None:
        self.require("hold", {"planned"})
        self._held(by=by.as_dict(), conclusions=conclusions,
                   attendees=attendees if attendees is not None else self.attendees)

    @event("DecisionRecorded")
    def _decision_recorded(self, by: dict, decision_id: str, text: str, measures: list[str], cases: list[str],
                           fingerprint: str) -> None:
        self.decisions = {**self.decisions, decision_id: fingerprint}

    @event("Held")
    def _held(self, by: dict, conclusions: str | None, attendees: list[dict[str, Any]]) -> None:
        self.status = "held"
        self.conclusions = conclusions
        self.attendees = attendees
