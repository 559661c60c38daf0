"""Benchmark: reports arriving on a fixed schedule through the gateway, beside a floor from the same run.

    python -m bench.report_flow [--rate 40] [--duration 20] [--rounds 2] [--postgres]
    python -m bench.report_flow --step 20 40 60 80 100 [--duration 60] [--postgres]

Open loop, as phones send reports: request n is due at start + n/rate whatever
became of the others, and its latency counts from when it was due, so queueing
in the client shows. A private stack: the whole platform as real processes
(`deploy.local`), a RabbitMQ node of its own on free ports (or, with
--shared-broker, a vhost of its own on AMQP_URI's broker), fresh SQLite files
(or, with --postgres, fresh PostgreSQL databases), gateway and floor on free
ports of 8400-8499; the demo street's eight Yantailing grid workers file the
reports.

Two floors run in the same stack and the same rounds, the order turning each
round (project, trivial, shaped; then trivial, shaped, project; ...), both
served by the gateway's own gunicorn setup and RPC pool (bench.floor_app), no
sign-in check: the trivial floor, one nameko RPC to bench.echo_service and no
database; and the floor of a report's shape (bench.shaped_service), an RPC
that commits a row and its event, relayed with confirms to a second service
that commits a row of its own with its inbox entry and an event back, which
marks the first row assigned.

For each pass: achieved rate, POST latency p50/p99 (from the due time),
created -> assigned p50/p99 (server clocks: the report's timeline, stored in
reporting and task made in dispatch; the shaped floor's row, filed and marked
assigned), CPU per request of each of our processes
(utime + stime from /proc of every process in each one's session, and the
PostgreSQL backends of our databases, and our own RabbitMQ node: a shared
broker's CPU cannot be told apart), and the load average.

--step runs each rate in turn and reports the highest one held: no error,
every report assigned, achieved rate within 5% of the schedule, p99
created -> assigned under 250 ms (POST for the trivial floor).
"""
import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import requests
import sqlalchemy as sa

from bench.measure import percentile
from deploy.demo.load import DEMO_PASSWORD
from deploy.local import LocalPlatform, ensure_broker, free_port
from shared.config import SERVICE_NAMES, amqp_uri
from tests.rabbit import RabbitNode
from tests.support import PostgresDatabase, Vhost, postgres_available

GRID_WORKERS = ["ytl-gw-01", "ytl-gw-02", "ytl-gw-03", "zhangyan", "ytl-gw-05", "ytl-gw-06", "ytl-gw-07",
                "ytl-gw-08"]
# (category, building) pairs across the grids: property and grid handlers both get work.
PROBLEMS = [("sanitation.garbage", "41"), ("property.abandoned_item", "47"), ("safety.hazard", "44"),
            ("property.facility", "52"), ("city.encroachment", "49"), ("dispute.neighbour", "55")]
PORTS = range(8400, 8500)  # the perf stream's range on a shared machine
HELD_P99_S = 0.250
CLIENT_THREADS = 64
TICK_S = os.sysconf("SC_CLK_TCK")


