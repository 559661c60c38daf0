"""The nameko dependency that gives a service its database.

``Storage`` hands each worker a unit-of-work factory bound to the service's own
database (config DATABASE_URL), whose events are stamped by the service's clock
(config CLOCK), and runs the service's outbox relay in the background: woken at
once after a commit that recorded events, and polling every second for anything
left over (after a crash or a broker outage). Once an hour it prunes published
outbox rows, inbox keys and RPC inbox answers older than RETENTION_DAYS, a
horizon far beyond any redelivery or client retry.

A command (shared.entrypoints) runs through ``Database.command``: its units of
work share one transaction, which commits with the command's request id and
answer in the RPC inbox, so the same request id again gets the first answer.
Every RPC entrypoint of the service must be a ``@command`` or a ``@query``: a
bare one is refused at start-up.
"""
import logging
import os
import signal
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import eventlet
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from sqlalchemy import Table, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import sessionmaker

from shared import inbox, outbox, rpc_inbox
from shared.clock import clock_from
from shared.db import create_db_engine, session_factory
from shared.outbox import OutboxRelay
from shared.times import utcnow
from shared.uow import CommandTransaction, UnitOfWork

log = logging.getLogger(__name__)

RELAY_POLL_S = 1.0
RELAY_MAX_BACKOFF_S = 30
PRUNE_EVERY_S = 3600


@dataclass
class Database:
    """What a worker sees as ``self.db``."""

    sessions: sessionmaker
    outbox: Table
    inbox: Table
    source: str
    relay: OutboxRelay
    wake_relay: Callable[[], None]
    now: Callable[[], datetime]
    request_id: str | None
    count_duplicate: Callable[[str], None]
    rpc_inbox: Table
    _command: CommandTransaction | None = field(default=None, init=False)

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.outbox, self.inbox, self.source, self.wake_relay, self.now,
                          self.request_id, self.count_duplicate, self._command)

    def command(self, name: str, request_id: str, work: Callable[[], object]):
        """Run ``work`` (the command's body) once for ``request_id``: the first answer, recorded with the
        change in one transaction, is every later answer. A request that ran meanwhile (its retry
        while it was still running) wins: this run is rolled back and answers as it did."""
        known = self._answer(request_id)
        if known is not None:
            self.count_duplicate(f"{self.source}:{name}")
            return known.value
        transaction = self._command = CommandTransaction(self.sessions)
        try:
            try:
                answer = work()
            except Exception:
                transaction.session.rollback()
                known = self._answer(request_id)
                if known is None:
                    raise
                return known.value  # done meanwhile: this run's refusal ("already accepted") is not the answer
            try:
                rpc_inbox.record(transaction.session.connection(), self.rpc_inbox, request_id, name, answer, utcnow())
                transaction.session.commit()
            except IntegrityError:
                transaction.session.rollback()
                self.count_duplicate(f"{self.source}:{name}")
                return self._answer(request_id).value
        finally:
            transaction.session.close()
            self._command = None
        if os.environ.get("GRID_FAILPOINT") == "command_committed":  # fault tests: die between commit and reply
            os.kill(os.getpid(), signal.SIGKILL)
        if transaction.recorded:
            self.wake_relay()
        for action in transaction.after_commit:
            action()
        return answer

    def after_commit(self, action: Callable[[], None]) -> None:
        """Run ``action`` once the command has committed (now, outside a command). For work that waits on
        the network: a SQLite transaction held across it would stall every other green thread's database."""
        if self._command is None:
            action()
        else:
            self._command.after_commit.append(action)

    def _answer(self, request_id: str) -> rpc_inbox.Answer | None:
        with self.sessions() as session:
            return rpc_inbox.recorded_answer(session.connection(), self.rpc_inbox, request_id)

    def health(self) -> dict:
        with self.sessions() as session:
            session.execute(text("SELECT 1"))
        return {"database": "ok", "outbox_pending": self.relay.backlog().count}


class Storage(DependencyProvider):
    def __init__(self, outbox: Table, inbox: Table, rpc_inbox: Table):
        self.outbox = outbox
        self.inbox = inbox
        self.rpc_inbox = rpc_inbox

    def setup(self):
        refuse_bare_rpc(self.container)
        config = self.container.config
        self.engine = create_db_engine(config["DATABASE_URL"])
        self.sessions = session_factory(self.engine)
        self.relay = OutboxRelay(self.engine, self.outbox, self.container.service_name, config["AMQP_URI"])
        self.clock = clock_from(config.get("CLOCK"))  # the same clock the service's Clock() reads
        self.retention = timedelta(days=float(config["RETENTION_DAYS"]))
        self._wake = threading.Event()
        self._running = False
        self.duplicates: Counter[str] = Counter()  # per consumer, read by shared.observability

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._relay_forever, identifier="outbox-relay")
        self.container.spawn_managed_thread(self._prune_forever, identifier="retention")

    def stop(self):
        self._running = False
        self._wake.set()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return Database(self.sessions, self.outbox, self.inbox, self.container.service_name, self.relay, self._wake.set,
                        self.clock.now, worker_ctx.data.get("request_id"), self._count_duplicate, self.rpc_inbox)

    def _count_duplicate(self, consumer: str) -> None:
        self.duplicates[consumer] += 1

    def prune(self) -> dict[str, int]:
        """Delete what is older than the retention horizon, in one transaction; how many rows of each table."""
        before = utcnow() - self.retention
        with self.engine.begin() as connection:
            return {"outbox": outbox.prune(connection, self.outbox, before),
                    "inbox": inbox.prune(connection, self.inbox, before),
                    "rpc_inbox": rpc_inbox.prune(connection, self.rpc_inbox, before)}

    def _prune_forever(self):
        while self._running:
            try:
                pruned = self.prune()
                if any(pruned.values()):
                    log.info("%s pruned rows older than %s: %s", self.container.service_name, self.retention, pruned)
            except Exception:  # the database is away: the next round tries again
                log.exception("pruning of %s failed", self.container.service_name)
            eventlet.sleep(PRUNE_EVERY_S)

    def _relay_forever(self):
        backoff = 1
        while self._running:
            try:
                while self.relay.relay_once():
                    pass
                backoff = 1
                self._wake.wait(RELAY_POLL_S)
                self._wake.clear()
            except Exception:  # broker or database away: keep the rows, try again later
                log.exception("outbox relay of %s failed; retrying in %ss", self.container.service_name, backoff)
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, RELAY_MAX_BACKOFF_S)


def refuse_bare_rpc(container) -> None:
    """Every RPC entrypoint says what it is: ``@command`` (changes something, needs a request id) or
    ``@query`` (reads), from shared.entrypoints; a plain ``@rpc`` would skip the request-id check."""
    bare = sorted(entrypoint.method_name for entrypoint in container.entrypoints
                  if isinstance(entrypoint, Rpc) and getattr(entrypoint, "kind", None) not in ("command", "query"))
    if bare:
        raise RuntimeError(f"{container.service_name}: RPC entrypoints {', '.join(bare)} are neither @command nor "
                           "@query (shared.entrypoints): say whether each one changes anything")
