"""User (användare): a person with one role in one organisation.

The ledger records who may act and who granted it; the secrets they sign in with (token and
password hashes) are kept beside it in ``credentials``, since an append-only record is no
place for anything that must be rotated or forgotten.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, KollAggregate

_USER_NS = uuid5(NAMESPACE_URL, "https://koll.example/user")


def user_id_for(name: str) -> UUID:
    """One user per name: adding the same name twice meets the first."""
    return uuid5(_USER_NS, name.strip().lower())


class User(KollAggregate):
    @event("Registered")
    def __init__(self, *, id: UUID, name: str, role: str, org: str, by: dict,  # noqa: A002
                 areas: list[str] | None = None) -> None:
        self.areas = list(areas or [])  # the areas they act in; none named: every area
        self.name = name
        self.role = role
        self.org = org
        self.active = True

    def deactivate_by(self, by: Actor) -> bool:
        """The user may no longer act; False when they already could not (a repeat records nothing)."""
        if not self.active:
            return False
        self.deactivate(by=by.as_dict())
        return True

    @event("Deactivated")
    def deactivate(self, *, by: dict) -> None:
        self.active = False

    def change_role(self, by: Actor, *, role: str, org: str) -> bool:
        """The user acts in another role or for another organisation from now on; False (nothing
        to record) when both are as they were."""
        if (role, org) == (self.role, self.org):
            return False
        self._role_changed(by=by.as_dict(), role=role, org=org)
        return True

    @event("RoleChanged")
    def _role_changed(self, by: dict, role: str, org: str) -> None:
        self.role = role
        self.org = org
