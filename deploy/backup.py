"""Back up and restore every component's database and the broker's definitions.

    python -m deploy.backup backup DIR [NAME ...]    # NAME: a component or "broker"; all by default
    python -m deploy.backup restore DIR [NAME ...]   # into EMPTY databases; then migrate to head

Each database is read from its component's settings (the same NAME_DATABASE_URL or
NAME_DATABASE_URL_FILE the component runs with): a SQLite file is copied with
SQLite's online backup (consistent while the services write), a PostgreSQL database
with pg_dump's custom format (one consistent snapshot) and pg_restore in one
transaction. The broker's definitions — the AMQP_URI vhost's exchanges, queues,
bindings and policies, not its messages and not its users — come from a broker
node's rabbitmqctl (RABBITMQCTL). docs/operations.md says when to run what.
"""
import argparse
import json
import os
import shlex
import sqlite3
import subprocess
import sys
from contextlib import closing
from pathlib import Path
from urllib.parse import unquote, urlparse

from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from shared.config import COMPONENT_DIRS, amqp_uri, component_config
from shared.db import create_db_engine
from shared.migrations import current_heads

MANIFEST = "manifest.json"
BROKER_FILE = "broker-definitions.json"
# What the broker keeps per vhost; messages are not definitions (what waits in queues is in the outboxes' wake).
VHOST_ITEMS = ("exchanges", "queues", "bindings", "policies", "parameters")


class BackupError(RuntimeError):
    pass


def _libpq_url(url: str) -> str:
    """pg_dump and pg_restore take libpq's URL: no SQLAlchemy driver name."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _is_empty(url: str) -> bool:
    engine = create_db_engine(url)
    try:
        return not inspect(engine).get_table_names()
    finally:
        engine.dispose()


def backup_database(component: str, url: str, folder: Path) -> dict:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        target = folder / f"{component}.sqlite3"
        _sqlite_copy(Path(parsed.database), target)
    elif parsed.get_backend_name() == "postgresql":
        target = folder / f"{component}.pgdump"
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(target), _libpq_url(url)])
    else:
        raise BackupError(f"{component}: no backup for {parsed.get_backend_name()} databases")
    return {"file": target.name, "revision": list(current_heads(url))}


def restore_database(component: str, url: str, folder: Path, entry: dict) -> None:
    if not _is_empty(url):
        raise BackupError(f"{component}: the database at {make_url(url).render_as_string()} is not empty; "
                          "restore only into an empty one (create it new, or drop it first)")
    source = folder / entry["file"]
    parsed = make_url(url)
    if source.suffix == ".sqlite3" and parsed.get_backend_name() == "sqlite":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        _sqlite_copy(source, Path(parsed.database))
    elif source.suffix == ".pgdump" and parsed.get_backend_name() == "postgresql":
        _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction",
              "--dbname", _libpq_url(url), str(source)])
    else:
        raise BackupError(f"{component}: a {source.suffix} backup cannot go into a "
                          f"{parsed.get_backend_name()} database")


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup: a consistent copy even while other connections write."""
    with closing(sqlite3.connect(source)) as reading, closing(sqlite3.connect(target)) as writing:
        reading.backup(writing)


def _run(command: list[str], stdin: str | None = None) -> str:
    try:
        result = subprocess.run(command, capture_output=True, text=True, input=stdin)
    except FileNotFoundError:
        raise BackupError(f"{command[0]} is not installed here") from None
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed: {(result.stderr or result.stdout).strip()}")
    return result.stdout


def _rabbitmqctl() -> list[str]:
    """How to reach a broker node's rabbitmqctl: locally by default; RABBITMQCTL says otherwise,
    e.g. "kubectl -n grid exec -i grid-rabbitmq-server-0 -- rabbitmqctl"."""
    return shlex.split(os.environ.get("RABBITMQCTL", "rabbitmqctl"))


def _vhost(uri: str) -> str:
    path = urlparse(uri).path
    return unquote(path[1:]) if len(path) > 1 else "/"


def backup_broker(uri: str, folder: Path) -> None:
    """The platform's vhost only: users and their password hashes stay out of the backup."""
    everything = json.loads(_run([*_rabbitmqctl(), "-q", "export_definitions", "-", "--format", "json"]))
    vhost = _vhost(uri)
    mine = {key: [item for item in everything.get(key, []) if item.get("vhost") == vhost] for key in VHOST_ITEMS}
    saved = {"vhost": vhost, "rabbitmq_version": everything.get("rabbitmq_version"), **mine}
    (folder / BROKER_FILE).write_text(json.dumps(saved, indent=1, ensure_ascii=False), encoding="utf-8")


def restore_broker(uri: str, folder: Path) -> None:
    """Into the vhost AMQP_URI names (it must exist: the operator or rabbitmqctl add_vhost makes it)."""
    saved = json.loads((folder / BROKER_FILE).read_text(encoding="utf-8"))
    vhost = _vhost(uri)
    definitions = {key: [{**item, "vhost": vhost} for item in saved[key]] for key in VHOST_ITEMS}
    _run([*_rabbitmqctl(), "-q", "import_definitions", "--format", "json"], stdin=json.dumps(definitions))  # from stdin


BROKER = "broker"
TARGETS = (*COMPONENT_DIRS, BROKER)


def backup(folder: Path, targets=TARGETS) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {"databases": {c: backup_database(c, component_config(c)["DATABASE_URL"], folder)
                              for c in targets if c != BROKER}}
    if BROKER in targets:
        backup_broker(amqp_uri(), folder)
        manifest[BROKER] = BROKER_FILE
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def restore(folder: Path, targets=None) -> list[str]:
    """Restore what is named (default: everything the backup holds); returns what was restored."""
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    held = [*manifest["databases"], *([BROKER] if BROKER in manifest else [])]
    targets = targets or held
    missing = set(targets) - set(held)
    if missing:
        raise BackupError(f"the backup in {folder} holds no {', '.join(sorted(missing))}")
    for component in targets:
        if component == BROKER:
            restore_broker(amqp_uri(), folder)
        else:
            restore_database(component, component_config(component)["DATABASE_URL"], folder,
                             manifest["databases"][component])
    return list(targets)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.backup")
    parser.add_argument("action", choices=("backup", "restore"))
    parser.add_argument("folder", type=Path)
    parser.add_argument("targets", nargs="*", metavar="NAME", help=f"some of {', '.join(TARGETS)} (default: all)")
    args = parser.parse_args(argv)
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown name(s) {sorted(unknown)}; expected some of {', '.join(TARGETS)}")
    try:
        if args.action == "backup":
            manifest = backup(args.folder, args.targets or TARGETS)
            done = [*manifest["databases"], *([BROKER] if BROKER in manifest else [])]
            print(f"backed up {', '.join(done)} to {args.folder}")
        else:
            done = restore(args.folder, args.targets)
            print(f"restored {', '.join(done)} from {args.folder}; now run: python -m shared.migrations upgrade")
    except BackupError as exc:
        print(f"{args.action} failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
