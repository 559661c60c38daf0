"""Console sign-ins kept on the server: the browser holds only a random id in an
HttpOnly cookie; the gateway's access and refresh tokens stay in this table.

The id itself is never stored, only its SHA-256, so a copy of the database
cannot be replayed as cookies.
"""
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import JSON, String, Text, delete, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker

from shared.db import UTCDateTime, new_metadata
from shared.times import utcnow
from web.gateway_client import GatewayProblem


class Base(DeclarativeBase):
    metadata = new_metadata()


class ConsoleSession(Base):
    __tablename__ = "console_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account: Mapped[dict] = mapped_column(JSON)  # the gateway's answer: role, name, community, grid, building …
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    signed_in_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


@dataclass
class SignIn:
    """What a request knows about its signed-in person."""

    id: str
    account: dict
    access_token: str
    refresh_token: str

    @property
    def role(self) -> str:
        return self.account["role"]


def _hash(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


class SessionStore:
    def __init__(self, sessions: sessionmaker, idle_s: int):
        self.sessions, self.idle = sessions, timedelta(seconds=idle_s)

    def open(self, account: dict, access_token: str, refresh_token: str) -> SignIn:
        session_id, now = secrets.token_urlsafe(32), utcnow()
        with self.sessions() as db:
            db.add(ConsoleSession(id_hash=_hash(session_id), account=account, access_token=access_token,
                                  refresh_token=refresh_token, signed_in_at=now, last_seen_at=now))
            # Sign-ins idle past their time go as new ones arrive: no sweeper process is needed.
            db.execute(delete(ConsoleSession).where(ConsoleSession.last_seen_at < now - self.idle))
            db.commit()
        return SignIn(session_id, account, access_token, refresh_token)

    def find(self, session_id: str | None) -> SignIn | None:
        if not session_id:
            return None
        now = utcnow()
        with self.sessions() as db:
            row = db.get(ConsoleSession, _hash(session_id))
            if row is None or row.last_seen_at < now - self.idle:
                return None
            if now - row.last_seen_at > timedelta(minutes=1):  # one write a minute, not one per request
                row.last_seen_at = now
                db.commit()
            return SignIn(session_id, row.account, row.access_token, row.refresh_token)

    def refresh(self, sign_in: SignIn, exchange: Callable[[str], dict]) -> bool:
        """New tokens for ``sign_in`` through ``exchange`` (the gateway's refresh), under the row's lock:
        two requests of one page that find the access token expired must not both spend the refresh
        token, or the gateway takes the second spend for a stolen token and ends the sign-in."""
        with self.sessions() as db:
            row = db.get(ConsoleSession, _hash(sign_in.id), with_for_update=True)
            if row is None:
                return False
            if row.refresh_token != sign_in.refresh_token:  # another request has just refreshed
                sign_in.account, sign_in.access_token, sign_in.refresh_token = (
                    row.account, row.access_token, row.refresh_token)
                return True
            try:
                issued = exchange(row.refresh_token)
            except GatewayProblem as problem:
                if problem.status != 401:
                    raise
                db.delete(row)  # the gateway ended this sign-in (expired, revoked): so does the console
                db.commit()
                return False
            row.account, row.access_token, row.refresh_token = (
                issued["account"], issued["access_token"], issued["refresh_token"])
            db.commit()
        sign_in.account, sign_in.access_token, sign_in.refresh_token = (
            issued["account"], issued["access_token"], issued["refresh_token"])
        return True

    def close(self, session_id: str) -> None:
        with self.sessions() as db:
            db.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == _hash(session_id)))
            db.commit()

    def ready(self) -> None:
        """Raises when the database does not answer (the readiness probe)."""
        with self.sessions() as db:
            db.execute(select(1))
