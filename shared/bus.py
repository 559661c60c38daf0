"""The bus topology and the event consumer entrypoint.

Each source service publishes on a durable topic exchange ``<source>.events``
with the event type as routing key. Each subscription has three durable
queues: the work queue, a retry queue per delay whose messages expire back into
the work queue (backoff), and a parked queue where a message that keeps failing,
or can never succeed, waits for ops to look at and replay it. Nothing is dropped
silently: a message that is not JSON or not an envelope is parked with its raw
body and headers, a payload that breaks its schema or an envelope of a newer
major version is parked at once (retrying cannot help).

Every queue is a quorum queue, declared with the same arguments on one node and
on a cluster of three (replicated; a node's loss elects a new leader and loses
nothing). The work queues carry a delivery limit: a message that keeps coming
back unanswered (its consumer dies each time it handles it) is dead-lettered to
the parked queue instead of looping. A broker that still holds classic queues of
the same names from before refuses the new declaration (PRECONDITION_FAILED):
``python -m shared.bus migrate-queues`` moves them over, see docs/events/.
"""
import json
import logging
import os
import time
import traceback
from contextlib import contextmanager
from functools import partial

import amqp
from amqp.exceptions import PreconditionFailed
from kombu import Connection, Exchange, Queue
from marshmallow import ValidationError
from nameko.amqp.publish import Publisher
from nameko.constants import (
    AMQP_SSL_CONFIG_KEY,
    AMQP_URI_CONFIG_KEY,
    DEFAULT_SERIALIZER,
    LOGIN_METHOD_CONFIG_KEY,
    PERSISTENT,
    SERIALIZER_CONFIG_KEY,
)
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import DependencyProvider
from nameko.messaging import Consumer, QueueConsumer
from nameko.rpc import Responder, Rpc, RpcConsumer, get_rpc_exchange

from shared.config import SERVICE_NAMES
from shared.contracts.subscriptions import SUBSCRIPTIONS, Subscription, subscription
from shared.envelope import EVENT_VERSION, from_message
from shared.times import utcnow

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS_S = (1, 5, 30, 120)  # then parked; config EVENT_RETRY_DELAYS_S overrides
ATTEMPT_HEADER = "x-delivery-attempt"
# Deliveries of one message to a work queue's consumers that end without an ack (the consumer
# died, was stopped, or the message was requeued) before the broker parks it. Generous: a
# rolling restart hands every prefetched message back once. Part of the queue's declaration,
# so it is a constant, the same for every process.
DELIVERY_LIMIT = 20
QUORUM = {"x-queue-type": "quorum"}
# What quorum queues add: the delivery limit, and dead-lettering that waits for the target's
# confirm (which needs reject-publish), so a message moved on is never lost on the way.
QUORUM_SAFETY = {"x-delivery-limit": DELIVERY_LIMIT, "x-dead-letter-strategy": "at-least-once",
                 "x-overflow": "reject-publish"}


@contextmanager
def _connected(amqp_uri: str):
    """A broker connection, or kombu's OperationalError at once when the broker is away."""
    connection = Connection(amqp_uri)
    try:
        connection.ensure_connection(max_retries=1)
        yield connection
    finally:
        connection.release()


def event_exchange(source: str) -> Exchange:
    return Exchange(f"{source}.events", type="topic", durable=True, delivery_mode=PERSISTENT)


def queue_name(sub: Subscription) -> str:
    return f"{sub.consumer}--{sub.source}.{sub.event_type}"


def work_queue(sub: Subscription) -> Queue:
    return Queue(queue_name(sub), exchange=event_exchange(sub.source), routing_key=sub.routing_pattern, durable=True,
                 queue_arguments={**QUORUM, **QUORUM_SAFETY, "x-dead-letter-exchange": "",
                                  "x-dead-letter-routing-key": parked_queue(sub).name})


def retry_queue(delay_s: float) -> Queue:
    """Where failed events wait ``delay_s`` before they expire back into their own work queue.

    One queue per delay for the whole platform, not one per subscription (which tripled the
    number of replicated queues): a message is published to the delay's fanout exchange under
    its work queue's name and, having no dead-letter routing key of its own, is dead-lettered to
    the default exchange under that same name. One queue per delay because RabbitMQ expires
    messages only at a queue's head, so a short wait must never queue behind a long one."""
    name = f"events.retry.{delay_s:g}s"
    return Queue(name, exchange=Exchange(name, type="fanout", durable=True), durable=True, queue_arguments={
        **QUORUM, **QUORUM_SAFETY,
        "x-message-ttl": int(delay_s * 1000),
        "x-dead-letter-exchange": "",
    })


