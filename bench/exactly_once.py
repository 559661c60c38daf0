"""Benchmark: what exactly-once costs per report, and how fast a down service's 503 comes back.

    python -m bench.exactly_once [--reports 300] [--answers 200]

1. The request-id dedupe, in this process on a fresh SQLite database: reporting's
   create_report in a unit of work of its own (no request id), as a command
   (Database.command: the request id and the answer committed with the report),
   and a command whose request id came before (the recorded answer, nothing run).
2. A 503 while dispatch is down: the whole platform (real processes, a RabbitMQ
   vhost of its own), dispatch killed, GET /api/v1/tasks until the gateway's
   breaker opens, then the latency of the answers while it is open.
"""
import argparse
import sys
import tempfile
import time
from datetime import timedelta
from functools import partial
from pathlib import Path

import requests

from bench.measure import sign_in, summary
from deploy.local import LocalPlatform, ensure_broker
from services.reporting import service_layer
from services.reporting.models import Base, inbox, outbox, rpc_inbox
from shared.config import amqp_uri
from shared.db import create_db_engine, session_factory
from shared.storage import Database
from shared.times import utcnow
from tests.support import Vhost

ZHANG_YAN = {"account_id": "zhangyan", "role": "grid_worker", "name": "张燕", "community": "ytl", "grid": "g04",
             "staff_code": "ytl-gw-04"}
GARBAGE = {"code": "sanitation.garbage", "name_zh": "暴露垃圾", "name_en": "Exposed garbage",
           "group_code": "sanitation", "group_zh": "卫生", "group_en": "Sanitation", "attributes": [], "active": True}
REPORT = {"category": "sanitation.garbage", "building": "47", "description": "47号楼垃圾满溢"}


def reporting_database(folder: Path) -> Database:
    engine = create_db_engine(f"sqlite:///{folder / 'reporting.db'}")
    Base.metadata.create_all(engine)
    database = Database(session_factory(engine), outbox, inbox, "reporting", relay=None, wake_relay=lambda: None,
                        now=utcnow, request_id=None, count_duplicate=lambda consumer: None, rpc_inbox=rpc_inbox)
    service_layer.import_categories(database.unit_of_work(), [GARBAGE])
    return database


def timed(work) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def timed_each(count: int, work) -> list[float]:
    return [timed(partial(work, n)) for n in range(count)]


def dedupe_cost(count: int) -> list[str]:
    """Plain and command filings take turns, so the machine's load falls on both alike; each report a
    day after the last, so the duplicate check finds none."""
    database = reporting_database(Path(tempfile.mkdtemp(prefix="grid-bench-once-")))
    now = utcnow()

    def file_plain(n: int):
        service_layer.create_report(database.unit_of_work(), ZHANG_YAN, REPORT, now + timedelta(days=2 * n))

    def file_as_command(n: int):
        database.command("create_report", f"bench:{n}", lambda: service_layer.create_report(
            database.unit_of_work(), ZHANG_YAN, REPORT, now + timedelta(days=2 * n + 1)))

    plain, command = [], []
    for n in range(count):
        plain.append(timed(partial(file_plain, n)))
        command.append(timed(partial(file_as_command, n)))
    replayed = timed_each(count, lambda n: database.command("create_report", f"bench:{n}", lambda: None))
    return [summary("create_report, no request id", plain), summary("create_report as a command", command),
            summary("the same request id again", replayed)]


def breaker_latency(answers: int) -> list[str]:
    ensure_broker(amqp_uri())
    vhost = Vhost().create()
    platform = LocalPlatform(Path(tempfile.mkdtemp(prefix="grid-bench-503-")),
                             env={"AMQP_URI": vhost.uri, "RPC_TIMEOUT_S": "2", "GATEWAY_WORKERS": "1",
                                  "BREAKER_OPEN_S": "600"},
                             gateway_bind="127.0.0.1:8766")
    try:
        print("starting the platform ...", file=sys.stderr, flush=True)
        platform.start_all()
        platform.load_demo()
        admin = sign_in(platform.url, "ytl-admin")
        platform.kill("dispatch")
        opening, started = [], time.perf_counter()
        while True:
            answer = admin.get(f"{platform.url}/api/v1/tasks", timeout=30)
            opening.append(answer.json()["code"])
            if opening[-1] == "circuit_open":
                break
        took_to_open = time.perf_counter() - started

        def one(_n):
            answer = admin.get(f"{platform.url}/api/v1/tasks", timeout=30)
            assert answer.status_code == 503 and answer.headers["Retry-After"], answer.text

        open_answers = timed_each(answers, one)
        healthz = timed_each(20, lambda _n: requests.get(f"{platform.url}/healthz", timeout=30))
        return [f"{'breaker opened after':<38} {len(opening) - 1} failures, {took_to_open:.1f} s "
                f"({', '.join(opening)})",
                summary("GET /api/v1/tasks, dispatch down", open_answers),
                summary("GET /healthz, dispatch down", healthz)]
    finally:
        platform.stop_all()
        vhost.delete()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.exactly_once", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--answers", type=int, default=200)
    args = parser.parse_args(argv)
    lines = dedupe_cost(args.reports)
    lines += breaker_latency(args.answers)
    print(f"\nbench.exactly_once: {args.reports} reports in process on SQLite; {args.answers} answers from the "
          "gateway while dispatch is down (RPC timeout 2 s)")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
