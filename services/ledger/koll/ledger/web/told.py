"""Histories told in words: an event becomes a sentence ("Ärendet tilldelades"), its data the
changes and reasons a person reads ("Organisation: Polisen", "Skäl: …"), codes become names and
a meeting's id its title. Used by every history on the boards and by the revision timeline.

A measure's or a case's own history (``history.describe`` of its events) is told with the
meetings' decisions that name it, each with the meeting's title: the decision is the meeting's
fact, but it is part of what happened to what it concerns."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from uuid import UUID

import sqlalchemy as sa
from flask import url_for

from koll.ledger.domain.base import Actor
from koll.ledger.history import TOLD_FIELDS, describe, event_name
from koll.ledger.policy import Policy, is_placeholder
from koll.ledger.projections.meetings import decisions, meetings
from koll.ledger.web import i18n


def meeting_titles(conn: sa.Connection, ids: Iterable[str]) -> dict[str, str]:
    """Each meeting's title (or group and date, when it has none), by id."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = conn.execute(sa.select(meetings.c.meeting_id, meetings.c.title, meetings.c.group_code, meetings.c.date)
                        .where(meetings.c.meeting_id.in_(wanted)))
    return {r.meeting_id: r.title or f"{i18n.label('role', r.group_code)} {r.date}" for r in rows}


def _value(key: str, value: Any, aggregate: str, titles: dict[str, str]) -> tuple[str, str | None]:
    """The value as words, and a link when it names a case."""
    kind = i18n.FIELDS.get(key, ("", "", None))[2]
    if value is None or value == "" or value == []:
        return "–", None
    if is_placeholder(value):  # a case this reader may not see: named only as that
        return i18n.t("restricted_case"), None
    if kind == "status":
        return i18n.label("measure_status" if aggregate == "Measure" else "case_status", value), None
    if kind == "case":
        return str(value)[:8], url_for("boards.case", case_id=str(value))
    if kind == "meeting":
        return titles.get(str(value), i18n.t("meeting")), url_for("boards.meeting", meeting_id=str(value))
    if kind == "yes_no":
        return ("ja" if value else "nej") if i18n.lang() == "sv" else ("yes" if value else "no"), None
    if kind == "close_reason" and aggregate != "Case":
        kind = None  # a measure's reason to pause or cancel is free text
    if kind == "priority" or key == "priority":
        return i18n.t(f"priority_{value}"), None
    if isinstance(value, list):
        return ", ".join(_value(key, v, aggregate, titles)[0] if kind in ("case", "meeting") or is_placeholder(v)
                         else i18n.label(kind, v) if kind else str(v) for v in value), None
    if kind:
        return i18n.label(kind, str(value)), None
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False), None


def decisions_about(conn: sa.Connection, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The meetings' decisions naming the one measure or case ``entries`` are the history of
    (none for the audit timeline, whose entries have a position, or a mix of aggregates), told
    like its own events. A decision that took a measure from the gross list is already in its
    history, as ``Measure.Decided`` in that meeting."""
    from koll.ledger.web.common import koll  # common imports the pages that import this module

    ids = {e.get("aggregate_id") for e in entries}
    kinds = {e["event"].split(".", 1)[0] for e in entries}
    if len(ids) != 1 or not kinds <= {"Measure", "Case"} or any("position" in e for e in entries):
        return []
    (aggregate_id,) = ids
    column = decisions.c.measures if kinds == {"Measure"} else decisions.c.cases
    meeting_ids = {r[0] for r in conn.execute(sa.select(decisions.c.meeting_id)
                                              .where(column.contains(f'"{aggregate_id}"')))}
    out = []
    for mid in sorted(meeting_ids):
        for event in koll().ledger.history(UUID(mid)):
            named = getattr(event, "measures", []) + getattr(event, "cases", [])
            if event_name(event) == "Meeting.DecisionRecorded" and aggregate_id in named \
                    and aggregate_id not in (getattr(event, "decided", None) or []):
                out.append(describe(event) | {"meeting_id": mid})
    return out


def tell(entries: Iterable[dict[str, Any]], conn: sa.Connection, actor: Actor) -> list[dict[str, Any]]:
    """Entries from ``history.describe`` or the audit timeline, told for ``actor``: a case they
    may not see is named only as one with restricted access."""
    entries = list(entries)
    extra = decisions_about(conn, entries) if entries else []
    if extra:  # a measure's or case's own history, oldest first: the decisions fall in their place
        entries = sorted(entries + extra, key=lambda e: e["at"])
    entries = Policy(actor).redact(conn, entries)
    titles = meeting_titles(conn, [e.get("meeting_id") or (e.get("data") or {}).get("meeting_id") for e in entries])
    out = []
    for e in entries:
        aggregate = e.get("aggregate_type") or e["event"].split(".", 1)[0]
        data = e.get("data") or {}
        details: list[tuple[str, str, str | None]] = []
        changes = e.get("changes") or {}
        for key, change in sorted(changes.items()):
            before = _value(key, change["before"], aggregate, titles)[0]
            after, href = _value(key, change["after"], aggregate, titles)
            details.append((i18n.field_text(key), f"{before} → {after}", href))
        told_keys = set(changes)
        if isinstance(data.get("changes"), dict):  # a revised plan names what it changed
            for key, value in sorted(data["changes"].items()):
                if key not in told_keys:
                    details.append((i18n.field_text(key), *_value(key, value, aggregate, titles)))
                    told_keys.add(key)
        for key in TOLD_FIELDS.get(e["event"], ()):
            if key in told_keys or data.get(key) in (None, "", []):
                continue
            details.append((i18n.field_text(key), *_value(key, data[key], aggregate, titles)))
        meeting = e.get("meeting_id")
        if meeting and "meeting_id" not in told_keys and "meeting_id" not in TOLD_FIELDS.get(e["event"], ()):
            details.append((i18n.field_text("meeting_id"), titles.get(meeting, i18n.t("meeting")),
                            url_for("boards.meeting", meeting_id=meeting)))
        out.append({"event": e["event"], "what": i18n.event_text(e["event"]), "at": e["at"], "version": e["version"],
                    "by": e.get("by") or e.get("who"), "details": details, "aggregate_id": e.get("aggregate_id"),
                    "aggregate_type": aggregate, "position": e.get("position")})
    return out
