"""Tokens and passwords, stored only as hashes, beside the ledger rather than in it."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from datetime import datetime, timezone

import sqlalchemy as sa

from koll.ledger.store import Store, metadata

tokens = sa.Table(
    "koll_tokens",
    metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("user_name", sa.String(120), nullable=False, index=True),
    sa.Column("label", sa.String(60), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

passwords = sa.Table(
    "koll_passwords",
    metadata,
    sa.Column("user_name", sa.String(120), primary_key=True),
    sa.Column("hash", sa.String(200), nullable=False),
)

_N, _R, _P = 2**14, 8, 1


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_hash(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        candidate = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(candidate.hex(), digest)


class Credentials:
    def __init__(self, store: Store) -> None:
        self.store = store

    def issue_token(self, user_name: str, label: str = "cli") -> str:
        token = secrets.token_urlsafe(32)
        with self.store.write() as conn:
            conn.execute(tokens.insert().values(token_hash=token_hash(token), user_name=user_name, label=label,
                                                created_at=datetime.now(timezone.utc).replace(tzinfo=None)))
        return token

    def user_for_token(self, conn: sa.Connection, token: str) -> str | None:
        return conn.execute(sa.select(tokens.c.user_name).where(tokens.c.token_hash == token_hash(token))).scalar()

    def set_password(self, user_name: str, password: str) -> None:
        with self.store.write() as conn:
            conn.execute(passwords.delete().where(passwords.c.user_name == user_name))
            conn.execute(passwords.insert().values(user_name=user_name, hash=password_hash(password)))

    def check_password(self, user_name: str, password: str) -> bool:
        with self.store.read() as conn:
            stored = conn.execute(sa.select(passwords.c.hash).where(passwords.c.user_name == user_name)).scalar()
        return stored is not None and password_matches(password, stored)
