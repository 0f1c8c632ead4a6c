"""Users (användare): adding them, signing in, their tokens and sessions, and deactivating them.

Who may act is recorded in the ledger (the User aggregate); the secrets they act with are kept
beside it in ``credentials``. Every check reads both in one query, with no cache, so a revoked
token, an ended session or a deactivated user is refused by the next request on any worker.
These are the functions the admin pages and the API call: one place for each.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from eventsourcing.persistence import IntegrityError

from koll.ledger.credentials import TokenInfo, sessions
from koll.ledger.domain.base import SYSTEM, Actor, DomainError, NotFound
from koll.ledger.domain.user import User, user_id_for
from koll.ledger.projections.users import users
from koll.schema import taxonomy, vocabulary

if TYPE_CHECKING:
    from koll.ledger.application import Ledger


def actor_of(row: Any) -> Actor | None:
    """(name, role, org, areas as JSON) as the Actor who acts: areas decide, and are not recorded."""
    return Actor(user=row[0], role=row[1], org=row[2], areas=tuple(json.loads(row[3] or "[]"))) if row else None


class UserCommands:
    """Mixed into the Ledger: ``self`` is the Ledger."""

    def add_user(self: Ledger, name: str, role: str, org: str, by: Actor = SYSTEM, password: str | None = None,
                 token_expires_at: datetime | None = None, areas: Sequence[str] = ()) -> str:
        """Registers a user and returns their first token: shown once, stored only as a hash.
        ``areas``: the areas they act in (none: every area)."""
        known = {a.code for a in self.area_views()}
        unknown = [a for a in areas if a not in known]
        if unknown:
            raise DomainError(f"no area '{unknown[0]}'; known: {', '.join(sorted(known)) or 'none yet'}",
                              sv=f"inget område '{unknown[0]}'", field="areas")
        user = User(id=user_id_for(name), name=name, role=role, org=org, by=by.as_dict(), areas=sorted(set(areas)))
        try:
            self.save(user)
        except IntegrityError:
            raise DomainError(f"a user named '{name}' already exists",
                              sv=f"det finns redan en användare som heter '{name}'", field="name") from None
        if password:
            self.credentials.set_password(name, password)
        return self.credentials.issue_token(name, expires_at=token_expires_at)

    def check_sign_in(self: Ledger, name: str, password: str, address: str | None = None) -> Actor | None:
        """The active user whose password this is, else None (and the failure counted).

        Raises ``TooManyAttempts`` once the name or the client address has failed too often in
        the window. An unknown or deactivated name costs the same scrypt as a wrong password.
        """
        credentials = self.credentials
        hold = credentials.refuse_if_throttled(name, address)
        matches = credentials.check_password(name, password)
        actor = self.user(name) if matches else None
        if actor is None:
            credentials.record_failure(name, address)
            if hold:
                time.sleep(hold)  # each further guess is slower, until the limit refuses them
            return None
        credentials.forget_failures(name)
        return actor

    def sign_in(self: Ledger, name: str, password: str, label: str = "app", address: str | None = None,
                expires_at: datetime | None = None) -> tuple[str, Actor] | None:
        """A new token for a user whose password matches; None otherwise (see ``check_sign_in``)."""
        actor = self.check_sign_in(name, password, address)
        if actor is None:
            return None
        return self.credentials.issue_token(name, label=label, expires_at=expires_at), actor

    def open_session(self: Ledger, actor: Actor) -> str:
        """A board session for a signed-in user; its id goes in the cookie."""
        return self.credentials.open_session(actor.user)

    def session_actor(self: Ledger, sid: str) -> Actor | None:
        """Who holds this board session, with the role and organisation recorded now."""
        with self.store.read() as conn:
            row = self.credentials.actor_row_for_session(conn, sid)
        return actor_of(row)

    def end_session(self: Ledger, sid: str) -> None:
        self.credentials.end_session(sid)

    def user(self: Ledger, name: str) -> Actor | None:
        """The active user of this name, or None."""
        with self.store.read() as conn:
            row = conn.execute(sa.select(users.c.name, users.c.role, users.c.org, users.c.areas)
                               .where(users.c.name == name, users.c.active.is_(True))).first()
        return actor_of(row)

    def authenticate(self: Ledger, token: str) -> Actor | None:
        """The active user holding this live token, or None."""
        with self.store.read() as conn:
            row = self.credentials.actor_row_for_token(conn, token)
        return actor_of(row)

    def list_users(self: Ledger) -> list[dict[str, Any]]:
        """Every user, active or not, by name: name, role, org, active."""
        with self.store.read() as conn:
            rows = conn.execute(sa.select(users.c.name, users.c.role, users.c.org, users.c.active)
                                .order_by(users.c.name)).all()
        return [{"name": r[0], "role": r[1], "org": r[2], "active": bool(r[3])} for r in rows]

    def _known_user(self: Ledger, name: str) -> User:
        try:
            found: User | None = self._get(User, user_id_for(name), what="user")
        except NotFound:
            found = None
        if found is None or found.name != name:
            raise NotFound(f"no user named '{name}'", sv=f"ingen användare som heter '{name}'", name=name)
        return found

    def user_tokens(self: Ledger, name: str) -> list[TokenInfo]:
        """A user's tokens (public id, label, created, expires); never the tokens themselves."""
        self._known_user(name)
        return self.credentials.list_tokens(name)

    def revoke_tokens(self: Ledger, name: str, which: str | None = None) -> int:
        """Revokes all of a user's tokens, or the one(s) whose id or label is ``which``; returns
        how many. They are refused from the next request on."""
        self._known_user(name)
        return self.credentials.revoke_tokens(name, which)

    def deactivate_user(self: Ledger, by: Actor, name: str) -> bool:
        """Records that the user may no longer act (an event on the User) and ends every token and
        session they hold. False when they were already deactivated (nothing recorded)."""
        if by.user == name:
            raise DomainError("you may not deactivate yourself", sv="du kan inte avaktivera dig själv", field="name")
        user = self._known_user(name)
        changed = user.deactivate_by(by)
        if changed:
            self.save(user)
        self.credentials.end_all(name)
        return changed

    def change_role(self: Ledger, by: Actor, name: str, role: str, org: str) -> bool:
        """Records the user's new role and organisation (an event on the User); their sessions and
        tokens act in it from the next request. False when nothing changed (nothing recorded)."""
        if role not in vocabulary.codes(vocabulary.ROLES):
            raise DomainError(f"unknown role '{role}'", sv=f"okänd roll '{role}'", field="role")
        if org not in taxonomy.ORGANISATION_BY_CODE:
            raise DomainError(f"unknown organisation '{org}'", sv=f"okänd organisation '{org}'", field="org")
        if by.user == name and role != by.role:
            raise DomainError("you may not change your own role", sv="du kan inte byta din egen roll", field="role")
        user = self._known_user(name)
        changed = user.change_role(by, role=role, org=org)
        if changed:
            self.save(user)
        return changed

    def invite(self: Ledger, by: Actor, name: str, role: str, org: str) -> str:
        """Adds a user with no password and returns a one-time link secret with which they choose
        one (no password is ever made up, sent or shown by anyone else)."""
        self.add_user(name, role, org, by=by)
        self.credentials.revoke_tokens(name)  # add_user's first token: a board user has no use for it
        return self.credentials.issue_link(name)

    def reset_password(self: Ledger, name: str) -> str:
        """The old password stops working and every session ends; returns a new one-time link secret."""
        self._known_user(name)
        self.credentials.forget_password(name)
        with self.store.write() as conn:
            conn.execute(sessions.delete().where(sessions.c.user_name == name))
        return self.credentials.issue_link(name)
