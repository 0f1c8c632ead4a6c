"""Gemensam lägesbeskrivning: the area's situation in words, beside the counted picture.

The report's shared description of the square was written at a workshop, "konkret, rakt på sak
och inte censurerad": the symptoms and their causes, "det konkreta och det subtila", and who can
influence what. One description an area, revised as the work goes on; every revision is an
event, so what the groups agreed on at any time can be read back.
"""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, DomainError, KollAggregate

# The parts of the description, in the report's order.
PARTS = ("symptoms", "causes", "concrete", "subtle", "influence")
PART_MAX = 8000


def description_id(area: str) -> UUID:
    """One description an area: its id follows from the area's code."""
    return uuid5(NAMESPACE_URL, f"koll:lagesbeskrivning:{area}")


def checked_text(text: dict[str, Any]) -> dict[str, str]:
    """The parts as text (absent parts empty); refused when all are empty or one is too long."""
    out: dict[str, str] = {}
    for part in PARTS:
        value = text.get(part)
        value = "" if value is None else str(value).replace("\r\n", "\n").strip()
        if len(value) > PART_MAX:
            raise DomainError(f"'{part}' is longer than {PART_MAX} characters",
                              sv=f"texten är längre än {PART_MAX} tecken", field=part)
        out[part] = value
    unknown = set(text) - set(PARTS) - {"note"}
    if unknown:
        raise DomainError(f"unknown part {sorted(unknown)[0]!r}", sv="okänd del av lägesbeskrivningen",
                          field=sorted(unknown)[0])
    if not any(out.values()):
        raise DomainError("write at least one part of the description",
                          sv="skriv minst en del av lägesbeskrivningen", field=PARTS[0])
    return out


class SituationDescription(KollAggregate):
    @event("Written")
    def __init__(self, *, id: UUID, area: str, text: dict[str, str], note: str | None,  # noqa: A002
                 by: dict[str, str]) -> None:
        self.area = area
        self.text = text
        self.note = note

    @classmethod
    def write(cls, by: Actor, *, area: str, text: dict[str, Any], note: str | None = None) -> SituationDescription:
        return cls(id=description_id(area), area=area, text=checked_text(text), note=note, by=by.as_dict())

    def revise(self, by: Actor, *, text: dict[str, Any], note: str | None = None) -> None:
        checked = checked_text(text)
        if checked == self.text:
            raise DomainError("the description is unchanged", sv="lägesbeskrivningen är oförändrad",
                              field=PARTS[0])
        self._revised(by=by.as_dict(), text=checked, note=note)

    @event("Revised")
    def _revised(self, by: dict, text: dict[str, str], note: str | None) -> None:
        self.text = text
        self.note = note