# --- measuring ------------------------------------------------------------
def cpu_seconds_of_session(leader: int) -> float:
    """CPU (user + system) used so far by every live process in the session ``leader`` started."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                data = stat.read()
        except OSError:  # gone meanwhile
            continue
        fields = data[data.rindex(")") + 2:].split()
        if int(fields[3]) == leader:
            total += int(fields[11]) + int(fields[12])
    return total / TICK_S


def cpu_seconds_of_pids(pids) -> dict[int, float]:
    seen = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                data = stat.read()
        except OSError:
            continue
        fields = data[data.rindex(")") + 2:].split()
        seen[pid] = (int(fields[11]) + int(fields[12])) / TICK_S
    return seen


@dataclass
class Pass:
    """One open-loop pass of one target (project, trivial or shaped) at one rate."""

    target: str
    rate: float
    duration_s: float
    scheduled: int = 0
    ok: int = 0
    errors: dict = field(default_factory=dict)
    post_s: list = field(default_factory=list)
    first_due: float = 0.0
    last_done: float = 0.0
    assigned_s: list = field(default_factory=list)
    unassigned: int = 0
    cpu_s: dict = field(default_factory=dict)
    load: tuple = ()

    @property
    def achieved(self) -> float:
        span = max(self.last_done - self.first_due, self.duration_s)
        return self.ok / span if span else 0.0

    def cpu_ms_per_request(self) -> dict[str, float]:
        return {name: 1000 * seconds / self.ok for name, seconds in self.cpu_s.items()} if self.ok else {}

    @property
    def held(self) -> bool:
        latency = self.post_s if self.target == "trivial" else self.assigned_s
        return (not self.errors and not self.unassigned and self.ok == self.scheduled
                and self.achieved >= 0.95 * self.rate and percentile(latency, 0.99) < HELD_P99_S)


def open_loop(host: str, port: int, rate: float, duration_s: float, request_for, result: Pass) -> list:
    """Send request n at start + n/rate for ``duration_s``; returns the answers' bodies (parsed JSON)."""
    count = int(rate * duration_s)
    result.scheduled = count
    next_n, lock, answers = [0], threading.Lock(), []
    start = time.perf_counter() + 0.2
    result.first_due = start

    def worker():
        connection = http.client.HTTPConnection(host, port, timeout=60)
        while True:
            with lock:
                n = next_n[0]
                next_n[0] += 1
            if n >= count:
                break
            due = start + n / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            method, path, body, headers = request_for(n)
            status, payload = None, b""
            for _attempt in range(2):  # a kept-alive connection the server has just closed: once more, fresh
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    status, payload = response.status, response.read()
                    break
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                    connection.close()
                    status = type(exc).__name__
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()
                    status = type(exc).__name__
                    break
            done = time.perf_counter()
            with lock:
                result.last_done = max(result.last_done, done)
                if isinstance(status, int) and 200 <= status < 300:
                    result.ok += 1
                    result.post_s.append(done - due)
                    answers.append(payload)
                else:
                    result.errors[status] = result.errors.get(status, 0) + 1
        connection.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(min(CLIENT_THREADS, count))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [json.loads(body) for body in answers]


# --- the stack ------------------------------------------------------------
def free_port_in_range() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit(f"no free port in {PORTS.start}-{PORTS.stop - 1}")


