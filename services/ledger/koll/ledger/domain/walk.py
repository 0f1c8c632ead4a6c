"""Walk (trygghetsvandring): residents, associations and staff walk the square together and
note what makes it feel unsafe, and what works.

planned → started → ended. Findings are observations that carry the walk's id; the walk itself
records who planned it, where and when it went, in daylight or darkness, and who came.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, DomainError, KollAggregate

# Phones' clocks drift a little; a finding stamped just after the end still belongs to the walk.
CLOCK_DRIFT = timedelta(minutes=10)


class WalkEnded(DomainError):
    """A finding seen after the walk ended does not belong to it."""

    code = "walk_ended"


class Walk(KollAggregate):
    @event("Planned")
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002  chosen by the client so a retry finds the same walk
        title: str,
        planned_at: str,
        route: list[str],
        light: str,
        organisations: list[str],
        participants: str | None,  # sealed: names are personal data
        participant_counts: dict[str, int],
        fingerprint: str,
        by: dict[str, str],
        area: str | None = None,  # None only in a ledger from before areas (see Area.LedgerAdopted)
        join_code: str | None = None,  # the short code walkers type or scan to join; None on old walks
    ) -> None:
        self.area = area
        self.title = title
        self.planned_at = planned_at
        self.route = route
        self.light = light
        self.organisations = organisations
        self.participants = participants
        self.participant_counts = participant_counts
        self.fingerprint = fingerprint
        self.by = by
        self.join_code = join_code
        self.status = "planned"
        self.started_at: str | None = None
        self.ended_at: str | None = None
        self.summary: str | None = None

    def start(self, by: Actor, *, at: datetime, dark: bool) -> None:
        self.require("start", {"planned"})
        self._started(by=by.as_dict(), at=at.isoformat(), dark=dark)

    def end(self, by: Actor, *, at: datetime, summary: str | None) -> None:
        self.require("end", {"started"})
        self._ended(by=by.as_dict(), at=at.isoformat(), summary=summary)

    def check_finding(self, observed_at: datetime) -> None:
        """A phone may sync a walk's findings after the walk has ended (offline on the square);
        only what was seen after the end is refused."""
        if self.ended_at is not None and observed_at > datetime.fromisoformat(self.ended_at) + CLOCK_DRIFT:
            raise WalkEnded(f"the walk ended at {self.ended_at}; this was seen after it",
                            sv=f"vandringen avslutades {self.ended_at}; detta sågs efter den", field="walk_id",
                            ended_at=self.ended_at)

    @event("Started")
    def _started(self, by: dict[str, str], at: str, dark: bool) -> None:
        self.status = "started"
        self.started_at = at

    @event("Ended")
    def _ended(self, by: dict[str, str], at: str, summary: str | None) -> None:
        self.status = "ended"
        self.ended_at = at
        self.summary = summary

    @event("PeopleErased")
    def erase(self, *, reason: str, by: dict[str, str]) -> None:
        """The walkers' names and the summary made unreadable (the walk's key is destroyed with it)."""
        self.people_erased = True

    @property
    def planner(self) -> Actor:
        return Actor.from_dict(self.by)


# Join codes: six characters a walker can read out in the dark and type on a phone; no 0/O, 1/I.
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_LENGTH = 6


def is_join_code(text: str) -> bool:
    return len(text) == JOIN_LENGTH and all(c in JOIN_ALPHABET for c in text)


def participant_counts(participants: list[dict[str, Any]]) -> dict[str, int]:
    """How many of each kind walked: not personal, so it stays readable after erasure."""
    counts: dict[str, int] = {}
    for p in participants:
        counts[p["kind"]] = counts.get(p["kind"], 0) + 1
    return counts
