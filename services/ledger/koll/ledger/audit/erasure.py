"""Erasure: a report's key destroyed in the transaction that records the erasure; its photos deleted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from koll.ledger.domain.base import Actor, DomainError

if TYPE_CHECKING:
    from koll.ledger.application import Ledger
    from koll.ledger.photos import PhotoStore


def _erase(ledger: Ledger, by: Actor, subject_id: UUID, reason: str, load: Callable[[UUID], Any],
           erased: Callable[[Any], bool]) -> tuple[Any, bool, bool]:
    """Record the aggregate's erasure and destroy its key in one transaction; repeating it finishes
    what a crash left undone. (aggregate, was it erased already, was a key destroyed now)."""
    if not reason or not reason.strip():
        raise DomainError("an erasure needs a reason", sv="en radering behöver ett skäl", field="reason")
    destroyed: list[bool] = []
    for _attempt in range(3):
        aggregate = load(subject_id)
        if erased(aggregate):
            with ledger.store.write() as conn:
                destroyed.append(ledger.vault.destroy(conn, str(subject_id)))
            return aggregate, True, any(destroyed)
        aggregate.erase(by=by.as_dict(), reason=reason.strip())
        try:
            ledger.save(aggregate, side_writes=[
                lambda conn: destroyed.append(ledger.vault.destroy(conn, str(subject_id)))])
            return aggregate, False, any(destroyed)
        except IntegrityError:
            destroyed.clear()  # someone appended to it meanwhile: load again
    raise DomainError("it kept changing while it was erased; try again",
                      sv="den ändrades medan den raderades; försök igen", field="id")


def note_erasure(ledger: Ledger, kind: str, subject_id: UUID, photos: list[str]) -> None:
    """Append the erasure to the list kept beyond the database (var/erasures.jsonl), fsync'd: an
    older backup still holds the key, and `koll restore` destroys it again from this list."""
    path = getattr(ledger, "erasure_list", None)
    if path is None:
        return
    import json
    import os
    from datetime import datetime, timezone

    line = json.dumps({"kind": kind, "subject_id": str(subject_id), "photos": photos,
                       "at": datetime.now(timezone.utc).isoformat()}, sort_keys=True) + "\n"
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        os.write(fd, line.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def erase_observation(ledger: Ledger, by: Actor, observation_id: UUID, reason: str,
                      photo_store: PhotoStore | None = None) -> dict[str, Any]:
    """Make a report's personal data unreadable: its note (sealed with its key) and its photos."""
    observation, already, destroyed = _erase(ledger, by, observation_id, reason, ledger.observation,
                                             lambda o: bool(getattr(o, "erased", False)))
    photos = list(getattr(observation, "photos", []))
    note_erasure(ledger, "observation", observation_id, photos)
    removed = sum(photo_store.delete(sha) for sha in photos) if photo_store is not None else 0
    return {"id": str(observation_id), "erased": True, "already_erased": already,
            "key_destroyed": destroyed, "photos": len(photos), "photo_files_deleted": removed}


def erase_walk_people(ledger: Ledger, by: Actor, walk_id: UUID, reason: str) -> dict[str, Any]:
    """Make a safety walk's walkers' names and its summary unreadable; its findings, route, light and
    the count of walkers by kind stay, and so does the protocol."""
    _walk, already, destroyed = _erase(ledger, by, walk_id, reason, ledger.walk,
                                       lambda w: bool(getattr(w, "people_erased", False)))
    note_erasure(ledger, "walk", walk_id, [])
    return {"id": str(walk_id), "erased": True, "already_erased": already, "key_destroyed": destroyed}

