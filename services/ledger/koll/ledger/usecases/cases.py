"""Decisions on a case as the API and the boards both take them.

A body already validated by its schema in ``koll.schema.payloads`` becomes a call on the Case
aggregate, recorded through ``Ledger.decide_case`` with the version the caller decided on: the
same rules, refusals and version checks whether a curl or a form sent it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from marshmallow import Schema

from koll.ledger.domain.base import Actor
from koll.ledger.domain.case import Case
from koll.schema import taxonomy
from koll.schema.payloads import (
    AssignSchema,
    CaseStatusSchema,
    DuplicateSchema,
    ReopenSchema,
    ResolveSchema,
    TriageSchema,
)

# Each decision and the schema its body is checked against.
SCHEMAS: dict[str, type[Schema]] = {
    "triage": TriageSchema, "assign": AssignSchema, "status": CaseStatusSchema, "resolve": ResolveSchema,
    "reopen": ReopenSchema, "duplicate": DuplicateSchema,
}


def case_decision(action: str, body: dict[str, Any], by: Actor) -> Callable[[Case], None]:
    """The decision named ``action`` with its checked ``body`` as a call on the case."""
    if action == "triage":
        group = taxonomy.category(body["category"]).group if body.get("category") else None
        return lambda c: c.triage(by, priority=body["priority"], category=body.get("category"), group=group,
                                  note=body.get("note"))
    if action == "assign":
        return lambda c: c.assign(by, org=body["org"], person=body.get("person"))
    if action == "status":
        if body["status"] == "in_progress":
            return lambda c: c.start_work(by, note=body.get("note"))
        return lambda c: c.close(by, reason=body["reason"], note=body.get("note"))
    if action == "resolve":
        return lambda c: c.resolve(by, public_note=body.get("public_note"))
    if action == "reopen":
        return lambda c: c.reopen(by, reason=body["reason"])
    if action == "duplicate":
        original = str(body["duplicate_of"])
        return lambda c: c.close(by, reason="duplicate", duplicate_of=original, note=body.get("note"))
    raise ValueError(f"unknown case decision '{action}'")


def decide(ledger: Any, case_id: UUID, version: int, decisions: list[tuple[str, dict[str, Any]]],
           by: Actor) -> Case:
    """Record one or more decisions on a case at ``version``, together (one version check, one save).

    A duplicate names its original, which must exist and be the caller's to see (else not found).
    """
    steps = []
    for action, body in decisions:
        if action == "duplicate":
            ledger.case(UUID(str(body["duplicate_of"])), by)
        steps.append(case_decision(action, body, by))

    def all_of(case: Case) -> None:
        for step in steps:
            step(case)

    return ledger.decide_case(case_id, version, all_of, by=by)
