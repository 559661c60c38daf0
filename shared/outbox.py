"""Transactional outbox: an event is stored with the change that caused it,
in the same local transaction, and a relay publishes it afterwards with
publisher confirms. If the process dies between commit and publish, the row is
still there and goes out on the next pass; a publish whose mark was lost goes
out twice, which consumers absorb through their inbox.
"""
import json
import logging
import socket
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import (
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine

from shared.bus import BatchPublisher, event_exchange, work_queue
from shared.contracts.subscriptions import subscribers_of
from shared.db import UTCDateTime
from shared.envelope import Event, to_message
from shared.times import utcnow

log = logging.getLogger(__name__)

CLAIM_LEASE = timedelta(seconds=30)


def define_outbox(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UTCDateTime(), nullable=False),
        Column("claimed_by", String(64)),
        Column("claimed_until", UTCDateTime()),
        Column("published_at", UTCDateTime()),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text),
        # The request whose work recorded the event: published as the nameko.request_id header.
        Column("request_id", String(255)),
        Index("ix_outbox_pending", "published_at", "id"),
    )


def outbox_row(event: Event, routing_key: str | None = None, request_id: str | None = None) -> dict:
    return {
        "event_id": event.id,
        "event_type": event.type,
        "routing_key": routing_key or event.type,
        "body": json.dumps(to_message(event), ensure_ascii=False),
        "created_at": event.occurred_at,
        "attempts": 0,
        "request_id": request_id,
    }


def store(connection, outbox: Table, event: Event, routing_key: str | None = None,
          request_id: str | None = None) -> None:
    connection.execute(insert(outbox).values(**outbox_row(event, routing_key, request_id)))


def prune(connection, outbox: Table, before) -> int:
    """Forget events published before ``before``; returns how many."""
    return connection.execute(delete(outbox).where(outbox.c.published_at < before)).rowcount


def message_properties(row, source: str) -> dict:
    """What an event carries beside its envelope, for logs and tracing (docs/events: message properties):
    its id, type, source and correlation id as AMQP properties, the request id as nameko's context header."""
    properties = {"message_id": row.event_id, "type": row.event_type, "app_id": source}
    correlation_id = json.loads(row.body).get("correlation_id")
    if correlation_id:
        properties["correlation_id"] = correlation_id
    if row.request_id:
        properties["application_headers"] = {"nameko.request_id": row.request_id}
    return properties


@dataclass(frozen=True)
class Backlog:
    count: int
    oldest_age_s: float


class OutboxRelay:
    """Publishes pending outbox rows of one service. Safe to run in every
    instance at once: rows are claimed with a lease (FOR UPDATE SKIP LOCKED on
    PostgreSQL) before they are sent."""

    def __init__(self, engine: Engine, outbox: Table, source: str, amqp_uri: str, batch_size: int = 200):
        self.engine = engine
        self.outbox = outbox
        self.source = source
        self.amqp_uri = amqp_uri
        self.batch_size = batch_size
        self.exchange = event_exchange(source)
        # Subscribers' queues are declared before anything is sent, so an event
        # published before its consumer ever ran waits for it instead of vanishing.
        self.publisher = BatchPublisher(amqp_uri, [work_queue(sub) for sub in subscribers_of(source)])

    def relay_once(self) -> int:
        """Claim, publish and mark one batch; returns how many were published."""
        token = f"{socket.gethostname()}:{uuid.uuid4().hex[:12]}"
        rows = self._claim(token)
        if not rows:
            return 0
        try:
            self.publisher.publish(self.exchange, [(row.routing_key, row.body, message_properties(row, self.source))
                                                   for row in rows])
        except Exception as exc:
            self._record_failure([row.id for row in rows], exc)
            raise
        self._mark_published([row.id for row in rows])
        return len(rows)

    def _claim(self, token: str):
        now = utcnow()
        t = self.outbox
        claimable = and_(t.c.published_at.is_(None), or_(t.c.claimed_until.is_(None), t.c.claimed_until < now))
        with self.engine.begin() as conn:
            # On PostgreSQL the rows are locked as they are chosen, skipping those another relay is
            # claiming right now: relays never wait on each other, so they cannot deadlock. (SQLite
            # has no row locks; its writes take turns, and the statement is atomic there.)
            ids = (select(t.c.id).where(claimable).order_by(t.c.id).limit(self.batch_size)
                   .with_for_update(skip_locked=True).scalar_subquery())
            conn.execute(
                update(t)
                .where(t.c.id.in_(ids), claimable)
                .values(claimed_by=token, claimed_until=now + CLAIM_LEASE, attempts=t.c.attempts + 1)
            )
        with self.engine.connect() as conn:
            return conn.execute(
                select(t.c.id, t.c.event_id, t.c.event_type, t.c.routing_key, t.c.body, t.c.request_id)
                .where(t.c.claimed_by == token, t.c.published_at.is_(None))
                .order_by(t.c.id)
            ).all()

    def _mark_published(self, ids: list[int]) -> None:
        if not ids:
            return
        with self.engine.begin() as conn:
            conn.execute(update(self.outbox).where(self.outbox.c.id.in_(ids)).values(published_at=utcnow()))

    def _record_failure(self, ids: list[int], exc: Exception) -> None:
        if not ids:
            return
        with self.engine.begin() as conn:
            # Release the lease so the next pass retries at once.
            conn.execute(
                update(self.outbox)
                .where(self.outbox.c.id.in_(ids))
                .values(claimed_until=None, last_error=repr(exc)[:2000])
            )

    def backlog(self) -> Backlog:
        """How many events wait to be published, and how long the oldest has waited."""
        with self.engine.connect() as conn:
            count, oldest = conn.execute(
                select(func.count(), func.min(self.outbox.c.created_at)).where(self.outbox.c.published_at.is_(None))
            ).one()
        if oldest is None:
            return Backlog(0, 0.0)
        return Backlog(count, max(0.0, (utcnow() - oldest).total_seconds()))
