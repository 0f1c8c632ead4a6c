"""Posting the webhook outbox: signed, through the shared courier (claims, order, back-off)."""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import requests
import sqlalchemy as sa

from koll.ledger.courier import Courier
from koll.ledger.store import Store
from koll.ledger.webhooks.outbox import deliveries, receivers

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


class WebhookCourier(Courier):
    table = deliveries
    receiver = "webhook_id"

    def __init__(self, store: Store, **kw: Any) -> None:
        super().__init__(store, **kw)
        self.http = requests.Session()

    def pending(self) -> sa.Select:
        return (sa.select(deliveries, receivers.c.url, receivers.c.secret)
                .join(receivers, receivers.c.id == deliveries.c.webhook_id)
                .where(deliveries.c.state == "pending", receivers.c.active.is_(True))
                .order_by(deliveries.c.id))

    def deliver(self, d: Any) -> tuple[bool, int | None, str | None]:
        body = d.body.encode("utf-8")
        headers = {"Content-Type": "application/json", "User-Agent": "Koll-Webhooks/1",
                   "Koll-Signature": signature(d.secret, int(time.time()), body),
                   "Koll-Delivery": str(d.id), "Koll-Event-Position": str(d.position)}
        try:
            status = self.http.post(d.url, data=body, headers=headers, timeout=TIMEOUT_SECONDS).status_code
        except requests.RequestException as e:
            return False, None, f"{type(e).__name__}: {e}"[:500]
        return 200 <= status < 300, status, None
