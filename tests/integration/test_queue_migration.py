"""Upgrading an install whose broker holds the old classic queues: the new declaration is refused with what to
do, and ``migrate-queues`` turns them into quorum queues with every message kept."""
import amqp
import pytest
from kombu import Connection, Queue

from shared.bus import ClassicQueueInTheWay, declare, migrate_queues, parked_queue, retry_queue, work_queue
from shared.contracts.subscriptions import subscription
from tests.support import wait_until

pytestmark = pytest.mark.integration

CREATED = subscription("dispatch", "reporting", "report.created")
# One subscription's queues, in the order platform_queues() gives every subscription's (kept small: each
# quorum queue is a replicated group of its own on the broker).
QUEUES = [retry_queue(1), parked_queue(CREATED), work_queue(CREATED)]


def test_classic_queues_of_an_older_version_are_migrated_to_quorum_queues_with_their_messages(vhost):
    old = work_queue(CREATED)
    with Connection(vhost.uri) as connection:
        channel = connection.channel()
        Queue(old.name, exchange=old.exchange, routing_key=old.routing_key, durable=True)(channel).declare()
        for n in range(3):
            channel.basic_publish(amqp.Message(f"event {n}".encode()), exchange="", routing_key=old.name)
        with pytest.raises(ClassicQueueInTheWay, match="migrate-queues"):
            declare(connection.channel(), old)

    migrated = migrate_queues(vhost.uri, QUEUES)
    assert migrated == [old.name]
    assert migrate_queues(vhost.uri, QUEUES) == []  # a second run finds nothing to do

    with Connection(vhost.uri) as connection:
        declare(connection.channel(), old)  # now declared as this version declares it
        channel = connection.channel()
        bodies = [channel.basic_get(old.name, no_ack=True).body for _ in range(3)]
        assert sorted(bodies) == [b"event 0", b"event 1", b"event 2"]
        channel.basic_publish(amqp.Message(b"routed"), exchange="reporting.events", routing_key="report.created")
        # py-amqp publishes without waiting for the confirm, so the routed copy may take a moment to arrive.
        routed = wait_until(lambda: channel.basic_get(old.name, no_ack=True), timeout_s=10, what="the routed copy")
        assert routed.body == b"routed"  # its binding is back
