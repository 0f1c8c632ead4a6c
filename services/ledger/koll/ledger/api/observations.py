"""Filing observations: one at a time, or a phone's whole outbox at once."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from flask_smorest import Blueprint
from marshmallow import ValidationError, fields, validate

from koll.ledger.api.areas import areas_read
from koll.ledger.api.auth import FILE, READ, requires
from koll.ledger.api.common import actor, ledger, reading
from koll.ledger.api.errors import Problem, TITLES, domain_status
from koll.ledger.application import Filed
from koll.ledger.domain.base import DomainError
from koll.ledger.queries.cases import my_observations
from koll.schema.messages import flatten
from koll.schema.payloads import BatchResultSchema, BatchSchema, FiledSchema, ObservationSchema, StrictSchema

blp = Blueprint("observations", __name__, url_prefix="/api/v1", description="Observations (iakttagelser)")

# Instances, not classes, for the two filing endpoints: given a class, webargs builds the schema
# (and its nested ones) anew for every request, 0.2 ms of the 5 a report costs under load.
_observation = ObservationSchema()
_batch = BatchSchema()


@blp.route("/observations", methods=["POST"])
@requires(*FILE)
@blp.arguments(_observation)
@blp.response(201, FiledSchema)
@blp.alt_response(200, schema=FiledSchema, description="Already recorded: the same answer as the first time")
def file_observation(report: dict[str, Any]):  # type: ignore[no-untyped-def]
    filed = ledger().file_observation(actor(), report, areas=areas_read())
    if isinstance(filed, DomainError):
        raise filed
    return {"id": filed.id, "case_id": filed.case_id}, (201 if filed.created else 200)


@blp.route("/observations/batch", methods=["POST"])
@requires(*FILE)
@blp.arguments(_batch)
@blp.response(200, BatchResultSchema)
def file_batch(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    """One result per item, in order; valid items are recorded even when others are not."""
    results: list[dict[str, Any] | None] = []
    valid: list[tuple[int, dict[str, Any]]] = []
    for i, raw in enumerate(body["observations"]):
        try:
            valid.append((i, _observation.load(raw)))
            results.append(None)
        except ValidationError as e:
            results.append({"id": raw.get("id") if isinstance(raw.get("id"), str) else None, "status": 422,
                            "title": TITLES[422], "errors": flatten(e.messages)})
    answers = ledger().file_observations(actor(), [r for _, r in valid], areas=areas_read()) if valid else []
    for (i, report), answer in zip(valid, answers, strict=True):
        results[i] = _result(str(report["id"]), answer)
    return {"results": results}


def _result(oid: str, answer: Filed | DomainError) -> dict[str, Any]:
    if isinstance(answer, Filed):
        return {"id": oid, "status": 201 if answer.created else 200, "case_id": answer.case_id}
    status = domain_status(answer)
    # the same shape as a validation error: by field, in Swedish and English
    field = answer.details.get("field") or "_"
    return {"id": oid, "status": status, "title": TITLES.get(status, ""), "detail": answer.message,
            "errors": {field: [answer.bilingual()]}}


class MineQuerySchema(StrictSchema):
    limit = fields.Integer(load_default=200, validate=validate.Range(1, 10_000))


@blp.route("/observations/mine")
@requires(*READ)
@blp.arguments(MineQuerySchema, location="query")
def mine(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """What I filed and what has happened to it since, newest first."""
    with reading() as conn:
        return {"observations": my_observations(conn, actor(), limit=args["limit"])}


@blp.route("/observations/<uuid:observation_id>")
@requires(*READ)
def get_observation(observation_id: UUID):  # type: ignore[no-untyped-def]
    from koll.ledger.queries.cases import observation_detail

    with reading() as conn:
        found = observation_detail(conn, actor(), str(observation_id), ledger().vault)
    if found is None:
        raise Problem(404, f"no observation with id {observation_id}")
    return found
