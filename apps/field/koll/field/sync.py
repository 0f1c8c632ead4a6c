"""Talking to the service: a small HTTP client (requests) and the syncer that empties the
outbox in batches through ``POST /api/v1/observations/batch``, then uploads photos, with
retries and exponential back-off. No Kivy here: tests and benchmarks drive it directly, the
app runs it in a background thread (``SyncWorker``)."""

from __future__ import annotations

import logging
import mimetypes
import os
import random
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import requests

from koll.field.outbox import Outbox, Row

log = logging.getLogger("koll.field.sync")

CONNECT_TIMEOUT = 3.05
READ_TIMEOUT = 30.0


class ApiError(Exception):
    """The server answered with an error (problem+json kept in ``problem``)."""

    def __init__(self, status: int, problem: dict[str, Any] | None = None):
        self.status = status
        self.problem = problem or {}
        super().__init__(f"HTTP {status}: {self.problem.get('title') or ''} {self.problem.get('detail') or ''}".strip())

    @property
    def detail(self) -> str:
        return str(self.problem.get("detail") or self.problem.get("title") or f"HTTP {self.status}")


class Unauthorized(ApiError):
    pass


class Offline(Exception):
    """No answer from the server: no network, wrong address, server down, timeout."""


class ApiClient:
    def __init__(self, server: str, token: str = "", timeout: float = READ_TIMEOUT):
        self.server = server.rstrip("/")
        self.token = token
        self.timeout = (CONNECT_TIMEOUT, timeout)
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/json"
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    def _url(self, path: str) -> str:
        return f"{self.server}/api/v1{path}"

    def _call(self, method: str, path: str, *, ok: tuple[int, ...] = (200, 201), **kw: Any) -> requests.Response:
        kw.setdefault("timeout", self.timeout)
        try:
            r = self.http.request(method, self._url(path), **kw)
        except requests.RequestException as e:
            raise Offline(str(e)) from e
        if r.status_code in ok:
            return r
        try:
            problem = r.json()
            if not isinstance(problem, dict):
                problem = {"detail": str(problem)}
        except ValueError:
            problem = {"detail": r.text[:300]}
        if r.status_code == 401:
            raise Unauthorized(401, problem)
        raise ApiError(r.status_code, problem)

    def _answer(self, method: str, path: str, key: str | None = None, **kw: Any) -> Any:
        """The call's JSON (or its ``key``). A 200 that is not Koll's JSON (a captive portal, a proxy's
        page) is a failed call like any other, so what was claimed for it goes back in line."""
        r = self._call(method, path, **kw)
        try:
            body = r.json()
            return body[key] if key is not None else body
        except (ValueError, KeyError, TypeError):
            raise ApiError(r.status_code, {"detail": f"the server's answer to {path} was not what Koll sends: "
                                                     f"{r.text[:120]!r}"}) from None

    # --- who am I -------------------------------------------------------------------------

    def me(self) -> dict[str, Any]:
        return self._answer("GET", "/me")

    def sign_in(self, username: str, password: str) -> dict[str, Any]:
        """Name and password for a token: {"token","user","role","org"}."""
        return self._answer("POST", "/auth/token", json={"username": username, "password": password})

    def healthy(self, timeout: float = 5.0) -> bool:
        try:
            return self.http.get(f"{self.server}/healthz", timeout=(min(CONNECT_TIMEOUT, timeout), timeout)).status_code == 200
        except requests.RequestException:
            return False

    # --- observations ---------------------------------------------------------------------

    def send_batch(self, bodies: list[str]) -> list[dict[str, Any]]:
        """``bodies`` are the outbox's stored JSON texts, sent as they are (byte-stable retries)."""
        data = '{"observations":[' + ",".join(bodies) + "]}"
        return self._answer("POST", "/observations/batch", key="results", data=data.encode("utf-8"),
                            headers={"Content-Type": "application/json"})

    def file(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._answer("POST", "/observations", json=body)

    def upload_photo(self, observation_id: str, path: str) -> dict[str, Any]:
        mime = mimetypes.guess_type(path)[0] or "image/jpeg"
        with open(path, "rb") as f:
            return self._answer("POST", f"/observations/{observation_id}/photos",
                                files={"file": (Path(path).name, f, mime)})

    def mine(self) -> list[dict[str, Any]]:
        return self._answer("GET", "/observations/mine", key="observations")

    def nearby(self, lat: float, lon: float, radius_m: float = 50, group: str | None = None,
               timeout: float = 5) -> list[dict[str, Any]]:
        params: dict[str, Any] = {"lat": lat, "lon": lon, "radius_m": radius_m}
        if group:
            params["group"] = group
        return self._answer("GET", "/cases/nearby", key="cases", params=params, timeout=(CONNECT_TIMEOUT, timeout))

    def taxonomy(self, area: str | None = None) -> dict[str, Any]:
        """The categories, places and organisations (those of ``area`` when given)."""
        return self._answer("GET", "/taxonomy", params={"area": area} if area else None)

    # --- areas ----------------------------------------------------------------------------

    def areas(self) -> list[dict[str, Any]]:
        """The areas the caller may report in, in brief."""
        return self._answer("GET", "/areas", key="areas")

    def area_map(self, code: str, target: Path, etag: str | None = None,
                 progress: Callable[[int, int | None], None] | None = None) -> str | None:
        """The area's MBTiles file into ``target`` (written beside it, then moved in place), unless
        the server says the copy with ``etag`` is current (304): the new ETag, or None when the
        kept copy is current. ``progress(bytes so far, total or None)`` as it comes. 404: no map."""
        headers = {"Accept": "application/vnd.sqlite3, application/problem+json"}
        if etag:
            headers["If-None-Match"] = f'"{etag}"'
        r = self._call("GET", f"/areas/{code}/map.mbtiles", ok=(200, 304), headers=headers, stream=True)
        with r:
            if r.status_code == 304:
                return None
            total = int(r.headers["Content-Length"]) if r.headers.get("Content-Length", "").isdigit() else None
            part = target.with_name(target.name + ".part")
            target.parent.mkdir(parents=True, exist_ok=True)
            done = 0
            try:
                with open(part, "wb") as f:
                    for chunk in r.iter_content(64 * 1024):
                        f.write(chunk)
                        done += len(chunk)
                        if progress:
                            progress(done, total)
                    f.flush()
                    os.fsync(f.fileno())
            except requests.RequestException as e:
                part.unlink(missing_ok=True)
                raise Offline(str(e)) from e
            if total is not None and done != total:
                part.unlink(missing_ok=True)
                raise Offline(f"the map came in part: {done} of {total} bytes")
            os.replace(part, target)
            return (r.headers.get("ETag") or "").strip('"') or "?"

    # --- walks ----------------------------------------------------------------------------

    def create_walk(self, body: dict[str, Any]) -> dict[str, Any]:
        return self._answer("POST", "/walks", json=body, ok=(200, 201))

    def walk(self, walk_id: str) -> dict[str, Any]:
        return self._answer("GET", f"/walks/{walk_id}")

    def walk_by_code(self, code: str) -> dict[str, Any]:
        """The walk a short join code names (read out, or in its QR code): 404 when none."""
        return self._answer("GET", f"/walks/join/{code}", timeout=(CONNECT_TIMEOUT, 8))

    def walk_command(self, walk_id: str, action: str, version: int | None) -> dict[str, Any]:
        headers = {"If-Match": str(version)} if version is not None else {}
        r = self._call("POST", f"/walks/{walk_id}/{action}", headers=headers, json={}, ok=(200, 201, 204))
        return r.json() if r.content else {}

    def protocol(self, walk_id: str) -> dict[str, Any]:
        return self._answer("GET", f"/walks/{walk_id}/protocol")


@dataclass
class SyncResult:
    sent: int = 0
    failed: int = 0
    retry: int = 0
    photos: int = 0
    commands: int = 0
    offline: bool = False
    unauthorized: bool = False
    error: str = ""
    batches: int = 0

    @property
    def progressed(self) -> bool:
        return bool(self.sent or self.failed or self.photos or self.commands)


def backoff(attempts: int, base: float = 1.0, cap: float = 300.0) -> float:
    """Exponential back-off with full jitter: 1 s, 2 s, 4 s … up to ``cap``."""
    return random.uniform(0.5, 1.0) * min(cap, base * (2 ** max(0, attempts)))


class Syncer:
    def __init__(self, outbox: Outbox, client: ApiClient, batch_size: int = 250):
        self.outbox = outbox
        self.client = client  # the one signed in now (its token may be "": nobody is)
        self.batch_size = batch_size
        self._clients: dict[str, ApiClient] = {}

    def _client_for(self, token: str | None) -> ApiClient:
        """The author's own client: every report goes with the token of whoever filed it."""
        if not token or token == self.client.token:
            return self.client
        if token not in self._clients:
            self._clients[token] = ApiClient(self.client.server, token)
        return self._clients[token]

    def _foreign_refusal(self, client: ApiClient, e: Unauthorized) -> bool:
        """A 401 for an earlier user's token (revoked, expired) is that user's reports' trouble,
        not a reason to stop the one signed in now."""
        return client is not self.client

    def flush_once(self) -> SyncResult:
        """One pass: walk commands, then every due report in batches, then due photos.
        Stops at the first sign of being offline; what was claimed goes back in line."""
        res = SyncResult()
        own_only = not self.client.token
        try:
            self._commands(res)
            while True:
                rows = self.outbox.claim(self.batch_size, own_token_only=own_only)
                if not rows:
                    break
                groups = _by_token(rows)
                while groups:
                    token, group = groups[0]
                    client = self._client_for(token)
                    try:
                        results = client.send_batch([_stable(r.body) for r in group])
                    except Unauthorized as e:
                        if not self._foreign_refusal(client, e):
                            self._release_all(groups, backoff(0))
                            raise
                        self.outbox.apply_results([{"id": r.id, "status": 401, "detail": AUTHOR_SIGNED_OUT}
                                                   for r in group], retry_after=0)
                        res.failed += len(group)
                        groups.pop(0)
                        continue
                    except Offline:
                        self._release_all(groups, backoff(min(r.attempts for r in rows)))
                        raise
                    except ApiError as e:
                        # The batch as a whole was not taken (5xx, 413, an old server without the
                        # route...): nothing was recorded for sure, retry later.
                        self._release_all(groups, backoff(min(r.attempts for r in rows) + 2),
                                          error={"status": e.status, "detail": e.detail})
                        raise
                    groups.pop(0)
                    res.batches += 1
                    known = {r.id for r in group}
                    answered = {str(x.get("id")) for x in results}
                    counts = self.outbox.apply_results([x for x in results if str(x.get("id")) in known],
                                                       retry_after=backoff(min(r.attempts for r in group)))
                    missing = [i for i in known if i not in answered]
                    if missing:  # the server skipped some: try them again later
                        self.outbox.release(missing, backoff(1))
                    res.sent += counts["sent"]
                    res.failed += counts["failed"]
                    res.retry += counts["retry"] + len(missing)
                if len(rows) < self.batch_size:
                    break
            self._photos(res, own_only)
        except Offline as e:
            res.offline, res.error = True, str(e)
        except Unauthorized as e:
            res.unauthorized, res.error = True, e.detail
        except ApiError as e:
            res.error = e.detail
        finally:
            self.outbox.forget_sent_tokens()
        return res

    def _release_all(self, groups: list[tuple[str | None, list[Row]]], retry_after: float,
                     error: dict[str, Any] | None = None) -> None:
        self.outbox.release([r.id for _, g in groups for r in g], retry_after, error=error)

    def _commands(self, res: SyncResult) -> None:
        for cmd in self.outbox.commands_due():
            walk_id, kind = cmd["walk_id"], cmd["kind"]
            if not cmd.get("token") and not self.client.token:
                continue  # nobody to send it as
            client = self._client_for(cmd.get("token"))
            try:
                if kind == "walk_create":
                    client.create_walk(cmd["body"])
                else:
                    action = "start" if kind == "walk_start" else "end"
                    version = client.walk(walk_id).get("version")
                    try:
                        client.walk_command(walk_id, action, version)
                    except ApiError as e:
                        # Already started/ended (our own earlier try got through): done.
                        if e.status not in (409, 412) or not self._already(client, walk_id, action):
                            raise
            except ApiError as e:
                if isinstance(e, Unauthorized):
                    if not self._foreign_refusal(client, e):
                        raise
                    self.outbox.command_done(cmd["seq"], error={"status": 401, "detail": AUTHOR_SIGNED_OUT})
                    continue
                if e.status in (400, 422, 403):
                    self.outbox.command_done(cmd["seq"], error={"status": e.status, "detail": e.detail,
                                                                "errors": e.problem.get("errors")})
                else:  # 404 (walks not deployed yet), 409 races, 5xx: later
                    self.outbox.command_done(cmd["seq"], retry_after=backoff(cmd["attempts"]),
                                             error={"status": e.status, "detail": e.detail})
                continue
            self.outbox.command_done(cmd["seq"])
            res.commands += 1

    def _already(self, client: ApiClient, walk_id: str, action: str) -> bool:
        status = str(client.walk(walk_id).get("status", ""))
        return (action == "start" and status in ("started", "ended")) or (action == "end" and status == "ended")

    def _photos(self, res: SyncResult, own_only: bool = False) -> None:
        while True:
            rows = self.outbox.photos_due(limit=20, own_token_only=own_only)
            if not rows:
                return
            for r in rows:
                if not r.photo_path or not Path(r.photo_path).exists():
                    self.outbox.mark_photo(r.id, error={"detail": "photo file missing on the phone"})
                    continue
                client = self._client_for(r.token)
                try:
                    answer = client.upload_photo(r.id, r.photo_path)
                except ApiError as e:
                    if isinstance(e, Unauthorized):
                        if not self._foreign_refusal(client, e):
                            raise
                        self.outbox.mark_photo(r.id, error={"status": 401, "detail": AUTHOR_SIGNED_OUT})
                        continue
                    if e.status in (400, 409, 413, 415, 422):  # 409: the report was erased
                        self.outbox.mark_photo(r.id, error={"status": e.status, "detail": e.detail,
                                                            "errors": e.problem.get("errors")})
                    else:  # 404: route not there yet or report not visible yet; 5xx
                        self.outbox.mark_photo(r.id, retry_after=backoff(3))
                    continue
                self.outbox.mark_photo(r.id, sha256=answer.get("sha256") or "?")
                res.photos += 1

    def flush(self, timeout: float = 60.0) -> SyncResult:
        """Flush until nothing is due or ``timeout`` passes (tests, benchmarks)."""
        total = SyncResult()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            r = self.flush_once()
            for f in ("sent", "failed", "retry", "photos", "commands", "batches"):
                setattr(total, f, getattr(total, f) + getattr(r, f))
            total.offline, total.unauthorized, total.error = r.offline, r.unauthorized, r.error
            if r.offline or r.unauthorized or not r.progressed:
                break
        return total


# Why an earlier user's report could not go: their token no longer opens the server.
AUTHOR_SIGNED_OUT = {"sv": "den som skrev rapporten är inte längre inloggad på servern; öppna den och skicka igen",
                     "en": "the person who wrote this report is no longer signed in on the server; open it and send again"}


def _by_token(rows: list[Row]) -> list[tuple[str | None, list[Row]]]:
    """Claimed rows by their author's token (one batch each), each oldest first."""
    groups: dict[str | None, list[Row]] = {}
    for r in rows:
        groups.setdefault(r.token, []).append(r)
    return list(groups.items())


def _stable(body: dict[str, Any]) -> str:
    import json

    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


@dataclass
class SyncStatus:
    online: bool | None = None
    unauthorized: bool = False
    last_error: str = ""
    last_sync: float = 0.0
    next_try_in: float = 0.0
    counts: dict[str, int] = field(default_factory=dict)


class SyncWorker(threading.Thread):
    """Empties the outbox in the background: right away when woken (a new report, "send
    now"), otherwise on a timer; backs off exponentially while the server cannot be reached."""

    def __init__(self, outbox: Outbox, client_factory: Callable[[], ApiClient | None],
                 on_status: Callable[[SyncStatus], None] | None = None, idle: float = 30.0,
                 max_backoff: float = 120.0, batch_size: int = 250, heartbeat: float = 0.0,
                 heartbeat_timeout: float = 2.0):
        super().__init__(name="koll-sync", daemon=True)
        self.outbox = outbox
        self.client_factory = client_factory
        self.on_status = on_status or (lambda s: None)
        self.idle = idle
        self.max_backoff = max_backoff
        self.batch_size = batch_size
        self.heartbeat, self.heartbeat_timeout = heartbeat, heartbeat_timeout
        self.status = SyncStatus()
        self._wake = threading.Event()
        self._halt = threading.Event()
        self._failures = 0

    def wake(self) -> None:
        self._failures = 0
        self._wake.set()

    def stop(self) -> None:
        self._halt.set()
        self._wake.set()

    def run(self) -> None:
        while not self._halt.is_set():
            delay = self.idle
            client = self.client_factory()
            if client is not None and not self.status.unauthorized:
                try:
                    res = Syncer(self.outbox, client, self.batch_size).flush()
                except Exception as e:  # never let the thread die
                    log.exception("sync failed")
                    res = SyncResult(error=str(e), offline=True)
                self.status.unauthorized = res.unauthorized
                self.status.last_error = res.error
                if res.offline or res.progressed or res.error or not self.heartbeat:
                    self.status.online = not res.offline
                else:  # nothing was sent, so nothing was heard: ask
                    self.status.online = client.healthy(timeout=self.heartbeat_timeout)
                self.status.last_sync = time.time()
                if res.offline or res.error:
                    self._failures += 1
                    delay = backoff(self._failures, cap=self.max_backoff)
                else:
                    self._failures = 0
                    if self.outbox.pending():
                        delay = 1.0  # something is due later (a back-off of its own)
            self.status.next_try_in = delay
            self.status.counts = self.outbox.counts()
            self.on_status(self.status)
            self._rest(delay, client)
            self._wake.clear()
        self.outbox.close()

    def _rest(self, delay: float, client: ApiClient | None) -> None:
        """Wait ``delay`` (or until woken), listening to the server every ``heartbeat`` seconds:
        a connection gone dead is shown within seconds, one come back is used at once."""
        if not self.heartbeat or client is None:
            self._wake.wait(delay)
            return
        end = time.monotonic() + delay
        while not self._halt.is_set():
            left = end - time.monotonic()
            if left <= 0 or self._wake.wait(min(self.heartbeat, left)):
                return
            if self._listen(client) and self.outbox.pending():
                return  # back: send what waits now, not after the back-off

    def _listen(self, client: ApiClient) -> bool:
        """Ask the server if it is there; show it when that changed. True when it came back."""
        alive = client.healthy(timeout=self.heartbeat_timeout)
        came_back = alive and not self.status.online
        if alive != bool(self.status.online):
            self.status.online = alive
            self.on_status(self.status)
        return came_back

    def signed_in_again(self) -> None:
        self.status.unauthorized = False
        self.wake()
