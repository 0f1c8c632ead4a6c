"""Small things every blueprint uses: the ledger of this process, a read transaction, the caller."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from flask import current_app

from koll.ledger.api.auth import current_actor
from koll.ledger.application import Ledger
from koll.ledger.domain.base import Actor


def koll():  # type: ignore[no-untyped-def]
    return current_app.extensions["koll"]


def ledger() -> Ledger:
    return koll().ledger


@contextmanager
def reading() -> Iterator[sa.Connection]:
    with koll().store.read() as conn:
        yield conn


def actor() -> Actor:
    a = current_actor()
    assert a is not None, "endpoint lacks @requires"
    return a