class Stack:
    """The platform and the floors, on a vhost and databases of their own."""

    COMPONENTS = (*SERVICE_NAMES, "gateway")
    SHAPED = {"bench_intake": "IntakeService", "bench_assign": "AssignService"}
    PROCESSES = {"project": COMPONENTS, "trivial": ("bench_echo", "floor"), "shaped": (*SHAPED, "floor")}

    def __init__(self, postgres: bool, shared_broker: bool):
        self.folder = Path(tempfile.mkdtemp(prefix="grid-bench-flow-"))
        if shared_broker:
            self.vhost, self.broker = Vhost().create(), None
            uri = self.vhost.uri
        else:
            # Node names are machine-wide (epmd): each run's is its own.
            self.vhost, self.broker = None, RabbitNode(self.folder / "rabbitmq", f"grid-bench-{os.urandom(3).hex()}",
                                                       os.urandom(16).hex().upper()).start()
            uri = self.broker.uri
        self.uri = uri
        self.databases = {name: PostgresDatabase().create()
                          for name in (*self.COMPONENTS, *self.SHAPED)} if postgres else {}
        env = {"AMQP_URI": uri, "STREET_QUEUES_CHECK_S": "3600"}
        for name, database in self.databases.items():
            env[f"{name.upper()}_DATABASE_URL"] = database.url
        for name in self.SHAPED:
            env.setdefault(f"{name.upper()}_DATABASE_URL", f"sqlite:///{self.folder / name}.db")
        self.gateway_port = free_port_in_range()
        self.platform = LocalPlatform(self.folder, env=env, gateway_bind=f"127.0.0.1:{self.gateway_port}")
        self.reporting_url = self.platform.env["REPORTING_DATABASE_URL"]
        self.floor_port = None
        self.tokens: dict[str, str] = {}

    def start(self) -> None:
        # One by one, each until ready: a shared broker busy declaring other runs' quorum queues can be
        # slow to take a connection, and a service that gave up starting is started again.
        self.platform.migrate()
        for name in SERVICE_NAMES:
            self._start_until_ready(name)
        self.platform.start_gateway()
        self.platform.wait_healthy()
        self.platform.load_demo()
        self.platform.start_process("bench_echo", [sys.executable, "-m", "shared.quiet", "nameko", "run",
                                                   "--broker", self.uri, "bench.echo_service"])
        for name, service in self.SHAPED.items():
            self.platform.start_process(name, [sys.executable, "-m", "shared.quiet", "nameko", "run", "--broker",
                                               self.uri, f"bench.shaped_service:{service}"])
        self.floor_port = free_port_in_range()
        self.platform.start_process("floor", [sys.executable, "-m", "shared.quiet", "gunicorn", "-c",
                                              "gateway/gunicorn.conf.py", "bench.floor_app:app"],
                                    {"GATEWAY_BIND": f"127.0.0.1:{self.floor_port}",
                                     "METRICS_BIND": f"127.0.0.1:{free_port()}"})
        give_up = time.monotonic() + 60
        for path in ("/echo", "/file"):
            while True:
                try:
                    if requests.post(f"http://127.0.0.1:{self.floor_port}{path}", json=0, timeout=5).ok:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > give_up:
                    raise RuntimeError(f"the floor did not answer {path}; see {self.platform.log_dir}")
                time.sleep(0.5)
        self.reporting = sa.create_engine(self.reporting_url)
        self.intake = sa.create_engine(self.platform.env["BENCH_INTAKE_DATABASE_URL"])

    def _start_until_ready(self, name: str, tries: int = 3) -> None:
        for _attempt in range(tries):
            process = self.platform.start_service(name)
            probe = self.platform.probes[name][-1]
            give_up = time.monotonic() + 90
            while process.poll() is None and time.monotonic() < give_up:
                try:
                    if requests.get(f"{probe}/readyz", timeout=5).ok:
                        return
                except requests.RequestException:
                    pass
                time.sleep(0.5)
            self.platform.kill(name)
        raise RuntimeError(f"{name} did not start; see {self.platform.log_dir}")

    def sign_in(self) -> None:
        """Fresh access tokens for the grid workers (they live 15 minutes)."""
        for username in GRID_WORKERS:
            answer = requests.post(f"{self.platform.url}/api/v1/auth/token", timeout=30,
                                   json={"username": username, "password": DEMO_PASSWORD})
            answer.raise_for_status()
            self.tokens[username] = answer.json()["access_token"]

    def groups(self, target: str) -> dict[str, list[int]]:
        """The session leaders of each of a target's processes, by name."""
        groups = {name: [p.pid for p in self.platform.processes.get(name, [])] for name in self.PROCESSES[target]}
        if self.broker:  # a broker of our own: its CPU is ours too
            groups["rabbitmq"] = [self.broker.process.pid]
        return groups

    def database_pids(self, target: str) -> list[int]:
        names = [self.databases[name].name for name in self.PROCESSES[target] if name in self.databases]
        if not names:
            return []
        with sa.create_engine(self.reporting_url).connect() as connection:
            return list(connection.execute(sa.text(
                "SELECT pid FROM pg_stat_activity WHERE datname = ANY(:names) AND pid <> pg_backend_pid()"),
                {"names": names}).scalars())

    def cpu(self, target: str) -> dict:
        sample = {name: sum(cpu_seconds_of_session(pid) for pid in pids)
                  for name, pids in self.groups(target).items()}
        sample["postgres"] = cpu_seconds_of_pids(self.database_pids(target))
        return sample

    def stop(self) -> None:
        self.platform.stop_all()
        if self.vhost:
            self.vhost.delete()
        if self.broker:
            self.broker.stop()
            shutil.rmtree(self.broker.folder, ignore_errors=True)
        for database in self.databases.values():
            database.drop()


