"""Digests published beyond the database they guard: an append-only file, the log, a webhook.

A digest kept only in ``koll_digests`` proves nothing against someone who can write to the
database: they rewrite the chain and the table together, or delete the newest events and the
digests that named them. So every digest is also written, after its commit, to places the
database cannot reach:

- ``var/digests.jsonl`` (KOLL_DIGEST_FILE): one JSON line a digest, appended and fsync'd, never
  rewritten; the backup copies it and ``koll verify`` reads it;
- the log (logger ``koll.digest``), which the deployment ships elsewhere;
- optionally a webhook (KOLL_DIGEST_WEBHOOK), for a system kept by someone else.

Digests are made every KOLL_DIGEST_EVERY events (1000), every KOLL_DIGEST_SECONDS (an hour) when
the head has moved, and at every meeting (in the meeting's transaction). A publisher thread does
the work after the append's commit: an append never waits for it and never fails because of it;
what fails is logged and tried again on the next round (the file is caught up from the table by
the digests' ids, so nothing is lost while the disk or the webhook is away).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import urllib.request
import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from koll.ledger.audit.chain import VerifyReport, verify_chain
from koll.ledger.audit.digests import Digest, digests_table, head_digest, record_digest
from koll.ledger.migrations import ledger_id
from koll.ledger.store import GENESIS, Store, events_table

if TYPE_CHECKING:
    from koll.ledger.application import Ledger

log = logging.getLogger("koll.digest")

FILE_NAME = "digests.jsonl"
PAUSE_S = 0.5  # between rounds


@dataclass(frozen=True)
class OutsideSettings:
    path: Path
    every: int = 1000  # events
    seconds: float = 3600.0
    webhook: str | None = None

    @classmethod
    def from_env(cls, var_dir: Path, env: Mapping[str, str] | None = None) -> OutsideSettings:
        env = os.environ if env is None else env
        return cls(path=Path(env.get("KOLL_DIGEST_FILE") or Path(var_dir) / FILE_NAME),
                   every=max(1, int(env.get("KOLL_DIGEST_EVERY") or 1000)),
                   seconds=max(1.0, float(env.get("KOLL_DIGEST_SECONDS") or 3600)),
                   webhook=env.get("KOLL_DIGEST_WEBHOOK") or None)


def digest_line(row: Mapping[str, Any], ledger: str | None = None) -> dict[str, Any]:
    published = row["published_at"]
    if isinstance(published, datetime):
        published = published.isoformat() + "Z"
    line = {"id": row["id"], "position": row["position"], "chain_hash": row["chain_hash"],
            "merkle_root": row["merkle_root"], "published_at": published, "reason": row["reason"]}
    if ledger:
        line["ledger"] = ledger
    return line


class ForeignDigests(Exception):
    """The file holds digests of another ledger (another installation's data folder)."""


def foreign(lines: Sequence[Mapping[str, Any]], ledger: str | None) -> str | None:
    """The other ledger a file's digests belong to, if any (lines without an id are this one's)."""
    for d in lines:
        if d.get("ledger") and d["ledger"] != ledger:
            return str(d["ledger"])
    return None


def read_file(path: Path) -> list[dict[str, Any]]:
    """The lines of a digests file; a torn last line (a crash mid-write) is left out."""
    if not Path(path).exists():
        return []
    out = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except ValueError:
            continue
    return out


def outside_digests(path: Path) -> list[Digest]:
    return [Digest(position=int(d["position"]), chain_hash=str(d["chain_hash"]), published_at=d.get("published_at"),
                   reason=d.get("reason"), merkle_root=d.get("merkle_root"), source=f"outside file {path}")
            for d in read_file(path)]


def _identity(d: Mapping[str, Any]) -> tuple[Any, Any, Any]:
    return d.get("id"), d.get("position"), d.get("chain_hash")


def append_lines(path: Path, rows: list[dict[str, Any]], ledger: str | None = None) -> int:
    """Append the rows the file does not hold yet (by id), under a lock shared with other processes
    writing the same file; fsync'd before it returns. Returns how many were written. A file of
    another ledger's digests is left alone (ForeignDigests)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        existing = read_file(path)
        other = foreign(existing, ledger)
        if other:
            raise ForeignDigests(f"{path} holds the digests of another ledger ({other}); this is ledger {ledger}: "
                                 "nothing written. KOLL_DIGEST_FILE or KOLL_VAR_DIR points at another "
                                 "installation's file")
        known = {_identity(d) for d in existing}
        fresh = [d for d in (digest_line(r, ledger) for r in rows) if _identity(d) not in known]
        if fresh:
            size = os.fstat(fd).st_size
            data = "".join(json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n" for d in fresh).encode("utf-8")
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data  # a torn line from a crash stays alone on its line
            os.write(fd, data)
            os.fsync(fd)
        return len(fresh)
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def last_line_id(path: Path) -> int:
    return max((int(d.get("id") or 0) for d in read_file(path)), default=0)


class OutsidePublisher:
    """Makes digests when they are due and carries every digest of the table to the outside."""

    def __init__(self, store: Store, settings: OutsideSettings) -> None:
        self.store = store
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._webhook_todo: list[dict[str, Any]] = []
        self._exported = self._told = last_line_id(settings.path)  # in the file; told to the log and webhook
        self.failures = 0

    # Called after every append's commit: cheap, never raises, never waits.
    def appended(self, last_position: int) -> None:
        try:
            if self._thread is None:
                self.start()
            self._wake.set()
        except Exception:  # noqa: BLE001 - publishing must never fail an append
            log.exception("could not wake the digest publisher")

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="koll-digests", daemon=True)
                self._thread.start()
                _running.add(self)

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.is_set() and not self.store.closed:
            self._wake.wait(timeout=min(60.0, self.settings.seconds))
            self._wake.clear()
            if not self.store.closed:
                self.round()
            self._stop.wait(PAUSE_S)  # under load appends wake it all the time: a few rounds a second do
        if not self.store.closed:
            self.round(make=False)  # on the way out: whatever the table holds reaches the file

    def round(self, make: bool = True) -> None:
        """One pass: make a digest if one is due, then carry new digests outside. Never raises."""
        try:
            if make:
                self.make_due()
            self.export()
        except Exception:  # noqa: BLE001 - logged and tried again next round
            self.failures += 1
            log.exception("publishing digests failed; trying again on the next round")

    def due(self, conn: sa.Connection) -> str | None:
        head = conn.execute(sa.select(sa.func.max(events_table.c.id))).scalar() or 0
        t = digests_table
        last = conn.execute(sa.select(t.c.position, t.c.published_at).order_by(t.c.id.desc()).limit(1)).first()
        if last is None:  # none yet: count from the ledger's first event
            first_us = conn.execute(sa.select(events_table.c.occurred_us).where(events_table.c.id == 1)).scalar()
            first_at = datetime.fromtimestamp(first_us / 1e6, timezone.utc).replace(tzinfo=None) if first_us else None
            last = (0, first_at or datetime.now(timezone.utc).replace(tzinfo=None))
        if head <= last[0]:
            return None  # nothing new to vouch for
        if head // self.settings.every > last[0] // self.settings.every:
            return f"every {self.settings.every} events"
        if datetime.now(timezone.utc).replace(tzinfo=None) - last[1] >= timedelta(seconds=self.settings.seconds):
            return f"every {self.settings.seconds / 3600:g} h"
        return None

    def make_due(self) -> dict[str, Any] | None:
        # The head and its Merkle root (every chain hash read) in a read transaction, which never
        # holds up a writer; only the row's insert writes, and finds out first whether another
        # instance made this digest meanwhile.
        with self.store.read() as conn:
            reason = self.due(conn)
            if reason is None:
                return None
            head = head_digest(conn)
        with self.store.write() as conn:
            if self.store.dialect == "postgresql":  # one publisher at a time across instances
                conn.exec_driver_sql("SELECT pg_advisory_xact_lock(72111)")
            t = digests_table
            if conn.execute(sa.select(t.c.id).where(t.c.position >= head["position"]).limit(1)).first():
                return None
            return record_digest(conn, head, reason, "koll")

    def export(self) -> int:
        """Carry the table's new digests to the log and the webhook, and to the file; each place
        keeps its own mark, so a file that cannot be written holds up neither of the others."""
        t = digests_table
        with self.store.read() as conn:
            if (conn.execute(sa.select(sa.func.max(t.c.id))).scalar() or 0) < min(self._exported, self._told):
                self._exported = self._told = 0  # the table was replaced (restored, or dropped): all of it
            since = min(self._exported, self._told)
            rows = [dict(r._mapping) for r in conn.execute(sa.select(t).where(t.c.id > since).order_by(t.c.id))]
            ledger = ledger_id(conn) if rows else None
        for r in rows:
            if r["id"] > self._told:
                line = digest_line(r, ledger)
                log.info("digest %s", json.dumps(line, ensure_ascii=False, sort_keys=True))
                if self.settings.webhook:
                    self._webhook_todo.append(line)
                self._told = r["id"]
        self._retry_webhook()
        fresh = [r for r in rows if r["id"] > self._exported]
        if not fresh:
            return 0
        written = append_lines(self.settings.path, fresh, ledger)
        self._exported = fresh[-1]["id"]
        return written

    def _retry_webhook(self) -> None:
        while self._webhook_todo and self.settings.webhook:
            line = self._webhook_todo[0]
            request = urllib.request.Request(self.settings.webhook, data=json.dumps(line).encode("utf-8"),
                                             headers={"Content-Type": "application/json"}, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:
                    answer.read()
            except OSError as e:
                self.failures += 1
                log.warning("digest %s not delivered to the webhook (%s); it is tried again on the next round",
                            line["id"], e)
                del self._webhook_todo[:-1000]  # a webhook away for days must not fill the memory
                return
            self._webhook_todo.pop(0)


_running: weakref.WeakSet[OutsidePublisher] = weakref.WeakSet()


def stop_all() -> None:
    """Before a command-line process ends: every digest its appends made reaches the outside."""
    for publisher in list(_running):
        publisher.stop()


ERASURE_LIST = "erasures.jsonl"


def attach(ledger: Ledger, var_dir: Path, env: Mapping[str, str] | None = None) -> OutsidePublisher:
    """Give the ledger what it keeps beyond the database (once): the digest publisher, woken after
    every append's commit, and the erasure list that a restore of an older backup re-applies."""
    existing = getattr(ledger, "outside_digests", None)
    if existing is not None:
        return existing
    ledger.erasure_list = Path(var_dir) / ERASURE_LIST
    publisher = OutsidePublisher(ledger.store, OutsideSettings.from_env(var_dir, env))
    ledger.outside_digests = publisher
    ledger.recorder.after_commit.append(publisher.appended)
    return publisher


def verify_with_outside(store: Store, path: Path, kept: Sequence[Digest] = (),
                        progress: Callable[[int, int], None] | None = None) -> VerifyReport:
    """The chain checked against the table's digests, the outside file's and any others kept; then
    the table against the file: a digest the file keeps but the table no longer holds means the
    table was dropped, emptied or rewritten. Says how many events no outside digest covers yet."""
    lines = read_file(path)
    outside = outside_digests(path)
    names = set(sa.inspect(store.engine).get_table_names())
    if "koll_events" not in names:
        if outside or kept:
            return VerifyReport(ok=False, events=0, head_position=0, head_hash=GENESIS, first_bad_position=1,
                                reason="the ledger's table koll_events is missing (dropped), but digests kept "
                                       f"outside name positions up to {max(d.position for d in [*outside, *kept])}",
                                outside_digests=len(outside))
        return VerifyReport(ok=True, events=0, head_position=0, head_hash=GENESIS)
    has_table = digests_table.name in names
    with store.read() as conn:
        ours = ledger_id(conn)
    other = foreign(lines, ours)
    if other:
        return VerifyReport(ok=False, events=0, head_position=0, head_hash=GENESIS,
                            reason=f"the outside file {path} holds the digests of ledger {other}, but this database "
                                   f"is ledger {ours or '(without an id)'}: KOLL_DIGEST_FILE or KOLL_VAR_DIR points "
                                   "at another installation's file, or the database was replaced",
                            outside_digests=len(outside))
    report = verify_chain(store, [*kept, *outside], include_stored=has_table, progress=progress)
    report.outside_digests = len(outside)
    report.outside_position = max((d.position for d in outside if d.position <= report.head_position), default=0)
    report.not_covered = max(0, report.head_position - report.outside_position)
    if not report.ok:
        return report
    if not has_table:
        if lines:
            report.ok, report.reason = False, (f"the digests table {digests_table.name} is missing (dropped); the "
                                               f"outside file {path} keeps {len(lines)} digests it held")
        return report
    t = digests_table
    with store.read() as conn:
        held = {(r.id, r.position, r.chain_hash) for r in conn.execute(sa.select(t.c.id, t.c.position, t.c.chain_hash))}
    lost = [d for d in lines if _identity(d) not in held]
    if lost:
        first = lost[0]
        report.ok = False
        report.first_bad_position = None
        report.reason = (f"the digests table {t.name} no longer holds {len(lost)} of the {len(lines)} digests the "
                         f"outside file {path} keeps (first: #{first.get('id')} at position {first.get('position')}): "
                         "the table was dropped, emptied or rewritten")
    return report
