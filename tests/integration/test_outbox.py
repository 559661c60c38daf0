"""The outbox against a real RabbitMQ and real databases (SQLite, and PostgreSQL where it runs)."""
import json
import threading
from datetime import datetime, timezone

import pytest
from kombu import Connection
from kombu.exceptions import OperationalError
from sqlalchemy import select

from services.reporting.models import Base, outbox
from shared.bus import queue_name, work_queue
from shared.contracts.subscriptions import Subscription
from shared.db import create_db_engine, session_factory
from shared.outbox import Backlog, OutboxRelay
from shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

CREATED = Subscription("dispatch", "reporting", "report.created")


def report_created(n: int) -> dict:
    return {"report_id": f"r-{n}", "community": "ytl", "category": "sanitation.garbage", "description": "垃圾",
            "building": "44", "reporter_id": "ytl-bl-44", "reporter_role": "building_leader", "channel": "app"}


@pytest.fixture
def engine(database_url):
    engine = create_db_engine(database_url)
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def drained_queue(vhost):
    """The dispatch queue that report.created lands in, emptied before the test."""
    work = work_queue(CREATED)
    with Connection(vhost.uri) as connection:
        bound = work(connection.channel())
        bound.declare()
        bound.purge()

    def received() -> list[dict]:
        bodies = []
        with Connection(vhost.uri) as connection:
            bound = work(connection.channel())
            while (message := bound.get(no_ack=True)) is not None:
                bodies.append(json.loads(message.body))
        return bodies

    return received


def unit_of_work(engine) -> UnitOfWork:
    return UnitOfWork(session_factory(engine), outbox, Base.metadata.tables["inbox"], "reporting")


def record(engine, count: int) -> list[str]:
    with unit_of_work(engine) as uow:
        ids = [uow.record("report.created", report_created(n), correlation_id=f"r-{n}").id for n in range(count)]
        uow.commit()
    return ids


def test_recorded_events_are_published_once_in_order_with_their_envelope(engine, vhost, drained_queue):
    ids = record(engine, 3)
    relay = OutboxRelay(engine, outbox, "reporting", vhost.uri)

    assert relay.relay_once() == 3
    assert relay.relay_once() == 0
    assert relay.backlog().count == 0

    bodies = drained_queue()
    assert [b["id"] for b in bodies] == ids
    first = bodies[0]
    assert set(first) == {"id", "type", "version", "occurred_at", "source", "correlation_id", "payload"}
    assert (first["type"], first["source"], first["version"], first["correlation_id"]) == \
        ("report.created", "reporting", 1, "r-0")
    assert first["payload"]["report_id"] == "r-0"


def test_nothing_is_stored_when_the_use_case_does_not_commit(engine):
    with pytest.raises(RuntimeError), unit_of_work(engine) as uow:
        uow.record("report.created", report_created(1))
        raise RuntimeError("the use case failed half-way")
    with engine.connect() as connection:
        assert connection.execute(select(outbox.c.id)).all() == []


def test_when_the_broker_is_unreachable_events_wait_and_go_out_later(engine, vhost, drained_queue):
    ids = record(engine, 2)
    unreachable = OutboxRelay(engine, outbox, "reporting", "amqp://guest:guest@127.0.0.1:1/")
    with pytest.raises(OperationalError):  # connection refused
        unreachable.relay_once()
    assert unreachable.backlog().count == 2

    assert OutboxRelay(engine, outbox, "reporting", vhost.uri).relay_once() == 2
    assert [b["id"] for b in drained_queue()] == ids


def test_relays_running_side_by_side_publish_each_event_once(engine, vhost, drained_queue):
    """As when three dispatch instances share one database."""
    ids = record(engine, 120)
    relays = [OutboxRelay(engine, outbox, "reporting", vhost.uri, batch_size=10) for _ in range(3)]

    failures = []

    def drain(relay):
        try:
            while relay.relay_once():
                pass
        except Exception as exc:  # a deadlock between the relays' claims would land here
            failures.append(exc)

    threads = [threading.Thread(target=drain, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    published = [b["id"] for b in drained_queue()]
    assert failures == []
    assert sorted(published) == sorted(ids)
    assert queue_name(CREATED) == "dispatch--reporting.report.created"


def test_events_are_stamped_by_the_clock_the_unit_of_work_is_given(engine):
    """A service's events happen when its clock says (a moved test clock too), not at the wall's time."""
    moment = datetime(2026, 11, 26, 0, 30, tzinfo=timezone.utc)
    with UnitOfWork(session_factory(engine), outbox, Base.metadata.tables["inbox"], "reporting",
                    now=lambda: moment) as uow:
        recorded = uow.record("report.created", report_created(0), correlation_id="r-0")
        uow.commit()
    assert recorded.occurred_at == moment
    with engine.connect() as connection:
        assert json.loads(connection.execute(select(outbox.c.body)).scalar_one())["occurred_at"] == moment.isoformat()


def test_a_relay_skips_the_rows_another_relay_is_claiming_instead_of_waiting(engine, vhost, drained_queue):
    """PostgreSQL: while one relay's claim holds the first rows locked, another claims the next ones
    at once (FOR UPDATE SKIP LOCKED); waiting on each other's locks is how two relays deadlocked."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks are PostgreSQL's; SQLite's writers take turns (the test above)")
    ids = record(engine, 20)
    relay = OutboxRelay(engine, outbox, "reporting", vhost.uri, batch_size=10)
    published = []
    with engine.connect() as other_relay, other_relay.begin():
        other_relay.execute(select(outbox.c.id).order_by(outbox.c.id).limit(10).with_for_update())
        claiming = threading.Thread(target=lambda: published.append(relay.relay_once()))
        claiming.start()
        claiming.join(timeout=20)  # generous for a busy machine; a relay that waits on the lock never returns
        assert not claiming.is_alive(), "the relay waited on rows another relay holds"
    assert published == [10]
    assert [b["id"] for b in drained_queue()] == ids[10:]


def test_each_event_carries_its_ids_and_the_request_that_caused_it(engine, vhost, drained_queue):
    # AMQP properties and nameko's context header: logs and the next worker see them without the body.
    with UnitOfWork(session_factory(engine), outbox, Base.metadata.tables["inbox"], "reporting",
                    request_id="req-7") as uow:
        event = uow.record("report.created", report_created(7), correlation_id="r-7")
        uow.commit()
    relay = OutboxRelay(engine, outbox, "reporting", vhost.uri)
    assert relay.backlog().count == 1 and relay.backlog().oldest_age_s >= 0
    relay.relay_once()

    with Connection(vhost.uri) as connection:
        message = work_queue(CREATED)(connection.channel()).get(no_ack=True)
    assert (message.properties["message_id"], message.properties["correlation_id"], message.properties["type"],
            message.properties["app_id"]) == (event.id, "r-7", "report.created", "reporting")
    assert message.headers["nameko.request_id"] == "req-7"
    assert relay.backlog() == Backlog(0, 0.0)