def cpu_used(before: dict, after: dict) -> dict[str, float]:
    used = {}
    for name, value in after.items():
        if isinstance(value, dict):  # database backends: those that came meanwhile started from nothing
            used[name] = sum(v - before[name].get(pid, 0.0) for pid, v in value.items())
        else:
            used[name] = value - before[name]
    return used


# --- the passes -----------------------------------------------------------
def run_trivial(stack: Stack, rate: float, duration_s: float) -> Pass:
    result = Pass("trivial", rate, duration_s)
    headers = {"Content-Type": "application/json"}
    before = stack.cpu("trivial")
    open_loop("127.0.0.1", stack.floor_port, rate, duration_s,
              lambda n: ("POST", "/echo", json.dumps({"n": n}), headers), result)
    time.sleep(0.5)
    result.cpu_s = cpu_used(before, stack.cpu("trivial"))
    result.load = os.getloadavg()
    return result


def run_shaped(stack: Stack, rate: float, duration_s: float, drain_s: float = 120) -> Pass:
    result = Pass("shaped", rate, duration_s)
    headers = {"Content-Type": "application/json"}
    before = stack.cpu("shaped")
    answers = open_loop("127.0.0.1", stack.floor_port, rate, duration_s,
                        lambda n: ("POST", "/file", json.dumps({"description": f"压测上报 {n}"}), headers), result)
    ids = [answer["id"] for answer in answers]
    rows = wait_until_all(lambda: shaped_rows(stack.intake, ids), len(ids), drain_s)
    result.cpu_s = cpu_used(before, stack.cpu("shaped"))
    result.load = os.getloadavg()
    result.assigned_s = [(assigned - filed).total_seconds() for filed, assigned in rows.values() if assigned]
    result.unassigned = len(ids) - len(result.assigned_s)
    return result


def shaped_rows(engine, ids: list[str]) -> dict:
    """Each item's (filed, assigned) moments; assigned is None until the event came back."""
    query = sa.text("SELECT id, filed_at, assigned_at FROM item WHERE id IN :ids").bindparams(
        sa.bindparam("ids", expanding=True))
    rows = {}
    with engine.connect() as connection:
        for start in range(0, len(ids), 500):
            for item_id, filed, assigned in connection.execute(query, {"ids": ids[start:start + 500]}):
                rows[item_id] = (moment(filed), moment(assigned) if assigned else None)
    return rows


