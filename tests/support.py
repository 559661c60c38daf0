"""Real infrastructure for the tests: a fresh RabbitMQ vhost, a fresh PostgreSQL
database, each made for the test run and removed after it. No mocks."""
import os
import shutil
import subprocess
import time
import uuid
from urllib.parse import quote, urlparse

import amqp
import psycopg2
import pytest
import requests
from nameko.rpc import ServiceProxy

BROKER = os.environ.get("TEST_AMQP_URI", os.environ.get("AMQP_URI", "amqp://guest:guest@127.0.0.1:5672/"))
MANAGEMENT = os.environ.get("TEST_RABBITMQ_MANAGEMENT", "http://127.0.0.1:15672")
# A broker that stops answering vhost commands fails the test that asked, instead of hanging the run.
BROKER_CTL_TIMEOUT_S = 120
POSTGRES = os.environ.get("TEST_POSTGRES_URI", "postgresql://postgres@127.0.0.1:5432/postgres")


def rabbitmqctl(*args: str, check: bool = True) -> str:
    """This machine's rabbitmqctl; a failure says what the broker answered."""
    done = subprocess.run(["rabbitmqctl", "-q", *args], capture_output=True, text=True, timeout=BROKER_CTL_TIMEOUT_S)
    if check and done.returncode != 0:
        raise RuntimeError(f"rabbitmqctl {' '.join(args)} exited {done.returncode}: {done.stderr or done.stdout}")
    return done.stdout


class Vhost:
    """A RabbitMQ virtual host of our own: no queue or message leaks between runs."""

    def __init__(self):
        self.name = f"grid-test-{uuid.uuid4().hex[:8]}"
        parsed = urlparse(BROKER)
        self.user = parsed.username or "guest"
        self.uri = f"{parsed.scheme}://{parsed.netloc}/{quote(self.name, safe='')}"

    def create(self) -> "Vhost":
        if shutil.which("rabbitmqctl"):
            rabbitmqctl("add_vhost", self.name)
            rabbitmqctl("set_permissions", "-p", self.name, self.user, ".*", ".*", ".*")
        else:
            auth = (self.user, urlparse(BROKER).password or "guest")
            vhost = quote(self.name, safe="")
            requests.put(f"{MANAGEMENT}/api/vhosts/{vhost}", auth=auth, timeout=10).raise_for_status()
            requests.put(f"{MANAGEMENT}/api/permissions/{vhost}/{self.user}", auth=auth,
                         json={"configure": ".*", "write": ".*", "read": ".*"}, timeout=10).raise_for_status()
        return self

    def delete(self) -> None:
        self._delete_queues()
        if shutil.which("rabbitmqctl"):
            rabbitmqctl("delete_vhost", self.name, check=False)
        else:
            auth = (self.user, urlparse(BROKER).password or "guest")
            requests.delete(f"{MANAGEMENT}/api/vhosts/{quote(self.name, safe='')}", auth=auth, timeout=10)

    def _delete_queues(self) -> None:
        """Delete the vhost's queues one by one before the vhost itself: RabbitMQ 3.10 tearing down a
        vhost that still holds a hundred quorum queues, while other runs do the same, can stall every
        later vhost operation on the node (seen here: add_vhost waiting for minutes)."""
        names = self._queue_names()
        if not names:  # none, or the vhost is already gone (a test may delete it itself)
            return
        with amqp.Connection(urlparse(self.uri).netloc.split("@")[-1], userid=self.user,
                             password=urlparse(BROKER).password or "guest",
                             virtual_host=self.name, connect_timeout=10) as connection:
            channel = connection.channel()
            for name in names:
                channel.queue_delete(name)

    def _queue_names(self) -> list[str]:
        if shutil.which("rabbitmqctl"):
            return rabbitmqctl("list_queues", "-p", self.name, "--no-table-headers", "name", check=False).split()
        auth = (self.user, urlparse(BROKER).password or "guest")
        answer = requests.get(f"{MANAGEMENT}/api/queues/{quote(self.name, safe='')}", auth=auth, timeout=10)
        return [queue["name"] for queue in answer.json()] if answer.ok else []


def postgres_available() -> bool:
    try:
        psycopg2.connect(POSTGRES, connect_timeout=3).close()
        return True
    except psycopg2.OperationalError:
        return False


class PostgresDatabase:
    """A throw-away database on the PostgreSQL server the tests were given."""

    def __init__(self):
        self.name = f"grid_test_{uuid.uuid4().hex[:8]}"
        parsed = urlparse(POSTGRES)
        self.url = f"postgresql://{parsed.netloc}/{self.name}"

    def _admin(self, sql: str) -> None:
        connection = psycopg2.connect(POSTGRES)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(sql)
        connection.close()

    def create(self) -> "PostgresDatabase":
        self._admin(f'CREATE DATABASE "{self.name}"')
        return self

    def drop(self) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def wait_until(check, timeout_s: float = 30, every_s: float = 0.2, what: str = "condition"):
    """Poll ``check`` until it returns something truthy; fail with ``what`` if it never does."""
    give_up = time.monotonic() + timeout_s
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > give_up:
            pytest.fail(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(every_s)


def answers(service) -> bool:
    """Whether a nameko service answers its health RPC yet."""
    try:
        service.health()
        return True
    except Exception:
        return False


class WithRequestIds:
    """A nameko cluster or service proxy whose every call carries a fresh request id (``command_id``):
    commands need one, queries ignore it. A ``command_id`` given explicitly is sent as it is."""

    def __init__(self, target):
        self._target = target

    def __getattr__(self, name):
        found = getattr(self._target, name)
        return WithRequestIds(found) if isinstance(found, ServiceProxy) else _MethodWithRequestIds(found)


class _MethodWithRequestIds:
    def __init__(self, method):
        self._method = method

    def __call__(self, *args, **kwargs):
        return self._method(*args, **{"command_id": f"test:{uuid.uuid4()}", **kwargs})

    def call_async(self, *args, **kwargs):
        return self._method.call_async(*args, **{"command_id": f"test:{uuid.uuid4()}", **kwargs})
