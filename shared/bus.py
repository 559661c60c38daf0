"""The bus topology and the event consumer entrypoint.

Each source service publishes on a durable topic exchange ``<source>.events``
with the event type as routing key. Each subscription has three durable
queues: the work queue, a retry queue whose messages expire back into the work
queue (backoff), and a parked queue where a message that keeps failing waits
for ops to look at and replay it. Nothing is dropped silently.
"""
import logging
import time
import traceback
from contextlib import contextmanager
from functools import partial

import amqp
from kombu import Connection, Exchange, Queue
from marshmallow import ValidationError
from nameko.amqp.publish import Publisher
from nameko.constants import PERSISTENT
from nameko.exceptions import ContainerBeingKilled
from nameko.messaging import Consumer

from shared.contracts.subscriptions import SUBSCRIPTIONS, Subscription, subscription
from shared.envelope import from_message
from shared.times import utcnow

log = logging.getLogger(__name__)

DEFAULT_RETRY_DELAYS_S = (1, 5, 30, 120)  # then parked; config EVENT_RETRY_DELAYS_S overrides
ATTEMPT_HEADER = "x-delivery-attempt"


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
    return Queue(queue_name(sub), exchange=event_exchange(sub.source), routing_key=sub.routing_pattern, durable=True)


def retry_queue(sub: Subscription, delay_s: float) -> Queue:
    """Where a failed event waits ``delay_s`` before it expires back into the work queue.
    One queue per delay: RabbitMQ expires messages only at a queue's head, so a short
    wait must never queue behind a long one."""
    return Queue(f"{queue_name(sub)}.retry.{delay_s:g}s", durable=True, queue_arguments={
        "x-message-ttl": int(delay_s * 1000),
        "x-dead-letter-exchange": "",
        "x-dead-letter-routing-key": queue_name(sub),
    })


def parked_queue(sub: Subscription) -> Queue:
    return Queue(f"{queue_name(sub)}.parked", durable=True)


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

    def publish(self, exchange: Exchange, messages: list[tuple[str, str]]) -> None:
        """``messages`` are (routing key, JSON body); raises unless every one is confirmed."""
        try:
            self._publish(exchange, messages)
        except Exception:
            self.close()
            raise

    def _publish(self, exchange: Exchange, messages: list[tuple[str, str]]) -> None:
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
            for routing_key, body in messages:
                message = amqp.Message(body, content_type="application/json", content_encoding="utf-8",
                                       delivery_mode=PERSISTENT)
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
                queue(self._channel).declare()
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


class EventSubscriber(Consumer):
    """``@subscribe(source, event_type)``: handle one event type with retries and parking.

    Unlike nameko's ``@event_handler`` a failing handler is not acked away: the
    message goes to the retry queue with growing delay, and after the last try
    to the parked queue with the error, where ``python -m shared.bus`` shows it.
    The handler receives a shared.envelope.Event; it must be idempotent (inbox).
    """

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
        self.retry_queues = [retry_queue(sub, delay) for delay in delays]
        self.parked_queue = parked_queue(sub)
        self.amqp_uri = self.container.config["AMQP_URI"]
        with _connected(self.amqp_uri) as connection:
            channel = connection.channel()
            for queue in (self.queue, *self.retry_queues, self.parked_queue):
                queue(channel).declare()
        self.publisher = event_publisher(self.amqp_uri)
        super().setup()

    def handle_message(self, body, message):
        try:
            event = from_message(body)
        except ValidationError as exc:
            self._park(body, message, f"not an event envelope: {exc.messages}")
            self.queue_consumer.ack_message(message)
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

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is None:
            self.queue_consumer.ack_message(message)
            return result, exc_info
        error = "".join(traceback.format_exception_only(exc_info[0], exc_info[1])).strip()
        try:
            self._retry_or_park(message, error)
        except Exception:  # the broker is away too: keep the original, it comes back on reconnect
            log.exception("%s could not set a failed event aside; requeueing it", self.queue.name)
            self.queue_consumer.requeue_message(message)
            return result, exc_info
        # Acked only after the retry or parked copy is confirmed by the broker.
        self.queue_consumer.ack_message(message)
        return result, exc_info

    def _retry_or_park(self, message, error: str) -> None:
        attempt = int(message.headers.get(ATTEMPT_HEADER, 0)) + 1
        if attempt <= len(self.retry_queues):
            retry = self.retry_queues[attempt - 1]
            log.warning("%s failed (attempt %s), retry via %s: %s", self.queue.name, attempt, retry.name, error)
            self._set_aside(message.payload, retry, {**message.headers, ATTEMPT_HEADER: attempt})
        else:
            self._park(message.payload, message, error)

    def _park(self, body, message, error: str) -> None:
        log.error("%s parked a message: %s", self.queue.name, error)
        self._set_aside(body, self.parked_queue,
                        {**message.headers, "x-error": error[:2000], "x-parked-at": utcnow().isoformat()})

    def _set_aside(self, body, queue: Queue, headers: dict) -> None:
        """Publish to ``queue``, declared again first and routed for sure (mandatory + confirms)."""
        self.publisher.publish(body, exchange="", routing_key=queue.name, headers=headers, declare=[queue],
                               mandatory=True)


subscribe = EventSubscriber.decorator


def parked_counts(amqp_uri: str) -> dict[str, int]:
    """How many messages wait in each parked queue."""
    counts = {}
    with _connected(amqp_uri) as connection:
        channel = connection.channel()
        for sub in SUBSCRIPTIONS:
            parked = parked_queue(sub)
            counts[parked.name] = parked(channel).queue_declare().message_count
    return counts


def replay_parked(amqp_uri: str, sub: Subscription) -> int:
    """Move every parked message of ``sub`` back to its work queue, attempts reset."""
    work, parked = work_queue(sub), parked_queue(sub)
    moved = 0
    publisher = event_publisher(amqp_uri)
    with _connected(amqp_uri) as connection:
        bound = parked(connection.channel())
        bound.declare()
        while (message := bound.get(no_ack=False)) is not None:
            headers = {k: v for k, v in message.headers.items() if not k.startswith("x-")}
            publisher.publish(message.payload, exchange="", routing_key=work.name, headers=headers)
            message.ack()
            moved += 1
    return moved


def main(argv: list[str] | None = None) -> int:
    """Ops: ``python -m shared.bus parked`` lists parked messages;
    ``python -m shared.bus replay CONSUMER SOURCE EVENT_TYPE`` sends them back."""
    import argparse

    from shared.config import amqp_uri

    parser = argparse.ArgumentParser(prog="python -m shared.bus")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("parked")
    replay = commands.add_parser("replay")
    replay.add_argument("consumer")
    replay.add_argument("source")
    replay.add_argument("event_type")
    args = parser.parse_args(argv)
    if args.command == "parked":
        for name, count in parked_counts(amqp_uri()).items():
            print(f"{count:6d}  {name}")
    else:
        sub = subscription(args.consumer, args.source, args.event_type)
        if sub is None:
            parser.error(f"no such subscription: {args.consumer} <- {args.source} {args.event_type}")
        print(f"replayed {replay_parked(amqp_uri(), sub)} message(s) to {queue_name(sub)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
