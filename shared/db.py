"""Database engine and session for every service.

SQLite files by default (WAL, busy timeout, BEGIN IMMEDIATE so two writers
queue instead of failing half-way; a read-only session begins deferred, so it
neither takes nor waits for the write lock); any SQLAlchemy URL by environment,
with PostgreSQL through psycopg2 made cooperative for eventlet.
"""
import time
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import DateTime, MetaData, case, create_engine, event, exc, func
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import sessionmaker
from sqlalchemy.types import TypeDecorator

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A pooled PostgreSQL connection idle this long is tested before use (a restart or a firewall may have cut it);
# one in steady use is not, which would cost a round trip per transaction.
IDLE_BEFORE_PING_S = 30
READ_ONLY = "grid_read_only"  # the execution option a read-only session's connections carry

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_metadata() -> MetaData:
    """Each service owns one MetaData; stable constraint names keep migrations portable."""
    return MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator):
    """Stores UTC; always hands back timezone-aware UTC, on SQLite as on PostgreSQL."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def create_db_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(url, parsed.database)
    engine = create_engine(url)
    if parsed.get_backend_name() == "postgresql":
        _make_psycopg2_green()
        _ping_when_idle(engine)
    return engine


def _ping_when_idle(engine: Engine) -> None:
    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < IDLE_BEFORE_PING_S:
            return
        try:
            cursor = dbapi_connection.cursor()
            cursor.execute("SELECT 1")
            cursor.close()
        except Exception as cut:
            raise exc.DisconnectionError() from cut  # the pool drops it and checks out a fresh one


def _sqlite_engine(url: str, database: str | None) -> Engine:
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy's "begin" event issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        # Take the write lock up front: a read-then-write transaction can then
        # never fail with "database is locked" when it tries to upgrade.
        read_only = connection.get_execution_options().get(READ_ONLY)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")

    return engine


def _make_psycopg2_green() -> None:
    """Under eventlet a blocking psycopg2 call would stall every green thread."""
    try:
        import eventlet.patcher
    except ImportError:  # pragma: no cover - eventlet ships with nameko
        return
    if eventlet.patcher.is_monkey_patched("socket"):
        from psycogreen.eventlet import patch_psycopg

        patch_psycopg()


def session_factory(engine: Engine, read_only: bool = False) -> sessionmaker:
    """Sessions on ``engine``; ``read_only`` ones for work that only reads (on SQLite they take no write lock)."""
    return sessionmaker(bind=engine.execution_options(**{READ_ONLY: True}) if read_only else engine,
                        expire_on_commit=False)


def count_where(condition):
    """In an aggregate query: how many rows meet ``condition`` (the figures count many ways in one pass)."""
    return func.sum(case((condition, 1), else_=0))
