"""Meetings (möten): scheduling, decisions that name what they touch, and holding the meeting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from koll.ledger.domain.base import Actor, DomainError, NotAllowed
from koll.ledger.domain.case import Case
from koll.ledger.domain.measure import Measure
from koll.ledger.domain.meeting import Meeting
from koll.ledger.usecases.measures import Recorded, create_once

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


_NONE_SV = {"measures": "ingen insats", "cases": "inget ärende"}

# Who runs a group's meetings (schedules, records decisions, holds them). The operational staff
# also prepare and minute the strategic group's meetings, which they report to; the strategic
# group does not run the operational group's.
RUN_BY = {"operational": ("operational", "admin"), "strategic": ("operational", "strategic", "admin")}
_GROUP_SV = {"operational": "operativa", "strategic": "strategiska"}


def require_may_run(group: str, by: Actor) -> None:
    if group in RUN_BY and by.role not in RUN_BY[group]:  # an unknown group is the domain's to refuse
        raise NotAllowed(f"the role '{by.role}' may not run the {group} group's meetings",
                         sv=f"rollen får inte hålla i den {_GROUP_SV.get(group, group)} gruppens möten")


class MeetingCommands:
    """Mixed into the Ledger: ``self`` is the Ledger."""

    def schedule_meeting(self: Ledger, by: Actor, body: dict[str, Any]) -> Recorded:
        from koll.ledger.application import fingerprint_of  # application imports this module

        require_may_run(body["group"], by)
        meeting = Meeting.schedule(by, id=UUID(str(body["id"])), group=body["group"], date=body["date"],
                                   title=body.get("title"), attendees=list(body.get("attendees") or []),
                                   fingerprint=fingerprint_of(body), area=self.area_for(by, body.get("area")))
        return create_once(self, meeting, "meeting")

    def meeting(self: Ledger, meeting_id: UUID) -> Meeting:
        return self._get(Meeting, meeting_id, what="meeting")

    def record_decision(self: Ledger, by: Actor, meeting_id: UUID, body: dict[str, Any]) -> Recorded:
        """A decision made at the meeting, idempotent on its id. Decisions are appended, not
        decided against a version: two secretaries noting decisions do not conflict."""
        from koll.ledger.application import ConflictingRepeat, fingerprint_of

        require_may_run(self.meeting(meeting_id).group, by)
        measures = [str(m) for m in body.get("measures") or []]
        cases = [str(c) for c in body.get("cases") or []]
        for ids, cls, name in ((measures, Measure, "measures"), (cases, Case, "cases")):
            for i in ids:
                try:
                    found = self._get(cls, UUID(i), what=name[:-1])
                    if isinstance(found, Case):
                        self._require_visible(found, by)
                except DomainError:
                    raise DomainError(f"no {name[:-1]} with id {i}", sv=f"{_NONE_SV[name]} med id {i}",
                                      field=name) from None
        decision_id = str(body["id"])
        fingerprint = fingerprint_of(body)
        for _attempt in range(5):  # another decision may land between our load and our save
            meeting = self.meeting(meeting_id)
            if meeting.decisions.get(decision_id, fingerprint) != fingerprint:
                raise ConflictingRepeat("this decision id was already used with other content",
                                        sv="beslutets id har redan använts med annat innehåll", field="id")
            if not meeting.decide(by, decision_id=decision_id, text=body["text"], measures=measures,
                                  cases=cases, fingerprint=fingerprint):
                return Recorded(decision_id, False)
            try:
                self.save(meeting)
                return Recorded(decision_id, True)
            except IntegrityError:
                continue
        raise DomainError("the meeting is busy; send the decision again",
                          sv="mötet ändras just nu; skicka beslutet igen", field="id")

    def hold_meeting(self: Ledger, by: Actor, meeting_id: UUID, expected_version: int,
                     conclusions: str | None, attendees: list[dict[str, Any]] | None) -> Meeting:
        """The meeting is held: its record closes (the audit trail hooks its digest on ``Held``)."""
        return self.decide(Meeting, meeting_id, expected_version,
                           lambda m: m.hold(by, conclusions=conclusions, attendees=attendees), what="meeting",
                           check=lambda m: require_may_run(m.group, by))
