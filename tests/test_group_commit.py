"""Group commit: concurrent callers share commits, each returns only after its own is done."""

from __future__ import annotations

import threading
import time

import pytest
from eventsourcing.persistence import IntegrityError

from koll.ledger.group_commit import GroupCommit


def test_concurrent_callers_share_commits_and_none_returns_early():
    committed: list[list[int]] = []
    durable: set[int] = set()

    def commit(items):
        time.sleep(0.01)  # a disk's fsync
        committed.append(list(items))
        durable.update(items)

    group = GroupCommit(commit)
    returned_before_durable: list[int] = []

    def caller(n: int) -> None:
        group([n])
        if n not in durable:
            returned_before_durable.append(n)

    threads = [threading.Thread(target=caller, args=(n,)) for n in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(x for batch in committed for x in batch) == list(range(40))
    assert returned_before_durable == []
    assert len(committed) < 40  # some commits carried several callers


def test_a_conflict_fails_only_the_caller_that_caused_it():
    def commit(items):
        if "bad" in items:
            raise IntegrityError("duplicate")
        time.sleep(0.005)

    group = GroupCommit(commit)
    outcomes: dict[str, str] = {}

    def caller(name: str) -> None:
        try:
            group([name])
            outcomes[name] = "ok"
        except IntegrityError:
            outcomes[name] = "conflict"

    threads = [threading.Thread(target=caller, args=(n,)) for n in ["a", "bad", "b", "c"]]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes == {"a": "ok", "bad": "conflict", "b": "ok", "c": "ok"}


def test_a_lone_caller_commits_at_once():
    seen = []
    GroupCommit(seen.append)(["x"])
    assert seen == [["x"]]
    with pytest.raises(ValueError):
        GroupCommit(lambda items: (_ for _ in ()).throw(ValueError("disk full")))(["y"])