def moment(value) -> datetime:
    """A stored time as a datetime (SQLite hands back text)."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def wait_until_all(read, expected: int, drain_s: float) -> dict:
    """``read()`` again until every one of ``expected`` entries is complete (or time's up)."""
    give_up = time.monotonic() + drain_s
    while True:
        rows = read()
        if sum(1 for first, second in rows.values() if first and second) >= expected or time.monotonic() > give_up:
            return rows
        time.sleep(0.5)


def run_project(stack: Stack, rate: float, duration_s: float, drain_s: float = 120) -> Pass:
    result = Pass("project", rate, duration_s)
    stack.sign_in()

    def report(n: int):
        category, building = PROBLEMS[n % len(PROBLEMS)]
        username = GRID_WORKERS[n % len(GRID_WORKERS)]
        body = json.dumps({"category": category, "building": building, "description": f"压测上报 {n}"})
        return "POST", "/api/v1/reports", body, {"Content-Type": "application/json",
                                                  "Authorization": f"Bearer {stack.tokens[username]}"}

    started_at = datetime.now(timezone.utc)
    before = stack.cpu("project")
    answers = open_loop("127.0.0.1", stack.gateway_port, rate, duration_s, report, result)
    ids = {answer["report"]["id"] for answer in answers}
    steps = wait_until_all(lambda: report_steps(stack.reporting, ids, started_at), len(ids), drain_s)
    result.cpu_s = cpu_used(before, stack.cpu("project"))
    result.load = os.getloadavg()
    for report_id in ids:
        reported, dispatched = steps.get(report_id, (None, None))
        if reported is None or dispatched is None:
            result.unassigned += 1
        else:
            result.assigned_s.append((dispatched - reported).total_seconds())
    return result


def report_steps(engine, ids: set[str], since: datetime) -> dict:
    """Each report's (reported, first dispatched) moments from its timeline; None for a step not there yet."""
    query = sa.text("SELECT report_id, action, at FROM timeline WHERE at >= :since "
                    "AND action IN ('reported', 'dispatched') ORDER BY at, id")
    steps: dict[str, list] = {}
    with engine.connect() as connection:
        for report_id, action, at in connection.execute(query, {"since": since.replace(tzinfo=None)}):
            if report_id in ids:
                entry = steps.setdefault(report_id, [None, None])
                slot = 0 if action == "reported" else 1
                entry[slot] = entry[slot] or moment(at)
    return {k: tuple(v) for k, v in steps.items()}


# --- what is printed --------------------------------------------------------
def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f}"


def describe(result: Pass) -> str:
    cpu = result.cpu_ms_per_request()
    errors = ", ".join(f"{k}: {v}" for k, v in result.errors.items()) or "none"
    line = (f"  {result.target:<8} {result.rate:5.0f}/s x {result.duration_s:.0f} s: "
            f"achieved {result.achieved:6.1f}/s, "
            f"POST p50 {ms(percentile(result.post_s, 0.5))} p99 {ms(percentile(result.post_s, 0.99))} ms")
    if result.target != "trivial":
        line += (f", created->assigned p50 {ms(percentile(result.assigned_s, 0.5))} "
                 f"p99 {ms(percentile(result.assigned_s, 0.99))} ms, unassigned {result.unassigned}")
    line += f", errors {errors}\n           CPU ms/request: {sum(cpu.values()):.1f} = " + \
        " + ".join(f"{name} {value:.1f}" for name, value in cpu.items() if value >= 0.05)
    line += f"   load average {result.load[0]:.2f} {result.load[1]:.2f} {result.load[2]:.2f}"
    return line


def table(passes: dict[str, list[Pass]]) -> str:
    """Medians over the rounds: the project beside each floor, with the ratio to it."""
    def med(values):
        values = [v for v in values if v == v]
        return statistics.median(values) if values else float("nan")

    rows = [
        ("achieved rate (/s)", lambda p: p.achieved),
        ("POST p50 (ms)", lambda p: 1000 * percentile(p.post_s, .5)),
        ("POST p99 (ms)", lambda p: 1000 * percentile(p.post_s, .99)),
        ("created->assigned p50 (ms)", lambda p: 1000 * percentile(p.assigned_s, .5)),
        ("created->assigned p99 (ms)", lambda p: 1000 * percentile(p.assigned_s, .99)),
        ("CPU per request (ms)", lambda p: sum(p.cpu_ms_per_request().values())),
    ]
    out = [f"  {'':<28} {'project':>9} {'trivial':>9} {'ratio':>7} {'shaped':>9} {'ratio':>7}"]
    for name, figure in rows:
        mine = med([figure(p) for p in passes["project"]])
        line = f"  {name:<28} {mine:>9.1f}"
        for floor in ("trivial", "shaped"):
            theirs = med([figure(p) for p in passes[floor]])
            known = theirs == theirs
            line += f" {f'{theirs:.1f}' if known else '-':>9} {f'{mine / theirs:.2f}' if known and theirs else '-':>7}"
        out.append(line)
    return "\n".join(out)


PASSES = {"project": run_project, "trivial": run_trivial, "shaped": run_shaped}


