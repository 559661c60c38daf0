"""What ops sees of every process: probes, Prometheus metrics and JSON logs.

A service declares ``observability = Observability()`` beside its storage; that
one dependency serves, on the process's own port (config PROBE_BIND):

    /livez    200 while the consumer thread runs and its channels are open;
              503 when they are not (the orchestrator restarts the process)
    /readyz   200 when the database and the broker answer; 503 naming which does not
    /metrics  Prometheus text: every handler's messages and time, the outbox's
              backlog and age, inbox duplicates, parked messages, consumers

and puts the worker's request id, event id and correlation id (the report or
case) on every log line the worker writes. The gateway and web/ get the same
from shared.web_metrics and shared.gunicorn_setup.
"""
import json
import logging
import time

import eventlet
import eventlet.wsgi
from kombu import Connection
from nameko.extensions import DependencyProvider
from nameko.messaging import QueueConsumer
from nameko.rpc import Rpc
from nameko.timer import Timer
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from sqlalchemy import text

from shared.bus import EventSubscriber, parked_counts
from shared.contracts.errors import PlatformError
from shared.contracts.subscriptions import SUBSCRIPTIONS
from shared.envelope import Event
from shared.logs import LOG_CONTEXT, instance_name
from shared.storage import Storage

log = logging.getLogger(__name__)

CHECK_TIMEOUT_S = 3
# Handler times from a quick read to a slow confirm; RPC callers give up at 10 s by default.
HANDLER_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


ENTRYPOINT_KINDS = ((Rpc, "rpc"), (EventSubscriber, "event"), (Timer, "timer"))


def _entrypoint_kind(entrypoint) -> str:
    return next((kind for cls, kind in ENTRYPOINT_KINDS if isinstance(entrypoint, cls)), type(entrypoint).__name__)


def worker_context(worker_ctx) -> dict:
    """The request id (nameko context data, from the RPC or event headers), and for an event its id
    and correlation id (the report or case)."""
    context = {"entrypoint": f"{worker_ctx.service_name}.{worker_ctx.entrypoint.method_name}"}
    request_id = worker_ctx.data.get("request_id")
    if request_id:
        context["request_id"] = request_id
    event = next((arg for arg in worker_ctx.args if isinstance(arg, Event)), None)
    if event is not None:
        context["event_id"] = event.id
        if event.correlation_id:
            context["correlation_id"] = event.correlation_id
    return context


class WorkerMetrics:
    """Messages handled per handler and outcome, and how long each took."""

    def __init__(self, registry: CollectorRegistry):
        self.messages = Counter(
            "grid_messages", "Messages (RPC calls, events, timer ticks) a handler finished, by outcome: "
            "ok, refused (a domain error answered to the caller) or failed (an unexpected error)",
            ["service", "handler", "kind", "outcome"], registry=registry)
        self.seconds = Histogram("grid_handler_seconds", "Time from a message's arrival to its handler's end",
                                 ["service", "handler", "kind"], buckets=HANDLER_BUCKETS_S, registry=registry)

    def observe(self, worker_ctx, seconds: float, exc_info) -> None:
        kind = _entrypoint_kind(worker_ctx.entrypoint)
        labels = (worker_ctx.service_name, worker_ctx.entrypoint.method_name, kind)
        if exc_info is None:
            outcome = "ok"
        else:  # a domain error is the answer to an RPC caller; an event that raises it is retried, then parked
            outcome = "refused" if kind == "rpc" and isinstance(exc_info[1], PlatformError) else "failed"
        self.messages.labels(*labels, outcome).inc()
        self.seconds.labels(*labels).observe(seconds)


def connected_consumers(container) -> int:
    """Consumers whose channel is open, over the container's queue consumer threads that still run."""
    count = 0
    for extension in container.extensions:
        if not isinstance(extension, QueueConsumer) or extension._gt is None or extension._gt.dead:
            continue
        for consumer in list(extension._consumers.values()):
            channel = consumer.channel
            if channel is not None and getattr(channel, "is_open", False) and channel.connection is not None:
                count += 1
    return count


def consumer_count(container) -> int:
    """How many consumers the container registers (RPC, each event subscription)."""
    return sum(len(extension._providers) for extension in container.extensions if isinstance(extension, QueueConsumer))


