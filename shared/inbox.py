"""Inbox: a consumer handles each event id once, whatever the broker redelivers.

The inbox row is written in the same transaction as the change the event
causes; a duplicate delivery finds it and does nothing.
"""
from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, delete, insert, select

from shared.db import UTCDateTime
from shared.envelope import Event
from shared.times import utcnow


def define_inbox(metadata: MetaData) -> Table:
    return Table(
        "inbox",
        metadata,
        Column("consumer", String(120), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("event_type", String(64), nullable=False),
        Column("handled_at", UTCDateTime(), nullable=False),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


def first_delivery(connection, inbox: Table, consumer: str, event: Event) -> bool:
    """Record the event for ``consumer``; False when it was handled before."""
    seen = connection.execute(
        select(inbox.c.event_id).where(inbox.c.consumer == consumer, inbox.c.event_id == event.id)
    ).first()
    if seen:
        return False
    connection.execute(
        insert(inbox).values(consumer=consumer, event_id=event.id, event_type=event.type, handled_at=utcnow())
    )
    return True


def prune(connection, inbox: Table, before) -> int:
    """Forget events handled before ``before`` (long after any redelivery could come); returns how many."""
    return connection.execute(delete(inbox).where(inbox.c.handled_at < before)).rowcount
