"""What the screens ask for, without any widget: who is signed in, filing as that person, signing
out of a shared duty phone, joining a walk by its code. The screens call this; the tests drive it
directly or through the screens. No Kivy here.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any

from pathlib import Path

from koll.field import areas as area_use
from koll.field.areas import Area, KeptAreas
from koll.field.outbox import Author, InvalidReport, Outbox
from koll.field.settings import Settings, SettingsStore
from koll.field.sync import ApiClient

# The server's join codes: six characters without the look-alikes 0/O and 1/I (api/walks.py).
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
JOIN_LENGTH = 6
_JOIN_RE = re.compile(rf"^[{JOIN_ALPHABET}]{{{JOIN_LENGTH}}}$")


def join_code(text: str) -> str | None:
    """A typed or scanned join code in its canonical form, or None when it cannot be one.
    Accepts spaces and dashes ("K7P 4QX"), lower case, and a QR code's link ending in the code."""
    text = (text or "").strip()
    if "/" in text:  # a QR code's link: …/vandringar/kod/K7P4QX
        text = text.rstrip("/").rsplit("/", 1)[-1]
    code = re.sub(r"[\s\-]", "", text).upper()
    return code if _JOIN_RE.match(code) else None


class FieldController:
    """The app's state and rules: settings, the outbox, the signed-in person."""

    def __init__(self, data_dir: str, server: str | None = None, token: str | None = None,
                 lang: str | None = None):
        self.data_dir = data_dir
        self.store = SettingsStore(data_dir)
        self.settings: Settings = self.store.load()
        if server and server.rstrip("/") != self.settings.server.rstrip("/"):
            # Another server than the one signed in to: sign in anew (the outbox stays).
            self.settings.token = ""
            self.settings.server = server
        if lang:
            self.settings.lang = lang
        if token:
            self.settings.token = token
        self.outbox = Outbox(data_dir)
        self.areas = KeptAreas(data_dir, self.settings.area)
        area_use.use(self.areas.current())

    def organisations(self):
        """The organisations taking part in the area reported in, chosen by name on screen."""
        return list(self.area.organisations)

    # --- the area reported in -------------------------------------------------------------

    @property
    def area(self) -> Area:
        return area_use.in_use()

    def load_areas(self, client: ApiClient) -> list[dict[str, Any]]:
        """The areas the user may report in, from the server, kept for offline use; the one area
        of a user of one area is chosen at once (its definition loaded). The list, as listed."""
        listed = client.areas()
        self.areas.keep_list(listed)
        codes = [a["code"] for a in listed]
        if len(codes) == 1:
            self.choose_area(codes[0], client)
        elif self.settings.area and self.settings.area not in codes:
            self.settings.area = ""  # no longer theirs (or another person's choice)
            self.areas.chosen = ""
            self.save()
        elif self.settings.area:
            self.choose_area(self.settings.area, client)  # a changed definition comes in
        return listed

    def choose_area(self, code: str, client: ApiClient | None = None) -> Area:
        """Report in ``code`` from now on: its definition from the server when it answers, else
        the one kept from last time (offline). Raises LookupError when there is neither."""
        from koll.field.sync import ApiError, Offline

        area = None
        if client is not None:
            try:
                area = self.areas.keep_definition(code, client.taxonomy(area=code))
            except Offline:
                area = None
            except ApiError as e:
                if e.status == 404:
                    raise LookupError(code) from e
        area = area or self.areas.kept(code)
        if area is None:
            raise LookupError(code)
        self.settings.area = self.areas.chosen = code
        self.save()
        area_use.use(area)
        return area

    def must_choose_area(self) -> bool:
        return self.areas.must_choose()

    def map_path(self, code: str | None = None) -> Path:
        return Path(self.data_dir) / "tiles" / f"{code or self.area.code}.mbtiles"

    def fetch_map(self, client: ApiClient, progress=None) -> str:
        """The area's base map, downloaded when the server's copy differs from the one kept:
        "new", "current" (304: nothing downloaded) or "none" (no map placed for the area)."""
        from koll.field.sync import ApiError

        code = self.area.code
        if not self.area.from_server:
            return "none"
        kept = self.settings.map_etags.get(code) if self.map_path(code).exists() else None
        try:
            etag = client.area_map(code, self.map_path(code), kept, progress)
        except ApiError as e:
            if e.status == 404:
                return "none"
            raise
        if etag is None:
            return "current"
        self.settings.map_etags[code] = etag
        self.save()
        return "new"

    def save(self) -> None:
        self.store.save(self.settings)

    # --- who files ------------------------------------------------------------------------

    def author(self) -> Author | None:
        """The person signed in now; what they queue goes with their token, whoever comes next."""
        s = self.settings
        return Author(s.user or "?", s.token) if s.token else None

    def client(self) -> ApiClient | None:
        """For the signed-in person's own calls (my reports, nearby, walks)."""
        s = self.settings
        return ApiClient(s.server, s.token) if s.token else None

    def sync_client(self) -> ApiClient | None:
        """For the sender: it also runs with nobody signed in, for reports that carry their
        author's token."""
        s = self.settings
        return ApiClient(s.server, s.token) if s.server else None

    def signed_in(self, me: dict[str, Any], server: str | None = None, token: str | None = None) -> None:
        s = self.settings
        if s.user and me.get("user") != s.user:
            self._forget_person()  # another person on the same phone: nothing of the last one shows
        if server:
            s.server = server
        if token:
            s.token = token
        s.user, s.role, s.org = me.get("user", ""), me.get("role", ""), me.get("org", "")
        self.save()

    def unsent_mine(self) -> int:
        """What the signed-in person filed that has not reached the server yet."""
        return self.outbox.unsent_by(self.settings.user) if self.settings.user else 0

    def sign_out(self) -> None:
        """The token leaves settings.json (unsent reports keep their own, to go as their
        author's); the person's cached reports and walk go with them."""
        self.settings.token = ""
        self._forget_person()
        self.save()

    def _forget_person(self) -> None:
        s = self.settings
        s.user = s.role = s.org = s.area = ""
        self.areas.chosen = ""
        self.areas.forget()
        s.walk = None
        s.mine_cache = []

    # --- walks ----------------------------------------------------------------------------

    def plan_walk(self, title: str, dark: bool, organisations: list[str], participants: list[str],
                  kind: str = "boende") -> str:
        """Plan and start a walk led by the signed-in person: checked offline with the server's
        schema, then queued as commands that reach the server before the walk's findings."""
        from marshmallow import ValidationError

        from koll.schema.messages import flatten
        from koll.schema.payloads_walks import WalkPlanSchema

        walk_id = str(uuid.uuid4())
        body = {"id": walk_id, "title": title, "planned_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "light": "morker" if dark else None, "organisations": organisations,
                "participants": [{"name": p, "kind": kind} for p in participants],
                "area": self.area.code if self.area.from_server else None}  # a user of several names it
        body = {k: v for k, v in body.items() if v is not None}
        try:
            WalkPlanSchema().load(body)
        except ValidationError as e:
            raise InvalidReport(flatten(e.messages)) from e
        author = self.author()
        self.outbox.add_command("walk_create", walk_id, body, author=author)
        self.outbox.add_command("walk_start", walk_id, author=author)
        self.settings.walk = {"id": walk_id, "title": title, "leader": True}
        self.save()
        return walk_id

    def joined(self, walk: dict[str, Any]) -> None:
        """A walk found by its join code: filed findings carry its id from now on."""
        leads = walk.get("planned_by") == self.settings.user
        self.settings.walk = {"id": walk["id"], "title": walk.get("title") or walk.get("join_code") or "",
                              "code": walk.get("join_code"), "leader": leads}
        self.save()

    def may_end_walk(self) -> bool:
        """Only the walk's leader (or operational staff) ends it; the others leave it."""
        walk = self.settings.walk or {}
        return bool(walk.get("leader")) or self.settings.role in ("operational", "admin")

    def end_walk(self) -> str | None:
        walk = self.settings.walk
        if not walk:
            return None
        if self.may_end_walk():
            self.outbox.add_command("walk_end", walk["id"], author=self.author())
        self.settings.walk = None
        self.save()
        return walk["id"]
