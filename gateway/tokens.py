"""Access and refresh tokens.

A sign-in opens a *session* (one family of tokens). It hands out a short-lived
signed access token (``ACCESS_TOKEN_TTL_S``) naming the account and the
session, and a long-lived random refresh token (``REFRESH_TOKEN_TTL_S``) that is
stored only as its SHA-256 hash. Each refresh rotates the refresh token: the old
one is spent, a new one is issued in the same session. Presenting a spent
refresh token again means it was copied: the whole session is revoked, and with
it every access token it issued. Sign-out revokes the session the same way.
"""
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import ForeignKey, String, delete, update
from sqlalchemy.orm import Mapped, mapped_column

from gateway.accounts import Base
from shared.db import UTCDateTime


class SignInSession(Base):
    """One sign-in: the family every access and refresh token of it belongs to."""

    __tablename__ = "sign_in_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_reason: Mapped[str | None] = mapped_column(String(32))  # sign_out, refresh_reused


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("sign_in_sessions.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TokenRefused(Exception):
    """Why a token is not accepted: a message code (unauthorized, token_expired, token_revoked,
    refresh_invalid, refresh_reused)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Issued:
    access_token: str
    refresh_token: str
    session_id: str
    username: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class Tokens:
    def __init__(self, secret: str, ttl_s: int, refresh_ttl_s: int = 30 * 86400):
        self._signer = URLSafeTimedSerializer(secret, salt="access-token")
        self.ttl_s = ttl_s
        self.refresh_ttl_s = refresh_ttl_s

    # --- access tokens: signed, stateless apart from their session's revocation
    def access_token(self, username: str, session_id: str) -> str:
        return self._signer.dumps({"sub": username, "sid": session_id})

    def claims(self, token: str) -> dict:
        """{sub, sid} of a valid, unexpired access token; TokenRefused otherwise."""
        try:
            claims = self._signer.loads(token, max_age=self.ttl_s)
        except SignatureExpired:
            raise TokenRefused("token_expired") from None
        except BadSignature:
            raise TokenRefused("unauthorized") from None
        if not isinstance(claims, dict) or not isinstance(claims.get("sub"), str) or "sid" not in claims:
            raise TokenRefused("unauthorized")
        return claims

    # --- sessions and refresh tokens
    def open_session(self, session, username: str, now: datetime) -> Issued:
        # Expired refresh tokens can do nothing any more: each sign-in clears them away.
        session.execute(delete(RefreshToken).where(RefreshToken.expires_at < now))
        family = SignInSession(id=str(uuid.uuid4()), username=username, created_at=now)
        session.add(family)
        session.flush()  # before its first refresh token, which refers to it
        return self._issue(session, family, now)

    def _issue(self, session, family: SignInSession, now: datetime) -> Issued:
        refresh = secrets.token_urlsafe(32)
        session.add(RefreshToken(token_hash=_digest(refresh), session_id=family.id, issued_at=now,
                                 expires_at=now + timedelta(seconds=self.refresh_ttl_s)))
        return Issued(self.access_token(family.username, family.id), refresh, family.id, family.username)

    def refresh(self, session, refresh_token: str, now: datetime) -> Issued:
        """Spend ``refresh_token`` for a new pair; a spent one revokes its whole session."""
        row = session.get(RefreshToken, _digest(refresh_token)) if refresh_token else None
        if row is None:
            raise TokenRefused("refresh_invalid")
        family = session.get(SignInSession, row.session_id)
        if family.revoked_at is not None:
            raise TokenRefused("token_revoked")
        # Spend it with a conditional update, so two workers racing with one token cannot both win.
        spent = session.execute(update(RefreshToken).where(RefreshToken.token_hash == row.token_hash,
                                                           RefreshToken.used_at.is_(None)).values(used_at=now))
        if spent.rowcount != 1:
            revoke(session, family.id, "refresh_reused", now)
            raise TokenRefused("refresh_reused")
        if row.expires_at <= now:
            raise TokenRefused("refresh_invalid")
        return self._issue(session, family, now)

    def session_of_refresh(self, session, refresh_token: str) -> str | None:
        row = session.get(RefreshToken, _digest(refresh_token)) if refresh_token else None
        return row.session_id if row else None


def check_session(session, session_id: str) -> None:
    """TokenRefused('token_revoked') when the access token's session was signed out or revoked."""
    family = session.get(SignInSession, session_id)
    if family is None or family.revoked_at is not None:
        raise TokenRefused("token_revoked")


def revoke(session, session_id: str, reason: str, now: datetime) -> bool:
    done = session.execute(update(SignInSession).where(SignInSession.id == session_id,
                                                       SignInSession.revoked_at.is_(None))
                           .values(revoked_at=now, revoked_reason=reason))
    return done.rowcount == 1
