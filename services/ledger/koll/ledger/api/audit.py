"""Audit (revision): the decision timeline, the boards as of any moment, the chain's verification,
digests and proofs, signed exports, and erasure of a report's personal data."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any
from uuid import UUID

from flask import Response, current_app, stream_with_context
from flask_smorest import Blueprint
from marshmallow import fields, validate

from koll.ledger import audit
from koll.ledger.api.auth import AUDIT, GOVERN, requires
from koll.ledger.api.common import actor, koll, ledger, reading
from koll.ledger.api.errors import Problem
from koll.ledger.api.photos import photo_store
from koll.ledger.domain.base import DomainError, NotAllowed
from koll.ledger.queries import audit as q
from koll.ledger.spreadsheet import csv_chunks
from koll.schema.payloads import Moment, Position, StrictSchema

blp = Blueprint("audit", __name__, url_prefix="/api/v1", description="Revision: history, time travel, tamper evidence")

ERASE = ("admin",)


AREA = fields.String(validate=validate.Length(1, 40), metadata={"description": "one area's events"})


class TimelineQuerySchema(StrictSchema):
    area = AREA
    aggregate = fields.String(validate=validate.Length(max=36))
    kind = fields.String(validate=validate.Length(max=120))
    actor = fields.String(validate=validate.Length(max=120))
    org = fields.String(validate=validate.Length(max=40))
    meeting = fields.String(validate=validate.Length(max=36))
    from_ = Moment(data_key="from")
    to = Moment()
    after = Position()
    limit = fields.Integer(load_default=100, validate=validate.Range(1, 1000))
    order = fields.String(load_default="asc", validate=validate.OneOf(["asc", "desc"]))


class PeriodQuerySchema(StrictSchema):
    area = AREA
    from_ = Moment(data_key="from")
    to = Moment()
    aggregate = fields.String(validate=validate.Length(max=36))
    kind = fields.String(validate=validate.Length(max=120))
    actor = fields.String(validate=validate.Length(max=120))
    org = fields.String(validate=validate.Length(max=40))
    meeting = fields.String(validate=validate.Length(max=36))


class AsOfQuerySchema(StrictSchema):
    at = Moment(required=True)
    area = fields.String(validate=validate.Length(1, 40), metadata={"description": "one area's boards, and the "
                                                                                  "area as it was defined then"})


class DigestBodySchema(StrictSchema):
    reason = fields.String(load_default="on demand", validate=validate.Length(min=1, max=200))


class ProofQuerySchema(StrictSchema):
    digest = Position(1, metadata={"description": "the digest's id (default: the first "
                                                                               "published at or after the event)"})


class EraseBodySchema(StrictSchema):
    reason = fields.String(required=True, validate=validate.Length(min=3, max=500))


def _filters(args: dict[str, Any]) -> dict[str, Any]:
    out = dict(args)
    if "from_" in out:
        out["from"] = out.pop("from_")
    return out


def as_of_cache() -> audit.AsOfCache:
    """The process's as-of cache (server.create_app): its checkpoints in var/asof, shared by the workers."""
    return current_app.extensions["koll_as_of_cache"]


