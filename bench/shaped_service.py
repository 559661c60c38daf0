"""The same-shape floor: a report's path with nothing of the domain in it.

An RPC commits a row and its outbox entry in one transaction and publishes the event with confirms; a
second service takes the event, records it in its inbox with a row of its own and an outbox entry in one
transaction, and publishes an event back, with which the first service marks its row assigned. That is
what a report costs the platform at least (a row, an event each way, exactly once); no sign-in, no
validation, no rules, no timeline, no audit. Plain nameko on the same database engines as the services.

    BENCH_INTAKE_DATABASE_URL=... nameko run bench.shaped_service:IntakeService
    BENCH_ASSIGN_DATABASE_URL=... nameko run bench.shaped_service:AssignService
"""
import json
import os
import uuid

import sqlalchemy as sa
from nameko.events import EventDispatcher, event_handler
from nameko.extensions import DependencyProvider
from nameko.rpc import rpc

from shared.db import UTCDateTime, create_db_engine
from shared.times import utcnow

metadata = sa.MetaData()
item = sa.Table("item", metadata, sa.Column("id", sa.String(36), primary_key=True),
                sa.Column("body", sa.Text, nullable=False), sa.Column("filed_at", UTCDateTime(), nullable=False),
                sa.Column("assigned_at", UTCDateTime()))
assignment = sa.Table("assignment", metadata, sa.Column("item_id", sa.String(36), primary_key=True),
                      sa.Column("assigned_at", UTCDateTime(), nullable=False))
outbox = sa.Table("outbox", metadata, sa.Column("id", sa.String(36), primary_key=True),
                  sa.Column("type", sa.String(64), nullable=False), sa.Column("payload", sa.Text, nullable=False),
                  sa.Column("sent_at", UTCDateTime()))
inbox = sa.Table("inbox", metadata, sa.Column("event_id", sa.String(36), primary_key=True))


class Engine(DependencyProvider):
    """The service's database, its tables made on start; the URL comes from the environment variable named."""

    def __init__(self, url_variable: str):
        self.url_variable = url_variable
        self.engine = None

    def setup(self):
        self.engine = create_db_engine(os.environ[self.url_variable])
        metadata.create_all(self.engine)

    def stop(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return self.engine


def store_event(connection, event_type: str, payload: dict) -> dict:
    """The event's outbox entry, in the caller's transaction; returns the event to publish after commit."""
    event = {"id": str(uuid.uuid4()), "type": event_type, **payload}
    connection.execute(outbox.insert().values(id=event["id"], type=event_type, payload=json.dumps(event)))
    return event


def relay(engine, dispatch, event: dict) -> None:
    """Publish (nameko confirms every publish) and mark the entry sent, as the services' relay does."""
    dispatch(event["type"], event)
    with engine.begin() as connection:
        connection.execute(outbox.update().where(outbox.c.id == event["id"]).values(sent_at=utcnow()))


def first_delivery(connection, event: dict) -> bool:
    if connection.execute(sa.select(inbox.c.event_id).where(inbox.c.event_id == event["id"])).first():
        return False
    connection.execute(inbox.insert().values(event_id=event["id"]))
    return True


class IntakeService:
    name = "bench_intake"
    db = Engine("BENCH_INTAKE_DATABASE_URL")
    dispatch = EventDispatcher()

    @rpc
    def file(self, body):
        item_id = str(uuid.uuid4())
        with self.db.begin() as connection:
            connection.execute(item.insert().values(id=item_id, body=json.dumps(body), filed_at=utcnow()))
            event = store_event(connection, "item_filed", {"item_id": item_id})
        relay(self.db, self.dispatch, event)
        return {"id": item_id}

    @event_handler("bench_assign", "item_assigned")
    def on_assigned(self, event):
        with self.db.begin() as connection:
            if first_delivery(connection, event):
                connection.execute(item.update().where(item.c.id == event["item_id"])
                                   .values(assigned_at=utcnow()))


class AssignService:
    name = "bench_assign"
    db = Engine("BENCH_ASSIGN_DATABASE_URL")
    dispatch = EventDispatcher()

    @event_handler("bench_intake", "item_filed")
    def on_filed(self, event):
        with self.db.begin() as connection:
            if not first_delivery(connection, event):
                return
            connection.execute(assignment.insert().values(item_id=event["item_id"], assigned_at=utcnow()))
            assigned = store_event(connection, "item_assigned", {"item_id": event["item_id"]})
        relay(self.db, self.dispatch, assigned)
