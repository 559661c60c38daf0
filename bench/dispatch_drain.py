"""Benchmark: dispatch draining a backlog with 1, 2 and 3 processes, on quorum queues and on classic ones.

    python -m bench.dispatch_drain [--reports 600] [--processes 1 2 3]

For each queue type and number of dispatch processes: a fresh RabbitMQ vhost and
a fresh dispatch database (a throw-away PostgreSQL database where PostgreSQL runs,
as a scaled dispatch is deployed; SQLite otherwise), the demo organisation, then
``--reports`` report.created events published at once; it times until every one
has its task. Beside them, in the same run, the floor: a bare consumer that only
acks the same number of messages from a queue of each type.

The platform declares quorum queues; the classic runs start dispatch through
``bench.classic_queues``, which declares the same queues as classic ones.
"""
import argparse
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
import yaml
from kombu import Connection, Queue
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.demo.load import DEMO_FILE, organisation
from deploy.local import LocalPlatform, ensure_broker
from shared.bus import QUORUM, event_exchange, event_publisher
from shared.config import amqp_uri
from shared.envelope import Event, to_message
from tests.support import PostgresDatabase, Vhost, answers, postgres_available, wait_until

QUEUE_TYPES = ("quorum", "classic")


def report_created(n: int) -> dict:
    event = Event(type="report.created", source="reporting", correlation_id=f"bench-{n}", payload={
        "report_id": f"bench-{n}", "community": "ytl", "category": "sanitation.garbage", "description": "垃圾",
        "building": "47", "reporter_id": "ytl-gw-04", "reporter_role": "grid_worker", "channel": "app"})
    return to_message(event)


def drain(queue_type: str, processes: int, reports: int) -> float:
    """Reports assigned per second by ``processes`` dispatch processes on ``queue_type`` queues."""
    vhost = Vhost().create()
    database = PostgresDatabase().create() if postgres_available() else None
    folder = Path(tempfile.mkdtemp(prefix="grid-bench-drain-"))
    url = database.url if database else f"sqlite:///{folder / 'dispatch.db'}"
    platform = LocalPlatform(folder, env={"AMQP_URI": vhost.uri, "DISPATCH_DATABASE_URL": url,
                                          "STREET_QUEUES_CHECK_S": "3600"})
    module = "bench.classic_queues" if queue_type == "classic" else "nameko"
    command = [sys.executable, "-m", module, "run", "--config", "services/dispatch/config.yml",
               "services.dispatch.service"]
    try:
        platform.migrate()
        for _ in range(processes):
            platform.start_process("dispatch", command)
        with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=60) as rpc:
            wait_until(lambda: answers(rpc.dispatch), timeout_s=90, what="dispatch up")
            rpc.dispatch.import_organisation(organisation(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")))[0],
                                            command_id=f"bench:{uuid.uuid4()}")
        time.sleep(3)  # every process's consumers are up
        engine = sa.create_engine(url)
        publisher = event_publisher(vhost.uri)
        started = time.perf_counter()
        for n in range(reports):
            publisher.publish(report_created(n), exchange=event_exchange("reporting"), routing_key="report.created")

        def tasks() -> int:
            with engine.connect() as conn:
                return conn.execute(sa.text("SELECT count(*) FROM tasks")).scalar_one()

        wait_until(lambda: tasks() >= reports, timeout_s=900, every_s=0.1, what="the backlog to drain")
        elapsed = time.perf_counter() - started
        engine.dispose()
        return reports / elapsed
    finally:
        platform.stop_all()
        vhost.delete()
        if database:
            database.drop()


def bare_drain(queue_type: str, messages: int) -> float:
    """The floor: messages per second a consumer that only acks takes from a queue of this type."""
    vhost = Vhost().create()
    try:
        queue = Queue("bench-floor", durable=True, queue_arguments=QUORUM if queue_type == "quorum" else {})
        body = report_created(0)
        with Connection(vhost.uri) as connection:
            queue(connection.channel()).declare()
            producer = connection.Producer()
            for _ in range(messages):
                producer.publish(body, routing_key=queue.name, serializer="json", delivery_mode=2)
            taken = []
            started = time.perf_counter()
            with connection.Consumer(queue, callbacks=[lambda _body, message: (message.ack(), taken.append(1))]) \
                    as consumer:
                consumer.qos(prefetch_count=10)
                while len(taken) < messages:
                    connection.drain_events(timeout=30)
            return messages / (time.perf_counter() - started)
    finally:
        vhost.delete()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.dispatch_drain", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=600)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2, 3])
    args = parser.parse_args(argv)
    ensure_broker(amqp_uri())
    database = "PostgreSQL" if postgres_available() else "SQLite"
    rows = []
    for queue_type in QUEUE_TYPES:
        floor = bare_drain(queue_type, args.reports)
        rows.append((f"floor: bare ack-only consumer, {queue_type}", floor))
        for processes in args.processes:
            print(f"draining {args.reports} reports: {processes} dispatch on {queue_type} queues ...",
                  file=sys.stderr, flush=True)
            rows.append((f"dispatch x{processes}, {queue_type} queues", drain(queue_type, processes, args.reports)))
    print(f"\nbench.dispatch_drain: a backlog of {args.reports} report.created, each until its task is stored "
          f"({database}, one broker node, this machine's cores shared by all processes)")
    for name, rate in rows:
        print(f"{name:<44} {rate:8.1f} /s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
