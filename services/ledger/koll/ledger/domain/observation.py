"""Observation (iakttagelse): an immutable fact: who saw what, where and when."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, KollAggregate


class Observation(KollAggregate):
    """Recorded once, never changed. Its id is chosen by the phone, so a retry finds it."""

    @event("Recorded")
    def __init__(
        self,
        *,
        id: UUID,  # noqa: A002  chosen by the caller so a retry finds the same aggregate
        category: str,
        group: str,
        observed_at: str,
        location: dict[str, Any],
        place: str | None,
        note: str | None,
        walk_id: str | None,
        case_id: str,
        attributes: dict[str, Any],
        visibility: str,
        dark: bool,
        time_of_day: str,
        fingerprint: str,
        by: dict[str, str],
        area: str | None = None,  # None only in a ledger from before areas (see Area.LedgerAdopted)
        contact: str | None = None,  # None before it could be given; sealed: the address that hears when the case is resolved
    ) -> None:
        self.area = area
        self.contact = contact
        self.category = category
        self.group = group
        self.observed_at = observed_at
        self.location = location
        self.place = place
        self.note = note
        self.walk_id = walk_id
        self.case_id = case_id
        self.attributes = attributes
        self.visibility = visibility
        # Whether it was dark, and the time of day, when it was seen: the report's key
        # question ("most unsafe in the evening and in darkness"), fixed when recorded.
        self.dark = dark
        self.time_of_day = time_of_day
        self.fingerprint = fingerprint
        self.by = by
        self.photos: list[str] = []

    @event("PhotoAttached")
    def attach_photo(self, *, sha256: str, media_type: str, by: dict[str, str]) -> None:
        if sha256 not in self.photos:
            self.photos.append(sha256)

    @event("Erased")
    def erase(self, *, reason: str, by: dict[str, str]) -> None:
        """Its personal data made unreadable (the key is destroyed in the same transaction)."""
        self.erased = True

    @property
    def reporter(self) -> Actor:
        return Actor.from_dict(self.by)


def observation_uuid(value: str | UUID) -> UUID:
    return value if isinstance(value, UUID) else UUID(str(value))
