"""Private RabbitMQ nodes for fault tests: started by the test on ports of their own, with their own node
name, Erlang cookie, configuration, data and log folders, and stopped by it. The shared broker on this
machine is never touched (its epmd is shared, which only maps names to ports)."""
import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

import pytest

RABBITMQ_BIN = Path(os.environ.get("RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def rabbitmq_installed() -> None:
    if not (RABBITMQ_BIN / "rabbitmq-server").exists():
        pytest.fail(f"the fault tests start RabbitMQ nodes of their own: no rabbitmq-server in {RABBITMQ_BIN} "
                    "(install rabbitmq-server, or set RABBITMQ_BIN)")


class RabbitNode:
    def __init__(self, folder: Path, name: str, cookie: str):
        self.folder = folder
        self.nodename = f"{name}@localhost"
        self.port, self.dist_port = free_port(), free_port()
        self.uri = f"amqp://guest:guest@127.0.0.1:{self.port}/"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "rabbitmq.conf").write_text(f"listeners.tcp.default = 127.0.0.1:{self.port}\n")
        (folder / "enabled_plugins").write_text("[].\n")
        (folder / "rabbitmq-env.conf").write_text("")
        cookie_file = folder / ".erlang.cookie"
        cookie_file.write_text(cookie)
        cookie_file.chmod(0o400)
        self.env = {
            **os.environ,
            "HOME": str(folder),  # the Erlang cookie, for the node and its rabbitmqctl
            "RABBITMQ_CONF_ENV_FILE": str(folder / "rabbitmq-env.conf"),
            "RABBITMQ_NODENAME": self.nodename,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_CONFIG_FILE": str(folder / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(folder / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(folder / "data"),
            "RABBITMQ_LOG_BASE": str(folder / "log"),
            "RABBITMQ_PID_FILE": str(folder / "pid"),
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": "-kernel inet_dist_use_interface {127,0,0,1}",
        }
        self.process: subprocess.Popen | None = None

    def ctl(self, *args: str, timeout_s: float = 120) -> str:
        done = subprocess.run([str(RABBITMQ_BIN / "rabbitmqctl"), "-q", "-n", self.nodename, *args], env=self.env,
                              capture_output=True, text=True, timeout=timeout_s)
        if done.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)} on {self.nodename}: {done.stderr or done.stdout}")
        return done.stdout

    def launch(self) -> None:
        """Start the node's process; ``wait`` for it to run."""
        with open(self.folder / "server.out", "ab") as out:
            self.process = subprocess.Popen([str(RABBITMQ_BIN / "rabbitmq-server")], env=self.env, stdout=out,
                                            stderr=subprocess.STDOUT, start_new_session=True)

    def wait(self) -> None:
        self.ctl("wait", "--timeout", "120", str(self.folder / "pid"), timeout_s=150)

    def start(self) -> "RabbitNode":
        self.launch()
        self.wait()
        return self

    def stop(self) -> None:
        """A clean stop (its data kept: ``start`` brings the same node back)."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.ctl("stop", timeout_s=60)
            self.process.wait(timeout=60)
        except (RuntimeError, subprocess.TimeoutExpired):
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def join(self, other: "RabbitNode") -> None:
        self.ctl("stop_app")
        self.ctl("join_cluster", other.nodename)
        self.ctl("start_app")

    def queue_leaders(self) -> dict[str, str]:
        rows = self.ctl("list_queues", "name", "leader", "--no-table-headers").splitlines()
        return dict(row.split("\t") for row in rows if "\t" in row)


def start_nodes(folder: Path, count: int, prefix: str) -> list[RabbitNode]:
    """``count`` nodes started side by side (a node takes ~15 s) and, if more than one, clustered."""
    rabbitmq_installed()
    cookie = os.urandom(16).hex().upper()
    tag = os.urandom(3).hex()
    nodes = [RabbitNode(folder / f"node{n}", f"{prefix}-{tag}-{n}", cookie) for n in range(count)]
    try:
        for node in nodes:
            node.launch()
        for node in nodes:
            node.wait()
        for node in nodes[1:]:
            node.join(nodes[0])
    except Exception:
        stop_nodes(nodes)
        raise
    return nodes


def stop_nodes(nodes: list[RabbitNode]) -> None:
    for node in nodes:
        node.stop()
    for node in nodes:
        shutil.rmtree(node.folder / "data", ignore_errors=True)
