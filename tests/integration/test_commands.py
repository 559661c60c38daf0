"""Commands through a real reporting process: once per request id, whatever comes again.

The same request id gets the first answer (a retry, a redelivery after the
service died between its commit and its reply, two runs at once); a command
without one is refused; a service with a bare RPC entrypoint does not start.
"""
import threading
import time

import pytest
import sqlalchemy as sa
from nameko.containers import ServiceContainer
from nameko.exceptions import IncorrectSignature, RpcTimeout
from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.local import LocalPlatform
from services.reporting.models import inbox, outbox, rpc_inbox
from shared.storage import Storage
from tests.support import answers, wait_until

pytestmark = pytest.mark.integration

ZHANG_YAN = {"account_id": "zhangyan", "role": "grid_worker", "name": "张燕", "community": "ytl", "grid": "g04",
             "staff_code": "ytl-gw-04"}
GARBAGE = {"code": "sanitation.garbage", "name_zh": "暴露垃圾", "name_en": "Exposed garbage",
           "group_code": "sanitation", "group_zh": "卫生", "group_en": "Sanitation", "attributes": [], "active": True}
REPORT = {"category": "sanitation.garbage", "building": "47", "description": "47号楼垃圾满溢"}


@pytest.fixture
def reporting(vhost, database_url, tmp_path):
    running = LocalPlatform(tmp_path, env={"AMQP_URI": vhost.uri, "REPORTING_DATABASE_URL": database_url})
    running.migrate("reporting")
    running.start_service("reporting")
    running.engine = sa.create_engine(database_url)
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as rpc:
        wait_until(lambda: answers(rpc.reporting), what="reporting up")
        rpc.reporting.import_categories([GARBAGE], command_id="setup:categories")
    yield running
    running.kill("reporting")
    running.engine.dispose()


def reports(platform) -> int:
    with platform.engine.connect() as connection:
        return connection.execute(sa.text("SELECT count(*) FROM reports")).scalar()


def test_the_same_request_id_gets_the_first_answer_and_changes_nothing_more(reporting, vhost):
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as rpc:
        first = rpc.reporting.create_report(ZHANG_YAN, REPORT, command_id="phone-1:report")
        again = rpc.reporting.create_report(ZHANG_YAN, REPORT, command_id="phone-1:report")
        other = rpc.reporting.create_report(ZHANG_YAN, REPORT, command_id="phone-1:another")
    assert again == first
    assert other["report"]["id"] != first["report"]["id"]
    assert reports(reporting) == 2


def test_a_command_without_a_request_id_is_refused_and_a_query_ignores_one(reporting, vhost):
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as rpc:
        with pytest.raises(IncorrectSignature, match="command_id"):
            rpc.reporting.create_report(ZHANG_YAN, REPORT)
        with pytest.raises(IncorrectSignature, match="missing 1 required positional argument: 'report'"):
            rpc.reporting.create_report(ZHANG_YAN, command_id="no-report")  # the command's own arguments count too
        assert rpc.reporting.list_categories(command_id="ignored")[0]["code"] == "sanitation.garbage"
    assert reports(reporting) == 0


def test_two_runs_of_one_request_at_once_store_one_report(reporting, vhost):
    answers_seen = []

    def send():
        with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as rpc:
            answers_seen.append(rpc.reporting.create_report(ZHANG_YAN, REPORT, command_id="twice-at-once"))

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({a["report"]["id"] for a in answers_seen}) == 1
    assert reports(reporting) == 1


def test_a_service_killed_between_commit_and_reply_answers_the_retry_with_the_first_result(reporting, vhost):
    reporting.kill("reporting")
    reporting.env["GRID_FAILPOINT"] = "command_committed"
    dying = reporting.start_service("reporting")
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=5) as rpc:
        wait_until(lambda: answers(rpc.reporting), what="reporting up")
        with pytest.raises(RpcTimeout):  # the report is committed; the reply never comes
            rpc.reporting.create_report(ZHANG_YAN, REPORT, command_id="crash-1")
    dying.wait(timeout=30)
    assert reports(reporting) == 1
    del reporting.env["GRID_FAILPOINT"]
    reporting.processes.pop("reporting")
    reporting.start_service("reporting")  # the unanswered request comes again: it is answered, not run
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as rpc:
        wait_until(lambda: answers(rpc.reporting), what="reporting up again")
        retried = rpc.reporting.create_report(ZHANG_YAN, REPORT, command_id="crash-1")
    assert reports(reporting) == 1
    with reporting.engine.connect() as connection:
        stored = connection.execute(sa.text("SELECT id FROM reports")).scalar()
    assert retried["report"]["id"] == stored


class Bare:
    name = "bare"
    db = Storage(outbox, inbox, rpc_inbox)

    @rpc
    def forgot(self):
        return None


def test_a_service_with_a_bare_rpc_entrypoint_does_not_start(vhost, tmp_path):
    container = ServiceContainer(Bare, {"AMQP_URI": vhost.uri, "DATABASE_URL": f"sqlite:///{tmp_path / 'bare.db'}"})
    with pytest.raises(RuntimeError, match="forgot are neither @command nor @query"):
        container.start()
    container.kill()


def test_rows_older_than_the_retention_are_pruned(reporting, vhost):
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as rpc:
        rpc.reporting.create_report(ZHANG_YAN, REPORT, command_id="soon-forgotten")

    def counted(table: str, where: str = "") -> int:
        with reporting.engine.connect() as connection:
            return connection.execute(sa.text(f"SELECT count(*) FROM {table} {where}")).scalar()

    wait_until(lambda: counted("outbox", "WHERE published_at IS NOT NULL") == 1, what="report.created published")
    assert counted("rpc_inbox") == 2  # the categories' import and the report
    reporting.kill("reporting")
    reporting.env["RETENTION_DAYS"] = "0.00001"  # 0.864 s: everything so far is older, once that has passed
    time.sleep(1)  # a quick machine restarts the service sooner than that
    reporting.start_service("reporting")
    wait_until(lambda: counted("outbox") == 0 and counted("rpc_inbox") == 0, what="the rows pruned at start")
    assert reports(reporting) == 1  # the books themselves are kept
