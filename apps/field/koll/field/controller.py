"""What the screens ask for, without any widget: who is signed in, filing as that person, signing
out of a shared duty phone, joining a walk by its code. The screens call this; the tests drive it
directly or through the screens. No Kivy here.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timezone
from typing import Any

from koll.field.areas import KeptAreas
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
        self.areas = KeptAreas(data_dir)  # the seam for the server's areas (areas.py)

    def organisations(self):
        """The organisations taking part in the area reported in, chosen by name on screen."""
        return list(self.areas.current().organisations)

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
        s.user = s.role = s.org = ""
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
                "participants": [{"name": p, "kind": kind} for p in participants]}
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