def rounds(stack: Stack, rate: float, duration_s: float, count: int, first: int = 0) -> dict[str, list[Pass]]:
    """``count`` rounds of a pass of each target, the order turning each round."""
    passes = {target: [] for target in PASSES}
    targets = list(PASSES)
    for n in range(first, first + count):
        for target in targets[n % 3:] + targets[:n % 3]:
            print(f"round {n + 1}: {target} at {rate:g}/s for {duration_s:g} s ...", file=sys.stderr, flush=True)
            passes[target].append(PASSES[target](stack, rate, duration_s))
            print(describe(passes[target][-1]), flush=True)
    return passes


def started_stack(postgres: bool, shared_broker: bool, backend: str, tries: int = 3) -> Stack:
    """A running stack; a shared broker that is slow to accept connections can fail a start, so try again."""
    for attempt in range(1, tries + 1):
        print(f"starting the platform and the floors ({backend}) ...", file=sys.stderr, flush=True)
        stack = Stack(postgres, shared_broker)
        try:
            stack.start()
            return stack
        except (RuntimeError, subprocess.CalledProcessError) as failure:
            stack.stop()
            if attempt == tries:
                raise
            print(f"start failed ({failure}); again", file=sys.stderr, flush=True)
    raise AssertionError("unreachable")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.report_flow", description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=40, help="reports (and floor requests) per second")
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per pass")
    parser.add_argument("--rounds", type=int, default=2, help="passes of each target, the order turning")
    parser.add_argument("--step", type=float, nargs="+", metavar="RATE",
                        help="find the highest of these rates held (p99 created->assigned < 250 ms)")
    parser.add_argument("--postgres", action="store_true", help="fresh PostgreSQL databases instead of SQLite")
    parser.add_argument("--shared-broker", action="store_true",
                        help="a vhost of its own on AMQP_URI's broker instead of a RabbitMQ node of its own")
    parser.add_argument("--warm-up", type=float, default=5, help="seconds at the rate before measuring")
    args = parser.parse_args(argv)
    if args.postgres and not postgres_available():
        raise SystemExit("--postgres: no PostgreSQL answers at TEST_POSTGRES_URI")

    if args.shared_broker:
        ensure_broker(amqp_uri())
    backend = "PostgreSQL" if args.postgres else "SQLite"
    stack = started_stack(args.postgres, args.shared_broker, backend)
    try:
        first = args.step[0] if args.step else args.rate
        for warm_up in PASSES.values():
            warm_up(stack, first, args.warm_up)
        env = stack.platform.env
        print(f"\nbench.report_flow: open loop, {backend}, one process of each service, gunicorn "
              f"{env.get('GATEWAY_WORKERS', '2')} workers x {env.get('GATEWAY_THREADS', '8')} threads; "
              f"{os.cpu_count()} cores; CPU {'without' if args.shared_broker else 'with'} the broker's")
        if not args.step:
            passes = rounds(stack, args.rate, args.duration, args.rounds)
            print(f"\nmedians of {args.rounds} rounds at {args.rate:g}/s for {args.duration:g} s "
                  f"(load average now {os.getloadavg()[0]:.2f}):")
            print(table(passes))
            return 0
        held = dict.fromkeys(PASSES)
        for n, rate in enumerate(args.step):
            passes = rounds(stack, rate, args.duration, 1, first=n)
            for target, (result,) in passes.items():
                if result.held and (held[target] is None or rate > held[target]):
                    held[target] = rate
            if not any(result.held for (result,) in passes.values()):
                break
        print(f"\nhighest rate held for {args.duration:g} s (no error, all assigned, p99 < 250 ms): "
              + ", ".join(f"{target} {rate or 'none'}/s" for target, rate in held.items())
              + f" (of {' '.join(f'{r:g}' for r in args.step)}; load average now {os.getloadavg()[0]:.2f})")
        return 0
    finally:
        stack.stop()


if __name__ == "__main__":
    raise SystemExit(main())