def parked_queue(sub: Subscription) -> Queue:
    return Queue(f"{queue_name(sub)}.parked", durable=True, queue_arguments=QUORUM)


def street_queue(street: str) -> Queue:
    """A street office's escalations (the street contract, docs/events/): only its own street's routing keys.
    The platform declares it when the street is registered, so nothing sent before the office first
    connects is lost; the office's broker account may bind only this key."""
    return Queue(f"street.{street}.escalations", exchange=event_exchange("dispatch"),
                 routing_key=f"report.escalated.street.{street}.#", durable=True, queue_arguments=QUORUM)


class StreetQueues(DependencyProvider):
    """``self.street_queues.declare(streets)`` in dispatch: each registered street's durable queue."""

    def setup(self):
        self.amqp_uri = self.container.config["AMQP_URI"]

    def get_dependency(self, worker_ctx):
        return self

    def declare(self, streets: list[str]) -> None:
        with _connected(self.amqp_uri) as connection:
            channel = connection.channel()
            for street in streets:
                declare(channel, street_queue(street))


class ClassicQueueInTheWay(RuntimeError):
    """The broker holds a queue of this name declared otherwise (a classic queue from an older version)."""


def declare(channel, queue: Queue) -> None:
    """Declare ``queue`` (and its binding); a queue of the same name declared otherwise fails with what to do."""
    try:
        queue(channel).declare()
    except PreconditionFailed as exc:
        raise ClassicQueueInTheWay(
            f"the broker holds queue {queue.name!r} with other arguments than this version declares ({exc}); "
            "it is a classic queue from before quorum queues: stop the services and run "
            "`python -m shared.bus migrate-queues` (docs/events/README.md, Upgrading)") from exc


def event_publisher(amqp_uri: str) -> Publisher:
    """Persistent JSON messages with publisher confirms."""
    return Publisher(amqp_uri, use_confirms=True, delivery_mode=PERSISTENT, serializer="json")


class BatchPublisher:
    """Publishes a batch of events and waits once for the broker to confirm all of it.

    Waiting for each message's confirm in turn would cost a round trip per
    event, and under a busy eventlet hub a long wait for the publishing green
    thread to run again; one wait per batch keeps the outbox moving.
    Keeps its connection between batches and opens a new one after an error;
    on every new connection it declares ``queues`` first (the subscribers' work
    queues), so an event is never confirmed into a broker that has lost them.
    """

    def __init__(self, amqp_uri: str, queues: list[Queue], confirm_timeout_s: float = 30):
        self.amqp_uri = amqp_uri
        self.queues = queues
        self.confirm_timeout_s = confirm_timeout_s
        self._connection = None
        self._channel = None
        self._declared: set[str] = set()

    def publish(self, exchange: Exchange, messages: list[tuple[str, str, dict]]) -> None:
        """``messages`` are (routing key, JSON body, AMQP properties such as message_id and
        application_headers); raises unless every one is confirmed."""
        try:
            self._publish(exchange, messages)
        except Exception:
            self.close()
            raise

    def _publish(self, exchange: Exchange, messages: list[tuple[str, str, dict]]) -> None:
        channel = self._open()
        if exchange.name not in self._declared:
            exchange(channel).declare()
            self._declared.add(exchange.name)
        outcome = {"acked": 0, "nacked": False}
        first_tag = self._next_tag
        last_tag = first_tag + len(messages) - 1

        def on_ack(tag, multiple):
            outcome["acked"] = max(outcome["acked"], tag)

        def on_nack(tag, multiple):
            outcome["nacked"] = True

        channel.events["basic_ack"].add(on_ack)
        channel.events["basic_nack"].add(on_nack)
        try:
            for routing_key, body, properties in messages:
                message = amqp.Message(body, content_type="application/json", content_encoding="utf-8",
                                       delivery_mode=PERSISTENT, **properties)
                channel.basic_publish(message, exchange=exchange.name, routing_key=routing_key)
            self._next_tag = last_tag + 1
            give_up = time.monotonic() + self.confirm_timeout_s
            while outcome["acked"] < last_tag and not outcome["nacked"]:
                remaining = give_up - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"broker did not confirm {len(messages)} events in {self.confirm_timeout_s}s")
                self._connection.drain_events(timeout=remaining)
            if outcome["nacked"]:
                raise RuntimeError("broker refused (nacked) a published event")
        finally:
            channel.events["basic_ack"].discard(on_ack)
            channel.events["basic_nack"].discard(on_nack)

    def _open(self):
        if self._channel is None:
            connection = Connection(self.amqp_uri)
            connection.ensure_connection(max_retries=1)  # the relay retries later if the broker is away
            self._connection = connection
            self._channel = connection.channel()
            for queue in self.queues:
                declare(self._channel, queue)
            self._channel.confirm_select()
            self._next_tag = 1
            self._declared = set()
        return self._channel

    def close(self) -> None:
        if self._connection is not None:
            try:
                self._connection.release()
            except Exception:  # already gone; nothing left to release
                pass
        self._connection = self._channel = None


