"""Events between real service processes: once and only once, whatever the broker or a crash does."""
import signal
import time

import pytest
from kombu import Connection
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.demo.load import DEMO_FILE, organisation
from deploy.local import LocalPlatform
from shared.bus import event_exchange, event_publisher, parked_queue, replay_parked, work_queue
from shared.contracts.subscriptions import Subscription
from shared.envelope import Event, to_message
from tests.support import WithRequestIds, answers, wait_until

pytestmark = pytest.mark.integration

ZHANG_YAN = {"account_id": "zhangyan", "role": "grid_worker", "name": "张燕", "community": "ytl", "grid": "g04",
             "staff_code": "ytl-gw-04"}


@pytest.fixture
def platform(vhost, database_url, tmp_path):
    """reporting and dispatch as real processes; dispatch on the parametrised database."""
    import yaml

    running = LocalPlatform(tmp_path, env={"AMQP_URI": vhost.uri, "DISPATCH_DATABASE_URL": database_url,
                                           "EVENT_RETRY_DELAYS_S": "[0.2, 0.5]"})
    running.migrate()
    running.start_service("dispatch")
    running.start_service("reporting")
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as proxy:
        rpc = WithRequestIds(proxy)
        wait_until(lambda: answers(rpc.dispatch) and answers(rpc.reporting), what="services up")
        org, _people = organisation(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")))
        rpc.dispatch.import_organisation(org)
        rpc.reporting.import_categories([{"code": "sanitation.garbage", "name_zh": "暴露垃圾",
                                          "name_en": "Exposed garbage", "group_code": "sanitation",
                                          "group_zh": "卫生", "group_en": "Sanitation", "attributes": [],
                                          "active": True}])
    running.rpc = ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30)
    running.cluster = WithRequestIds(running.rpc.start())
    yield running
    running.rpc.stop()
    running.stop_all()


def report_created_event(report_id: str, community: str = "ytl") -> Event:
    return Event(type="report.created", source="reporting", correlation_id=report_id, payload={
        "report_id": report_id, "community": community, "category": "sanitation.garbage", "description": "垃圾满溢",
        "building": "44", "reporter_id": "ytl-bl-44", "reporter_role": "building_leader", "channel": "app"})


def publish(uri: str, event: Event) -> None:
    event_publisher(uri).publish(to_message(event), exchange=event_exchange("reporting"), routing_key=event.type)


def test_the_same_event_delivered_twice_makes_one_task(platform, vhost):
    event = report_created_event("dup-1")
    publish(vhost.uri, event)
    publish(vhost.uri, event)

    wait_until(lambda: platform.cluster.dispatch.tasks_of_report("dup-1"), what="the task")
    # Give the second copy every chance to be handled before counting.
    work = work_queue(Subscription("dispatch", "reporting", "report.created"))
    with Connection(vhost.uri) as connection:
        wait_until(lambda: work(connection.channel()).queue_declare(passive=True).message_count == 0,
                   what="the queue to drain")
    time.sleep(1)
    assert len(platform.cluster.dispatch.tasks_of_report("dup-1")) == 1


def test_killing_dispatch_mid_flow_loses_nothing_and_assigns_each_report_once(platform):
    platform.kill("dispatch")  # reports pile up while it is away
    report_ids = [
        platform.cluster.reporting.create_report(ZHANG_YAN, {
            "category": "sanitation.garbage", "description": f"47号楼垃圾 {n}", "building": "47"})["report"]["id"]
        for n in range(40)
    ]
    platform.start_service("dispatch")
    wait_until(lambda: platform.cluster.dispatch.tasks_of_report(report_ids[0]), every_s=0.02,
               what="dispatch to start on the backlog")
    platform.kill("dispatch", signal.SIGKILL)  # a crash in the middle of the backlog
    assigned_before_restart = sum(bool(platform.cluster.reporting.get_report(ZHANG_YAN, r)["task_id"])
                                  for r in report_ids)

    platform.start_service("dispatch")
    wait_until(lambda: all(platform.cluster.reporting.get_report(ZHANG_YAN, r)["status"] == "assigned"
                           for r in report_ids), timeout_s=60, what="every report to be assigned")
    for report_id in report_ids:
        assert len(platform.cluster.dispatch.tasks_of_report(report_id)) == 1, report_id
    assert assigned_before_restart < len(report_ids), "the kill came too late to test anything"


def test_an_event_that_keeps_failing_is_parked_and_can_be_replayed(platform, vhost):
    """A report for a community dispatch does not know yet: retried, parked, replayed once the data is there."""
    sub = Subscription("dispatch", "reporting", "report.created")
    parked = parked_queue(sub)
    publish(vhost.uri, report_created_event("lost-1", community="new-community"))

    with Connection(vhost.uri) as connection:
        wait_until(lambda: parked(connection.channel()).queue_declare(passive=True).message_count == 1,
                   what="the failing event to be parked")
        message = parked(connection.channel()).get(no_ack=False)
        assert "no_handler" in message.headers["x-error"]
        message.requeue()
    assert platform.cluster.dispatch.tasks_of_report("lost-1") == []

    platform.cluster.dispatch.import_organisation({
        "communities": [{"code": "new-community", "street": "lanshan", "name_zh": "新社区", "name_en": "New"}],
        "staff": [{"code": "new-office-01", "community": "new-community", "name": "新办", "role": "community_admin"}],
    })
    assert replay_parked(vhost.uri, sub) == 1
    tasks = wait_until(lambda: platform.cluster.dispatch.tasks_of_report("lost-1"), what="the replayed task")
    assert tasks[0]["handler"]["staff_code"] == "new-office-01"
