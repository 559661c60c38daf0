"""Unit of work: one database transaction around one use case.

A use case changes its rows, records the events that happened
(``uow.record``, stamped by the service's clock), and commits once: the rows
and the outbox entries land together or not at all. Event handlers start with ``uow.first_delivery`` so a
redelivered event changes nothing.

Inside a command (shared.entrypoints) every unit of work joins the command's one
transaction as a savepoint: its commit keeps its changes for the command, which
commits them together with its request id and answer (shared.rpc_inbox).
"""
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from shared import inbox, outbox
from shared.contracts.events import dump_payload
from shared.envelope import Event
from shared.times import utcnow


class CommandTransaction:
    """The one transaction of a command: the units of work it opens join it, and it commits once."""

    def __init__(self, sessions: sessionmaker):
        self.session = sessions()
        self.recorded: list[Event] = []  # events of the units that committed
        self.after_commit: list[Callable[[], None]] = []  # shared.storage: Database.after_commit


class UnitOfWork:
    def __init__(
        self,
        sessions: sessionmaker,
        outbox_table: Table,
        inbox_table: Table,
        source: str,
        after_commit: Callable[[], None] = lambda: None,
        now: Callable[[], datetime] = utcnow,
        request_id: str | None = None,
        on_duplicate: Callable[[str], None] = lambda consumer: None,
        command: CommandTransaction | None = None,
    ):
        self._sessions = sessions
        self._outbox = outbox_table
        self._inbox = inbox_table
        self.source = source
        self._after_commit = after_commit
        self._now = now  # the service's clock (shared.clock): events happen when its use cases do
        self.request_id = request_id  # of the RPC or event being handled: goes out with every event recorded
        self._on_duplicate = on_duplicate
        self._command = command
        self._savepoint = None
        self.session: Session | None = None
        self.recorded: list[Event] = []

    def __enter__(self) -> "UnitOfWork":
        self.recorded = []
        if self._command is not None:
            self.session = self._command.session
            self._savepoint = self.session.begin_nested()
            return self
        self.session = self._sessions()
        return self

    def __exit__(self, *exc_info):
        # Anything not committed explicitly is rolled back: never half-stored.
        if self._command is not None:
            if self._savepoint.is_active:
                self._savepoint.rollback()
            return
        self.session.rollback()
        self.session.close()

    def record(self, event_type: str, payload: dict, correlation_id: str | None = None,
               routing_key: str | None = None) -> Event:
        event = Event(
            type=event_type,
            source=self.source,
            payload=dump_payload(event_type, payload),
            correlation_id=correlation_id,
            occurred_at=self._now(),
        )
        outbox.store(self.session.connection(), self._outbox, event, routing_key, self.request_id)
        self.recorded.append(event)
        return event

    def first_delivery(self, event: Event, handler: str | None = None) -> bool:
        """False when this service handled the event before. The inbox keys it by this service (the
        source of the unit of work) and the event's type; a second ``handler`` of the same event keeps
        its own record."""
        consumer = ":".join(filter(None, (self.source, event.type, handler)))
        first = inbox.first_delivery(self.session.connection(), self._inbox, consumer, event)
        if not first:
            self._on_duplicate(consumer)
        return first

    def commit(self) -> None:
        if self._command is not None:  # the command commits, once its answer is known
            self._savepoint.commit()
            self._command.recorded += self.recorded
            return
        self.session.commit()
        if self.recorded:
            self._after_commit()
