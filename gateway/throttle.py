"""Sign-in throttling, per account and per address, kept in the gateway's database
(several gunicorn workers share it; process memory would let each count alone).

- Per account: ``LOGIN_MAX_FAILURES`` wrong passwords in a row lock the account
  for ``LOGIN_LOCK_S``. While locked, every attempt is refused, even with the
  right password. A success resets the count. Unknown names are counted the same
  way, so the answers do not tell which accounts exist.
- Per address: more than ``LOGIN_ADDRESS_LIMIT`` attempts (right or wrong) in a
  window of ``LOGIN_ADDRESS_WINDOW_S`` are refused until the window ends.

The arithmetic is pure (``after_failure``, ``count_attempt``); ``LoginThrottle``
keeps the state in short transactions, never while a password is being checked.
"""
import hashlib
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from gateway.accounts import Base
from shared.db import UTCDateTime


class ThrottleState(Base):
    __tablename__ = "login_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # account:<sha256 of name> or address:<ip>
    count: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Refusal:
    """A 429: which limit (account_locked or too_many_attempts) and until when."""

    code: str
    until: datetime
    failures: int = 0

    def retry_after_s(self, now: datetime) -> int:
        return max(1, math.ceil((self.until - now).total_seconds()))


# --- the pure rules --------------------------------------------------------------
def after_failure(failures: int, max_failures: int, now: datetime, lock_s: int) -> tuple[int, datetime | None]:
    """One more wrong password: (failures, locked_until). Reaching the limit locks and starts over."""
    failures += 1
    if failures >= max_failures:
        return 0, now + timedelta(seconds=lock_s)
    return failures, None


def count_attempt(count: int, started: datetime | None, now: datetime, window_s: int,
                  limit: int) -> tuple[int, datetime, datetime | None]:
    """One more attempt from an address in fixed windows: (count, window start, refused until or None)."""
    if started is None or now >= started + timedelta(seconds=window_s):
        count, started = 0, now
    count += 1
    return count, started, (started + timedelta(seconds=window_s) if count > limit else None)


# --- the state -------------------------------------------------------------------
class LoginThrottle:
    def __init__(self, sessions, max_failures: int, lock_s: int, address_limit: int, address_window_s: int):
        self.sessions = sessions
        self.max_failures, self.lock_s = max_failures, lock_s
        self.address_limit, self.address_window_s = address_limit, address_window_s

    def before_attempt(self, username: str, address: str, now: datetime) -> Refusal | None:
        """Count the attempt against its address; refuse when the address or the account is locked."""

        def change(session):
            row = _row(session, f"address:{address}", now)
            row.count, row.window_started_at, until = count_attempt(
                row.count, row.window_started_at, now, self.address_window_s, self.address_limit)
            if until is not None:
                return Refusal("too_many_attempts", until)
            account = session.get(ThrottleState, _account_key(username), with_for_update=True)
            if account is not None and account.locked_until is not None and account.locked_until > now:
                return Refusal("account_locked", account.locked_until, self.max_failures)
            return None

        return self._write(change)

    def after_attempt(self, username: str, succeeded: bool, now: datetime) -> Refusal | None:
        """Record the outcome; a refusal when this failure locked the account, or when it was locked meanwhile."""

        def change(session):
            row = _row(session, _account_key(username), now)
            if row.locked_until is not None and row.locked_until > now:
                return Refusal("account_locked", row.locked_until, self.max_failures)
            if succeeded:
                session.delete(row)
                return None
            row.count, row.locked_until = after_failure(row.count, self.max_failures, now, self.lock_s)
            return Refusal("account_locked", row.locked_until, self.max_failures) if row.locked_until else None

        return self._write(change)

    def _write(self, change):
        for attempt in range(3):
            with self.sessions() as session:
                try:
                    outcome = change(session)
                    session.commit()
                    return outcome
                except IntegrityError:  # another worker created the same row first: read it again
                    session.rollback()
                    if attempt == 2:
                        raise
        return None


def _account_key(username: str) -> str:
    """Names are kept only as a hash: what is typed as a name is sometimes a password."""
    return "account:" + hashlib.sha256(username.encode()).hexdigest()


def _row(session, key: str, now: datetime) -> ThrottleState:
    row = session.get(ThrottleState, key, with_for_update=True)
    if row is None:
        row = ThrottleState(key=key, count=0, window_started_at=now)
        session.add(row)
        session.flush()
    return row
