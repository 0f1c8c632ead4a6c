"""Personal data sealed with a key of its own, so that it can be erased without touching the ledger.

Free text and photos may name people. Each report's personal fields are encrypted with a key
kept beside the ledger (not in it, and not in the hash chain); destroying that key makes every
copy unreadable, in the events and in the read models alike, while the chain still verifies.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Callable

import sqlalchemy as sa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from koll.ledger.store import Store, insert_rows, metadata

keys_table = sa.Table(
    "koll_keys",
    metadata,
    sa.Column("subject_id", sa.String(36), primary_key=True),
    sa.Column("key", sa.LargeBinary, nullable=False),
)

PREFIX = "sealed:v1:"
ERASED = "[raderad]"


def new_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def seal(key: bytes, text: str | None, subject_id: str) -> str | None:
    if text is None:
        return None
    nonce = os.urandom(12)
    ct = AESGCM(key).encrypt(nonce, text.encode("utf-8"), subject_id.encode())
    return PREFIX + base64.b64encode(nonce + ct).decode("ascii")


def open_sealed(key: bytes | None, token: str | None, subject_id: str) -> str | None:
    if token is None:
        return None
    if not token.startswith(PREFIX):
        return token
    if key is None:
        return ERASED
    raw = base64.b64decode(token[len(PREFIX):])
    return AESGCM(key).decrypt(raw[:12], raw[12:], subject_id.encode()).decode("utf-8")


class Vault:
    """The keys, by subject (a report's id)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def writer(self, keys: dict[str, bytes]) -> Callable[[sa.Connection], None]:
        """Rows to write in the same transaction as the events they seal."""

        def write(conn: sa.Connection) -> None:
            insert_rows(conn, keys_table, [{"subject_id": s, "key": k} for s, k in keys.items()])

        return write

    def keys(self, subject_ids: list[str]) -> dict[str, bytes]:
        if not subject_ids:
            return {}
        with self.store.read() as conn:
            rows = conn.execute(sa.select(keys_table.c.subject_id, keys_table.c.key)
                                .where(keys_table.c.subject_id.in_(subject_ids)))
            return {r[0]: bytes(r[1]) for r in rows}

    def open(self, subject_id: str, token: str | None) -> str | None:
        return open_sealed(self.keys([subject_id]).get(subject_id), token, subject_id)

    def destroy(self, conn: sa.Connection, subject_id: str) -> bool:
        return conn.execute(keys_table.delete().where(keys_table.c.subject_id == subject_id)).rowcount > 0
