"""The steps around the plan (the report's färdplan): the shared situation description of an area,
written and revised by the groups, with its history read back from the ledger; and the area's
follow-up: its goals with indicators, and the safety surveys imported."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from eventsourcing.application import AggregateNotFoundError

from koll.ledger.domain.base import Actor, NotAllowed
from koll.ledger.domain.follow_up import FollowUp, follow_up_id
from koll.ledger.domain.situation_description import SituationDescription, description_id

if TYPE_CHECKING:
    from koll.ledger.application import Ledger

# Who writes the shared description: the groups that made it (the workshop's people sit in them).
DESCRIBE = ("operational", "strategic", "admin")


def require_may_describe(by: Actor) -> None:
    if by.role not in DESCRIBE:
        raise NotAllowed(f"the role '{by.role}' may not write the situation description",
                         sv="rollen får inte skriva lägesbeskrivningen")


class ProcessCommands:
    """Mixed into the Ledger: ``self`` is the Ledger."""

    def situation_description(self: Ledger, area: str) -> SituationDescription | None:
        """The area's description as it stands, or None when none is written yet."""
        try:
            found = self.repository.get(description_id(area))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, SituationDescription) else None

    def describe_situation(self: Ledger, by: Actor, area: str | None, expected_version: int,
                           text: dict[str, Any], note: str | None = None) -> SituationDescription:
        """Writes the area's description (``expected_version`` 0: none yet) or revises the version
        the caller read; another's revision in between is refused as stale, nothing written."""
        from koll.ledger.application import StaleVersion

        require_may_describe(by)
        code = self.area_for(by, area)
        current = self.situation_description(code)
        if current is None:
            if expected_version != 0:
                raise StaleVersion(f"no description at version {expected_version}", current=0)
            written = SituationDescription.write(by, area=code, text=text, note=note)
            self.save(written)
            return written
        return self.decide(SituationDescription, current.id, expected_version,
                           lambda d: d.revise(by, text=text, note=note), what="situation description")

    def situation_description_history(self: Ledger, area: str) -> list[dict[str, Any]]:
        """Every version of the area's description, newest first: when, by whom, the text."""
        out = []
        for e in self.history(description_id(area)):
            out.append({"version": e.originator_version, "at": e.timestamp, "by": e.by.get("user"),
                        "org": e.by.get("org"), "text": e.text, "note": e.note})
        return out[::-1]

    def follow_up(self: Ledger, area: str) -> FollowUp | None:
        """The area's goals and surveys, or None when none are set yet."""
        try:
            found = self.repository.get(follow_up_id(area))
        except AggregateNotFoundError:
            return None
        return found if isinstance(found, FollowUp) else None

    def _follow_up_for(self: Ledger, by: Actor, area: str | None) -> FollowUp:
        require_may_describe(by)
        code = self.area_for(by, area)
        return self.follow_up(code) or FollowUp.open(by, code)

    def set_goal(self: Ledger, by: Actor, area: str | None, goal: dict[str, Any]) -> FollowUp:
        """Sets one of the area's goals (a goal with the same code is replaced)."""
        follow_up = self._follow_up_for(by, area)
        follow_up.set_goal(by, goal)
        self.save(follow_up)
        return follow_up

    def import_survey(self: Ledger, by: Actor, area: str | None, name: str, text: str) -> FollowUp:
        """Imports a safety survey (CSV text, see koll.ledger.survey); refused whole on any bad row."""
        from koll.ledger.survey import parse_survey

        rows = parse_survey(text)
        follow_up = self._follow_up_for(by, area)
        follow_up.import_survey(by, name=name, rows=rows)
        self.save(follow_up)
        return follow_up
