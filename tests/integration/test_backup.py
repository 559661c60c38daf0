"""docs/operations.md's backup and restore, as district IT runs them: every report filed
before the backup is found in the databases restored from it, on SQLite and PostgreSQL,
and the broker's definitions come back in an empty vhost."""
import os
import subprocess
import sys
import uuid

import pytest
from kombu import Connection, Queue
from sqlalchemy import select

from services.reporting import service_layer
from services.reporting.models import Report, inbox, outbox
from shared.config import REPO_ROOT
from shared.db import create_db_engine, session_factory
from shared.migrations import code_heads, current_heads, upgrade
from shared.times import utcnow
from shared.uow import UnitOfWork
from tests.support import PostgresDatabase, Vhost

pytestmark = pytest.mark.integration

REPORTS = 12
GRID_WORKER = {"account_id": "zhangyan", "role": "grid_worker", "name": "张燕", "community": "ytl", "grid": "g04",
               "staff_code": "ytl-gw-04"}
GARBAGE = {"code": "sanitation.garbage", "name_zh": "暴露垃圾", "name_en": "Exposed garbage",
           "group_code": "sanitation", "group_zh": "卫生", "group_en": "Sanitation", "attributes": [], "active": True}


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """A second, empty database of the same kind as database_url."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'reporting.db'}"
        return
    database = PostgresDatabase().create()
    yield database.url
    database.drop()


def file_reports(url: str) -> list[str]:
    engine = create_db_engine(url)
    sessions = session_factory(engine)

    def uow():
        return UnitOfWork(sessions, outbox, inbox, "reporting")

    service_layer.import_categories(uow(), [GARBAGE])
    ids = [service_layer.create_report(uow(), GRID_WORKER, {"category": "sanitation.garbage", "building": "47",
                                                            "description": f"47号楼垃圾 {n}"}, utcnow())["report"]["id"]
           for n in range(REPORTS)]
    engine.dispose()
    return ids


def report_ids(url: str) -> list[str]:
    engine = create_db_engine(url)
    with engine.connect() as connection:
        ids = connection.execute(select(Report.id)).scalars().all()
        events = connection.execute(select(outbox.c.event_id)).scalars().all()
    engine.dispose()
    assert len(events) == REPORTS  # each report's report.created came along, still waiting or sent
    return ids


def run_backup(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "deploy.backup", *args], cwd=REPO_ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(REPO_ROOT), **env}, timeout=120)


def test_every_report_is_found_in_databases_restored_from_a_backup(database_url, empty_database_url, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("REPORTING_DATABASE_URL", database_url)
    upgrade(("reporting",))
    filed = file_reports(database_url)
    folder = tmp_path / "backup"

    made = run_backup("backup", str(folder), "reporting", env={"REPORTING_DATABASE_URL": database_url})
    assert made.returncode == 0, made.stderr
    restored = run_backup("restore", str(folder), "reporting",
                          env={"REPORTING_DATABASE_URL": empty_database_url})
    assert restored.returncode == 0, restored.stderr

    assert sorted(report_ids(empty_database_url)) == sorted(filed)
    assert current_heads(empty_database_url) == code_heads("reporting")

    # A second restore would mix two histories: it is refused, and says why.
    again = run_backup("restore", str(folder), "reporting",
                       env={"REPORTING_DATABASE_URL": empty_database_url})
    assert again.returncode == 1 and "is not empty" in again.stderr


def test_the_broker_definitions_come_back_in_an_empty_vhost(vhost, tmp_path):
    queue = f"dispatch--reporting.backup-{uuid.uuid4().hex[:6]}"
    with Connection(vhost.uri) as connection:
        Queue(queue, durable=True, queue_arguments={"x-max-length": 1000})(connection.channel()).declare()
    empty = Vhost().create()
    try:
        made = run_backup("backup", str(tmp_path), "broker", env={"AMQP_URI": vhost.uri})
        assert made.returncode == 0, made.stderr
        restored = run_backup("restore", str(tmp_path), env={"AMQP_URI": empty.uri})
        assert restored.returncode == 0, restored.stderr
        with Connection(empty.uri) as connection:  # passive: fails unless the queue is there, as it was
            declared = connection.channel().queue_declare(queue, passive=True)
        assert declared.queue == queue
    finally:
        empty.delete()
