"""Accounts: who may sign in, with which role and scope, and their access tokens.

Passwords are hashed with scrypt (a memory-hard KDF from the standard library);
access tokens are signed and expire.
"""
import hashlib
import hmac
import secrets

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata

SCRYPT = {"n": 2**14, "r": 8, "p": 1}


class Base(DeclarativeBase):
    metadata = new_metadata()


class Account(Base):
    __tablename__ = "accounts"

    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    community: Mapped[str] = mapped_column(String(32))
    grid: Mapped[str | None] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    staff_code: Mapped[str | None] = mapped_column(String(64))
    company: Mapped[str | None] = mapped_column(String(32))
    station: Mapped[str | None] = mapped_column(String(32))  # station staff: which of the six stations

    def as_caller(self) -> dict:
        """What the services are told about who is asking."""
        return {"account_id": self.username, "role": self.role, "name": self.name, "community": self.community,
                "grid": self.grid, "building": self.building, "staff_code": self.staff_code,
                "company": self.company, "station": self.station}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, **SCRYPT)
    return f"scrypt${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    _scheme, salt, digest = stored.split("$")
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), **SCRYPT)
    return hmac.compare_digest(candidate.hex(), digest)


class Tokens:
    def __init__(self, secret: str, ttl_s: int):
        self._signer = URLSafeTimedSerializer(secret, salt="access-token")
        self.ttl_s = ttl_s

    def issue(self, username: str) -> str:
        return self._signer.dumps({"sub": username})

    def subject(self, token: str) -> str | None:
        try:
            return self._signer.loads(token, max_age=self.ttl_s)["sub"]
        except (BadSignature, SignatureExpired, KeyError, TypeError):
            return None


def find(session, username: str) -> Account | None:
    return session.scalars(select(Account).where(Account.username == username)).first()


def save(session, account: dict, password_hash: str) -> None:
    session.merge(Account(password_hash=password_hash, **account))
