"""The Ledger: one method per command; each loads, decides, records and answers.

Commands arrive already validated against ``koll.schema`` (the API does that); the ledger
enforces the rules of the domain and of recording: idempotent on the client's ids, optimistic
concurrency on decisions, and the read models updated in the same transaction as the events.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from uuid import UUID

import sqlalchemy as sa
from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.persistence import EventStore, IntegrityError, StoredEvent

from koll.ledger.domain import daylight
from koll.ledger.domain.area import place_at as area_place_at
from koll.ledger.domain.base import Actor, DomainError, KollAggregate, NotFound, WorkflowError
from koll.ledger.domain.case import Case, case_id_for
from koll.ledger.domain.observation import Observation
from koll.ledger.domain.walk import Walk
from koll.ledger.audit import digest_at_meetings
from koll.ledger.projections.areas import AreasProjection
from koll.ledger.projections.audit import AuditProjection
from koll.ledger.projections.base import Projection, Projector
from koll.ledger.projections.situation import CasesProjection, ObservationsProjection
from koll.ledger.projections.users import UsersProjection
from koll.ledger.projections.walks import WalksProjection
from koll.ledger.usecases.areas import AreaCommands, AreaView
from koll.ledger.usecases.process import ProcessCommands
from koll.ledger.usecases.walks import WalkCommands
from koll.ledger.projections.measures import EscalationsProjection, IndicatorValuesProjection, MeasuresProjection
from koll.ledger.projections.meetings import DecisionsProjection, EscalationAnswersProjection, MeetingsProjection
from koll.ledger.usecases.measures import MeasureCommands
from koll.ledger.usecases.meetings import MeetingCommands
from koll.ledger.usecases.users import UserCommands
from koll.ledger.group_commit import GroupCommit
from koll.ledger.policy import Policy
from koll.ledger.migrations import rebuild_progress
from koll.ledger.rebuild import fold, rebuild_beside
from koll.ledger.credentials import Credentials
from koll.ledger.store import LedgerRecorder, SnapshotRecorder, Store, events_table
from koll.ledger.vault import Vault, new_key, seal
from koll.ledger.mail import Mail
from koll.ledger.webhooks import Webhooks
from koll.schema import taxonomy, vocabulary

A = TypeVar("A", bound=KollAggregate)


class StaleVersion(DomainError):
    """The caller decided on an older version than the one now recorded."""

    code = "stale_version"


class ConflictingRepeat(DomainError):
    """The same client id was sent before with a different body."""

    code = "conflicting_repeat"


@dataclass(frozen=True)
class Filed:
    """What filing an observation answers: its id, its case, and whether this call recorded it."""

    id: str
    case_id: str
    created: bool


@dataclass
class _Pending:
    """One new report on its way into a batch."""

    events: list[Any]  # collected once, so a retried commit records the very same events
    key: bytes
    fingerprint: str
    answer: Filed


def fingerprint_of(report: dict[str, Any]) -> str:
    """A stable hash of what the client sent, to tell a retry from a different report."""
    canonical = json.dumps(report, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def refuse_photo(observation: Observation) -> None:
    """The rules a photo meets before a byte of it is stored."""
    if taxonomy.category(observation.category).photo == "blocked":
        raise DomainError("photos are not allowed for this category",
                          sv="foton är inte tillåtna för den här kategorin", field="file")
    if getattr(observation, "erased", False):
        raise WorkflowError("this report's personal data has been erased: it takes no more photos",
                            sv="rapportens personuppgifter är raderade: den tar inte emot fler foton", field="file")


def default_projections() -> list[Projection]:
    # In this order: observations follow their case's visibility, and the timeline both.
    return [AreasProjection(), UsersProjection(), CasesProjection(), ObservationsProjection(),
            MeasuresProjection(), EscalationsProjection(), IndicatorValuesProjection(),
            MeetingsProjection(), DecisionsProjection(), EscalationAnswersProjection(), WalksProjection(),
            AuditProjection()]


class Ledger(AreaCommands, UserCommands, MeasureCommands, MeetingCommands, WalkCommands, ProcessCommands,
             Application):
    name = "koll"
    is_snapshotting_enabled = True
    snapshotting_intervals = {Case: 50}
    # New reports' events are built without their aggregate objects (a third of preparing a
    # report); False builds the aggregates, the plain path the direct one must equal.
    direct_events = True

    def __init__(self, store: Store, projections: Sequence[Projection] | None = None) -> None:
        self.store = store
        self.projector = Projector(projections if projections is not None else default_projections(),
                                   load=self._events_between)
        self.vault = Vault(store)
        self.credentials = Credentials(store)
        self._commit_together: GroupCommit[_Pending] = GroupCommit(self._save_pending)
        super().__init__(env={"IS_SNAPSHOTTING_ENABLED": "y"})
        self.recorder.in_transaction.append(self.projector)
        self.recorder.in_transaction.append(digest_at_meetings)
        self.webhooks = Webhooks(store)
        self.recorder.in_transaction.append(self.webhooks.enqueue)
        self.mail = Mail(store)
        self.recorder.in_transaction.append(self.mail.enqueue)
        reshaped = store.create_schema(self.projector.metadatas)
        self.catch_up(progress=rebuild_progress if reshaped else None)
        self.area_views()  # the areas' own places and organisations, known to this process
        self.webhooks.resume()

    # The library's construction points, pointed at our store.

    def construct_recorder(self) -> LedgerRecorder:
        return LedgerRecorder(self.store)

    def construct_snapshot_store(self) -> EventStore:
        return EventStore(mapper=self.mapper, recorder=SnapshotRecorder(self.store))

    def _record(self, processing_event: ProcessingEvent) -> list:
        # Hand the domain events to the recorder so projections run in the appending transaction.
        processing_event.saved_kwargs["appended"] = list(processing_event.events)
        return super()._record(processing_event)

    # Read models.

    def catch_up(self, batch_size: int = 5000, progress: Callable[[int, int], None] | None = None) -> int:
        """Bring every projection up to the ledger's end; returns events applied."""
        with self.store.read() as conn:
            positions = self.projector.positions(conn)
        start = min((positions.get(p.name, 0) for p in self.projector.projections), default=0)
        end = self.recorder.max_notification_id() or 0
        return fold(self, self._catching_up, self.projector, start, end, batch_size, progress)

    @contextmanager
    def _catching_up(self) -> Iterator[sa.Connection]:
        with self.store.write() as conn:
            self.store.lock_ledger(conn)  # no live append may move a position while we do
            yield conn

    def _events_between(self, conn: sa.Connection, after: int, upto: int) -> list[tuple[int, Any]]:
        """The domain events at positions after..upto, read in the caller's transaction."""
        t = events_table
        rows = conn.execute(sa.select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state)
                            .where(t.c.id > after, t.c.id <= upto).order_by(t.c.id))
        return [(r[0], self.mapper.to_domain_event(StoredEvent(UUID(r[1]), r[2], r[3], bytes(r[4])))) for r in rows]

    def rebuild(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Fold the whole ledger into fresh read models and swap them in (koll.ledger.rebuild): the
        boards stay whole meanwhile. An in-memory SQLite ledger clears its tables and folds again."""
        if self.store.dialect == "sqlite" and self.store.sqlite_path is None:
            with self.store.write() as conn:
                self.projector.clear(conn)
            return self.catch_up(progress=progress)
        return rebuild_beside(self, progress=progress)

    # Observations.

    def file_observation(self, by: Actor, report: dict[str, Any], areas: list[AreaView] | None = None) -> Filed:
        return self.file_observations(by, [report], areas)[0]

    def file_observations(self, by: Actor, reports: Sequence[dict[str, Any]],
                          areas: list[AreaView] | None = None) -> list[Filed | DomainError]:
        """Files a batch from a phone's outbox: one answer per report, each idempotent on its id.

        New reports are recorded together in one transaction; repeats are answered from the
        ledger. A report that breaks a rule gets its error and the others still go in. ``areas``:
        the areas as the caller read them a moment ago (``area_views``), not asked again.
        """
        answers: list[Filed | DomainError] = []
        # A batch is often an outbox sent again, so look first; a single report just tries.
        recorded = self._recorded_observations([str(r["id"]) for r in reports]) if len(reports) > 1 else {}
        pending: dict[str, tuple[int, _Pending]] = {}
        with self.areas_held(areas):  # placed among the areas as they stood when the batch began
            for i, report in enumerate(reports):
                oid = str(report["id"])
                fingerprint = fingerprint_of(report)
                answer: Filed | DomainError
                if oid in recorded:
                    answer = self._repeat(recorded[oid], fingerprint)
                elif oid in pending:  # the same report twice in one batch
                    answer = self._repeat_pending(pending[oid][1], fingerprint)
                else:
                    try:
                        prepared = self._prepare(by, report, fingerprint)
                        pending[oid] = (i, prepared)
                        answer = prepared.answer
                    except DomainError as e:
                        answer = e
                answers.append(answer)
        if pending:
            try:
                self._commit_together([p for _, p in pending.values()])
            except IntegrityError:
                # Some were recorded meanwhile (a retry racing its original): answer those from
                # the ledger and record the rest one by one.
                recorded = self._recorded_observations(list(pending))
                for oid, (i, p) in pending.items():
                    answers[i] = self._repeat(recorded[oid], p.fingerprint) if oid in recorded else self._file_alone(p)
        return answers

    def _prepare(self, by: Actor, report: dict[str, Any], fingerprint: str) -> _Pending:
        oid = UUID(str(report["id"]))
        sid = str(oid)  # written four times below; UUID.__str__ is not free
        category = taxonomy.category(report["category"])
        location = dict(report["location"])
        place = report.get("place")
        area = self.place_in_area(by, location["lat"], location["lon"], report.get("area"))
        if area is None:  # no area defined yet: the national places, as before areas
            if place is None:
                near = taxonomy.nearest_place(location["lat"], location["lon"])
                place = near.code if near else None
        elif place is None:
            place = area_place_at(area.definition["places"], location["lat"], location["lon"])
        elif place not in {p["code"] for p in area.definition["places"]}:
            raise DomainError(f"unknown place '{place}' in {area.name_sv}",
                              sv=f"okänd plats '{place}' i {area.name_sv}", field="place")
        opened: dict[str, Any] | None = None  # the new case's opening, when the report opens one
        related: str | None = None
        case_id: str | None = None
        wanted = report.get("case_id")
        visibility = category.visibility
        if wanted:
            case = self.case(UUID(str(wanted)), by)
            if area is not None and getattr(case, "area", None) not in (None, area.code):
                raise DomainError(f"the case is in another area than the report ({case.area})",
                                  sv=f"ärendet hör till ett annat område än rapporten ({case.area})", field="case_id")
            if case.is_open:
                case_id = str(case.id)
                # A report joining a closely held case is held as closely as the case.
                visibility = vocabulary.stricter_visibility(visibility, case.visibility)
            else:
                related = str(case.id)  # an ended case: this report opens a new one that refers to it
        if case_id is None:
            opened = dict(id=case_id_for(oid), category=category.code, group=category.group, place=place,
                          location=location, visibility=category.visibility, first_observation=sid,
                          related_case=related, by=by.as_dict(), area=area.code if area else None)
            case_id = str(opened["id"])
        key = new_key()
        observed_at = report["observed_at"]
        attributes = dict(report.get("attributes") or {})
        when = observed_at if isinstance(observed_at, datetime) else datetime.fromisoformat(observed_at)
        if report.get("walk_id"):
            self._walk_for_finding(str(report["walk_id"])).check_finding(when)
        dark, time_of_day = daylight.light_at(when, attributes.get("tid_pa_dygnet"),
                                              sky=area.sky if area is not None else daylight.BEFORE_AREAS)
        recorded = dict(
            id=oid, category=category.code, group=category.group,
            observed_at=observed_at if isinstance(observed_at, str) else observed_at.isoformat(),
            location=location, place=place, note=seal(key, report.get("note"), sid),
            walk_id=str(report["walk_id"]) if report.get("walk_id") else None, case_id=case_id,
            attributes=attributes, visibility=visibility, dark=dark, time_of_day=time_of_day,
            fingerprint=fingerprint, by=by.as_dict(), area=area.code if area else None,
            contact=seal(key, report.get("notify_email"), sid),
        )
        # The case first: its row exists when the observation lands in the read model.
        events = [*self._openings(Case, Case.Opened, [opened] if opened else []),
                  *self._openings(Observation, Observation.Recorded, [recorded])]
        return _Pending(events, key, fingerprint, Filed(sid, case_id, True))

    def _openings(self, cls: type[KollAggregate], event_class: type[Any], openings: list[dict[str, Any]]) -> list[Any]:
        """The events that create new aggregates, built directly; with ``direct_events`` off, by
        building each aggregate and collecting its events, the plain way the direct one is checked
        against (tests/test_fast_path.py)."""
        if self.direct_events:
            return [cls.opening(event_class, **kw) for kw in openings]
        return [e for kw in openings for e in cls(**kw).collect_events()]

    def _save_pending(self, pending: Sequence[_Pending]) -> None:
        keys = {p.answer.id: p.key for p in pending}
        self._save_events([e for p in pending for e in p.events], side_writes=[self.vault.writer(keys)])

    def _save_events(self, events: list[Any], **kwargs: Any) -> None:
        """Record events of new aggregates, skipping save()'s per-object protocol checks
        (costly in bulk) and its snapshots (a new aggregate has nothing to snapshot)."""
        processing_event: ProcessingEvent = ProcessingEvent()
        processing_event.events.extend(events)
        processing_event.saved_kwargs.update(kwargs)
        self._record(processing_event)

    def _file_alone(self, prepared: _Pending) -> Filed | DomainError:
        try:
            self._save_pending([prepared])
            return prepared.answer
        except IntegrityError:
            existing = self._recorded_observations([prepared.answer.id]).get(prepared.answer.id)
            if existing is None:
                raise
            return self._repeat(existing, prepared.fingerprint)

    def _recorded_observations(self, ids: Sequence[str]) -> dict[str, Observation]:
        """The observations among ``ids`` that the ledger already holds."""
        if not ids:
            return {}
        with self.store.read() as conn:
            found = [r[0] for r in conn.execute(
                sa.select(events_table.c.originator_id).where(
                    events_table.c.originator_id.in_(list(set(ids))), events_table.c.originator_version == 1))]
        return {oid: self.repository.get(UUID(oid)) for oid in found}

    @staticmethod
    def _repeat(existing: Any, fingerprint: str) -> Filed | DomainError:
        if not isinstance(existing, Observation):
            return ConflictingRepeat("this id belongs to something else in the ledger", field="id")
        if existing.fingerprint != fingerprint:
            return ConflictingRepeat("this id was already filed with a different report", field="id")
        return Filed(str(existing.id), existing.case_id, False)

    @staticmethod
    def _repeat_pending(first: _Pending, fingerprint: str) -> Filed | DomainError:
        if first.fingerprint != fingerprint:
            return ConflictingRepeat("this id appears twice in the batch with different reports", field="id")
        return Filed(first.answer.id, first.answer.case_id, False)

    def _walk_for_finding(self, walk_id: str) -> Walk:
        try:
            return self._get(Walk, UUID(walk_id), what="walk")
        except NotFound:  # a bad reference in the report: invalid input, not a missing resource
            raise DomainError(f"no walk with id {walk_id}",
                              sv=f"ingen trygghetsvandring med id {walk_id}", field="walk_id") from None

    def attach_photo(self, by: Actor, observation_id: UUID, sha256: str, media_type: str) -> bool:
        """Attaches a stored photo; returns whether this call recorded it (False for a repeat)."""
        for _attempt in range(5):  # photos of one report may arrive together; attaching commutes
            observation = self.observation(observation_id)
            refuse_photo(observation)
            if sha256 in observation.photos:
                return False
            observation.attach_photo(sha256=sha256, media_type=media_type, by=by.as_dict())
            try:
                self.save(observation)
                return True
            except IntegrityError:
                continue
        raise StaleVersion("the report changed while the photo was attached; send it again")

    def observation(self, observation_id: UUID) -> Observation:
        return self._get(Observation, observation_id, what="observation")

    # Cases: every decision names the version it was made on.

    def case(self, case_id: UUID, by: Actor | None = None) -> Case:
        """The case; for ``by``, only one they may see (else not found, as the boards would say)."""
        case = self._get(Case, case_id, what="case")
        if by is not None:
            self._require_visible(case, by)
        return case

    @staticmethod
    def _require_visible(case: Case, by: Actor) -> None:
        if not Policy(by).may_see(case.visibility) or not Policy(by).may_see_record(case):
            raise NotFound(f"no case with id {case.id}", id=str(case.id))

    def decide_case(self, case_id: UUID, expected_version: int, decision: Callable[[Case], None],
                    by: Actor | None = None) -> Case:
        check = (lambda c: self._require_visible(c, by)) if by is not None else None
        return self.decide(Case, case_id, expected_version, decision, what="case", check=check)

    def decide(self, cls: type[A], aggregate_id: UUID, expected_version: int, decision: Callable[[A], None],
               what: str, check: Callable[[A], None] | None = None, by: Actor | None = None) -> A:
        """Load, check the caller saw the latest version, apply the decision, record it. With
        ``by``, a record of an area they do not hold is not found (as the reads say), before its
        version is told."""
        aggregate = self._get(cls, aggregate_id, what=what)
        if by is not None:
            self.require_in_area(aggregate, by, what)
        if check is not None:
            check(aggregate)
        if aggregate.version != expected_version:
            raise StaleVersion(f"the {what} is at version {aggregate.version}, not {expected_version}",
                               current=aggregate.version)
        decision(aggregate)
        try:
            self.save(aggregate)
        except IntegrityError:
            raise StaleVersion(f"the {what} was changed by someone else just now",
                               current=self._get(cls, aggregate_id, what=what).version) from None
        return aggregate

    @staticmethod
    def require_in_area(aggregate: Any, by: Actor, what: str) -> None:
        if not Policy(by).may_see_record(aggregate):
            raise NotFound(f"no {what} with id {aggregate.id}", id=str(aggregate.id))

    def history(self, aggregate_id: UUID) -> list[Any]:
        """Every recorded event of one aggregate, oldest first."""
        return list(self.events.get(aggregate_id))

    def _get(self, cls: type[A], aggregate_id: UUID, what: str) -> A:
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"no {what} with id {aggregate_id}", id=str(aggregate_id)) from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"no {what} with id {aggregate_id}", id=str(aggregate_id))
        return aggregate