class ServiceCollector:
    """Gauges read at scrape time: the outbox, inbox duplicates, parked messages, consumers."""

    def __init__(self, observability: "Observability"):
        self.observability = observability

    def collect(self):
        service = self.observability.container.service_name
        backlog = GaugeMetricFamily("grid_outbox_backlog", "Events stored but not yet published", labels=["service"])
        age = GaugeMetricFamily("grid_outbox_oldest_age_seconds",
                                "Age of the oldest event waiting in the outbox (0 when it is empty)",
                                labels=["service"])
        duplicates = CounterMetricFamily("grid_inbox_duplicates", "Event deliveries the inbox had seen before",
                                         labels=["service", "consumer"])
        for storage in self.observability.storages:
            waiting = storage.relay.backlog()
            backlog.add_metric([service], waiting.count)
            age.add_metric([service], waiting.oldest_age_s)
            for consumer, count in storage.duplicates.items():
                duplicates.add_metric([service, consumer], count)
        yield backlog
        yield age
        yield duplicates
        consumers = GaugeMetricFamily("grid_consumers_connected", "Consumers of this process with an open channel",
                                      labels=["service"])
        consumers.add_metric([service], connected_consumers(self.observability.container))
        yield consumers
        parked = GaugeMetricFamily("grid_parked_messages", "Messages parked after their last retry, per queue",
                                   labels=["service", "queue"])
        try:
            for queue, count in self.observability.parked_counts().items():
                parked.add_metric([service, queue], count)
        except Exception as exc:  # the broker is away: /readyz says so; the other figures still count
            log.warning("parked counts unavailable: %s", exc)
        yield parked


class Observability(DependencyProvider):
    """Probes, metrics and log context for one nameko service process (see the module's text)."""

    def setup(self):
        config = self.container.config
        self.amqp_uri = config["AMQP_URI"]
        self.bind = str(config.get("PROBE_BIND") or "127.0.0.1:0")
        self.storages = [d for d in self.container.dependencies if isinstance(d, Storage)]
        self.subscriptions = [s for s in SUBSCRIPTIONS if s.consumer == self.container.service_name]
        self.registry = CollectorRegistry()
        self.metrics = WorkerMetrics(self.registry)
        self.registry.register(ServiceCollector(self))
        self._started: dict = {}
        self._contexts: dict = {}
        self.port = None

    def start(self):
        host, _, port = self.bind.rpartition(":")
        listener = eventlet.listen((host or "0.0.0.0", int(port)))
        self.port = listener.getsockname()[1]
        log.info("probes and metrics of %s on http://%s:%s (/livez /readyz /metrics)",
                 self.container.service_name, host, self.port)
        self._server = self.container.spawn_managed_thread(
            lambda: eventlet.wsgi.server(listener, self._wsgi, log_output=False), identifier="probes")

    def stop(self):
        self._server.kill()

    def kill(self):
        self._server.kill()

    def worker_setup(self, worker_ctx):
        self._started[worker_ctx] = time.perf_counter()
        self._contexts[worker_ctx] = LOG_CONTEXT.set(worker_context(worker_ctx))

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        started = self._started.pop(worker_ctx, None)
        if started is not None:
            self.metrics.observe(worker_ctx, time.perf_counter() - started, exc_info)

    def worker_teardown(self, worker_ctx):
        token = self._contexts.pop(worker_ctx, None)
        if token is not None:
            LOG_CONTEXT.reset(token)

    def parked_counts(self) -> dict[str, int]:
        return parked_counts(self.amqp_uri, self.subscriptions) if self.subscriptions else {}

    # --- the probes ---------------------------------------------------------
    def alive(self) -> list[str]:
        """What is wrong with the process, if anything: an empty list is alive."""
        expected, connected = consumer_count(self.container), connected_consumers(self.container)
        return [] if connected >= expected else [f"{expected - connected} of {expected} consumers not connected"]

    def ready(self) -> list[str]:
        problems = []
        for storage in self.storages:
            try:
                with storage.engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
            except Exception as exc:
                problems.append(f"database: {type(exc).__name__}")
        try:
            with Connection(self.amqp_uri, connect_timeout=CHECK_TIMEOUT_S) as connection:
                connection.ensure_connection(max_retries=1)
        except Exception as exc:
            problems.append(f"broker: {type(exc).__name__}")
        return problems

    def _wsgi(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
            return [generate_latest(self.registry)]
        checks = {"/livez": self.alive, "/readyz": self.ready}
        if path not in checks:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"not found: /livez /readyz /metrics\n"]
        problems = checks[path]()
        status = "503 Service Unavailable" if problems else "200 OK"
        body = {"status": "down" if problems else "ok", "service": self.container.service_name,
                "instance": instance_name(), "problems": problems}
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(body, ensure_ascii=False).encode()]
