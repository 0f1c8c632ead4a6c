"""Every kind of restricted data, told into a service over its API, with what must not leak.

- filed: the police file suspected drug dealing (restricted from the start);
- recategorised: a reporter's litter report, with a photo, on a walk, triaged as drug dealing;
- linked: a restricted case linked to a measure and named in a meeting's decision;
- joined: a restricted report joining a public case, and a public-category report joining a
  restricted case.

Each secret is a string that may appear in an answer only to a reader the policy lets see it:
case and observation ids, notes, the photo's sha256, and coordinates (their distinctive digits).
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field

from PIL import Image

from helpers import observation

# Readers beyond the fixture's role users: the police and IFO outside the operational group.
EXTRA_USERS = {
    "reporter2": ("rapportor2", "reporter", "sdf"),  # files the report that is recategorised
    "ifo_auditor": ("ifo-revisor", "auditor", "sdf-ifo"),
    "police_reporter": ("polis-rapportor", "reporter", "polisen"),
}


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (90, 140, 30)).save(out, "JPEG")
    return out.getvalue()


def at(n: int) -> dict[str, float]:
    """A point on the square whose digits appear nowhere else (59.3671nnn, 17.8441nnn: seven decimals,
    as the read models keep them)."""
    return {"lat": float(f"59.3671{n}{n}{n}"), "lon": float(f"17.8441{n}{n}{n}"), "accuracy_m": 5.0,
            "source": "gps"}


def digits(n: int) -> list[str]:
    return [f"3671{n}{n}{n}", f"8441{n}{n}{n}"]


@dataclass
class Story:
    tokens: dict[str, str]
    walk: str = ""
    join_code: str = ""
    webhook: str = ""  # the district's (sdf's) webhook: its deliveries hold what it was sent
    area: str = ""
    measure: str = ""
    meeting: str = ""
    public_case: str = ""  # the public case a restricted report joins
    public_linked: str = ""  # a public case linked to the same measure, for contrast
    restricted_cases: dict[str, str] = field(default_factory=dict)  # kind -> case id
    restricted_observations: dict[str, str] = field(default_factory=dict)  # kind -> observation id
    notes: dict[str, str] = field(default_factory=dict)
    photo: str = ""
    coordinates: dict[str, list[str]] = field(default_factory=dict)
    filers: dict[str, str] = field(default_factory=dict)  # kind -> the user who filed it
    never: dict[str, str] = field(default_factory=dict)  # what no reader is ever shown (notify_email)

    def secrets_by_filer(self) -> list[tuple[str, str, str]]:
        """(what, the secret string, who filed it): each held restricted."""
        out = [(f"case {k}", v, self.filers[k]) for k, v in self.restricted_cases.items()]
        out += [(f"observation {k}", v, self.filers[k]) for k, v in self.restricted_observations.items()]
        out += [(f"note {k}", v, self.filers[k]) for k, v in self.notes.items()]
        out.append(("photo", self.photo, self.filers["recategorised"]))
        out += [(f"coordinates {k}", d, self.filers[k]) for k, ds in self.coordinates.items() for d in ds]
        return out

    def secrets(self) -> dict[str, str]:
        """Every string that names or shows restricted data, by what it is."""
        out: dict[str, str] = {}
        out.update({f"case {k}": v for k, v in self.restricted_cases.items()})
        out.update({f"observation {k}": v for k, v in self.restricted_observations.items()})
        out.update({f"note {k}": v for k, v in self.notes.items()})
        out["photo"] = self.photo
        for k, ds in self.coordinates.items():
            out.update({f"coordinates {k} {i}": d for i, d in enumerate(ds)})
        return out


def _ok(r, *codes: int):  # type: ignore[no-untyped-def]
    assert r.status_code in (codes or (200, 201)), (r.request.method, r.request.url, r.status_code, r.text[:300])
    return r.json()


def tell(service) -> Story:  # type: ignore[no-untyped-def]
    tokens = dict(service.tokens)
    for key, (name, role, org) in EXTRA_USERS.items():
        tokens[key] = service.ledger.add_user(name, role, org, password="hemligt")
    service.tokens.update(tokens)
    story = Story(tokens=tokens)
    staff, police, filer = service.client("operational"), service.client("police"), service.client("reporter2")
    # The story happens in an area, so the area's pages (its public page, goals, description) hold it.
    from test_areas import definition

    story.area = "hasselby-torg"
    _ok(service.client("admin").post("/api/v1/areas", definition(story.area)))
    story.webhook = _ok(service.client("admin").post("/api/v1/webhooks", {
        "url": "http://127.0.0.1:1/koll", "secret": "s" * 32, "org": "sdf", "filters": {}}), 201)["id"]

    # A walk the recategorised and the filed reports are made on.
    from test_walks import plan

    walk = plan(route=[p["code"] for p in definition(story.area)["places"][:2]])
    story.join_code = _ok(filer.post("/api/v1/walks", walk))["join_code"]
    _ok(filer.post(f"/api/v1/walks/{walk['id']}/start", headers={"If-Match": "1"}))
    story.walk = walk["id"]

    def file(client, kind: str, n: int, **extra):  # type: ignore[no-untyped-def]
        note = f"HEMLIG-{kind}-anteckning"
        body = observation(location=at(n), note=note, **extra)
        answer = _ok(client.post("/api/v1/observations", body), 201)
        story.filers[kind] = client.get("/api/v1/me").json()["user"]
        story.notes[kind] = note
        story.coordinates[kind] = digits(n)
        story.restricted_observations[kind] = body["id"]
        return answer

    # Filed restricted, by a police officer who would hear when it is resolved, and who felt unsafe.
    story.never["notify_email"] = "hemlig.anmalare@example.se"
    filed = file(police, "filed", 1, category="SOC-01", walk_id=story.walk, notify_email=story.never["notify_email"],
                 attributes={"tid_pa_dygnet": "kvall", "upplevd_trygghet": 1})
    story.restricted_cases["filed"] = filed["case_id"]

    # Recategorised: a litter report with a photo, triaged as drug dealing.
    recat = file(filer, "recategorised", 2, category="REN-01", walk_id=story.walk)
    r = filer.post(f"/api/v1/observations/{recat['id']}/photos", files={"file": ("p.jpg", jpeg(), "image/jpeg")})
    story.photo = _ok(r, 201)["sha256"]
    _ok(staff.post(f"/api/v1/cases/{recat['case_id']}/triage", {"priority": 1, "category": "SOC-01"},
                   headers={"If-Match": "1"}))
    story.restricted_cases["recategorised"] = recat["case_id"]

    # Linked to a measure and named in a meeting's decision, by the police who may see it.
    linked = file(police, "linked", 3, category="SOC-02")
    story.restricted_cases["linked"] = linked["case_id"]
    story.public_linked = _ok(service.client("reporter").post(
        "/api/v1/observations", observation(category="BEL-01", note="Lampan är trasig")), 201)["case_id"]
    story.measure = str(uuid.uuid4())
    _ok(staff.post("/api/v1/measures", {"id": story.measure, "what": "Ljus vid trappan", "owner_org": "sdf"}), 201)
    _ok(police.post(f"/api/v1/measures/{story.measure}/link-case", {"case_id": linked["case_id"]},
                    headers={"If-Match": "1"}))
    _ok(staff.post(f"/api/v1/measures/{story.measure}/link-case", {"case_id": story.public_linked},
                   headers={"If-Match": "2"}))
    story.meeting = str(uuid.uuid4())
    _ok(staff.post("/api/v1/meetings", {"id": story.meeting, "group": "operational",
                                        "date": observation()["observed_at"][:10]}), 201)
    _ok(police.post(f"/api/v1/meetings/{story.meeting}/decisions",
                    {"id": str(uuid.uuid4()), "text": "Polisen tar ärendena", "measures": [story.measure],
                     "cases": [linked["case_id"], story.public_linked]}), 201)

    # The measure escalated and answered by the strategic group, the answer naming the restricted case.
    _ok(staff.post(f"/api/v1/measures/{story.measure}/escalate", {"support_needed": "Mer belysning"},
                   headers={"If-Match": "3"}))
    escalation = _ok(staff.get(f"/api/v1/measures/{story.measure}"))["escalations"][0]["escalation_id"]
    strategic = str(uuid.uuid4())
    _ok(police.post("/api/v1/meetings", {"id": strategic, "group": "strategic",
                                         "date": observation()["observed_at"][:10]}), 201)
    _ok(police.post(f"/api/v1/meetings/{strategic}/decisions",
                    {"id": str(uuid.uuid4()), "text": "Beviljat", "measures": [story.measure],
                     "cases": [linked["case_id"]], "escalation": escalation, "answer": "granted"}), 201)

    # Joined: a restricted report joins a public case; a litter report joins a restricted case.
    story.public_case = _ok(filer.post("/api/v1/observations", observation(category="REN-02", note="Full korg")),
                            201)["case_id"]
    file(police, "joined", 4, category="SOC-01", case_id=story.public_case)
    file(police, "joined-restricted", 5, category="REN-01", case_id=filed["case_id"])
    return story


class Board:
    """A reader of the boards over HTTP, signed in through the login form as a person would."""

    def __init__(self, service, who: str) -> None:  # type: ignore[no-untyped-def]
        import re

        import requests

        from helpers import ROLE_USERS

        name = {**ROLE_USERS, **EXTRA_USERS}[who][0]
        self.base = service.base
        self.session = requests.Session()
        form = self.session.get(self.base + "/login", timeout=30).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        r = self.session.post(self.base + "/login", data={"user": name, "password": "hemligt", "csrf_token": csrf,
                                                          "next": "/"}, timeout=30, allow_redirects=False)
        assert r.status_code in (302, 303), (who, r.status_code, r.text[:200])

    def get(self, path: str, **kw):  # type: ignore[no-untyped-def]
        return self.session.get(self.base + path, timeout=30, **kw)
