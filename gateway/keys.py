"""API keys: partner systems and apps (Open311 clients) that file reports for a community.

    python -m gateway.keys create --name "Lanshan 12345 app" --community ytl [--role resident] [--rpm 60]
    python -m gateway.keys list
    python -m gateway.keys deactivate KEY_ID

A key is ``<id>.<secret>``; the gateway keeps the id and a SHA-256 of the secret
(the secret is 32 random bytes, so a fast hash is enough), never the key itself:
``create`` prints it once. Each key files into one community, acts with one role
(an Open311 app reports like a resident) and may make ``requests_per_minute``
requests; the count lives in the gateway's database, so every gunicorn worker
sees the same one.
"""
import argparse
import hashlib
import hmac
import re
import secrets
import time
from dataclasses import dataclass

from sqlalchemy import Boolean, Integer, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column

from gateway.accounts import Base
from shared.contracts.roles import ROLES
from shared.db import UTCDateTime
from shared.times import utcnow

KEY_ID = re.compile(r"^[a-z0-9][a-z0-9-]{2,31}$")
DEFAULT_ROLE = "resident"
DEFAULT_RPM = 60


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    secret_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(100), unique=True)
    community: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    requests_per_minute: Mapped[int] = mapped_column(Integer)
    created_at = mapped_column(UTCDateTime, nullable=False)

    def as_caller(self) -> dict:
        """Who the services are told is asking: the app itself, never a person."""
        return {"account_id": f"api-key:{self.id}", "role": self.role, "name": self.name,
                "community": self.community, "grid": None, "building": None, "staff_code": None,
                "company": None, "station": None}


class RateCounter(Base):
    """Requests per bucket (an API key, or an address without one) in one minute."""

    __tablename__ = "rate_counters"

    bucket: Mapped[str] = mapped_column(String(100), primary_key=True)
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True)  # minutes since the epoch
    hits: Mapped[int] = mapped_column(Integer)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create(session, name: str, community: str, role: str = DEFAULT_ROLE, requests_per_minute: int = DEFAULT_RPM,
           key_id: str | None = None, secret: str | None = None) -> str:
    """Store a new key and return it (``id.secret``): the only time it is ever shown."""
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; expected one of {ROLES}")
    if requests_per_minute < 1:
        raise ValueError("requests per minute must be at least 1")
    key_id = key_id or f"k{secrets.token_hex(5)}"
    if not KEY_ID.match(key_id):
        raise ValueError(f"a key id is 3-32 lower-case letters, digits or '-': {key_id!r}")
    secret = secret or secrets.token_urlsafe(32)
    session.merge(ApiKey(id=key_id, secret_hash=_digest(secret), name=name, community=community, role=role,
                         active=True, requests_per_minute=requests_per_minute, created_at=utcnow()))
    return f"{key_id}.{secret}"


def find(session, key: str | None) -> ApiKey | None:
    """The active key ``key`` names, or None (unknown, inactive or wrong secret)."""
    if not key or "." not in key:
        return None
    key_id, secret = key.split(".", 1)
    row = session.get(ApiKey, key_id)
    if row is None or not row.active or not hmac.compare_digest(row.secret_hash, _digest(secret)):
        return None
    return row


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after_s: int


def hit(session, bucket: str, limit: int, now_s: float | None = None) -> Verdict:
    """Count one request for ``bucket`` in the current minute (fixed window) and say if it may go on.

    One statement (INSERT ... ON CONFLICT DO UPDATE ... RETURNING) so concurrent workers never lose
    a count; the caller commits."""
    now_s = time.time() if now_s is None else now_s
    window = int(now_s // 60)
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(RateCounter).values(bucket=bucket, window_start=window, hits=1)
    statement = statement.on_conflict_do_update(
        index_elements=[RateCounter.bucket, RateCounter.window_start],
        set_={"hits": RateCounter.hits + 1},
    ).returning(RateCounter.hits)
    hits = session.execute(statement).scalar_one()
    if hits == 1:  # a new minute for this bucket: forget its older ones
        session.execute(delete(RateCounter).where(RateCounter.bucket == bucket, RateCounter.window_start < window))
    retry_after = max(1, int((window + 1) * 60 - now_s + 0.999))
    return Verdict(hits <= limit, limit, max(0, limit - hits), retry_after)


def _sessions():
    from shared.config import component_config
    from shared.db import create_db_engine, session_factory

    return session_factory(create_db_engine(component_config("gateway")["DATABASE_URL"]))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.keys", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    new = commands.add_parser("create", help="create a key and print it (once)")
    new.add_argument("--name", required=True, help="who uses it, e.g. the app's name")
    new.add_argument("--community", required=True, help="the community its reports are filed into, e.g. ytl")
    new.add_argument("--role", default=DEFAULT_ROLE, choices=ROLES, help="the role it acts as (default: resident)")
    new.add_argument("--rpm", type=int, default=DEFAULT_RPM, help="requests per minute (default: 60)")
    commands.add_parser("list", help="every key, without its secret")
    off = commands.add_parser("deactivate", help="refuse a key from now on")
    off.add_argument("key_id")
    args = parser.parse_args(argv)
    sessions = _sessions()
    with sessions() as session:
        if args.command == "create":
            try:
                key = create(session, args.name, args.community, args.role, args.rpm)
            except ValueError as exc:
                parser.error(str(exc))
            session.commit()
            print(key)
            print("Keep it now: the gateway stores only its hash and cannot show it again.")
        elif args.command == "list":
            for row in session.scalars(select(ApiKey).order_by(ApiKey.id)):
                state = "active" if row.active else "inactive"
                print(f"{row.id}\t{row.name}\t{row.community}\t{row.role}\t{row.requests_per_minute}/min\t{state}")
        else:
            row = session.get(ApiKey, args.key_id)
            if row is None:
                parser.error(f"no key {args.key_id!r}")
            row.active = False
            session.commit()
            print(f"{args.key_id} deactivated")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
