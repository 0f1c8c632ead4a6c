"""Meetings (möten): scheduling, decisions that name what they touch, and holding the meeting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError

from koll.ledger.domain.base import Actor, DomainError, NotAllowed
from koll.ledger.domain.case import Case
from koll.ledger.domain.measure import Measure
from koll.ledger.domain.meeting import Meeting
from koll.ledger.policy import Policy
from koll.ledger.usecases.measures import Recorded, create_once

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


_NONE_SV = {"measures": "ingen insats", "cases": "inget ärende"}

# Who runs a group's meetings (schedules, records decisions, holds them). The operational staff
# also prepare and minute the strategic group's meetings, which they report to; the strategic
# group does not run the operational group's.
# The mobilisation's conference and workshops are run by either group's people.
RUN_BY = {"operational": ("operational", "admin"), "strategic": ("operational", "strategic", "admin"),
          "mobilisation": ("operational", "strategic", "admin"), "workshop": ("operational", "strategic", "admin")}
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

    def record_decision(self: Ledger, by: Actor, meeting_id: UUID, body: dict[str, Any],
                        expected_version: int | None = None) -> Recorded:
        """A decision made at the meeting, idempotent on its id. Decisions are appended, not
        decided against a version: two secretaries noting decisions do not conflict. A form
        that shows the meeting passes the version it showed (``expected_version``): a decision
        taken on what has since changed is refused."""
        from koll.ledger.application import ConflictingRepeat, StaleVersion, fingerprint_of

        held = self.meeting(meeting_id)
        self.require_in_area(held, by, "meeting")
        require_may_run(held.group, by)
        measures = [str(m) for m in body.get("measures") or []]
        cases = [str(c) for c in body.get("cases") or []]
        for ids, cls, name in ((measures, Measure, "measures"), (cases, Case, "cases")):
            for i in ids:
                try:
                    found = self._get(cls, UUID(i), what=name[:-1])
                    if isinstance(found, Case):
                        self._require_visible(found, by)
                    else:
                        self.require_in_area(found, by, name[:-1])
                except DomainError:
                    raise DomainError(f"no {name[:-1]} with id {i}", sv=f"{_NONE_SV[name]} med id {i}",
                                      field=name) from None
        decision_id = str(body["id"])
        fingerprint = fingerprint_of(body)
        retry = decision_id in self.meeting(meeting_id).decisions  # answered alike, not refused as answered
        answer = self._escalation_answer(body, by) if body.get("escalation") and not retry else None
        if answer and answer["measure"] not in measures:
            measures.append(answer["measure"])
        for _attempt in range(5):  # another decision may land between our load and our save
            meeting = self.meeting(meeting_id)
            if expected_version is not None and decision_id not in meeting.decisions \
                    and meeting.version != expected_version:
                raise StaleVersion(f"the meeting is at version {meeting.version}, not {expected_version}",
                                   current=meeting.version)
            if meeting.decisions.get(decision_id, fingerprint) != fingerprint:
                raise ConflictingRepeat("this decision id was already used with other content",
                                        sv="beslutets id har redan använts med annat innehåll", field="id")
            # Deciding measures from the gross list: each is decided in this meeting, in the same
            # transaction as the decision (its history names the meeting).
            deciding = body.get("decide_measures") and decision_id not in meeting.decisions
            to_decide = [m for m in (self.measure(UUID(i)) for i in measures) if m.status == "idea"] if deciding else []
            if not meeting.decide(by, decision_id=decision_id, text=body["text"], measures=measures,
                                  cases=cases, fingerprint=fingerprint, answer=answer,
                                  decided=[str(m.id) for m in to_decide]):
                return Recorded(decision_id, False)
            for m in to_decide:
                m.decide(by, note=body["text"], meeting_id=str(meeting_id))
            try:
                self.save(meeting, *to_decide)
                return Recorded(decision_id, True)
            except IntegrityError:
                if expected_version is not None:
                    raise StaleVersion("the meeting was changed by someone else just now",
                                       current=self.meeting(meeting_id).version) from None
                continue
        raise DomainError("the meeting is busy; send the decision again",
                          sv="mötet ändras just nu; skicka beslutet igen", field="id")

    def _escalation_answer(self: Ledger, body: dict[str, Any], by: Actor) -> dict[str, Any]:
        """The escalation a decision answers: asked for, and not answered before."""
        from koll.ledger.projections.meetings import answers
        from koll.ledger.projections.measures import escalations

        escalation = str(body["escalation"])
        with self.store.read() as conn:
            asked = conn.execute(sa.select(escalations.c.measure_id).where(
                escalations.c.escalation_id == escalation)).first()
            done = conn.execute(sa.select(answers.c.meeting_id).where(answers.c.escalation_id == escalation)).first()
        if asked is None or not Policy(by).may_see_record(self.measure(UUID(asked.measure_id))):
            # another area's escalation is as unknown as none: answering it would tell its measure
            raise DomainError(f"no escalation with id {escalation}", sv="ingen eskalering med det id:t",
                              field="escalation")
        if done is not None:
            raise DomainError("the escalation has already been answered", sv="eskaleringen är redan besvarad",
                              field="escalation")
        if not body.get("answer"):
            raise DomainError("an escalation's answer says granted, declined or other",
                              sv="svaret på en eskalering är beviljat, avslaget eller annat", field="answer")
        return {"escalation": escalation, "measure": asked.measure_id, "outcome": body["answer"]}

    def record_attendance(self: Ledger, by: Actor, meeting_id: UUID, expected_version: int,
                          attendance: list[dict[str, Any]]) -> Meeting:
        """Who came, by organisation: a count and any names (the conference had about 70)."""
        return self.decide(Meeting, meeting_id, expected_version, lambda m: m.record_attendance(by, attendance),
                           what="meeting", check=lambda m: require_may_run(m.group, by), by=by)

    def hold_meeting(self: Ledger, by: Actor, meeting_id: UUID, expected_version: int,
                     conclusions: str | None, attendees: list[dict[str, Any]] | None) -> Meeting:
        """The meeting is held: its record closes (the audit trail hooks its digest on ``Held``)."""
        return self.decide(Meeting, meeting_id, expected_version,
                           lambda m: m.hold(by, conclusions=conclusions, attendees=attendees), what="meeting",
                           check=lambda m: require_may_run(m.group, by), by=by)
