"""Run the whole platform on this machine: the embedded default.

    python -m deploy.local run             # what `make run` does
    python -m deploy.local ensure-broker   # make sure a RabbitMQ answers at AMQP_URI

Every service and the gateway run as their own processes, as district IT runs
them; SQLite files live under one data folder (DATA_DIR, default var/data).
The end-to-end tests drive the same ``LocalPlatform``.
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

from deploy.demo.load import DEMO_API_KEY, DEMO_PASSWORD
from shared.config import REPO_ROOT, SERVICE_NAMES, amqp_uri

# Every child starts through shared.quiet: the libraries' known deprecation notices stay off the screen and logs.
QUIET = (sys.executable, "-m", "shared.quiet")


def free_port() -> int:
    """A port nothing listens on now (the OS picks it), for a process about to bind it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def broker_answers(uri: str) -> bool:
    parsed = urlparse(uri)
    try:
        with socket.create_connection((parsed.hostname or "127.0.0.1", parsed.port or 5672), timeout=2):
            return True
    except OSError:
        return False


def ensure_broker(uri: str, wait_s: float = 90) -> None:
    """Start the local rabbitmq-server if it is installed and stopped; otherwise say what to install."""
    if broker_answers(uri):
        return
    server = shutil.which("rabbitmq-server") or next(
        (p for p in ("/usr/sbin/rabbitmq-server", "/usr/lib/rabbitmq/bin/rabbitmq-server") if Path(p).exists()), None)
    if server is None:
        raise SystemExit(
            f"No RabbitMQ answers at {uri} and rabbitmq-server is not installed.\n"
            "Install it (Debian/Ubuntu: sudo apt-get install rabbitmq-server; macOS: brew install rabbitmq),\n"
            "or point AMQP_URI at a running broker, or run one in docker:\n"
            "  docker run -d -p 5672:5672 -p 15672:15672 rabbitmq:3-management"
        )
    print(f"starting RabbitMQ ({server} -detached) ...", flush=True)
    subprocess.run([server, "-detached"], check=False)
    give_up = time.monotonic() + wait_s
    while not broker_answers(uri):
        if time.monotonic() > give_up:
            raise SystemExit(f"RabbitMQ did not answer at {uri} within {wait_s:.0f}s; see its log")
        time.sleep(1)
    time.sleep(2)  # the port opens a moment before the broker accepts logins


class LocalPlatform:
    """The four services, the gunicorn gateway and the web console as child processes."""

    def __init__(self, data_dir: Path, env: dict | None = None, log_dir: Path | None = None,
                 gateway_bind: str = "127.0.0.1:8000", web_bind: str = "127.0.0.1:8100"):
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir or self.data_dir / "logs")
        self.gateway_bind = gateway_bind
        self.url = f"http://{gateway_bind}"
        self.web_url = f"http://{web_bind}"
        self.env = {**os.environ, **(env or {}), "PYTHONPATH": str(REPO_ROOT), "GATEWAY_BIND": gateway_bind,
                    "WEB_BIND": web_bind, "WEB_GATEWAY_URL": self.url}
        for name in (*SERVICE_NAMES, "gateway", "web"):
            if f"{name.upper()}_DATABASE_URL_FILE" not in self.env:
                self.env.setdefault(f"{name.upper()}_DATABASE_URL", f"sqlite:///{self.data_dir / (name + '.db')}")
        self.processes: dict[str, list[subprocess.Popen]] = {}
        # Where each process serves /metrics (and a service its /livez and /readyz), by name.
        self.probes: dict[str, list[str]] = {}

    def migrate(self, *components: str) -> None:
        """Bring the databases (every one, or those named) to head, under their migration locks."""
        subprocess.run([*QUIET, "shared.migrations", "upgrade", *components], env=self.env, cwd=REPO_ROOT,
                       check=True, stdout=subprocess.DEVNULL)

    def load_demo(self) -> None:
        subprocess.run([*QUIET, "deploy.demo.load"], env=self.env, cwd=REPO_ROOT, check=True)

    def start_service(self, name: str) -> subprocess.Popen:
        command = [*QUIET, "shared.serve", name]
        probe_bind = f"127.0.0.1:{free_port()}"
        self.probes.setdefault(name, []).append(f"http://{probe_bind}")
        return self.start_process(name, command, {"PROBE_BIND": probe_bind})

    def start_gateway(self) -> subprocess.Popen:
        command = [*QUIET, "gunicorn", "-c", "gateway/gunicorn.conf.py", "gateway.wsgi:app"]
        metrics_bind = f"127.0.0.1:{free_port()}"
        self.probes.setdefault("gateway", []).append(f"http://{metrics_bind}")  # its /metrics; /livez is on the API
        return self.start_process("gateway", command, {"METRICS_BIND": metrics_bind})

    def start_web(self, bind: str | None = None) -> subprocess.Popen:
        """The console, a client of this platform's gateway (it needs no broker), on ``bind`` if given."""
        command = [*QUIET, "gunicorn", "-c", "web/gunicorn.conf.py", "web.wsgi:app"]
        metrics_bind = f"127.0.0.1:{free_port()}"
        self.probes.setdefault("web", []).append(f"http://{metrics_bind}")
        env = {"METRICS_BIND": metrics_bind}
        if bind:
            self.web_url, env["WEB_BIND"] = f"http://{bind}", bind
        return self.start_process("web", command, env)

    def wait_web(self, wait_s: float = 60) -> None:
        give_up = time.monotonic() + wait_s
        while time.monotonic() < give_up:
            if any(p.poll() is not None for p in self.processes.get("web", [])):
                raise RuntimeError(f"web exited; see {self.log_dir}")
            try:
                if requests.get(f"{self.web_url}/readyz", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"the console did not get ready within {wait_s:.0f}s; see {self.log_dir}")

    def start_all(self) -> None:
        self.migrate()
        for name in SERVICE_NAMES:
            self.start_service(name)
        self.start_gateway()
        self.wait_healthy()

    def start_process(self, name: str, command: list[str], env: dict | None = None) -> subprocess.Popen:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        instances = self.processes.setdefault(name, [])
        log = open(self.log_dir / f"{name}-{len(instances)}.log", "ab")
        process = subprocess.Popen(command, env={**self.env, **(env or {})}, cwd=REPO_ROOT, stdout=log,
                                   stderr=subprocess.STDOUT, start_new_session=True)
        instances.append(process)
        return process

    def wait_healthy(self, wait_s: float = 90) -> dict:
        give_up = time.monotonic() + wait_s
        last = None
        while time.monotonic() < give_up:
            for name, instances in self.processes.items():
                for process in instances:
                    if process.poll() is not None:
                        raise RuntimeError(f"{name} exited with {process.returncode}; see {self.log_dir}")
            try:
                last = requests.get(f"{self.url}/healthz", timeout=15)
                if last.status_code == 200:
                    return last.json()
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"platform not healthy after {wait_s:.0f}s: {last.text if last else 'no answer'}")

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        """Stop every instance of ``name`` (SIGKILL by default: a crash, not a shutdown)."""
        for process in self.processes.pop(name, []):
            if process.poll() is None:
                os.killpg(process.pid, sig)
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:  # a graceful stop that does not end is ended
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.kill(name, signal.SIGTERM)


