"""The gateway's own tables under concurrency, on SQLite and PostgreSQL, migrated by
its Alembic history: one refresh token spent by racing workers, wrong passwords
counted exactly, one claim for concurrent requests with one Idempotency-Key (and credentials never kept)."""
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from gateway import accounts, idempotency
from gateway.app import create_app
from gateway.problems import Problem
from gateway.throttle import LoginThrottle
from gateway.tokens import TokenRefused, Tokens
from shared.config import component_config
from shared.db import create_db_engine, session_factory
from shared.migrations import upgrade
from shared.times import utcnow

pytestmark = pytest.mark.integration


@pytest.fixture
def sessions(database_url, monkeypatch):
    monkeypatch.setenv("GATEWAY_DATABASE_URL", database_url)
    upgrade(("gateway",))
    engine = create_db_engine(database_url)
    yield session_factory(engine)
    engine.dispose()


def in_threads(count: int, work) -> list:
    start = threading.Barrier(count)

    def run(n):
        start.wait()
        return work(n)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


def test_racing_workers_spend_a_refresh_token_once(sessions):
    issuer, now = Tokens("secret", 900, 3600), utcnow()
    with sessions() as session:
        issued = issuer.open_session(session, "zhangyan", now)
        session.commit()

    def refresh(_n):
        with sessions() as session:
            try:
                issuer.refresh(session, issued.refresh_token, now + timedelta(seconds=1))
                session.commit()
                return "ok"
            except TokenRefused as refused:
                session.commit()
                return refused.code

    outcomes = in_threads(4, refresh)
    assert outcomes.count("ok") == 1, outcomes
    assert set(outcomes) - {"ok"} <= {"refresh_reused", "token_revoked"}


def test_concurrent_wrong_passwords_are_each_counted_and_lock_at_ten(sessions):
    throttle, now = LoginThrottle(sessions, 10, 900, 1000, 600), utcnow()
    outcomes = in_threads(12, lambda _n: throttle.after_attempt("ytl-bl-44", False, now))
    locked = [o for o in outcomes if o is not None]
    assert len(locked) == 3 and all(o.code == "account_locked" for o in locked)  # the 10th, 11th and 12th
    assert throttle.before_attempt("ytl-bl-44", "10.0.0.1", now).code == "account_locked"
    assert throttle.before_attempt("ytl-bl-44", "10.0.0.1", now + timedelta(seconds=901)) is None


def test_concurrent_requests_with_one_idempotency_key_run_once(sessions, database_url):
    app = create_app({**component_config("gateway"), "DATABASE_URL": database_url})
    with sessions() as session:
        accounts.save(session, {"username": "ytl-admin", "role": "community_admin", "name": "办公室",
                                "community": "ytl"}, accounts.hash_password("lanshan2026"))
        session.commit()

    with app.test_client() as client:
        tokens = client.post("/api/v1/auth/token", json={"username": "ytl-admin", "password": "lanshan2026"},
                             headers={"Idempotency-Key": "credentials-are-never-kept"})
        assert tokens.status_code == 200 and "Idempotent-Replayed" not in tokens.headers
        again = client.post("/api/v1/auth/token", json={"username": "ytl-admin", "password": "lanshan2026"},
                            headers={"Idempotency-Key": "credentials-are-never-kept"})
        assert "Idempotent-Replayed" not in again.headers
        assert again.get_json()["refresh_token"] != tokens.get_json()["refresh_token"]
    all_claimed = threading.Barrier(4)

    def claim(_n):
        """What an authorised request does first: claim its key (and hold it until all four have tried)."""
        with app.test_request_context("/api/v1/reports", method="POST", json={"building": "44"},
                                      headers={"Idempotency-Key": "one-report"}):
            try:
                outcome = "run" if idempotency.claim("account:ytl-admin") is None else "replay"
            except Problem as problem:
                outcome = problem.code
            all_claimed.wait()
            return outcome

    outcomes = in_threads(4, claim)
    assert outcomes.count("run") == 1, outcomes
    assert set(outcomes) <= {"run", "idempotency_in_flight"}, outcomes
