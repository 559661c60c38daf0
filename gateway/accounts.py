"""Accounts: who may sign in, with which role and scope.

Passwords are hashed with argon2id (argon2-cffi's default parameters, RFC 9106's
low-memory profile). Tokens are in gateway.tokens, sign-in throttling in
gateway.throttle.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import new_metadata

_hasher = PasswordHasher()
# Checked against when the username is unknown, so that a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("no account has this password")


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
    return _hasher.hash(password)


def password_matches(password: str, stored: str | None) -> bool:
    """Constant work whether or not there is an account: pass ``stored=None`` for an unknown name."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def find(session, username: str) -> Account | None:
    return session.scalars(select(Account).where(Account.username == username)).first()


def save(session, account: dict, password_hash: str) -> None:
    session.merge(Account(password_hash=password_hash, **account))