def _attempts_so_far(headers: dict) -> int:
    """The retries a message has had, from our own header; a value we did not write counts as none
    (so a foreign or garbled header can neither crash the count nor loop: we write a number next)."""
    value = headers.get(ATTEMPT_HEADER, 0)
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    try:
        count = int(value)
    except (TypeError, ValueError, OverflowError):
        return 0
    return max(count, 0)


class EventQueueConsumer(QueueConsumer):
    """nameko's queue consumer for event subscriptions: a message kombu cannot decode (not JSON, or a
    content type it does not accept) goes to its subscriber to be parked raw, never lost."""

    def get_consumers(self, consumer_cls, channel):
        consumers = super().get_consumers(consumer_cls, channel)
        for provider, consumer in self._consumers.items():
            consumer.on_decode_error = partial(self._undecodable, provider)
        return consumers

    def _undecodable(self, provider, message, exc):
        self.container.spawn_managed_thread(partial(provider.park_undecodable, message, exc),
                                            identifier=f"{type(provider).__name__}.park_undecodable")


class EventSubscriber(Consumer):
    """``@subscribe(source, event_type)``: handle one event type with retries and parking.

    Unlike nameko's ``@event_handler`` a failing handler is not acked away: the
    message goes to the retry queue with growing delay, and after the last try
    to the parked queue with the error, where ``python -m shared.bus`` shows it.
    What can never succeed is parked at once: a body that is not JSON or not an
    envelope, an envelope of a newer major version than this code reads, a
    payload that breaks its schema. Parked messages keep their raw body and
    headers, with ``x-error`` saying why.
    The handler receives a shared.envelope.Event; it must be idempotent (inbox).
    """

    queue_consumer = EventQueueConsumer()

    def __init__(self, source: str, event_type: str, **kwargs):
        self.source = source
        self.event_type = event_type
        super().__init__(queue=None, **kwargs)

    def setup(self):
        sub = subscription(self.container.service_name, self.source, self.event_type)
        if sub is None:
            raise RuntimeError(f"{self.container.service_name} subscribes to {self.source} {self.event_type}, "
                               "which shared.contracts.subscriptions does not list")
        delays = self.container.config.get("EVENT_RETRY_DELAYS_S", DEFAULT_RETRY_DELAYS_S)
        self.queue = work_queue(sub)
        self.retry_queues = [retry_queue(delay) for delay in delays]
        self.parked_queue = parked_queue(sub)
        self.amqp_uri = self.container.config["AMQP_URI"]
        with _connected(self.amqp_uri) as connection:
            channel = connection.channel()
            for queue in (self.parked_queue, *self.retry_queues, self.queue):
                declare(channel, queue)
        self.publisher = event_publisher(self.amqp_uri)
        super().setup()

    def handle_message(self, body, message):
        try:
            event = from_message(body)
        except (ValidationError, TypeError, ValueError) as exc:
            reason = exc.messages if isinstance(exc, ValidationError) else exc
            self._park_now(message, f"not an event envelope: {reason}")
            return
        if event.version > EVENT_VERSION:
            self._park_now(message, f"{event.type} version {event.version} is newer than this consumer reads "
                                    f"({EVENT_VERSION}): upgrade {self.container.service_name}, then replay it")
            return
        try:
            self.container.spawn_worker(
                self,
                (event,),
                {},
                context_data=self.unpack_message_headers(message),
                handle_result=partial(self.handle_result, message),
            )
        except ContainerBeingKilled:
            self.queue_consumer.requeue_message(message)

    def park_undecodable(self, message, exc):
        self._park_now(message, f"cannot be decoded ({message.content_type or 'no content type'}): {exc}")

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return result, exc_info
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        if isinstance(exc_info[1], ValidationError):
            self._park_now(message, f"the payload breaks its schema (retrying cannot help): {error}")
            return result, exc_info
        self._set_aside_or_requeue(message, partial(self._retry_or_park, message, error))
        return result, exc_info

    def _park_now(self, message, error: str) -> None:
        self._set_aside_or_requeue(message, partial(self._park, message, error))

    def _set_aside_or_requeue(self, message, set_aside) -> None:
        try:
            set_aside()
        except Exception:  # the broker is away too: keep the original, it comes back on reconnect
            log.exception("%s could not set a failed event aside; requeueing it", self.queue.name)
            self.queue_consumer.requeue_message(message)
            return
        # Acked only after the retry or parked copy is confirmed by the broker.
        self.queue_consumer.ack_message(message)

    def _retry_or_park(self, message, error: str) -> None:
        headers = message.headers or {}
        attempt = _attempts_so_far(headers) + 1
        if attempt <= len(self.retry_queues):
            retry = self.retry_queues[attempt - 1]
            log.warning("%s failed (attempt %s), retry via %s: %s", self.queue.name, attempt, retry.name, error)
            self._set_aside(message, retry, {**headers, ATTEMPT_HEADER: attempt}, routing_key=self.queue.name)
        else:
            self._park(message, error)

    def _park(self, message, error: str) -> None:
        log.error("%s parked a message: %s", self.queue.name, error)
        self._set_aside(message, self.parked_queue,
                        {**(message.headers or {}), "x-error": error[:2000], "x-parked-at": utcnow().isoformat()})

    def _set_aside(self, message, queue: Queue, headers: dict, routing_key: str | None = None) -> None:
        """Publish the message's raw body to ``queue`` (through its exchange, under ``routing_key``),
        declared again first and routed for sure (mandatory + confirms); its content type and
        encoding go with it."""
        self.publisher.publish(message.body, exchange=queue.exchange.name, routing_key=routing_key or queue.name,
                               headers=headers, content_type=message.content_type or "application/octet-stream",
                               content_encoding=message.content_encoding or "binary",
                               declare=[queue], mandatory=True)