@blp.route("/audit/events")
@requires(*AUDIT)
@blp.arguments(TimelineQuerySchema, location="query")
def events(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Who decided what and when: before → after for status, owner, dates and outcome; paged by position
    (pass ``next`` back as ``after``)."""
    with reading() as conn:
        return q.timeline(conn, actor(), _filters(args))


@blp.route("/audit/events.csv")
@requires(*AUDIT)
@blp.arguments(PeriodQuerySchema, location="query")
def events_csv(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The timeline of a period as CSV (UTF-8, one row an event)."""
    who = actor()
    filters = _filters(args)

    def rows():  # type: ignore[no-untyped-def]
        with reading() as conn:
            yield from csv_chunks(q.CSV_COLUMNS, (q.csv_row(e) for e in q.each_entry(conn, who, filters)))

    return Response(stream_with_context(rows()), mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": "attachment; filename=koll-audit.csv"})


@blp.route("/audit/as-of")
@requires(*AUDIT)
@blp.arguments(AsOfQuerySchema, location="query")
def as_of(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """The situation picture and the measure board exactly as they stood at ``at``."""
    return q.as_of_boards(ledger(), args["at"], actor(), cache=as_of_cache(), area=args.get("area"))


@blp.route("/audit/verify")
@requires(*AUDIT)
def verify():  # type: ignore[no-untyped-def]
    """Recompute the whole hash chain and check every published digest against it."""
    report = audit.verify_chain(koll().store)
    return report.as_dict()


class KeptDigestSchema(StrictSchema):
    position = Position(1, required=True)
    chain_hash = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    published_at = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40))
    reason = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    merkle_root = fields.String(load_default=None, allow_none=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    id = fields.Raw(load_default=None)  # as GET /audit/digests lists them; not needed to check
    published_by = fields.Raw(load_default=None)


class KeptDigestsSchema(StrictSchema):
    digests = fields.List(fields.Nested(KeptDigestSchema), required=True, validate=validate.Length(min=1, max=10_000))


@blp.route("/audit/verify", methods=["POST"])
@requires(*AUDIT)
@blp.arguments(KeptDigestsSchema)
def verify_against(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Recompute the chain and check it against digests kept outside the system (as GET /audit/digests
    gave them): names the first event that no longer matches. Records nothing."""
    kept = audit.load_digests(body, label="request")
    return audit.verify_chain(koll().store, kept).as_dict()


@blp.route("/audit/digests")
@requires(*AUDIT)
def digests():  # type: ignore[no-untyped-def]
    """Every published digest: keep a copy outside the system and give it to `koll verify --digests`."""
    return {"digests": audit.list_digests(koll().store)}


@blp.route("/audit/digests", methods=["POST"])
@requires(*GOVERN)
@blp.arguments(DigestBodySchema)
def publish(body: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Publish the chain's head now (position, hash, Merkle root, time)."""
    return audit.publish_digest(ledger(), body["reason"], actor()), 201


@blp.route("/audit/proof/<int:position>")
@requires(*AUDIT)
@blp.arguments(ProofQuerySchema, location="query")
def proof(args: dict[str, Any], position: int):  # type: ignore[no-untyped-def]
    """A Merkle proof that the event at ``position`` is included in a published digest."""
    digest = None
    if args.get("digest"):
        found = [d for d in audit.list_digests(koll().store) if d["id"] == args["digest"]]
        if not found:
            raise Problem(404, f"no digest with id {args['digest']}")
        d = found[0]
        digest = audit.Digest(position=d["position"], chain_hash=d["chain_hash"], published_at=d["published_at"],
                              reason=d["reason"], merkle_root=d["merkle_root"])
    try:
        return audit.merkle_proof(koll().store, position, digest, viewer=actor())
    except NotAllowed:
        raise
    except DomainError as e:
        raise Problem(404, e.message) from None


def _key():  # type: ignore[no-untyped-def]
    key = current_app.extensions.get("koll_signing_key")
    if key is None:
        key = current_app.extensions["koll_signing_key"] = audit.signing_key(koll().settings.var_dir)
    return key


@blp.route("/audit/public-key")
@requires(*AUDIT)
def public_key():  # type: ignore[no-untyped-def]
    """The installation's Ed25519 public key that signs audit bundles."""
    return audit.public_key_info(_key())


@blp.route("/audit/bundle")
@requires(*AUDIT)
@blp.arguments(PeriodQuerySchema, location="query")
def bundle(args: dict[str, Any]):  # type: ignore[no-untyped-def]
    """Events of a period with their stored state and chain hashes, the digest and the timeline, signed
    with Ed25519; check it offline with infra/verify-bundle.py."""
    filters = _filters(args)
    with reading() as conn:
        timeline = list(q.each_entry(conn, actor(), filters))
    signed = audit.signed_bundle(ledger(), _key(), filters.get("from"), filters.get("to"), timeline, viewer=actor())
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Response(json.dumps(signed, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f"attachment; filename=koll-audit-{stamp}.json"})


@blp.route("/walks/<uuid:walk_id>/erase", methods=["POST"])
@requires(*ERASE)
@blp.arguments(EraseBodySchema)
def erase_walk(body: dict[str, Any], walk_id: UUID):  # type: ignore[no-untyped-def]
    """Erase a safety walk's personal data (the walkers' names, the summary): its key is destroyed as
    Walk.PeopleErased is recorded. Findings, route, light and counts of walkers by kind stay."""
    return audit.erase_walk_people(ledger(), actor(), walk_id, body["reason"])


@blp.route("/observations/<uuid:observation_id>/erase", methods=["POST"])
@requires(*ERASE)
@blp.arguments(EraseBodySchema)
def erase(body: dict[str, Any], observation_id: UUID):  # type: ignore[no-untyped-def]
    """Erase a report's personal data: its key is destroyed as Observation.Erased is recorded, its
    photos deleted. The chain still verifies and the boards' counts do not change."""
    return audit.erase_observation(ledger(), actor(), observation_id, body["reason"], photo_store())
