"""Per-key rate counters in the gateway's database, on SQLite and PostgreSQL: concurrent requests
(threads with their own sessions, as gunicorn's workers and threads have) never lose a count."""
import threading

import pytest
from sqlalchemy import select

from gateway import keys
from gateway.accounts import Base
from shared.db import create_db_engine, session_factory

pytestmark = pytest.mark.integration


def test_concurrent_hits_are_all_counted_and_only_the_limit_passes(database_url):
    engine = create_db_engine(database_url)
    Base.metadata.create_all(engine)
    sessions = session_factory(engine)
    verdicts, now = [], 6_000_000.0

    def hit_five_times():
        for _ in range(5):
            with sessions() as session:
                verdicts.append(keys.hit(session, "key:busy", 12, now_s=now))
                session.commit()

    threads = [threading.Thread(target=hit_five_times) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(verdicts) == 20 and sum(v.allowed for v in verdicts) == 12
    with sessions() as session:
        assert session.scalar(select(keys.RateCounter.hits).where(keys.RateCounter.bucket == "key:busy")) == 20
    engine.dispose()
