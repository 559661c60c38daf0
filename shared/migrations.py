"""Alembic per service: each service owns its database and its migration history.

    python -m shared.migrations upgrade [SERVICE ...]      # all four by default
    python -m shared.migrations revision SERVICE -m "what changed"

A service's migrations/env.py only calls ``run_migrations`` with its metadata.
"""
import argparse

from alembic import command, context
from alembic.config import Config

from shared.config import SERVICE_NAMES, SERVICES_DIR, service_config
from shared.db import create_db_engine


def alembic_config(service: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(SERVICES_DIR / service / "migrations"))
    config.set_main_option("service", service)
    return config


def run_migrations(metadata) -> None:
    """Body of every service's env.py (online mode against DATABASE_URL)."""
    service = context.config.get_main_option("service")
    engine = create_db_engine(service_config(service)["DATABASE_URL"])
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


def upgrade(services=SERVICE_NAMES) -> None:
    for service in services:
        command.upgrade(alembic_config(service), "head")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.migrations")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade")
    up.add_argument("services", nargs="*", metavar="SERVICE")
    rev = commands.add_parser("revision")
    rev.add_argument("service", choices=SERVICE_NAMES)
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.command == "upgrade":
        unknown = set(args.services) - set(SERVICE_NAMES)
        if unknown:
            parser.error(f"unknown service(s) {sorted(unknown)}; expected some of {SERVICE_NAMES}")
        upgrade(args.services or SERVICE_NAMES)
    else:
        command.revision(alembic_config(args.service), message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
