"""The outbox: every report the phone files, as rows of a SQLite table under the app's data
folder, and the walk commands that must reach the server before the walk's findings.

A report's life (ODK Collect's lesson: explicit and visible):

    draft ──queue()──► ready ──claim()──► sending ──► sent
                         ▲                    │  └──► failed (the server's reason kept)
                         └──── release() ◄────┘        (network trouble: back off, retry)

Killing the app at any moment loses nothing: every transition is one committed transaction
(WAL, synchronous=FULL), and rows left in ``sending`` by a killed process go back to
``ready`` when the outbox is opened again. Sending twice is harmless, never duplicating: the
report's id is made on the phone and the body stored once, so a retry is byte-for-byte the
same request, which the server answers 200 with the same case.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from marshmallow import ValidationError

from koll.schema import taxonomy
from koll.schema.messages import flatten
from koll.schema.payloads import ObservationSchema

STATES = ("draft", "ready", "sending", "sent", "failed")
PHOTO_STATES = ("none", "pending", "sent", "failed")

SCHEMA = """
CREATE TABLE IF NOT EXISTS reports (
    id            TEXT PRIMARY KEY,
    seq           INTEGER NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    state         TEXT NOT NULL CHECK (state IN ('draft','ready','sending','sent','failed')),
    category      TEXT,
    walk_id       TEXT,
    body          TEXT NOT NULL,           -- the exact JSON sent, fixed once queued
    photo_path    TEXT,
    photo_state   TEXT NOT NULL DEFAULT 'none',
    photo_sha     TEXT,
    photo_attempts INTEGER NOT NULL DEFAULT 0,
    photo_next    REAL NOT NULL DEFAULT 0,
    photo_error   TEXT,
    case_id       TEXT,
    title         TEXT,
    http_status   INTEGER,
    error         TEXT,                    -- JSON: {"detail": {"sv","en"}, "errors": {...}}
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  REAL NOT NULL DEFAULT 0,
    author        TEXT,                    -- who filed it: the user signed in when it was queued
    token         TEXT                     -- their token, kept only until the server has it all
);
CREATE INDEX IF NOT EXISTS reports_due ON reports (state, next_attempt, seq);
CREATE TABLE IF NOT EXISTS commands (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL,           -- walk_create | walk_start | walk_end
    walk_id       TEXT NOT NULL,
    body          TEXT NOT NULL,
    state         TEXT NOT NULL DEFAULT 'ready',   -- ready | sent | failed
    attempts      INTEGER NOT NULL DEFAULT 0,
    next_attempt  REAL NOT NULL DEFAULT 0,
    error         TEXT,
    created_at    TEXT NOT NULL,
    author        TEXT,
    token         TEXT
);
"""


@dataclass(frozen=True)
class Author:
    """Who files: a report is sent with its author's token, whoever is signed in when it goes
    (a shared duty phone: A's unsent reports stay A's after B signs in)."""

    user: str
    token: str


class InvalidReport(ValueError):
    """The report would be refused by the server; ``errors`` by field path, {"sv","en"}."""

    def __init__(self, errors: dict[str, list[dict[str, str]]]):
        super().__init__(errors)
        self.errors = errors


@dataclass
class Row:
    id: str
    seq: int
    created_at: str
    updated_at: str
    state: str
    category: str | None
    walk_id: str | None
    body: dict[str, Any]
    photo_path: str | None
    photo_state: str
    photo_sha: str | None
    photo_error: dict[str, Any] | None
    case_id: str | None
    title: str | None
    http_status: int | None
    error: dict[str, Any] | None
    attempts: int
    next_attempt: float
    photo_attempts: int = 0
    photo_next: float = 0.0
    author: str | None = None
    token: str | None = None


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def validate(body: dict[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The server's own check, run on the phone: {} when the report would be accepted."""
    try:
        ObservationSchema().load(body)
    except ValidationError as e:
        return flatten(e.messages)
    return {}


def photo_problem(body: dict[str, Any], photo_path: str | None) -> dict[str, list[dict[str, str]]]:
    category = taxonomy.CATEGORY_BY_CODE.get(body.get("category", ""))
    if category is None:
        return {}
    if category.photo == "required" and not photo_path:
        return {"photo": [{"sv": "foto krävs för den här kategorin",
                           "en": "a photo is required for this category"}]}
    if category.photo == "blocked" and photo_path:
        return {"photo": [{"sv": "foton får inte bifogas för den här kategorin",
                           "en": "photos are not allowed for this category"}]}
    return {}


