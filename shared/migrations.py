"""Alembic per component: each service (and the gateway, for its accounts)
owns its database and its migration history.

    python -m shared.migrations upgrade [NAME ...]      # all of them by default
    python -m shared.migrations revision NAME -m "what changed"

A component's migrations/env.py only calls ``run_migrations`` with its metadata.
"""
import argparse

from alembic import command, context
from alembic.config import Config

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


def upgrade(components=COMPONENTS) -> None:
    for component in components:
        command.upgrade(alembic_config(component), "head")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared.migrations")
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("upgrade")
    up.add_argument("components", nargs="*", metavar="NAME")
    rev = commands.add_parser("revision")
    rev.add_argument("component", choices=COMPONENTS)
    rev.add_argument("-m", "--message", required=True)
    args = parser.parse_args(argv)
    if args.command == "upgrade":
        unknown = set(args.components) - set(COMPONENTS)
        if unknown:
            parser.error(f"unknown name(s) {sorted(unknown)}; expected some of {COMPONENTS}")
        upgrade(args.components or COMPONENTS)
    else:
        command.revision(alembic_config(args.component), message=args.message, autogenerate=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
