"""Alembic per component: each service, the gateway and the console own their
database and their migration history.

    python -m shared.migrations upgrade [NAME ...]      # all of them by default
    python -m shared.migrations wait NAME [--timeout S]  # until NAME's database is at this code's head
    python -m shared.migrations revision NAME -m "what changed"

Every upgrade holds the component's migration lock (a PostgreSQL advisory lock,
or a lock file beside a SQLite database), so migrators started at once — a
Kubernetes Job per release, compose's migrate services, ``make run`` —
serialise: one migrates, the others wait, then find nothing to do.
A component's migrations/env.py only calls ``run_migrations`` with its metadata.
"""
import argparse
import fcntl
import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from shared.config import COMPONENT_DIRS, component_config
from shared.db import create_db_engine

COMPONENTS = tuple(COMPONENT_DIRS)


def alembic_config(component: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(COMPONENT_DIRS[component] / "migrations"))
    config.set_main_option("component", component)
    return config


def run_migrations(metadata) -> None:
    """Body of every service's env.py (online mode against DATABASE_URL)."""
    component = context.config.get_main_option("component")
    engine = create_db_engine(component_config(component)["DATABASE_URL"])
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def lock_key(component: str) -> int:
    """The advisory lock's number: stable across processes and releases, one per component."""
    digest = hashlib.sha256(f"grid-governance migrations of {component}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@contextmanager
def migration_lock(component: str, url: str, on_wait: Callable[[], None] = lambda: None):
    """Hold ``component``'s migration lock on the database at ``url``; ``on_wait`` is
    called once if another migrator holds it and this one has to wait."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "postgresql":
        with _advisory_lock(url, lock_key(component), on_wait):
            yield
    elif backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        with _file_lock(Path(f"{parsed.database}.migration-lock"), on_wait):
            yield
    else:
        raise ValueError(f"{component}: migrations are serialised on PostgreSQL and SQLite files only, not {url!r}")


@contextmanager
def _advisory_lock(url: str, key: int, on_wait):
    # A session lock on a connection of its own: Alembic's transaction commits
    # inside it, and the lock goes with the connection if the process dies.
    engine = create_db_engine(url)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            if not connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": key}).scalar():
                on_wait()
                connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": key})
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})
    finally:
        engine.dispose()


@contextmanager
def _file_lock(path: Path, on_wait):
    # SQLite lives on one machine: an flock on a file beside it serialises its migrators.
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def current_heads(url: str) -> tuple[str, ...]:
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            return tuple(sorted(MigrationContext.configure(connection).get_current_heads()))
    finally:
        engine.dispose()


def code_heads(component: str) -> tuple[str, ...]:
    return tuple(sorted(ScriptDirectory.from_config(alembic_config(component)).get_heads()))


def upgrade(components=COMPONENTS, say: Callable[[str], None] = lambda line: None) -> None:
    for component in components:
        url = component_config(component)["DATABASE_URL"]
        waiting = f"{component}: waiting for another migrator to finish"
        with migration_lock(component, url, lambda line=waiting: say(line)):
            before = current_heads(url)
            command.upgrade(alembic_config(component), "head")
            after = current_heads(url)
        if before == after:
            say(f"{component}: already at {', '.join(after)}; nothing to do")
        else:
            say(f"{component}: migrated from {', '.join(before) or 'an empty database'} to {', '.join(after)}")


def wait_for_head(component: str, timeout_s: float, every_s: float = 2) -> bool:
    """Whether the database reached this code's head within ``timeout_s`` (a pod's init step)."""
    url = component_config(component)["DATABASE_URL"]
    wanted = code_heads(component)
    give_up = time.monotonic() + timeout_s
    while True:
        try:
            if current_heads(url) == wanted:
                return True
        except Exception:  # the database is not up yet: keep waiting
            pass
        if time.monotonic() >= give_up:
            return False
        time.sleep(every_s)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.migrations")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade")
    up.add_argument("components", nargs="*", metavar="NAME")
    wait = commands.add_parser("wait", help="exit 0 once NAME's database is at this code's head, 1 at the timeout")
    wait.add_argument("component", choices=COMPONENTS)
    wait.add_argument("--timeout", type=float, default=300)
    rev = commands.add_parser("revision")
    rev.add_argument("component", choices=COMPONENTS)
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.command == "upgrade":
        unknown = set(args.components) - set(COMPONENTS)
        if unknown:
            parser.error(f"unknown name(s) {sorted(unknown)}; expected some of {COMPONENTS}")
        upgrade(args.components or COMPONENTS, say=lambda line: print(line, flush=True))
    elif args.command == "wait":
        if not wait_for_head(args.component, args.timeout):
            print(f"{args.component}: database not at {', '.join(code_heads(args.component))} "
                  f"after {args.timeout:g}s; has its migration job run?", flush=True)
            return 1
    else:
        command.revision(alembic_config(args.component), message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