class Outbox:
    def __init__(self, data_dir: str | os.PathLike[str]):
        self.dir = Path(data_dir)
        self.photos = self.dir / "photos"
        self.photos.mkdir(parents=True, exist_ok=True)
        self.path = self.dir / "outbox.sqlite"
        self._local = threading.local()
        self._listeners: list = []
        self._db().executescript(SCHEMA)
        self._migrate()
        self.recover()

    # --- plumbing -------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA busy_timeout=10000")
            self._local.db = db
        return db

    class _Tx:
        def __init__(self, db: sqlite3.Connection):
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, *_):
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")
            return False

    def _tx(self) -> "Outbox._Tx":
        return Outbox._Tx(self._db())

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def on_change(self, callback) -> None:
        """``callback()`` after every change (from whichever thread made it)."""
        self._listeners.append(callback)

    def _changed(self) -> None:
        for cb in list(self._listeners):
            try:
                cb()
            except Exception:  # a listener's trouble is not the outbox's
                pass

    @staticmethod
    def _row(r: sqlite3.Row) -> Row:
        return Row(
            id=r["id"], seq=r["seq"], created_at=r["created_at"], updated_at=r["updated_at"],
            state=r["state"], category=r["category"], walk_id=r["walk_id"],
            body=json.loads(r["body"]), photo_path=r["photo_path"], photo_state=r["photo_state"],
            photo_sha=r["photo_sha"],
            photo_error=json.loads(r["photo_error"]) if r["photo_error"] else None,
            case_id=r["case_id"], title=r["title"], http_status=r["http_status"],
            error=json.loads(r["error"]) if r["error"] else None,
            attempts=r["attempts"], next_attempt=r["next_attempt"],
            photo_attempts=r["photo_attempts"], photo_next=r["photo_next"],
            author=r["author"], token=r["token"],
        )

    def _migrate(self) -> None:
        """An outbox from before reports kept their author: add the columns (rows stay NULL and
        go with whoever is signed in, as they always did)."""
        db = self._db()
        for table in ("reports", "commands"):
            have = {r[1] for r in db.execute(f"PRAGMA table_info({table})")}
            for col in ("author", "token"):
                if col not in have:
                    db.execute(f"ALTER TABLE {table} ADD COLUMN {col} TEXT")

    def forget_sent_tokens(self) -> None:
        """A token stays on the phone only while something of its author's is still to send."""
        with self._tx() as db:
            db.execute("UPDATE reports SET token=NULL WHERE token IS NOT NULL AND"
                       " (state='failed' OR (state='sent' AND photo_state!='pending'))")
            db.execute("UPDATE commands SET token=NULL WHERE token IS NOT NULL AND state!='ready'")

    def unsent_by(self, user: str) -> int:
        """Reports and walk commands of ``user`` still waiting for the server (sign-out warns)."""
        db = self._db()
        n = db.execute("SELECT COUNT(*) FROM reports WHERE author=? AND (state IN ('ready','sending')"
                       " OR (state='sent' AND photo_state='pending'))", (user,)).fetchone()[0]
        return n + db.execute("SELECT COUNT(*) FROM commands WHERE author=? AND state='ready'",
                              (user,)).fetchone()[0]

    def recover(self) -> int:
        """Rows a killed process left in ``sending`` go back to ``ready`` (safe to resend)."""
        with self._tx() as db:
            n = db.execute("UPDATE reports SET state='ready', next_attempt=0 WHERE state='sending'").rowcount
        return n

    def retry_now(self) -> int:
        """Forget the back-off (app start, "send now"): everything waiting is due at once."""
        with self._tx() as db:
            n = db.execute("UPDATE reports SET next_attempt=0 WHERE state='ready' AND next_attempt>0").rowcount
            db.execute("UPDATE reports SET photo_next=0 WHERE photo_state='pending'")
            db.execute("UPDATE commands SET next_attempt=0 WHERE state='ready'")
        if n:
            self._changed()
        return n

    # --- filing ---------------------------------------------------------------------------

    def _keep_photo(self, report_id: str, photo_path: str | None) -> str | None:
        """Copy the photo into the outbox's own folder (durably) before the row refers to it."""
        if not photo_path:
            return None
        src = Path(photo_path)
        if src.parent == self.photos:
            return str(src)
        dest = self.photos / f"{report_id}{src.suffix.lower() or '.jpg'}"
        tmp = dest.with_suffix(dest.suffix + ".part")
        shutil.copyfile(src, tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, dest)
        return str(dest)

    def _next_seq(self, db: sqlite3.Connection) -> int:
        return (db.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM reports").fetchone()[0])

    def save_draft(self, body: dict[str, Any], photo_path: str | None = None, author: Author | None = None) -> str:
        """Keep an unfinished report; it is not sent until ``queue``d (no token kept for it)."""
        body = dict(body)
        body.setdefault("id", str(uuid.uuid4()))
        photo = self._keep_photo(body["id"], photo_path)
        now = _now_iso()
        with self._tx() as db:
            db.execute(
                "INSERT INTO reports (id, seq, created_at, updated_at, state, category, walk_id, body, photo_path,"
                " author) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?)"
                " ON CONFLICT(id) DO UPDATE SET updated_at=excluded.updated_at, category=excluded.category,"
                " walk_id=excluded.walk_id, body=excluded.body, photo_path=excluded.photo_path,"
                " author=excluded.author WHERE reports.state='draft'",
                (body["id"], self._next_seq(db), now, now, body.get("category"), body.get("walk_id"),
                 json.dumps(body, ensure_ascii=False), photo, author.user if author else None),
            )
        self._changed()
        return body["id"]

    def queue(self, body: dict[str, Any], photo_path: str | None = None, author: Author | None = None) -> str:
        """Check the report as the server will, then put it in line to be sent, as ``author``'s."""
        body = {k: v for k, v in body.items() if v is not None}
        body.setdefault("id", str(uuid.uuid4()))
        errors = validate(body)
        errors.update(photo_problem(body, photo_path))
        if errors:
            raise InvalidReport(errors)
        photo = self._keep_photo(body["id"], photo_path)
        now = _now_iso()
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
        with self._tx() as db:
            existing = db.execute("SELECT state FROM reports WHERE id=?", (body["id"],)).fetchone()
            if existing is not None and existing["state"] not in ("draft", "failed"):
                raise ValueError(f"report {body['id']} is already queued ({existing['state']})")
            db.execute("DELETE FROM reports WHERE id=?", (body["id"],))
            db.execute(
                "INSERT INTO reports (id, seq, created_at, updated_at, state, category, walk_id, body,"
                " photo_path, photo_state, author, token) VALUES (?, ?, ?, ?, 'ready', ?, ?, ?, ?, ?, ?, ?)",
                (body["id"], self._next_seq(db), now, now, body["category"], body.get("walk_id"), text,
                 photo, "pending" if photo else "none", author.user if author else None,
                 author.token if author else None),
            )
        self._changed()
        return body["id"]

    def queue_many(self, bodies: Iterable[dict[str, Any]], author: Author | None = None) -> list[str]:
        """Queue many photo-less reports in one transaction (imports, benchmarks)."""
        rows, ids = [], []
        now = _now_iso()
        for body in bodies:
            body = {k: v for k, v in body.items() if v is not None}
            body.setdefault("id", str(uuid.uuid4()))
            errors = validate(body)
            errors.update(photo_problem(body, None))
            if errors:
                raise InvalidReport(errors)
            ids.append(body["id"])
            rows.append((body["id"], now, now, body["category"], body.get("walk_id"),
                         json.dumps(body, ensure_ascii=False, separators=(",", ":")),
                         author.user if author else None, author.token if author else None))
        with self._tx() as db:
            seq = self._next_seq(db)
            db.executemany(
                "INSERT INTO reports (id, seq, created_at, updated_at, state, category, walk_id, body, author, token)"
                " VALUES (?, ?, ?, ?, 'ready', ?, ?, ?, ?, ?)",
                [(r[0], seq + i, *r[1:]) for i, r in enumerate(rows)],
            )
        self._changed()
        return ids

    def reopen(self, report_id: str) -> Row:
        """A failed report back to a draft, to be corrected and queued again. After a 409
        (the id was used for another body) the draft gets a fresh id."""
        with self._tx() as db:
            r = db.execute("SELECT * FROM reports WHERE id=? AND state='failed'", (report_id,)).fetchone()
            if r is None:
                raise KeyError(report_id)
            row = self._row(r)
            body = row.body
            if row.http_status == 409:
                body = {**body, "id": str(uuid.uuid4())}
                db.execute("DELETE FROM reports WHERE id=?", (report_id,))
                db.execute(
                    "INSERT INTO reports (id, seq, created_at, updated_at, state, category, walk_id, body, photo_path)"
                    " VALUES (?, ?, ?, ?, 'draft', ?, ?, ?, ?)",
                    (body["id"], row.seq, row.created_at, _now_iso(), row.category, row.walk_id,
                     json.dumps(body, ensure_ascii=False), row.photo_path))
            else:
                db.execute("UPDATE reports SET state='draft', updated_at=?, photo_state='none' WHERE id=?",
                           (_now_iso(), report_id))
        self._changed()
        return self.get(body["id"])  # type: ignore[return-value]

    def delete_draft(self, report_id: str) -> None:
        with self._tx() as db:
            db.execute("DELETE FROM reports WHERE id=? AND state IN ('draft','failed')", (report_id,))
        self._changed()

    # --- sending --------------------------------------------------------------------------

    def claim(self, limit: int, now: float | None = None, own_token_only: bool = False) -> list[Row]:
        """Take up to ``limit`` due reports (oldest first) into ``sending``. Findings of a walk
        whose creation has not reached the server yet wait for it. ``own_token_only``: nobody
        is signed in, so only reports that carry their author's token can go."""
        now = time.time() if now is None else now
        with self._tx() as db:
            rows = db.execute(
                "SELECT * FROM reports WHERE state='ready' AND next_attempt<=? AND (walk_id IS NULL OR"
                " walk_id NOT IN (SELECT walk_id FROM commands WHERE kind='walk_create' AND state!='sent'))"
                + (" AND token IS NOT NULL" if own_token_only else "") +
                " ORDER BY seq LIMIT ?", (now, limit)).fetchall()
            ids = [r["id"] for r in rows]
            db.executemany("UPDATE reports SET state='sending', updated_at=? WHERE id=?",
                           [(_now_iso(), i) for i in ids])
        if ids:
            self._changed()
        return [self._row(r) for r in rows]

    def mark_sent(self, report_id: str, status: int, case_id: str | None, title: str | None = None) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE reports SET state='sent', http_status=?, case_id=?, title=?, error=NULL, updated_at=?"
                " WHERE id=? AND state='sending'", (status, case_id, title, _now_iso(), report_id))
        self._changed()

    def apply_results(self, results: list[dict[str, Any]], retry_after: float) -> dict[str, int]:
        """The batch's answer, one transaction: 201/200 sent, 409/422/404 failed with the
        server's reason, anything else back in line after ``retry_after`` seconds."""
        counts = {"sent": 0, "failed": 0, "retry": 0}
        now_iso = _now_iso()
        with self._tx() as db:
            for res in results:
                rid, status = str(res.get("id")), int(res.get("status", 0))
                if status in (200, 201):
                    db.execute(
                        "UPDATE reports SET state='sent', http_status=?, case_id=?, title=?, error=NULL,"
                        " updated_at=? WHERE id=? AND state='sending'",
                        (status, res.get("case_id"), res.get("title"), now_iso, rid))
                    counts["sent"] += 1
                elif status in (404, 409, 422, 400, 403):
                    error = {"title": res.get("title"), "errors": res.get("errors") or {},
                             "detail": res.get("detail")}
                    db.execute(
                        "UPDATE reports SET state='failed', http_status=?, error=?, updated_at=?, photo_state="
                        " CASE WHEN photo_state='pending' THEN 'none' ELSE photo_state END"
                        " WHERE id=? AND state='sending'",
                        (status, json.dumps(error, ensure_ascii=False), now_iso, rid))
                    counts["failed"] += 1
                else:
                    db.execute(
                        "UPDATE reports SET state='ready', attempts=attempts+1, next_attempt=?, http_status=?,"
                        " updated_at=? WHERE id=? AND state='sending'",
                        (time.time() + retry_after, status, now_iso, rid))
                    counts["retry"] += 1
        self._changed()
        return counts

    def release(self, ids: list[str], retry_after: float, error: dict[str, Any] | None = None) -> None:
        """Sending did not get an answer: back to ``ready``, due again after ``retry_after``."""
        with self._tx() as db:
            db.executemany(
                "UPDATE reports SET state='ready', attempts=attempts+1, next_attempt=?, error=?, updated_at=?"
                " WHERE id=? AND state='sending'",
                [(time.time() + retry_after, json.dumps(error, ensure_ascii=False) if error else None,
                  _now_iso(), i) for i in ids])
        self._changed()

    def photos_due(self, limit: int = 10, now: float | None = None, own_token_only: bool = False) -> list[Row]:
        now = time.time() if now is None else now
        rows = self._db().execute(
            "SELECT * FROM reports WHERE state='sent' AND photo_state='pending' AND photo_next<=?"
            + (" AND token IS NOT NULL" if own_token_only else "") +
            " ORDER BY seq LIMIT ?", (now, limit)).fetchall()
        return [self._row(r) for r in rows]

    def mark_photo(self, report_id: str, *, sha256: str | None = None, error: dict[str, Any] | None = None,
                   retry_after: float | None = None) -> None:
        purge = None
        with self._tx() as db:
            if sha256:
                r = db.execute("SELECT photo_path FROM reports WHERE id=?", (report_id,)).fetchone()
                purge = r["photo_path"] if r else None
                db.execute("UPDATE reports SET photo_state='sent', photo_sha=?, photo_error=NULL, photo_path=NULL"
                           " WHERE id=?", (sha256, report_id))
            elif retry_after is not None:
                db.execute("UPDATE reports SET photo_attempts=photo_attempts+1, photo_next=? WHERE id=?",
                           (time.time() + retry_after, report_id))
            else:
                db.execute("UPDATE reports SET photo_state='failed', photo_error=? WHERE id=?",
                           (json.dumps(error, ensure_ascii=False), report_id))
        if purge and Path(purge).parent == self.photos:
            # The server has it (its sha256 answered): the phone keeps no copy of what it saw.
            Path(purge).unlink(missing_ok=True)
        self._changed()

    # --- walk commands --------------------------------------------------------------------

    def add_command(self, kind: str, walk_id: str, body: dict[str, Any] | None = None,
                    author: Author | None = None) -> int:
        with self._tx() as db:
            seq = db.execute(
                "INSERT INTO commands (kind, walk_id, body, created_at, author, token) VALUES (?, ?, ?, ?, ?, ?)",
                (kind, walk_id, json.dumps(body or {}, ensure_ascii=False), _now_iso(),
                 author.user if author else None, author.token if author else None)).lastrowid
        self._changed()
        return int(seq)  # type: ignore[arg-type]

    def commands_due(self, now: float | None = None) -> list[dict[str, Any]]:
        """Commands in order; a walk's later commands wait behind its earlier ones."""
        now = time.time() if now is None else now
        rows = self._db().execute("SELECT * FROM commands WHERE state='ready' ORDER BY seq").fetchall()
        out, blocked = [], set()
        for r in rows:
            if r["walk_id"] in blocked:
                continue
            blocked.add(r["walk_id"])
            if r["next_attempt"] <= now:
                out.append({**dict(r), "body": json.loads(r["body"])})
        return out

    def command_done(self, seq: int, *, error: dict[str, Any] | None = None, retry_after: float | None = None) -> None:
        with self._tx() as db:
            if retry_after is not None:
                db.execute("UPDATE commands SET attempts=attempts+1, next_attempt=?, error=? WHERE seq=?",
                           (time.time() + retry_after, json.dumps(error, ensure_ascii=False) if error else None, seq))
            elif error is not None:
                db.execute("UPDATE commands SET state='failed', error=? WHERE seq=?",
                           (json.dumps(error, ensure_ascii=False), seq))
            else:
                db.execute("UPDATE commands SET state='sent', error=NULL WHERE seq=?", (seq,))
        self._changed()

    def commands(self) -> list[dict[str, Any]]:
        rows = self._db().execute("SELECT * FROM commands ORDER BY seq").fetchall()
        return [{**dict(r), "body": json.loads(r["body"]),
                 "error": json.loads(r["error"]) if r["error"] else None} for r in rows]

    # --- reading --------------------------------------------------------------------------

    def get(self, report_id: str) -> Row | None:
        r = self._db().execute("SELECT * FROM reports WHERE id=?", (report_id,)).fetchone()
        return self._row(r) if r else None

    def rows(self, limit: int = 200, states: tuple[str, ...] = STATES, walk_id: str | None = None) -> list[Row]:
        sql = f"SELECT * FROM reports WHERE state IN ({','.join('?' * len(states))})"
        args: list[Any] = list(states)
        if walk_id:
            sql += " AND walk_id=?"
            args.append(walk_id)
        sql += " ORDER BY seq DESC LIMIT ?"
        args.append(limit)
        return [self._row(r) for r in self._db().execute(sql, args).fetchall()]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(STATES, 0)
        for state, n in self._db().execute("SELECT state, COUNT(*) FROM reports GROUP BY state"):
            out[state] = n
        out["photos_pending"] = self._db().execute(
            "SELECT COUNT(*) FROM reports WHERE photo_state='pending'").fetchone()[0]
        out["commands_pending"] = self._db().execute(
            "SELECT COUNT(*) FROM commands WHERE state='ready'").fetchone()[0]
        return out

    def pending(self) -> int:
        """What still has to reach the server: reports, photos, walk commands."""
        c = self.counts()
        return c["ready"] + c["sending"] + c["photos_pending"] + c["commands_pending"]
