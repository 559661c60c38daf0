"""The nameko dependency that gives a service its database.

``Storage`` hands each worker a unit-of-work factory bound to the service's own
database (config DATABASE_URL), whose events are stamped by the service's clock
(config CLOCK), and runs the service's outbox relay in the background: woken at
once after a commit that recorded events, and polling for anything left over
(by a crashed instance): every second while there is work, less and less often,
up to every RELAY_IDLE_POLL_S, while there is none, since a commit wakes it anyway.
"""
import logging
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import eventlet
from nameko.extensions import DependencyProvider
from sqlalchemy import Table, text
from sqlalchemy.orm import sessionmaker

from shared.clock import clock_from
from shared.db import create_db_engine, session_factory
from shared.outbox import OutboxRelay
from shared.uow import UnitOfWork

log = logging.getLogger(__name__)

RELAY_POLL_S = 1.0
RELAY_IDLE_POLL_S = 30.0  # an orphaned row's claim lease is as long: it could not go out sooner anyway
RELAY_MAX_BACKOFF_S = 30


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

    def unit_of_work(self) -> UnitOfWork:
        return UnitOfWork(self.sessions, self.outbox, self.inbox, self.source, self.wake_relay, self.now,
                          self.request_id, self.count_duplicate)

    def health(self) -> dict:
        with self.sessions() as session:
            session.execute(text("SELECT 1"))
        return {"database": "ok", "outbox_pending": self.relay.backlog().count}


class Storage(DependencyProvider):
    def __init__(self, outbox: Table, inbox: Table):
        self.outbox = outbox
        self.inbox = inbox

    def setup(self):
        config = self.container.config
        self.engine = create_db_engine(config["DATABASE_URL"])
        self.sessions = session_factory(self.engine)
        self.relay = OutboxRelay(self.engine, self.outbox, self.container.service_name, config["AMQP_URI"])
        self.clock = clock_from(config.get("CLOCK"))  # the same clock the service's Clock() reads
        self._wake = threading.Event()
        self._running = False
        self.duplicates: Counter[str] = Counter()  # per consumer, read by shared.observability

    def start(self):
        self._running = True
        self.container.spawn_managed_thread(self._relay_forever, identifier="outbox-relay")

    def stop(self):
        self._running = False
        self._wake.set()

    def kill(self):
        self.stop()

    def get_dependency(self, worker_ctx):
        return Database(self.sessions, self.outbox, self.inbox, self.container.service_name, self.relay, self._wake.set,
                        self.clock.now, worker_ctx.data.get("request_id"), self._count_duplicate)

    def _count_duplicate(self, consumer: str) -> None:
        self.duplicates[consumer] += 1

    def _relay_forever(self):
        backoff, poll = 1, RELAY_POLL_S
        while self._running:
            try:
                relayed = 0
                while published := self.relay.relay_once():
                    relayed += published
                    if published < self.relay.batch_size:
                        break  # a short batch took all there was; a commit since then has set the wake-up
                backoff = 1
                poll = RELAY_POLL_S if relayed else min(poll * 2, RELAY_IDLE_POLL_S)
                self._wake.wait(poll)
                self._wake.clear()
            except Exception:  # broker or database away: keep the rows, try again later
                log.exception("outbox relay of %s failed; retrying in %ss", self.container.service_name, backoff)
                eventlet.sleep(backoff)
                backoff = min(backoff * 2, RELAY_MAX_BACKOFF_S)
