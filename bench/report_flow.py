"""Benchmark: reports filed through the gateway until each is assigned.

    python -m bench.report_flow [--reports 300] [--concurrency 8]

Starts the whole platform (real processes, SQLite, a RabbitMQ vhost of its
own), loads the demo street, and has the eight Yantailing grid workers file
reports in parallel. Prints:
  - reports/s: reports filed and assigned, per second of wall time;
  - report -> assigned latency (p50/p99): from the report stored in reporting
    to its task made in dispatch, read from the timeline (server clocks);
  - the POST /api/v1/reports latency seen by the client;
  - beside them, in the same run, a bare nameko RPC round trip (a service
    that only echoes) and a gateway round trip, the floors this flow stands on.
"""
import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import requests
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.demo.load import DEMO_PASSWORD
from deploy.local import LocalPlatform, ensure_broker
from shared.config import amqp_uri
from tests.support import Vhost

GRID_WORKERS = ["ytl-gw-01", "ytl-gw-02", "ytl-gw-03", "zhangyan", "ytl-gw-05", "ytl-gw-06", "ytl-gw-07",
                "ytl-gw-08"]
# (category, building) pairs across the grids: property and grid handlers both get work.
PROBLEMS = [("sanitation.garbage", "41"), ("property.abandoned_item", "47"), ("safety.hazard", "44"),
            ("property.facility", "52"), ("city.encroachment", "49"), ("dispute.neighbour", "55")]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(name: str, seconds: list[float]) -> str:
    ms = [s * 1000 for s in seconds]
    return (f"{name:<38} p50 {percentile(ms, 0.5):8.1f} ms   p99 {percentile(ms, 0.99):8.1f} ms   "
            f"mean {statistics.fmean(ms):8.1f} ms   (n={len(ms)})")


def sign_in(url: str, username: str) -> requests.Session:
    session = requests.Session()
    token = session.post(f"{url}/api/v1/auth/token", json={"username": username, "password": DEMO_PASSWORD},
                         timeout=30).json()["access_token"]
    session.headers["Authorization"] = f"Bearer {token}"
    return session


def bare_rpc_round_trips(uri: str, calls: int) -> list[float]:
    timings = []
    with ClusterRpcProxy({"AMQP_URI": uri}, timeout=30) as cluster:
        cluster.bench_echo.echo("warm-up")
        for n in range(calls):
            started = time.perf_counter()
            cluster.bench_echo.echo(n)
            timings.append(time.perf_counter() - started)
    return timings


def gateway_round_trips(url: str, session: requests.Session, calls: int) -> list[float]:
    timings = []
    for _ in range(calls):
        started = time.perf_counter()
        session.get(f"{url}/api/v1/categories", timeout=30).raise_for_status()
        timings.append(time.perf_counter() - started)
    return timings


def file_reports(url: str, sessions: dict, count: int, concurrency: int) -> tuple[list[str], list[float]]:
    ids, post_timings, lock = [], [], threading.Lock()

    def file_one(n: int):
        category, building = PROBLEMS[n % len(PROBLEMS)]
        session = sessions[GRID_WORKERS[n % len(GRID_WORKERS)]]
        started = time.perf_counter()
        answer = session.post(f"{url}/api/v1/reports", timeout=60,
                              json={"category": category, "building": building, "description": f"压测上报 {n}"})
        elapsed = time.perf_counter() - started
        answer.raise_for_status()
        with lock:
            ids.append(answer.json()["report"]["id"])
            post_timings.append(elapsed)

    with ThreadPoolExecutor(concurrency) as pool:
        list(pool.map(file_one, range(count)))
    return ids, post_timings


def wait_all_assigned(url: str, session: requests.Session, count: int, timeout_s: float = 600) -> None:
    give_up = time.monotonic() + timeout_s
    while True:
        assigned = session.get(f"{url}/api/v1/reports", params={"status": "assigned", "per_page": 1},
                               timeout=30).json()["total"]
        if assigned >= count:
            return
        if time.monotonic() > give_up:
            raise SystemExit(f"only {assigned}/{count} reports assigned after {timeout_s}s")
        time.sleep(0.05)


def assignment_latencies(url: str, session: requests.Session, ids: list[str]) -> list[float]:
    latencies = []
    for report_id in ids:
        timeline = session.get(f"{url}/api/v1/reports/{report_id}", timeout=30).json()["timeline"]
        at = {entry["action"]: datetime.fromisoformat(entry["at"]) for entry in timeline}
        latencies.append((at["dispatched"] - at["reported"]).total_seconds())
    return latencies


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_flow", description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rpc-calls", type=int, default=1000)
    args = parser.parse_args(argv)

    ensure_broker(amqp_uri())
    vhost = Vhost().create()
    platform = LocalPlatform(Path(tempfile.mkdtemp(prefix="grid-bench-")), env={"AMQP_URI": vhost.uri},
                             gateway_bind="127.0.0.1:8765")
    try:
        print("starting the platform ...", file=sys.stderr, flush=True)
        platform.start_all()
        platform.load_demo()
        platform.start_process("bench_echo", [sys.executable, "-m", "nameko", "run", "--broker", vhost.uri,
                                       "bench.echo_service"])
        sessions = {username: sign_in(platform.url, username) for username in GRID_WORKERS}
        admin = sign_in(platform.url, "ytl-admin")
        time.sleep(2)  # the echo service declares its queue

        rpc = bare_rpc_round_trips(vhost.uri, args.rpc_calls)
        gateway = gateway_round_trips(platform.url, admin, args.rpc_calls // 2)

        started = time.perf_counter()
        ids, posts = file_reports(platform.url, sessions, args.reports, args.concurrency)
        wait_all_assigned(platform.url, admin, args.reports)
        wall = time.perf_counter() - started
        latencies = assignment_latencies(platform.url, admin, ids)

        print(f"\nbench.report_flow: {args.reports} reports, {args.concurrency} concurrent reporters, "
              f"SQLite, one instance of each service, gunicorn {platform.env.get('GATEWAY_WORKERS', '2')} workers")
        print(f"{'reports filed and assigned':<38} {args.reports / wall:8.1f} reports/s   ({wall:.1f} s wall)")
        print(summary("report -> assigned (server clocks)", latencies))
        print(summary("POST /api/v1/reports (client)", posts))
        print(summary("peer: bare nameko RPC round trip", rpc))
        print(summary("peer: gateway GET /categories", gateway))
        return 0
    finally:
        platform.stop_all()
        vhost.delete()


if __name__ == "__main__":
    raise SystemExit(main())
