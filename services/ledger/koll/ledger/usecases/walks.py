"""Safety walks (trygghetsvandringar): planning, starting and ending one.

The walkers' names are personal data: they are sealed with a key of the walk's own in the
vault, written in the same transaction as the plan, so erasing the walk's people is
destroying one key.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from koll.ledger.domain import clock, daylight
from koll.ledger.domain.base import Actor, DomainError, NotAllowed
from koll.ledger.domain.walk import JOIN_ALPHABET, JOIN_LENGTH, Walk, participant_counts
from koll.ledger.vault import new_key, seal

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


# Besides the walk's leader (who planned it), operational staff may start and end any walk.
LEAD_ANY_WALK = ("operational", "admin")


def require_may_lead(walk: Walk, by: Actor) -> None:
    """Only the walk's leader or operational staff start or end it: a walker joining it may not."""
    if by.role not in LEAD_ANY_WALK and by.user != walk.by.get("user"):
        raise NotAllowed("only the walk's leader or operational staff may start or end it",
                         sv="bara vandringens ledare eller operativ personal får starta eller avsluta den")


@dataclass(frozen=True)
class Planned:
    id: str
    created: bool
    join_code: str | None = None


class WalkCommands:
    """Mixed into the Ledger: ``self`` is the Ledger."""

    def plan_walk(self: Ledger, by: Actor, plan: dict[str, Any]) -> Planned:
        """Records a planned walk under the client's id; a retry with the same plan is answered
        alike, the same id with another plan is refused."""
        from koll.ledger.application import ConflictingRepeat, fingerprint_of

        walk_id = UUID(str(plan["id"]))
        fingerprint = fingerprint_of(plan)
        planned_at = plan["planned_at"]
        when = planned_at if isinstance(planned_at, datetime) else datetime.fromisoformat(planned_at)
        area = self.area_for(by, plan.get("area"))
        self._refuse_places_elsewhere(area, list(plan.get("route") or []))
        light = plan.get("light") or ("morker" if daylight.is_dark(when, self.sky_of(area)) else "dagsljus")
        people = list(plan.get("participants") or [])
        key = new_key()
        walk = Walk(id=walk_id, title=plan["title"], planned_at=when.isoformat(), route=list(plan.get("route") or []),
                    light=light, organisations=list(plan.get("organisations") or []),
                    participants=seal(key, json.dumps(people, ensure_ascii=False), str(walk_id)) if people else None,
                    participant_counts=participant_counts(people), fingerprint=fingerprint, by=by.as_dict(),
                    area=area, join_code=self._new_join_code())
        try:
            self.save(walk, side_writes=[self.vault.writer({str(walk_id): key})])
        except IntegrityError:
            existing = self.repository.get(walk_id)
            if not isinstance(existing, Walk) or existing.fingerprint != fingerprint:
                raise ConflictingRepeat("this id was already used for something else",
                                        sv="id:t används redan för något annat", field="id") from None
            return Planned(str(walk_id), False, getattr(existing, "join_code", None))
        return Planned(str(walk_id), True, walk.join_code)

    def _refuse_places_elsewhere(self: Ledger, area: str | None, route: list[str]) -> None:
        """A walk passes its own area's places (when the area names any): not another area's."""
        view = self.area_view(area) if area else None
        own = {p["code"] for p in view.definition["places"]} if view is not None else set()
        elsewhere = [code for code in route if code not in own]
        if view is not None and own and elsewhere:
            raise DomainError(f"the place '{elsewhere[0]}' is not one of the area {view.name_sv}'s places",
                              sv=f"platsen '{elsewhere[0]}' hör inte till området {view.name_sv}", field="route")

    def _new_join_code(self: Ledger) -> str:
        """A random code no walk that is planned or under way has (32^6: a billion of them)."""
        from koll.ledger.queries.walks import walk_id_by_code

        with self.store.read() as conn:
            while True:
                code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_LENGTH))
                if walk_id_by_code(conn, code, None) is None:  # unique across every area
                    return code

    def walk(self: Ledger, walk_id: UUID) -> Walk:
        return self._get(Walk, walk_id, what="walk")

    def start_walk(self: Ledger, by: Actor, walk_id: UUID, expected_version: int) -> Walk:
        now = clock.now()
        return self.decide(Walk, walk_id, expected_version,
                           lambda w: w.start(by, at=now, dark=daylight.is_dark(now, self.sky_of(getattr(w, "area", None)))),
                           what="walk",
                           check=lambda w: require_may_lead(w, by), by=by)

    def end_walk(self: Ledger, by: Actor, walk_id: UUID, expected_version: int, summary: str | None = None) -> Walk:
        key = self._walk_key(walk_id)
        # Once the walk's people are erased there is no key: a summary would have nothing to seal with.
        sealed = seal(key, summary, str(walk_id)) if summary and key else None
        return self.decide(Walk, walk_id, expected_version,
                           lambda w: w.end(by, at=clock.now(), summary=sealed), what="walk",
                           check=lambda w: require_may_lead(w, by), by=by)

    def _walk_key(self: Ledger, walk_id: UUID) -> bytes | None:
        return self.vault.keys([str(walk_id)]).get(str(walk_id))
