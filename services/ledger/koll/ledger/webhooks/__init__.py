"""Webhooks: other systems hear of what is recorded, exactly as the ledger recorded it.

A delivery is written to an outbox in the very transaction that appends its event, so a crash
can lose neither the event nor the news of it; a worker then posts it, signed, and retries
with back-off until the receiver acknowledges (2xx). Receivers see only what their
organisation may read.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from koll.ledger.store import Store
from koll.ledger.webhooks import outbox
from koll.ledger.webhooks.delivery import WebhookCourier


class Webhooks:
    """The ledger's side of webhooks: queue in the appending transaction, send after it commits."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.courier = WebhookCourier(store, base_backoff=float(os.environ.get("KOLL_WEBHOOK_BACKOFF_SECONDS", "5")))
        sa.event.listen(store.engine, "commit", self._after_commit)

    def enqueue(self, conn: sa.Connection, batch: Sequence[tuple[int, Any]]) -> None:
        if outbox.enqueue(conn, batch):
            conn.info["koll_webhooks_queued"] = True

    def _after_commit(self, conn: sa.Connection) -> None:
        if conn.info.pop("koll_webhooks_queued", False):
            self.courier.wake()

    def resume(self) -> None:
        """Deliveries left pending by an earlier process (a crash, a restart) are sent now."""
        if self.courier.waiting():
            self.courier.wake()

    def queue_length(self) -> tuple[int, int]:
        return self.courier.queue_length()
