"""A report being filled in: the rules the form follows, without any widget.

Which attributes fit the category, whether a photo is required, allowed or blocked, who will
see the report, whether the location is good enough, when to say "ring 112" instead of
filing, and the body the outbox queues."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from koll.schema import taxonomy, vocabulary
from koll.field.areas import nearest_place
from koll.field.i18n import pick, t

POOR_ACCURACY_M = 50.0
STALE_S = 30.0  # a fix older than this is where the walker was, not where they are


def time_of_day(moment: datetime | None = None) -> str:
    """A first guess for the "time of day" attribute from the phone's clock (Stockholm-ish)."""
    hour = (moment or datetime.now()).hour
    if 7 <= hour < 17:
        return "dag"
    if 17 <= hour < 19:
        return "skymning"
    if 19 <= hour < 23:
        return "kvall"
    return "natt"


def who_sees(category: taxonomy.Category, lang: str = "sv") -> str:
    if category.visibility == "restricted":
        orgs = [pick(taxonomy.organisation(o), lang) for o in sorted(vocabulary.RESTRICTED_ORGS)]
        return t("vis_restricted", lang, orgs=(" och " if lang == "sv" else " and ").join(orgs))
    return t(f"vis_{category.visibility}", lang)


@dataclass
class Location:
    lat: float
    lon: float
    accuracy_m: float | None
    source: str  # gps | network | pin | place
    place: str | None = None
    at: float | None = None  # when the fix was taken (epoch seconds); pins and places have none

    @property
    def poor(self) -> bool:
        return self.source in ("gps", "network") and (self.accuracy_m is None or self.accuracy_m > POOR_ACCURACY_M)

    def age_s(self, now: float | None = None) -> float:
        return max(0.0, (time.time() if now is None else now) - self.at) if self.at else 0.0

    def doubt(self, now: float | None = None) -> str | None:
        """Why this fix needs the walker's yes before it is filed: ``network`` (a cell or Wi-Fi
        guess, never passed off as GPS), ``stale`` (older than 30 s), ``poor`` (worse than 50 m);
        None for a good GPS fix and for what the walker chose (a pin, a place)."""
        if self.source not in ("gps", "network"):
            return None
        if self.source == "network":
            return "network"
        if self.at is not None and self.age_s(now) > STALE_S:
            return "stale"
        return "poor" if self.poor else None

    @classmethod
    def of_place(cls, code: str) -> "Location":
        p = taxonomy.place(code)
        return cls(p.lat, p.lon, p.radius_m, "place", p.code)

    @classmethod
    def of_pin(cls, lat: float, lon: float) -> "Location":
        near = nearest_place(lat, lon)
        return cls(lat, lon, None, "pin", near.code if near else None)

    def as_json(self) -> dict[str, Any]:
        return {"lat": round(self.lat, 7), "lon": round(self.lon, 7),
                "accuracy_m": None if self.accuracy_m is None else round(float(self.accuracy_m), 1),
                "source": self.source}


@dataclass
class ReportForm:
    """The state of the report screen. ``body()`` is what the outbox queues."""

    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    group: str | None = None
    category: str | None = None
    note: str = ""
    attributes: dict[str, Any] = field(default_factory=dict)
    location: Location | None = None
    place: str | None = None  # a named place chosen explicitly
    photo_path: str | None = None
    walk_id: str | None = None
    case_id: str | None = None
    observed_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    accepted_fix: Location | None = None  # the doubtful fix the walker said yes to
    area: str | None = None  # the area chosen on the phone; None: the server places it by its point

    def needs_accepting(self, now: float | None = None) -> str | None:
        """The location's doubt, unless the walker already accepted this very fix."""
        loc = self.location
        if loc is None or (self.accepted_fix is not None and self.accepted_fix is loc):
            return None
        return loc.doubt(now)

    def accept_fix(self) -> None:
        self.accepted_fix = self.location

    @property
    def cat(self) -> taxonomy.Category | None:
        return taxonomy.CATEGORY_BY_CODE.get(self.category or "")

    def choose_category(self, code: str) -> None:
        c = taxonomy.category(code)
        self.category, self.group = c.code, c.group
        allowed = {a.code for a in taxonomy.attributes_for(c.group)}
        self.attributes = {k: v for k, v in self.attributes.items() if k in allowed}
        self.attributes.setdefault("tid_pa_dygnet", time_of_day())
        if c.photo == "blocked":
            self.photo_path = None
        self.case_id = None

    def fitting_attributes(self) -> tuple[taxonomy.Attribute, ...]:
        """The attributes to ask for; ``akut`` is the separate "ring 112" switch."""
        if not self.group:
            return ()
        return tuple(a for a in taxonomy.attributes_for(self.group) if a.code != "akut")

    @property
    def photo_rule(self) -> str:
        return self.cat.photo if self.cat else "optional"

    @property
    def urgent(self) -> bool:
        return self.attributes.get("akut") is True

    def set_attribute(self, code: str, value: Any) -> None:
        if value in (None, ""):
            self.attributes.pop(code, None)
        else:
            self.attributes[code] = value

    def body(self) -> dict[str, Any]:
        loc = self.location
        place = self.place or (loc.place if loc else None)
        body: dict[str, Any] = {
            "id": self.id,
            "category": self.category,
            "observed_at": self.observed_at.isoformat(timespec="seconds"),
            "location": loc.as_json() if loc else None,
            "place": place,
            "note": self.note.strip() or None,
            "walk_id": self.walk_id,
            "case_id": self.case_id,
            "area": self.area,
            "attributes": {k: v for k, v in self.attributes.items() if k != "akut" or v is True},
        }
        return {k: v for k, v in body.items() if v is not None}

    def problems(self, lang: str = "sv") -> list[str]:
        """What stops filing, in words for the screen (the schema's own messages included)."""
        from koll.field.outbox import photo_problem, validate

        out: list[str] = []
        if not self.category:
            return [t("need_category", lang)]
        if self.location is None:
            out.append(t("need_location", lang))
        elif (doubt := self.needs_accepting()) is not None:
            out.append(t(f"accept_{doubt}", lang))
        body = self.body()
        if self.location is None:
            body["location"] = {"lat": 0.0, "lon": 0.0, "source": "pin"}
        errors = validate(body)
        errors.update(photo_problem(body, self.photo_path))
        for path, msgs in errors.items():
            for m in msgs:
                out.append(f"{path}: {pick(m, lang)}" if path not in ("photo", "_schema") else pick(m, lang))
        return out

    @classmethod
    def from_body(cls, body: dict[str, Any], photo_path: str | None = None) -> "ReportForm":
        f = cls(id=body["id"], note=body.get("note") or "", walk_id=body.get("walk_id"),
                case_id=body.get("case_id"), photo_path=photo_path, place=body.get("place"), area=body.get("area"))
        if body.get("category"):
            c = taxonomy.CATEGORY_BY_CODE.get(body["category"])
            if c:
                f.category, f.group = c.code, c.group
        f.attributes = dict(body.get("attributes") or {})
        loc = body.get("location")
        if loc:
            f.location = Location(loc["lat"], loc["lon"], loc.get("accuracy_m"), loc["source"], body.get("place"))
        if body.get("observed_at"):
            f.observed_at = datetime.fromisoformat(body["observed_at"])
        return f
