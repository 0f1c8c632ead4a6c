"""Group commit: reports arriving together are recorded in one transaction.

Every acknowledged report must be on disk (synchronous=FULL, one fsync per commit), and that
fsync is most of what a report costs. Under load, many requests wait for the disk at once;
letting one of them (the leader) commit everything queued so far, while the others wait for
that commit, turns N fsyncs into one without acknowledging anything before it is durable.
A lone request is its own leader and pays nothing extra.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

from eventsourcing.persistence import IntegrityError

T = TypeVar("T")


class _Slot(Generic[T]):
    __slots__ = ("items", "woken", "lead", "done", "error")

    def __init__(self, items: Sequence[T]) -> None:
        self.items = items
        self.woken = threading.Event()
        self.lead = False
        self.done = False
        self.error: BaseException | None = None


class GroupCommit(Generic[T]):
    def __init__(self, commit: Callable[[Sequence[T]], None]) -> None:
        self._commit = commit
        self._lock = threading.Lock()
        self._queue: list[_Slot[T]] = []
        self._leading = False

    def __call__(self, items: Sequence[T]) -> None:
        """Returns once ``items`` are committed; raises what their commit raised."""
        slot: _Slot[T] = _Slot(items)
        with self._lock:
            self._queue.append(slot)
            if not self._leading:
                self._leading = slot.lead = True
        if not slot.lead:
            slot.woken.wait()
        if slot.lead:
            self._lead()
        if slot.error is not None:
            raise slot.error

    def _lead(self) -> None:
        with self._lock:
            batch, self._queue = self._queue, []
        try:
            self._commit([item for s in batch for item in s.items])
        except IntegrityError:
            # One slot's conflict must not fail the others: commit each on its own.
            for s in batch:
                try:
                    self._commit(s.items)
                except BaseException as e:  # noqa: BLE001 - handed to the waiting caller
                    s.error = e
        except BaseException as e:  # noqa: BLE001
            for s in batch:
                s.error = e
        for s in batch:
            s.done = True
            s.lead = False
            s.woken.set()
        with self._lock:
            if self._queue:  # hand over: the first waiter commits the next group
                successor = self._queue[0]
                successor.lead = True
                successor.woken.set()
            else:
                self._leading = False
