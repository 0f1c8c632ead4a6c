"""A courier for an outbox table: what the ledger queued in an appending transaction is sent
after it, claimed so two instances never send one item at once, in ledger order per receiver,
retried with exponential back-off until the receiver takes it. Webhooks and mail use it.

An outbox table has: id, state ('pending' | 'delivered'), attempts, next_attempt_at,
claimed_until, last_status, last_error, delivered_at, and a column that names the receiver
(its items go out one after the other).
"""

from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa

from koll.ledger.store import Store

log = logging.getLogger("koll.courier")

CLAIM_SECONDS = 60
MAX_BACKOFF_SECONDS = 3600


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def backoff(attempts: int, base: float) -> float:
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_SECONDS)


def outbox_columns() -> list[sa.Column]:
    """The columns every outbox table shares."""
    return [
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime, nullable=False),
        sa.Column("claimed_until", sa.DateTime),
        sa.Column("last_status", sa.Integer),
        sa.Column("last_error", sa.Text),
        sa.Column("delivered_at", sa.DateTime),
    ]


class Courier:
    """Sends what is due. One per process and outbox; woken after a commit that queued, else polls."""

    table: sa.Table
    receiver: str  # the column whose items keep their order

    def __init__(self, store: Store, base_backoff: float = 5.0, poll_seconds: float = 5.0) -> None:
        self.store = store
        self.base_backoff = base_backoff
        self.poll_seconds = poll_seconds
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False

    # What a kind of outbox says for itself.

    def pending(self) -> sa.Select:
        """The pending items with what sending needs, oldest first."""
        return sa.select(self.table).where(self.table.c.state == "pending").order_by(self.table.c.id)

    def deliver(self, item: Any) -> tuple[bool, int | None, str | None]:
        """Send one item: (taken?, the receiver's status if any, the error if any)."""
        raise NotImplementedError

    # The rest is the same for every outbox.

    def wake(self) -> None:
        """Start the worker the first time there is something to send; nudge it after that."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"koll-{self.table.name}", daemon=True)
            self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped and not self.store.closed:
            self._wake.clear()
            try:
                # Woken from inside the appending transaction's commit: look twice, the second
                # time after the commit has surely landed.
                for pause in (0.0, 0.05):
                    time.sleep(pause)
                    while self.send_due() and not self._stopped:
                        pass
            except sa.exc.SQLAlchemyError as e:
                if self.store.closed:  # the service is shutting down: nothing to retry
                    return
                # One line a poll while the database is away, not a traceback every few seconds.
                first = str(getattr(e, "orig", None) or e).splitlines()[0] if str(e) else type(e).__name__
                log.warning("%s unreadable (%s); trying again in %.0f s", self.table.name, first, self.poll_seconds)
            self._wake.wait(self.poll_seconds)

    def _claim(self, limit: int) -> dict[Any, list[Any]]:
        """The due items, per receiver in ledger order: a receiver's later items wait while an
        earlier one is being retried, so it hears them in the order they were recorded."""
        now = utcnow()
        taken: dict[Any, list[Any]] = {}
        blocked: set[Any] = set()
        t = self.table
        with self.store.write() as conn:
            count = 0
            for item in conn.execute(self.pending().limit(limit * 10)):
                key = getattr(item, self.receiver)
                if key in blocked or count >= limit:
                    continue
                if item.next_attempt_at > now or (item.claimed_until is not None and item.claimed_until >= now):
                    blocked.add(key)
                    continue
                taken.setdefault(key, []).append(item)
                count += 1
            ids = [i.id for items in taken.values() for i in items]
            if ids:
                conn.execute(t.update().where(t.c.id.in_(ids))
                             .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS)))
        return taken

    def send_due(self, limit: int = 50) -> int:
        """Sends up to ``limit`` due items; returns how many were tried."""
        tried = 0
        for queue in self._claim(limit).values():
            for i, item in enumerate(queue):
                tried += 1
                if not self._send(item):  # the rest wait behind it
                    self._release([later.id for later in queue[i + 1:]])
                    break
        return tried

    def _release(self, ids: list[int]) -> None:
        if ids:
            with self.store.write() as conn:
                conn.execute(self.table.update().where(self.table.c.id.in_(ids)).values(claimed_until=None))

    def _send(self, item: Any) -> bool:
        try:
            ok, status, error = self.deliver(item)
        except Exception as e:  # noqa: BLE001 - a receiver's failure is a retry, never the worker's end
            ok, status, error = False, None, f"{type(e).__name__}: {e}"[:500]
        attempts = item.attempts + 1
        now = utcnow()
        values: dict[str, Any] = {"attempts": attempts, "last_status": status, "last_error": error,
                                  "claimed_until": None}
        if ok:
            values.update(state="delivered", delivered_at=now)
        else:
            values["next_attempt_at"] = now + timedelta(seconds=backoff(attempts, self.base_backoff))
            log.info("%s item %s not taken (%s); attempt %s", self.table.name, item.id, status or error, attempts)
        with self.store.write() as conn:
            conn.execute(self.table.update().where(self.table.c.id == item.id).values(**values))
        return ok

    def queue_length(self) -> tuple[int, int]:
        """(pending, pending whose last attempt failed): for /metrics."""
        t = self.table
        with self.store.read() as conn:
            pending, failing = conn.execute(sa.select(
                sa.func.count(), sa.func.coalesce(sa.func.sum(sa.case((t.c.attempts > 0, 1), else_=0)), 0))
                .where(t.c.state == "pending")).one()
        return int(pending), int(failing)

    def waiting(self) -> bool:
        with self.store.read() as conn:
            return bool(conn.execute(sa.select(sa.func.count()).select_from(self.table)
                                     .where(self.table.c.state == "pending")).scalar())
