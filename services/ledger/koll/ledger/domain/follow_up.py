"""Uppföljning of an area: its goals with their indicators, and the safety surveys imported.

The report sets goals on two horizons: short term ("Reducera otrygghet", "Stoppa det akuta
våldet", "Återerövra det offentliga rummet") and long term (the four tracks: trygghet, skola,
bostäder, arbetsmarknad). Each goal has indicators with a baseline and a target; an indicator
is counted from the reports (``observations``), from the perceived safety the reports carry
(``perceived_safety``, 1–5), or read from the safety survey (``survey``, a question's value).
These are the area's goals; a measure's own indicators live on the measure.
"""

from __future__ import annotations

import re
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from koll.ledger.domain.base import Actor, DomainError, KollAggregate
from koll.schema import vocabulary

HORIZONS = ("kort", "lang")
SOURCES = ("observations", "perceived_safety", "survey")
DIRECTIONS = ("down", "up")
TEXT_MAX = 300


def follow_up_id(area: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"koll:uppfoljning:{area}")


def _text(value: Any, field: str, required: bool = True) -> str | None:
    text = "" if value is None else str(value).strip()
    if not text:
        if required:
            raise DomainError(f"{field} is needed", sv="fältet måste fyllas i", field=field)
        return None
    if len(text) > TEXT_MAX:
        raise DomainError(f"{field} is longer than {TEXT_MAX} characters", sv=f"högst {TEXT_MAX} tecken", field=field)
    return text


def _number(value: Any, field: str) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(str(value).replace(",", ".").replace("\u00a0", "").replace(" ", ""))
    except ValueError:
        raise DomainError(f"{field} is not a number", sv="inte ett tal", field=field) from None


def checked_goal(goal: dict[str, Any]) -> dict[str, Any]:
    code = _text(goal.get("code"), "code")
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,39}", code or ""):
        raise DomainError("a goal's code is lower-case letters, digits and dashes",
                          sv="målets kod består av små bokstäver, siffror och bindestreck", field="code")
    if goal.get("horizon") not in HORIZONS:
        raise DomainError("horizon is 'kort' or 'lang'", sv="välj kort eller lång sikt", field="horizon")
    track = goal.get("track") or None
    if track is not None and track not in vocabulary.codes(vocabulary.TRACKS):
        raise DomainError(f"unknown track {track!r}", sv="okänt spår", field="track")
    indicators = []
    for i, ind in enumerate(goal.get("indicators") or []):
        source = ind.get("source")
        if source not in SOURCES:
            raise DomainError(f"unknown indicator source {source!r}", sv="okänd källa för indikatorn",
                              field=f"indicators.{i}.source")
        direction = ind.get("direction") or "down"
        if direction not in DIRECTIONS:
            raise DomainError("direction is 'down' or 'up'", sv="riktningen är ned eller upp",
                              field=f"indicators.{i}.direction")
        indicators.append({
            "code": _text(ind.get("code") or f"{code}-{i + 1}", f"indicators.{i}.code"),
            "name": _text(ind.get("name"), f"indicators.{i}.name"), "source": source, "direction": direction,
            "categories": [str(c) for c in ind.get("categories") or []], "places": [str(p) for p in ind.get("places") or []],
            "question": _text(ind.get("question"), f"indicators.{i}.question", required=source == "survey"),
            "baseline": _number(ind.get("baseline"), f"indicators.{i}.baseline"),
            "baseline_period": _text(ind.get("baseline_period"), f"indicators.{i}.baseline_period", required=False),
            "target": _number(ind.get("target"), f"indicators.{i}.target"),
            "unit": _text(ind.get("unit"), f"indicators.{i}.unit", required=False),
        })
    return {"code": code, "horizon": goal["horizon"], "title": _text(goal.get("title"), "title"), "track": track,
            "indicators": indicators}


class FollowUp(KollAggregate):
    @event("Opened")
    def __init__(self, *, id: UUID, area: str, by: dict[str, str]) -> None:  # noqa: A002
        self.area = area
        self.goals: dict[str, dict[str, Any]] = {}
        self.surveys: list[dict[str, Any]] = []

    @classmethod
    def open(cls, by: Actor, area: str) -> FollowUp:
        return cls(id=follow_up_id(area), area=area, by=by.as_dict())

    def set_goal(self, by: Actor, goal: dict[str, Any]) -> None:
        checked = checked_goal(goal)
        if self.goals.get(checked["code"]) != checked:
            self._goal_set(by=by.as_dict(), goal=checked)

    @event("GoalSet")
    def _goal_set(self, by: dict, goal: dict[str, Any]) -> None:
        self.goals = {**self.goals, goal["code"]: goal}

    def import_survey(self, by: Actor, *, name: str, rows: list[dict[str, Any]]) -> None:
        if not rows:
            raise DomainError("the survey has no rows", sv="mätningen har inga rader", field="file")
        self._survey_imported(by=by.as_dict(), name=name, rows=rows)

    @event("SurveyImported")
    def _survey_imported(self, by: dict, name: str, rows: list[dict[str, Any]]) -> None:
        self.surveys = [*self.surveys, {"name": name, "rows": rows}]
