"""What every aggregate in the ledger shares: who acted, when, and the refusal of a wrong step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from koll.ledger.domain import clock


@dataclass(frozen=True)
class Actor:
    """Who did it: the user, the role they acted in and their organisation. ``areas``: the areas
    they may act in (empty: every area); it decides, and is not recorded with what they do."""

    user: str
    role: str
    org: str
    areas: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, str]:
        return {"user": self.user, "role": self.role, "org": self.org}  # asdict() deep-copies: 25 µs a call

    @classmethod
    def from_dict(cls, data: dict[str, str]) -> Actor:
        return cls(user=data["user"], role=data["role"], org=data["org"])


SYSTEM = Actor(user="koll", role="admin", org="koll")


class DomainError(Exception):
    """A command the domain refuses. ``code`` is stable for clients, the message is for people."""

    code = "domain_error"

    def __init__(self, message: str, *, sv: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.sv = sv or message  # Swedish, for the people on the square and in the groups
        self.details = details

    def bilingual(self) -> dict[str, str]:
        return {"sv": self.sv, "en": self.message}


class WorkflowError(DomainError):
    """A step that the lifecycle does not allow from the current state."""

    code = "workflow"


class NotFound(DomainError):
    code = "not_found"


class NotAllowed(DomainError):
    """The caller's role or organisation may not have what was asked for."""

    code = "not_allowed"


class KollAggregate(Aggregate):
    """Base aggregate: events are stamped by the ledger's clock and carry their actor."""

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def opening(cls, event_class: type[Aggregate.Event], *, id: Any, **kwargs: Any) -> Aggregate.Event:  # noqa: A002
        """The event that creates an aggregate of this class, built as the library builds it when the
        class is called (the same event class, topic, first version and clock), with no aggregate
        object around it: for the batch ingest, which records new aggregates and needs only their
        events. Every argument of the created event is given; tests/test_fast_path.py checks that
        the recorded bytes equal those of the aggregate's own ``collect_events()``."""
        return event_class(originator_topic=get_topic(cls), originator_id=id,  # type: ignore[call-arg]
                           originator_version=cls.INITIAL_VERSION, timestamp=event_class.create_timestamp(),
                           **kwargs)

    def require(self, action: str, allowed: set[str] | frozenset[str]) -> None:
        status = getattr(self, "status", None)
        if status not in allowed:
            raise WorkflowError(
                f"'{action}' is not possible when the status is '{status}'",
                action=action,
                current_status=status,
                allowed=sorted(allowed),
            )
