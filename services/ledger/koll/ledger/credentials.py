"""Tokens, passwords, board sessions and failed sign-ins, beside the ledger rather than in it.

Secrets are stored only as hashes. Everything here must be revocable at once and shared by
every worker and instance, so it lives in the database, never in a process's memory: a
revoked token, an ended session or a deactivated user is refused by the very next request.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.projections.users import users
from koll.ledger.store import Store, metadata

tokens = sa.Table(
    "koll_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(120), nullable=False, index=True),
    sa.Column("label", sa.String(60), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=True),  # None: until revoked (migration 0003)
)

passwords = sa.Table(
    "koll_passwords",
    metadata,
    sa.Column("user_name", sa.String(120), primary_key=True),
    sa.Column("hash", sa.String(200), nullable=False),
)

# A board's signed-in session: the cookie carries the id, the server keeps its hash, so signing
# out (or an admin deactivating the user) ends it on the server, whatever the browser still holds.
sessions = sa.Table(
    "koll_sessions",
    metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(120), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

# One row per failed sign-in, keyed by "user:<name>" and by "addr:<client address>".
signin_failures = sa.Table(
    "koll_signin_failures",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(200), nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("koll_signin_failures_key_at", "key", "at"),
    sa.Index("koll_signin_failures_at", "at"),
)

# A one-time link to choose one's password: the link carries a secret, the server keeps its hash.
signin_links = sa.Table(
    "koll_signin_links",
    metadata,
    sa.Column("link_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(120), nullable=False, index=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
)

_N, _R, _P = 2**14, 8, 1
LINK_LIFETIME = timedelta(hours=24)

SESSION_LIFETIME = timedelta(hours=12)  # a working day at the boards, then sign in again
FAILURE_WINDOW = timedelta(minutes=15)
USER_LIMIT = 10      # failures for one user name in the window, then 429
ADDRESS_LIMIT = 30   # failures from one address: higher, since a town hall signs in behind one NAT
SLOW_AFTER = 4       # after this many failures for a name, each further answer waits a little longer
SLOW_STEP_S = 0.1
TOKEN_ID_LENGTH = 12  # the public id of a token: the start of its hash, which reveals nothing of it


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(password.encode("utf-8", "surrogatepass"), salt=bytes.fromhex(salt),
                                   n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


_DUMMY: list[str] = []


def _dummy_hash() -> str:
    """A hash nobody's password matches, so an unknown name costs the same scrypt as a wrong password."""
    if not _DUMMY:
        _DUMMY.append(password_hash(secrets.token_urlsafe(16)))
    return _DUMMY[0]


