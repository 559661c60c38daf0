"""API keys: stored hashed, found only with their secret, and counted per minute in the database."""
import pytest
from sqlalchemy import select

from gateway import keys
from gateway.accounts import Base
from shared.db import create_db_engine, session_factory


@pytest.fixture
def session(tmp_path):
    engine = create_db_engine(f"sqlite:///{tmp_path / 'gateway.db'}")
    Base.metadata.create_all(engine)
    with session_factory(engine)() as session:
        yield session


def test_a_key_is_shown_once_and_stored_only_as_a_hash(session):
    key = keys.create(session, "Lanshan app", "ytl", requests_per_minute=5)
    session.commit()
    key_id, secret = key.split(".", 1)
    row = session.scalars(select(keys.ApiKey)).one()
    assert row.id == key_id and secret not in row.secret_hash and len(row.secret_hash) == 64
    assert keys.find(session, key).as_caller() == {
        "account_id": f"api-key:{key_id}", "role": "resident", "name": "Lanshan app", "community": "ytl",
        "grid": None, "building": None, "staff_code": None, "company": None, "station": None}
    assert keys.find(session, f"{key_id}.wrong") is None
    assert keys.find(session, "no-dot") is None and keys.find(session, None) is None
    row.active = False
    assert keys.find(session, key) is None


def test_a_key_must_have_a_known_role_and_a_positive_rate(session):
    with pytest.raises(ValueError):
        keys.create(session, "x", "ytl", role="mayor")
    with pytest.raises(ValueError):
        keys.create(session, "x", "ytl", requests_per_minute=0)


def test_requests_are_counted_per_minute_and_the_excess_waits_for_the_next(session):
    verdicts = [keys.hit(session, "key:a", 3, now_s=600 + i) for i in range(5)]
    assert [v.allowed for v in verdicts] == [True, True, True, False, False]
    assert verdicts[3].retry_after_s == 57 and verdicts[0].remaining == 2
    assert keys.hit(session, "key:b", 3, now_s=605).allowed  # each bucket its own count
    fresh = keys.hit(session, "key:a", 3, now_s=660)
    assert fresh.allowed and fresh.remaining == 2
    assert session.scalars(select(keys.RateCounter.window_start).where(keys.RateCounter.bucket == "key:a")).all() \
        == [11]  # the old minute is forgotten
