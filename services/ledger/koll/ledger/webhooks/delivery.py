"""Posting the outbox: signed, claimed so two instances never send one delivery at once,
retried with exponential back-off until the receiver answers 2xx."""

from __future__ import annotations

import hashlib
import hmac
import logging
import threading
import time
from datetime import timedelta
from typing import Any

import requests
import sqlalchemy as sa

from koll.ledger.store import Store
from koll.ledger.webhooks.outbox import deliveries, receivers, utcnow

log = logging.getLogger("koll.webhooks")

CLAIM_SECONDS = 60
MAX_BACKOFF_SECONDS = 3600
TIMEOUT_SECONDS = 10


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the time is signed, so an old
    delivery replayed later is told by its age."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def verify(secret: str, header: str, body: bytes, now: float | None = None, tolerance: int = 300) -> bool:
    """What a receiver does with `Koll-Signature` (used by the tests, and documented for integrators)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if abs((now or time.time()) - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def backoff(attempts: int, base: float) -> float:
    return min(base * (2 ** max(attempts - 1, 0)), MAX_BACKOFF_SECONDS)


class Courier:
    """Sends what is due. One per process; wakes when an append queued something, else polls."""

    def __init__(self, store: Store, base_backoff: float = 5.0, poll_seconds: float = 5.0) -> None:
        self.store = store
        self.base_backoff = base_backoff
        self.poll_seconds = poll_seconds
        self.http = requests.Session()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._stopped = False

    def wake(self) -> None:
        """Start the worker the first time there is something to send; nudge it after that."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="koll-webhooks", daemon=True)
            self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

    def _run(self) -> None:
        while not self._stopped:
            self._wake.clear()
            try:
                # Woken from inside the appending transaction's commit: look twice, the second
                # time after the commit has surely landed.
                for pause in (0.0, 0.05):
                    time.sleep(pause)
                    while self.send_due() and not self._stopped:
                        pass
            except sa.exc.SQLAlchemyError:
                log.warning("webhook outbox unreadable; trying again", exc_info=True)
            self._wake.wait(self.poll_seconds)

    def _claim(self, limit: int) -> dict[str, list[Any]]:
        """The due deliveries, per receiver in ledger order: a receiver's later events wait while an
        earlier one is being retried, so it hears them in the order they were recorded."""
        now = utcnow()
        taken: dict[str, list[Any]] = {}
        blocked: set[str] = set()
        with self.store.write() as conn:
            pending = conn.execute(
                sa.select(deliveries.c.id, deliveries.c.webhook_id, deliveries.c.body, deliveries.c.attempts,
                          deliveries.c.next_attempt_at, deliveries.c.claimed_until, deliveries.c.position,
                          receivers.c.url, receivers.c.secret)
                .join(receivers, receivers.c.id == deliveries.c.webhook_id)
                .where(deliveries.c.state == "pending", receivers.c.active.is_(True))
                .order_by(deliveries.c.id).limit(limit * 10))
            count = 0
            for d in pending:
                if d.webhook_id in blocked or count >= limit:
                    continue
                if d.next_attempt_at > now or (d.claimed_until is not None and d.claimed_until >= now):
                    blocked.add(d.webhook_id)
                    continue
                taken.setdefault(d.webhook_id, []).append(d)
                count += 1
            ids = [d.id for ds in taken.values() for d in ds]
            if ids:
                conn.execute(deliveries.update().where(deliveries.c.id.in_(ids))
                             .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS)))
        return taken

    def send_due(self, limit: int = 50) -> int:
        """Posts up to ``limit`` due deliveries; returns how many were tried."""
        tried = 0
        for queue in self._claim(limit).values():
            for i, d in enumerate(queue):
                tried += 1
                if not self._send(d):  # the rest wait behind it
                    self._release([later.id for later in queue[i + 1:]])
                    break
        return tried

    def _release(self, ids: list[int]) -> None:
        if ids:
            with self.store.write() as conn:
                conn.execute(deliveries.update().where(deliveries.c.id.in_(ids)).values(claimed_until=None))

    def _send(self, d: Any) -> bool:
        body = d.body.encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": "Koll-Webhooks/1",
                   "Koll-Signature": signature(d.secret, int(time.time()), body),
                   "Koll-Delivery": str(d.id), "Koll-Event-Position": str(d.position)}
        status: int | None = None
        error: str | None = None
        try:
            status = self.http.post(d.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS).status_code
        except requests.RequestException as e:
            error = f"{type(e).__name__}: {e}"[:500]
        attempts = d.attempts + 1
        now = utcnow()
        values: dict[str, Any] = {"attempts": attempts, "last_status": status, "last_error": error,
                                  "claimed_until": None}
        if status is not None and 200 <= status < 300:
            values.update(state="delivered", delivered_at=now)
        else:
            values["next_attempt_at"] = now + timedelta(seconds=backoff(attempts, self.base_backoff))
            log.info("webhook delivery %s failed (%s); attempt %s", d.id, status or error, attempts)
        with self.store.write() as conn:
            conn.execute(deliveries.update().where(deliveries.c.id == d.id).values(**values))
        return values.get("state") == "delivered"