class TooManyAttempts(Exception):
    """Too many failed sign-ins for this name or address: wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many failed sign-ins; try again in {retry_after} s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class TokenInfo:
    """What may be shown about a token: never the token itself."""

    id: str
    user: str
    label: str
    created_at: datetime
    expires_at: datetime | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "user": self.user, "label": self.label,
                "created_at": self.created_at.replace(tzinfo=timezone.utc).isoformat(),
                "expires_at": self.expires_at.replace(tzinfo=timezone.utc).isoformat() if self.expires_at else None}


# Asked on every request that carries a token: built once (projections.base.listed says why).
_TOKEN_HOLDER = (sa.select(users.c.name, users.c.role, users.c.org, users.c.areas)
                 .join(tokens, tokens.c.user_name == users.c.name)
                 .where(tokens.c.token_hash == sa.bindparam("hash"), users.c.active.is_(True),
                        sa.or_(tokens.c.expires_at.is_(None), tokens.c.expires_at > sa.bindparam("now"))))


class Credentials:
    def __init__(self, store: Store) -> None:
        self.store = store

    # Tokens (phones, scripts, the API).

    def issue_token(self, user_name: str, label: str = "cli", expires_at: datetime | None = None) -> str:
        """A new bearer token, shown once; ``expires_at`` (UTC) ends it by itself."""
        token = secrets.token_urlsafe(32)
        if expires_at is not None and expires_at.tzinfo is not None:
            expires_at = expires_at.astimezone(timezone.utc).replace(tzinfo=None)
        with self.store.write() as conn:
            conn.execute(tokens.insert().values(token_hash=token_hash(token), user_name=user_name, label=label,
                                                created_at=_now(), expires_at=expires_at))
        return token

    def actor_row_for_token(self, conn: sa.Connection, token: str) -> tuple[str, str, str, str] | None:
        """(name, role, org, areas) of the active user holding this unexpired token; one indexed query,
        no cache, so a revocation is seen by the next request on every worker."""
        row = conn.execute(_TOKEN_HOLDER, {"hash": token_hash(token), "now": _now()}).first()
        return tuple(row) if row else None  # type: ignore[return-value]

    def user_for_token(self, conn: sa.Connection, token: str) -> str | None:
        row = self.actor_row_for_token(conn, token)
        return row[0] if row else None

    def list_tokens(self, user_name: str) -> list[TokenInfo]:
        """The user's tokens, newest first, by public id (the start of the hash) and label."""
        t = tokens
        with self.store.read() as conn:
            rows = conn.execute(sa.select(t.c.token_hash, t.c.user_name, t.c.label, t.c.created_at, t.c.expires_at)
                                .where(t.c.user_name == user_name)
                                .order_by(t.c.created_at.desc(), t.c.token_hash)).all()
        return [TokenInfo(r[0][:TOKEN_ID_LENGTH], r[1], r[2], r[3], r[4]) for r in rows]

    def revoke_tokens(self, user_name: str, which: str | None = None) -> int:
        """Revokes the user's tokens: all of them, or those whose id or label is ``which``.
        Returns how many were revoked; they are refused from the next request on."""
        t = tokens
        cond = t.c.user_name == user_name
        if which:
            cond = sa.and_(cond, sa.or_(t.c.label == which, t.c.token_hash.startswith(which.lower(), autoescape=True)
                                        if len(which) >= 6 else sa.false()))
        with self.store.write() as conn:
            return conn.execute(t.delete().where(cond)).rowcount or 0

    # Passwords.

    def set_password(self, user_name: str, password: str) -> None:
        with self.store.write() as conn:
            conn.execute(passwords.delete().where(passwords.c.user_name == user_name))
            conn.execute(passwords.insert().values(user_name=user_name, hash=password_hash(password)))

    def check_password(self, user_name: str, password: str) -> bool:
        """Always one scrypt, whether or not the name has a password: the time taken says nothing
        about which names exist."""
        with self.store.read() as conn:
            stored = conn.execute(sa.select(passwords.c.hash).where(passwords.c.user_name == user_name)).scalar()
        matches = password_matches(password, stored or _dummy_hash())
        return stored is not None and matches

    # Throttling failed sign-ins, shared by every worker through the database.

    @staticmethod
    def _keys(user_name: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(f"user:{user_name.strip().lower()[:180]}", USER_LIMIT)]
        if address:
            keys.append((f"addr:{address[:180]}", ADDRESS_LIMIT))
        return keys

    def failures(self, user_name: str, address: str | None) -> dict[str, tuple[int, datetime | None]]:
        """For each key: failures inside the window and the oldest of them."""
        f = signin_failures
        since = _now() - FAILURE_WINDOW
        found: dict[str, tuple[int, datetime | None]] = {}
        with self.store.read() as conn:
            for key, _limit in self._keys(user_name, address):
                count, oldest = conn.execute(sa.select(sa.func.count(), sa.func.min(f.c.at))
                                             .where(f.c.key == key, f.c.at > since)).one()
                found[key] = (int(count), oldest)
        return found

    def refuse_if_throttled(self, user_name: str, address: str | None) -> float:
        """Raises TooManyAttempts when the name or the address has failed too often lately;
        otherwise returns how long (seconds) to hold this attempt's answer."""
        counts = self.failures(user_name, address)
        for key, limit in self._keys(user_name, address):
            count, oldest = counts[key]
            if count >= limit and oldest is not None:
                wait = (oldest + FAILURE_WINDOW - _now()).total_seconds()
                raise TooManyAttempts(max(1, math.ceil(wait)))
        user_count = counts[self._keys(user_name, None)[0][0]][0]
        return max(0, user_count - SLOW_AFTER) * SLOW_STEP_S

    def record_failure(self, user_name: str, address: str | None) -> None:
        f = signin_failures
        now = _now()
        with self.store.write() as conn:
            conn.execute(f.delete().where(f.c.at <= now - FAILURE_WINDOW))  # the table stays small
            conn.execute(f.insert(), [{"key": key, "at": now} for key, _ in self._keys(user_name, address)])

    def forget_failures(self, user_name: str) -> None:
        """A right password clears the name's count (the address's stays: it may be guessing others)."""
        f = signin_failures
        with self.store.write() as conn:
            conn.execute(f.delete().where(f.c.key == self._keys(user_name, None)[0][0]))

    # Board sessions.

    def open_session(self, user_name: str) -> str:
        """A new server-side session; the returned id goes into the (signed) cookie."""
        sid = secrets.token_urlsafe(32)
        now = _now()
        with self.store.write() as conn:
            conn.execute(sessions.delete().where(sessions.c.expires_at <= now))
            conn.execute(sessions.insert().values(session_hash=token_hash(sid), user_name=user_name,
                                                  created_at=now, expires_at=now + SESSION_LIFETIME))
        return sid

    def actor_row_for_session(self, conn: sa.Connection, sid: str) -> tuple[str, str, str, str] | None:
        """(name, role, org, areas) of the active user of this live session, read fresh every request."""
        s = sessions
        row = conn.execute(
            sa.select(users.c.name, users.c.role, users.c.org, users.c.areas)
            .join(s, s.c.user_name == users.c.name)
            .where(s.c.session_hash == token_hash(sid), users.c.active.is_(True), s.c.expires_at > _now())).first()
        return tuple(row) if row else None  # type: ignore[return-value]

    def end_session(self, sid: str) -> None:
        with self.store.write() as conn:
            conn.execute(sessions.delete().where(sessions.c.session_hash == token_hash(sid)))

    # One-time links to choose a password (a new user's first sign-in, a reset).

    def issue_link(self, user_name: str) -> str:
        """A new link secret for the user (any earlier link of theirs stops working), shown once."""
        secret = secrets.token_urlsafe(32)
        now = _now()
        with self.store.write() as conn:
            conn.execute(signin_links.delete().where(sa.or_(signin_links.c.user_name == user_name,
                                                            signin_links.c.expires_at <= now)))
            conn.execute(signin_links.insert().values(link_hash=token_hash(secret), user_name=user_name,
                                                      created_at=now, expires_at=now + LINK_LIFETIME))
        return secret

    def link_user(self, secret: str) -> str | None:
        """Whose live link this is (without using it up: a GET only shows the form)."""
        with self.store.read() as conn:
            return conn.execute(sa.select(signin_links.c.user_name).where(
                signin_links.c.link_hash == token_hash(secret), signin_links.c.expires_at > _now())).scalar()

    def use_link(self, secret: str, password: str) -> str | None:
        """Sets the password of the link's user and uses the link up, in one transaction; the
        user's name, or None when the link is unknown, used or expired."""
        with self.store.write() as conn:
            name = conn.execute(sa.select(signin_links.c.user_name).where(
                signin_links.c.link_hash == token_hash(secret), signin_links.c.expires_at > _now())).scalar()
            if name is None:
                return None
            conn.execute(signin_links.delete().where(signin_links.c.link_hash == token_hash(secret)))
            conn.execute(passwords.delete().where(passwords.c.user_name == name))
            conn.execute(passwords.insert().values(user_name=name, hash=password_hash(password)))
        return name

    def forget_password(self, user_name: str) -> None:
        """No password opens the account any more (a reset: the user chooses a new one by link)."""
        with self.store.write() as conn:
            conn.execute(passwords.delete().where(passwords.c.user_name == user_name))

    def end_all(self, user_name: str) -> None:
        """Every token and session of the user ends (on deactivation)."""
        with self.store.write() as conn:
            conn.execute(tokens.delete().where(tokens.c.user_name == user_name))
            conn.execute(sessions.delete().where(sessions.c.user_name == user_name))
            conn.execute(signin_links.delete().where(signin_links.c.user_name == user_name))
