"""Unit of work: one database transaction around one use case.

A use case changes its rows, records the events that happened
(``uow.record``), and commits once: the rows and the outbox entries land
together or not at all. Event handlers start with ``uow.first_delivery`` so a
redelivered event changes nothing.
"""
from collections.abc import Callable

from sqlalchemy import Table
from sqlalchemy.orm import Session, sessionmaker

from shared import inbox, outbox
from shared.contracts.events import dump_payload
from shared.envelope import Event


class UnitOfWork:
    def __init__(
        self,
        sessions: sessionmaker,
        outbox_table: Table,
        inbox_table: Table,
        source: str,
        after_commit: Callable[[], None] = lambda: None,
    ):
        self._sessions = sessions
        self._outbox = outbox_table
        self._inbox = inbox_table
        self.source = source
        self._after_commit = after_commit
        self.session: Session | None = None
        self.recorded: list[Event] = []

    def __enter__(self) -> "UnitOfWork":
        self.session = self._sessions()
        self.recorded = []
        return self

    def __exit__(self, *exc_info):
        # Anything not committed explicitly is rolled back: never half-stored.
        self.session.rollback()
        self.session.close()

    def record(self, event_type: str, payload: dict, correlation_id: str | None = None,
               routing_key: str | None = None) -> Event:
        event = Event(
            type=event_type,
            source=self.source,
            payload=dump_payload(event_type, payload),
            correlation_id=correlation_id,
        )
        outbox.store(self.session.connection(), self._outbox, event, routing_key)
        self.recorded.append(event)
        return event

    def first_delivery(self, consumer: str, event: Event) -> bool:
        return inbox.first_delivery(self.session.connection(), self._inbox, consumer, event)

    def commit(self) -> None:
        self.session.commit()
        if self.recorded:
            self._after_commit()
