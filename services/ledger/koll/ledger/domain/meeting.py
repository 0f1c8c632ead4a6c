"""Meeting (möte): the operational group every three weeks, the strategic group above it, and
the mobilisation's conference and workshops before them.

planned → held. Attendance (by organisation: a count and the names) and decisions are recorded
while the meeting is open, each decision a fact that names the measures and cases it touches;
in the strategic group a decision may answer an escalation (support granted, declined, other),
which closes it. ``Held`` closes the record with the conclusions (and is the moment the audit
trail seals what the group saw).
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, DomainError, KollAggregate
from koll.ledger.domain.measure import iso_day

GROUPS = ("operational", "strategic", "mobilisation", "workshop")
ANSWERS = ("granted", "declined", "other")  # the strategic group's answer to an escalation


def attendance_by_org(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who came, one row an organisation: ``{org, count, names}``. Meetings scheduled with a list
    of people (``{name, org}``) are counted the same way."""
    rows: dict[str | None, dict[str, Any]] = {}
    for e in entries or []:
        if not isinstance(e, dict):
            e = {"name": str(e)}
        row = rows.setdefault(e.get("org"), {"org": e.get("org"), "count": 0, "names": []})
        if "name" in e:  # one person
            row["count"] += 1
            row["names"].append(e["name"])
        else:
            row["count"] += int(e.get("count") or 0)
            row["names"] += list(e.get("names") or [])
    return list(rows.values())


def check_attendance(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out: dict[str | None, dict[str, Any]] = {}
    for r in rows:
        names = [n.strip() for n in r.get("names") or [] if n and n.strip()]
        count = int(r.get("count") or 0)
        if count < 0:
            raise DomainError("a count of attendees is never negative", sv="antalet deltagare kan inte vara negativt",
                              field="attendance")
        count = max(count, len(names))
        if r.get("org") in out:
            raise DomainError(f"the organisation '{r.get('org')}' is listed twice",
                              sv="organisationen står två gånger", field="attendance")
        if count:
            out[r.get("org")] = {"org": r.get("org"), "count": count, "names": names}
    return list(out.values())


class Meeting(KollAggregate):
    @event("Scheduled")
    def __init__(self, *, id: UUID, group: str, date: str, title: str | None,  # noqa: A002
                 attendees: list[dict[str, Any]], fingerprint: str, by: dict[str, str],
                 area: str | None = None) -> None:  # None only in a ledger from before areas
        self.area = area
        self.group = group
        self.date = date
        self.title = title
        self.attendees = attendees
        self.fingerprint = fingerprint
        self.status = "planned"
        self.decisions: dict[str, str] = {}  # decision id -> its fingerprint, to answer a retry
        self.conclusions: str | None = None

    @classmethod
    def schedule(cls, by: Actor, *, id: UUID, group: str, date: str, title: str | None,  # noqa: A002
                 attendees: list[dict[str, Any]], fingerprint: str, area: str | None = None) -> Meeting:
        if group not in GROUPS:
            raise DomainError(f"unknown group '{group}'", sv=f"okänd grupp '{group}'", field="group")
        return cls(id=id, group=group, date=iso_day(date, "date"), title=title, attendees=attendees,
                   fingerprint=fingerprint, by=by.as_dict(), area=area)

    def decide(self, by: Actor, *, decision_id: str, text: str, measures: list[str], cases: list[str],
               fingerprint: str, answer: dict[str, Any] | None = None, decided: list[str] | None = None) -> bool:
        """Records a decision; False when this very decision was recorded before (a retry).
        The ledger answers a repeated id with other content before it gets here. ``answer``
        (``{escalation, measure, outcome}``) answers an escalation: only the strategic group
        does; ``decided`` are the measures this decision took from the gross list."""
        if decision_id in self.decisions:
            return False
        self.require("decide", {"planned"})
        if answer is not None:
            if self.group != "strategic":
                raise DomainError("only the strategic group answers an escalation",
                                  sv="bara den strategiska gruppen besvarar en eskalering", field="escalation")
            if answer.get("outcome") not in ANSWERS:
                raise DomainError(f"unknown answer '{answer.get('outcome')}'",
                                  sv=f"okänt svar '{answer.get('outcome')}'", field="answer")
        self._decision_recorded(by=by.as_dict(), decision_id=decision_id, text=text, measures=measures,
                                cases=cases, fingerprint=fingerprint, answer=answer, decided=list(decided or []))
        return True

    def record_attendance(self, by: Actor, attendance: list[dict[str, Any]]) -> None:
        """Who came, by organisation (replaces what was recorded before); also after the meeting."""
        rows = check_attendance(attendance)
        if rows != attendance_by_org(self.attendees):
            self._attendance_recorded(by=by.as_dict(), attendance=rows)

    def hold(self, by: Actor, *, conclusions: str | None, attendees: list[dict[str, Any]] | None) -> None:
        self.require("hold", {"planned"})
        self._held(by=by.as_dict(), conclusions=conclusions,
                   attendees=attendees if attendees is not None else self.attendees)

    @event("DecisionRecorded")
    def _decision_recorded(self, by: dict, decision_id: str, text: str, measures: list[str], cases: list[str],
                           fingerprint: str, answer: dict[str, Any] | None = None,
                           decided: list[str] | None = None) -> None:
        self.decisions = {**self.decisions, decision_id: fingerprint}

    @event("AttendanceRecorded")
    def _attendance_recorded(self, by: dict, attendance: list[dict[str, Any]]) -> None:
        self.attendees = attendance

    @event("Held")
    def _held(self, by: dict, conclusions: str | None, attendees: list[dict[str, Any]]) -> None:
        self.status = "held"
        self.conclusions = conclusions
        self.attendees = attendees
