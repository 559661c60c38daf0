"""Three dispatch processes share the work: one queue, one database, one clock that
the test moves. A thousand reports, a quarter of them left to time out, and one
dispatch process killed in the middle: each report is assigned once, each
overdue task climbs once."""
import signal
from datetime import datetime

import pytest
import yaml
from nameko.standalone.rpc import ClusterRpcProxy
from sqlalchemy import func, select

from deploy.demo.load import DEMO_FILE, calendar_days, catalogue, organisation
from deploy.local import LocalPlatform
from services.dispatch.models import Task, outbox
from shared.clock import FileClock
from shared.db import create_db_engine
from shared.times import SHANGHAI
from tests.support import WithRequestIds, answers, wait_until

pytestmark = pytest.mark.integration

REPORTS = 1000
TIMING_OUT = REPORTS // 4  # exposed garbage: 4 working hours
MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)
WEDNESDAY = datetime(2026, 11, 25, 12, 0, tzinfo=SHANGHAI)  # the garbage is a working day past its deadline
GRID_WORKER = {"account_id": "ytl-gw-02", "role": "grid_worker", "name": "网格员", "community": "ytl", "grid": "g02",
               "staff_code": "ytl-gw-02"}


@pytest.fixture
def platform(vhost, database_url, tmp_path):
    clock = FileClock(str(tmp_path / "now"))
    clock.set(MONDAY)
    running = LocalPlatform(tmp_path, env={
        "AMQP_URI": vhost.uri, "DISPATCH_DATABASE_URL": database_url, "CLOCK": f"file:{clock.path}",
        "DEADLINE_CHECK_INTERVAL_S": "0.5", "EVENT_RETRY_DELAYS_S": "[0.2, 1, 2]"})
    running.clock = clock
    running.migrate()
    running.start_service("reporting")
    for _ in range(3):
        running.start_service("dispatch")
    demo = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=60) as proxy:
        rpc = WithRequestIds(proxy)
        wait_until(lambda: answers(rpc.dispatch) and answers(rpc.reporting), what="services up")
        rpc.dispatch.import_organisation(organisation(demo)[0])
        rpc.dispatch.import_calendar(calendar_days())
        rpc.reporting.import_categories(catalogue(demo))
    running.db = create_db_engine(database_url)
    yield running
    running.stop_all()
    running.db.dispose()


def count(platform, statement) -> int:
    with platform.db.connect() as connection:
        return connection.execute(statement).scalar_one()


def test_three_dispatchers_a_thousand_reports_a_quarter_overdue_and_a_crash(platform):
    with ClusterRpcProxy({"AMQP_URI": platform.env["AMQP_URI"]}, timeout=60) as proxy:
        rpc = WithRequestIds(proxy)
        for n in range(REPORTS):
            category = "sanitation.garbage" if n < TIMING_OUT else "registration.household"
            rpc.reporting.create_report(GRID_WORKER, {"category": category, "building": "44",
                                                      "description": f"第 {n} 件"})
    total_tasks = select(func.count()).select_from(Task)
    wait_until(lambda: count(platform, total_tasks) >= REPORTS, timeout_s=180, every_s=0.5,
               what="every report to be assigned")

    platform.clock.set(WEDNESDAY)
    climbed = select(func.count()).select_from(Task).where(Task.level == "community")
    wait_until(lambda: count(platform, climbed) > 0, timeout_s=60, every_s=0.05, what="the first escalations")
    victim = platform.processes["dispatch"].pop()
    victim.send_signal(signal.SIGKILL)  # one of three dies in the middle of the escalations
    victim.wait(timeout=30)
    wait_until(lambda: count(platform, climbed) >= TIMING_OUT, timeout_s=180, every_s=0.5,
               what="every overdue task to climb")

    per_report = select(Task.report_id, Task.level, func.count()).group_by(Task.report_id, Task.level)
    with platform.db.connect() as connection:
        rows = connection.execute(per_report).all()
        escalations = connection.execute(
            select(func.count()).select_from(outbox).where(outbox.c.event_type == "report.escalated")).scalar_one()
        red_cards = connection.execute(
            select(func.count()).select_from(outbox).where(outbox.c.event_type == "task.overdue")).scalar_one()
    assert all(n == 1 for _report, _level, n in rows), "a report got two tasks at one level"
    assert len({r for r, level, _n in rows if level == "grid"}) == REPORTS
    assert len({r for r, level, _n in rows if level == "community"}) == TIMING_OUT
    assert escalations == TIMING_OUT
    assert red_cards == TIMING_OUT  # one red card each, whichever instance showed it