subscribe = EventSubscriber.decorator


class UnconfirmedPublisher(Publisher):
    use_confirms = False


class UnconfirmedResponder(Responder):
    """Sends an RPC's reply without waiting for the broker to confirm it. A reply lost on the way costs
    its caller a timeout, and the caller's retry with the same request id gets the first answer from the
    service's rpc inbox (shared.rpc_inbox) without running anything again; so the confirm bought nothing
    but a round trip per call."""

    publisher_cls = UnconfirmedPublisher


class QuorumRpcConsumer(RpcConsumer):
    """nameko's RPC request queue ``rpc-<service>``, as a quorum queue: on a cluster a service's
    requests survive the loss of any one node, where a classic queue would be unreachable until
    its node came back. (Reply queues stay nameko's: each lives and dies with its caller.)"""

    def setup(self):
        super().setup()
        self.queue.queue_arguments = QUORUM

    def handle_result(self, message, result, exc_info):
        config = self.container.config
        responder = UnconfirmedResponder(
            config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
            config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
            ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info


class QuorumRpc(Rpc):
    """nameko's RPC on a quorum request queue; services declare theirs with ``@command`` or ``@query``
    (shared.entrypoints), which say whether the call changes anything."""

    rpc_consumer = QuorumRpcConsumer()


def rpc_queue(service: str) -> Queue:
    """The request queue nameko's RPC entrypoint declares for ``service`` (for the migration)."""
    return Queue(f"rpc-{service}", exchange=Exchange("nameko-rpc", type="topic", durable=True),
                 routing_key=f"{service}.*", durable=True, queue_arguments=QUORUM)


def _move(connection, source: str, target: str, limit: int | None = None, headers=lambda h: h) -> int:
    """Move at most ``limit`` messages (all, if None) from queue ``source`` to queue ``target``,
    each acked only after the broker confirmed its copy; body and properties kept, headers
    through ``headers``. Counting first means a message that comes back meanwhile is not moved twice."""
    take = connection.channel()
    give = connection.channel()
    give.confirm_select()
    moved = 0
    while limit is None or moved < limit:
        message = take.basic_get(queue=source, no_ack=False)
        if message is None:
            break
        properties = {k: v for k, v in message.properties.items() if k != "application_headers"}
        copy = amqp.Message(message.body, application_headers=headers(dict(message.headers or {})), **properties)
        give.basic_publish(copy, exchange="", routing_key=target)
        take.basic_ack(message.delivery_tag)
        moved += 1
    return moved


def parked_counts(amqp_uri: str, subscriptions=SUBSCRIPTIONS) -> dict[str, int]:
    """How many messages wait in each parked queue (of every subscription, or of those given)."""
    counts = {}
    with _connected(amqp_uri) as connection:
        channel = connection.channel()
        for sub in subscriptions:
            parked = parked_queue(sub)
            counts[parked.name] = parked(channel).queue_declare().message_count
    return counts


def replay_parked(amqp_uri: str, sub: Subscription) -> int:
    """Send each message parked for ``sub`` back to its work queue once, attempts reset.

    Only the messages parked when the replay starts are taken: one that fails again is parked
    again and waits for the next replay, instead of coming round in this one for ever."""
    work, parked = work_queue(sub), parked_queue(sub)

    def fresh(headers: dict) -> dict:
        kept = {k: v for k, v in headers.items() if not k.startswith("x-")}
        return {**kept, "x-replays": _replays(headers) + 1}

    with _connected(amqp_uri) as connection:
        channel = connection.channel()
        declare(channel, work)
        declare(channel, parked)
        waiting = parked(channel).queue_declare().message_count
        return _move(connection, parked.name, work.name, limit=waiting, headers=fresh)


def _replays(headers: dict) -> int:
    try:
        return max(int(headers.get("x-replays", 0)), 0)
    except (TypeError, ValueError):
        return 0


def platform_queues(streets: list[str] = ()) -> list[Queue]:
    """Every queue the platform declares, in the order a migration must take them: the shared retry
    queues, each subscription's parked queue before its work queue, the RPC request queues, the
    named streets' queues."""
    delays = json.loads(os.environ.get("EVENT_RETRY_DELAYS_S", "null")) or DEFAULT_RETRY_DELAYS_S
    queues = [retry_queue(delay) for delay in delays]
    for sub in SUBSCRIPTIONS:
        queues += [parked_queue(sub), work_queue(sub)]
    return queues + [rpc_queue(name) for name in SERVICE_NAMES] + [street_queue(street) for street in streets]


def migrate_queues(amqp_uri: str, queues: list[Queue]) -> list[str]:
    """Turn classic queues of these names into the quorum queues this version declares, messages kept.

    Run with every service stopped. For each queue the broker refuses to redeclare: its messages
    move to a holding quorum queue, the old queue is deleted once empty, the new one is declared
    (with its binding) and the messages move back. Returns the names migrated; a second run finds
    nothing to do."""
    migrated = []
    with _connected(amqp_uri) as connection:
        for queue in queues:
            try:
                declare(connection.channel(), queue)
                continue
            except ClassicQueueInTheWay:
                pass
            hold = Queue(f"{queue.name}.migrating", durable=True, queue_arguments=QUORUM)
            channel = connection.channel()
            hold(channel).declare()
            while True:
                _move(connection, queue.name, hold.name)
                try:
                    connection.channel().queue_delete(queue.name, if_empty=True)
                    break
                except PreconditionFailed:  # a retry expired into it meanwhile: move that too
                    continue
            declare(connection.channel(), queue)
            _move(connection, hold.name, queue.name)
            connection.channel().queue_delete(hold.name)
            log.warning("migrated %s to a quorum queue", queue.name)
            migrated.append(queue.name)
    return migrated


def main(argv: list[str] | None = None) -> int:
    """Ops: ``python -m shared.bus parked`` lists parked messages;
    ``python -m shared.bus replay CONSUMER SOURCE EVENT_TYPE`` sends them back;
    ``python -m shared.bus migrate-queues [--street CODE ...]`` turns an older install's classic queues
    into quorum queues (services stopped)."""
    import argparse

    from shared.config import amqp_uri

    parser = argparse.ArgumentParser(prog="python -m shared.bus")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("parked")
    replay = commands.add_parser("replay")
    replay.add_argument("consumer")
    replay.add_argument("source")
    replay.add_argument("event_type")
    migrate = commands.add_parser("migrate-queues")
    migrate.add_argument("--street", action="append", default=[], help="a registered street's code (repeat)")
    args = parser.parse_args(argv)
    if args.command == "parked":
        for name, count in parked_counts(amqp_uri()).items():
            print(f"{count:6d}  {name}")
    elif args.command == "migrate-queues":
        migrated = migrate_queues(amqp_uri(), platform_queues(args.street))
        print(f"migrated {len(migrated)} queue(s) to quorum queues" + "".join(f"\n  {name}" for name in migrated))
    else:
        sub = subscription(args.consumer, args.source, args.event_type)
        if sub is None:
            parser.error(f"no such subscription: {args.consumer} <- {args.source} {args.event_type}")
        print(f"replayed {replay_parked(amqp_uri(), sub)} message(s) to {queue_name(sub)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