def run(args) -> int:
    uri = amqp_uri()
    ensure_broker(uri)
    # A plain `kill` must stop the children too, not orphan them.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    platform = LocalPlatform(Path(os.environ.get("DATA_DIR", REPO_ROOT / "var" / "data")),
                             # The console offers the demo accounts for a two-click sign-in.
                             env={"WEB_DEMO_PASSWORD": DEMO_PASSWORD},
                             gateway_bind=os.environ.get("GATEWAY_BIND", "127.0.0.1:8000"),
                             web_bind=os.environ.get("WEB_BIND", "127.0.0.1:8100"))
    print("migrating the databases ...", flush=True)
    platform.migrate()
    print("starting reporting, dispatch, mediation, scoring, the gateway and the web console ...", flush=True)
    for name in SERVICE_NAMES:
        platform.start_service(name)
    platform.start_gateway()
    platform.start_web()
    try:
        platform.wait_healthy()
        platform.wait_web()
        platform.load_demo()
        print(_welcome(platform), flush=True)
        while all(p.poll() is None for instances in platform.processes.values() for p in instances):
            time.sleep(1)
        print(f"a process stopped; see the logs in {platform.log_dir}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        platform.stop_all()


def _welcome(platform: LocalPlatform) -> str:
    return f"""
The grid governance platform is running (Ctrl-C stops it).

  Console:  {platform.web_url}/            open it on a phone-sized window; pick a demo account
  API:      {platform.url}/api/v1        health: {platform.url}/healthz
  Docs:     {platform.url}/docs          OpenAPI: {platform.url}/openapi.json
  Open311:  {platform.url}/open311/v2    demo API key (Yantailing, demo only): {DEMO_API_KEY}
  Logs:     {platform.log_dir}
  Data:     {platform.data_dir}

Demo street: Lanshan (兰山街道) — Yantailing community (砚台岭社区, 8 grids) and Jinqueshan (金雀山社区).
Demo accounts (password for all: {DEMO_PASSWORD}):
  zhangyan      grid worker, Yantailing grid 4 (buildings 47 and 48)   专职网格员 张燕
  ytl-gl-04     grid leader, Yantailing grid 4                          网格长
  wuli          property staff, 砚台岭物业服务中心                        物业 吴丽
  ytl-bl-44     building leader, building 44                            楼长
  ytl-admin     community office, Yantailing                            社区办公室
  jqs-admin     community office, Jinqueshan                            社区办公室
  lanshan-street  the street platform                                   街道平台
  ytl-review-01   review group for civility points                      评议小组
  ytl-44-1-01     a resident: household 01 of building 44, unit 1        居民
  ytl-reception, ytl-triage, ytl-mediator, ytl-legal, ytl-supervision, ytl-council
                  the six stations of the mediation desk                 接访 分流 调解 法律 督办 议事
  district-it     district IT: /api/v1/ops, the audit log               区信息中心
"""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.local")
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="start everything with the demo street")
    commands.add_parser("ensure-broker", help="make sure RabbitMQ answers at AMQP_URI")
    args = parser.parse_args(argv)
    if args.command == "ensure-broker":
        ensure_broker(amqp_uri())
        return 0
    return run(args)


if __name__ == "__main__":
    raise SystemExit(main())
