"""The GeoReport v2 endpoints over the ledger's own commands and read models."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

import sqlalchemy as sa
from flask import Blueprint, Response, current_app, request
from marshmallow import ValidationError

from koll.ledger.api.areas import areas_read
from koll.ledger.api.auth import FILE
from koll.ledger.domain.base import DomainError, NotFound
from koll.ledger.domain.case import OPEN
from koll.ledger.open311.formats import answer, errors
from koll.ledger.projections.situation import cases
from koll.ledger.queries.areas import area_definition
from koll.ledger.queries.walks import responsible_org
from koll.schema import taxonomy
from koll.schema.messages import flatten
from koll.schema.payloads import ObservationSchema

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
_NS = uuid5(NAMESPACE_URL, "https://koll.example/open311")
FORMATS = ("json", "xml")
KINDS = {"choice": "singlevaluelist", "int": "number", "bool": "singlevaluelist"}


class Refused(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status, self.description = status, description


def _koll() -> Any:
    return current_app.extensions["koll"]


def _fmt(fmt: str) -> str:
    if fmt not in FORMATS:
        raise Refused(404, f"unknown format '{fmt}': json or xml")
    return fmt


def _jurisdiction() -> dict[str, Any]:
    """The area asked for (``jurisdiction_id``), or the only one there is."""
    from koll.ledger.queries.areas import area_codes

    with _koll().store.read() as conn:
        code = request.values.get("jurisdiction_id")
        if not code:
            codes = area_codes(conn)
            if len(codes) != 1:
                raise Refused(400, "jurisdiction_id is required: the area's code (" + ", ".join(codes) + ")")
            code = codes[0]
        found = area_definition(conn, None, code)
    if found is None:
        raise Refused(404, f"no jurisdiction '{code}'")
    return found[0]


def _public_services(area: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for c in area["categories"]:
        if c.get("local"):
            code, name, group, visibility = c["code"], c["sv"], c.get("group"), c.get("visibility")
        else:
            cat = taxonomy.category(c["code"])
            code, name, group, visibility = cat.code, cat.sv, cat.group, cat.visibility
        if visibility != "public":
            continue
        out.append({"service_code": code, "service_name": name, "description": name,
                    "metadata": bool(group and taxonomy.attributes_for(group)), "type": "realtime",
                    "keywords": "", "group": taxonomy.group(group).sv if group in taxonomy.GROUP_BY_CODE else ""})
    return out


def _service(area: dict[str, Any], code: str) -> dict[str, Any]:
    for s in _public_services(area):
        if s["service_code"] == code:
            return s
    raise Refused(404, f"no service '{code}' in {area['code']}")


def _handled(fn):  # type: ignore[no-untyped-def]
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        fmt = kwargs.get("fmt", "json")
        try:
            return fn(*args, **kwargs)
        except Refused as e:
            return errors(fmt if fmt in FORMATS else "json", e.status, e.description)

    wrapper.__name__ = fn.__name__
    return wrapper


@bp.get("/discovery.<fmt>")
@_handled
def discovery(fmt: str) -> Response:
    base = request.url_root.rstrip("/") + "/open311/v2/"
    return answer(_fmt(fmt), "discovery", {
        "changeset": "2026-12-01T00:00:00+00:00", "contact": "Koll",
        "key_service": "api_key is a reporter's Koll token (koll user add … --role reporter)",
        "endpoints": [{"specification": "http://wiki.open311.org/GeoReport_v2", "url": base,
                       "changeset": "2026-12-01T00:00:00+00:00", "type": "production",
                       "formats": ["application/json", "text/xml"]}]})


@bp.get("/services.<fmt>")
@_handled
def services(fmt: str) -> Response:
    return answer(_fmt(fmt), "services", _public_services(_jurisdiction()))


@bp.get("/services/<code>.<fmt>")
@_handled
def service_definition(code: str, fmt: str) -> Response:
    area = _jurisdiction()
    service = _service(area, code)
    group = taxonomy.category(code).group if code in taxonomy.CATEGORY_BY_CODE else None
    attributes = []
    for order, a in enumerate(taxonomy.attributes_for(group) if group else (), start=1):
        values = [{"key": c.code, "name": c.sv} for c in a.choices] if a.kind == "choice" else (
            [{"key": "true", "name": "Ja"}, {"key": "false", "name": "Nej"}] if a.kind == "bool" else [])
        attributes.append({"variable": True, "code": a.code, "datatype": KINDS.get(a.kind, "string"),
                           "required": False, "datatype_description": a.en, "order": order,
                           "description": a.sv, "values": values})
    return answer(_fmt(fmt), "service_definition", {"service_code": service["service_code"],
                                                    "attributes": attributes})


def _request_row(r: Any, area: dict[str, Any]) -> dict[str, Any]:
    place = next((p["sv"] for p in area["places"] if p["code"] == r.place), r.place or "")
    org = responsible_org(r.assigned_org, r.category)
    return {"service_request_id": r.case_id, "status": "open" if r.status in OPEN else "closed",
            "status_notes": r.public_note, "service_name": taxonomy.category(r.category).sv
            if r.category in taxonomy.CATEGORY_BY_CODE else r.category, "service_code": r.category,
            "agency_responsible": taxonomy.organisation(org).sv if org in taxonomy.ORGANISATION_BY_CODE else org,
            "requested_datetime": r.opened_at.replace(tzinfo=timezone.utc).isoformat(),
            "updated_datetime": r.updated_at.replace(tzinfo=timezone.utc).isoformat(),
            "address": place, "lat": r.lat, "long": r.lon}


def _public_cases(area: dict[str, Any]) -> sa.Select:
    return sa.select(cases).where(cases.c.area == area["code"], cases.c.visibility == "public")


def _when(name: str) -> datetime | None:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        raise Refused(400, f"{name} is not a W3C date-time (e.g. 2026-11-01T00:00:00Z)") from None
    if value.tzinfo is None or not 2000 <= value.year <= 2100:
        raise Refused(400, f"{name} needs an offset and a year from 2000 to 2100")
    return value.astimezone(timezone.utc).replace(tzinfo=None)


@bp.get("/requests.<fmt>")
@_handled
def list_requests(fmt: str) -> Response:
    fmt = _fmt(fmt)
    area = _jurisdiction()
    q = _public_cases(area)
    if request.args.get("service_request_id"):
        q = q.where(cases.c.case_id.in_([i.strip() for i in request.args["service_request_id"].split(",")]))
    else:
        end = _when("end_date") or datetime.now(timezone.utc).replace(tzinfo=None)
        start = _when("start_date") or end - timedelta(days=90)
        q = q.where(cases.c.opened_at >= start, cases.c.opened_at <= end)
        if request.args.get("service_code"):
            q = q.where(cases.c.category.in_(request.args["service_code"].split(",")))
        wanted = set(request.args.get("status", "").split(",")) - {""}
        if wanted - {"open", "closed"}:
            raise Refused(400, "status is open or closed")
        if wanted == {"open"}:
            q = q.where(cases.c.status.in_(sorted(OPEN)))
        elif wanted == {"closed"}:
            q = q.where(cases.c.status.not_in(sorted(OPEN)))
    with _koll().store.read() as conn:
        rows = [_request_row(r, area) for r in conn.execute(q.order_by(cases.c.opened_at.desc()).limit(1000))]
    return answer(fmt, "service_requests", rows)


@bp.get("/requests/<request_id>.<fmt>")
@_handled
def get_request(request_id: str, fmt: str) -> Response:
    fmt = _fmt(fmt)
    area = _jurisdiction()
    with _koll().store.read() as conn:
        r = conn.execute(_public_cases(area).where(cases.c.case_id == request_id)).first()
    if r is None:
        raise Refused(404, f"no service request '{request_id}'")
    return answer(fmt, "service_requests", [_request_row(r, area)])


@bp.post("/requests.<fmt>")
@_handled
def create_request(fmt: str) -> Response:
    fmt = _fmt(fmt)
    ledger = _koll().ledger
    who = ledger.authenticate(request.values.get("api_key", "")) if request.values.get("api_key") else None
    if who is None:
        raise Refused(403, "api_key is missing or not a valid token")
    if who.role not in FILE:
        raise Refused(403, f"the role '{who.role}' may not file reports")
    area = _jurisdiction()
    service = _service(area, request.values.get("service_code", ""))
    try:
        lat, lon = float(request.values["lat"]), float(request.values["long"])
    except (KeyError, ValueError):
        raise Refused(400, "lat and long are required, in decimal degrees (WGS 84)") from None
    attributes: dict[str, Any] = {}
    for key, value in request.values.items():
        if key.startswith("attribute[") and key.endswith("]"):
            name = key[10:-1]
            attributes[name] = int(value) if value.lstrip("-").isdigit() else (
                value == "true" if value in ("true", "false") else value)
    fields = {"user": who.user, "service_code": service["service_code"], "lat": lat, "long": lon,
              "description": request.values.get("description") or "", "attributes": attributes,
              "jurisdiction": area["code"]}
    report = {
        # The same report from the same reporter is the same request: a client's retry records nothing new.
        "id": str(uuid5(_NS, json.dumps(fields, sort_keys=True, ensure_ascii=False))),
        "category": service["service_code"], "area": area["code"],
        "observed_at": datetime.now(timezone.utc).isoformat(),
        "location": {"lat": lat, "lon": lon, "source": "pin"},
        "note": fields["description"] or None, "attributes": attributes,
    }
    if request.values.get("email"):  # GeoReport's submitter address: here, to hear when it is resolved
        report["notify_email"] = request.values["email"]
    try:
        # A retry comes later than the first try, so its time differs: the id (from what was
        # reported) finds the first one, and the answer is the first one's.
        earlier = ledger.observation(UUID(report["id"]))
        return answer(fmt, "service_requests", [{"service_request_id": earlier.case_id,
                                                  "service_notice": "Rapporten var redan mottagen.",
                                                  "account_id": None, "token": report["id"]}], 200)
    except NotFound:
        pass
    try:
        loaded = ObservationSchema().load(report)
        filed = ledger.file_observation(who, loaded, areas=areas_read())
    except ValidationError as e:
        raise Refused(400, "; ".join(f"{k}: {m[0]['en'] if isinstance(m[0], dict) else m[0]}"
                                     for k, m in flatten(e.messages).items())) from None
    except DomainError as e:
        raise Refused(400, e.message) from None
    if isinstance(filed, DomainError):
        raise Refused(409 if getattr(filed, "code", "") == "conflicting_repeat" else 400, filed.message)
    notice = "Tack! Rapporten är mottagen." if filed.created else "Rapporten var redan mottagen."
    return answer(fmt, "service_requests", [{"service_request_id": filed.case_id, "service_notice": notice,
                                              "account_id": None, "token": filed.id}],
                  201 if filed.created else 200)
