"""A report that became a mediation case follows the case: reporting and dispatch as real
processes, the case events published on a real RabbitMQ as the mediation desk publishes them."""
import uuid

import pytest
import yaml
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.demo.load import DEMO_FILE, catalogue, organisation
from deploy.local import LocalPlatform
from shared.bus import event_exchange, event_publisher
from shared.contracts.events import dump_payload
from shared.envelope import Event, to_message
from tests.support import WithRequestIds, answers, wait_until

pytestmark = pytest.mark.integration

OFFICE = {"account_id": "ytl-admin", "role": "community_admin", "name": "曹红霞", "community": "ytl"}
BUILDING_LEADER_44 = {"account_id": "ytl-bl-44", "role": "building_leader", "name": "楼长", "community": "ytl",
                      "grid": "g02", "building": "44", "staff_code": "ytl-bl-44"}


@pytest.fixture
def platform(vhost, database_url, tmp_path):
    """reporting and dispatch as real processes; dispatch on the parametrised database."""
    running = LocalPlatform(tmp_path, env={"AMQP_URI": vhost.uri, "DISPATCH_DATABASE_URL": database_url,
                                           "EVENT_RETRY_DELAYS_S": "[0.2, 0.5, 1]"})
    running.migrate()
    running.start_service("dispatch")
    running.start_service("reporting")
    demo = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as proxy:
        rpc = WithRequestIds(proxy)
        wait_until(lambda: answers(rpc.dispatch) and answers(rpc.reporting), what="services up")
        rpc.dispatch.import_organisation(organisation(demo)[0])
        rpc.reporting.import_categories(catalogue(demo))
    running.rpc = ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30)
    running.cluster = WithRequestIds(running.rpc.start())
    yield running
    running.rpc.stop()
    running.stop_all()


def escalated_dispute(platform) -> tuple[dict, dict]:
    """A night-time noise dispute at building 44, escalated by its grid to the community."""
    cluster = platform.cluster
    report = cluster.reporting.create_report(BUILDING_LEADER_44, {
        "category": "dispute.night_disturbance", "description": "44号楼2单元深夜噪音扰民", "building": "44",
    })["report"]
    grid_task = wait_until(lambda: cluster.dispatch.tasks_of_report(report["id"]), what="the grid task")[0]
    staff_code = grid_task["handler"]["staff_code"]
    worker = {"account_id": staff_code, "role": "grid_worker", "name": "网格员", "community": "ytl",
              "grid": grid_task["location"]["grid"], "staff_code": staff_code}
    escalated = cluster.dispatch.escalate_task(worker, grid_task["id"], {"reason": "双方争执不下,需社区调解"})
    return report, escalated["successor"]


def publish_case_event(platform, event_type: str, report: dict, task: dict, **fields) -> None:
    payload = dump_payload(event_type, {"case_id": "case-1", "case_number": "YTL-2026-0001", "community": "ytl",
                                        "report_id": report["id"], "task_id": task["id"], **fields})
    event = Event(type=event_type, source="mediation", correlation_id=report["id"], payload=payload)
    event_publisher(platform.env["AMQP_URI"]).publish(to_message(event), exchange=event_exchange("mediation"),
                                                      routing_key=event_type)


def timeline_actions(platform, report_id: str) -> list[str]:
    return [e["action"] for e in platform.cluster.reporting.get_report(OFFICE, report_id)["timeline"]]


def report_status(platform, report_id: str) -> str:
    return platform.cluster.reporting.get_report(OFFICE, report_id)["status"]


def test_a_resolved_case_resolves_the_task_and_a_satisfied_follow_up_closes_the_report(platform):
    report, task = escalated_dispute(platform)
    assert task["level"] == "community"
    publish_case_event(platform, "case.opened", report, task, station="reception", source="escalation",
                       category="dispute.night_disturbance", summary="深夜噪音纠纷")
    publish_case_event(platform, "case.resolved", report, task, station="mediation",
                                  outcome="agreement_performed", summary="双方签订调解协议并已履行")
    publish_case_event(platform, "case.resolved", report, task, station="mediation",  # the same news, again
                       outcome="agreement_performed", summary="双方签订调解协议并已履行")

    wait_until(lambda: report_status(platform, report["id"]) == "resolved", what="the report to be resolved")
    settled = [t for t in platform.cluster.dispatch.tasks_of_report(report["id"]) if t["id"] == task["id"]][0]
    assert settled["status"] == "resolved" and "YTL-2026-0001" in settled["resolution"]["note"]

    # an unsatisfied visit first: the case is worked again, and the report's timeline says so
    publish_case_event(platform, "case.reopened", report, task, station="mediation", reason="楼下仍有噪音")
    publish_case_event(platform, "case.closed", report, task, station="supervision", outcome="resolved",
                       reason="回访满意", follow_up_satisfied=True)
    wait_until(lambda: report_status(platform, report["id"]) == "closed", what="the report to close")
    actions = timeline_actions(platform, report["id"])
    assert actions.count("case_resolved") == 2  # two deliveries of different events, each shown once
    assert actions.count("resolved") == 1 and actions[-2:] == ["verified", "closed"]
    assert actions.index("case_opened") < actions.index("case_resolved") < actions.index("case_closed")
    assert "case_reopened" in actions


def test_a_case_referred_out_leaves_the_report_for_its_grid_to_verify(platform):
    report, task = escalated_dispute(platform)
    publish_case_event(platform, "case.referred", report, task, station="mediation", body="court",
                       body_name="兰山区人民法院", reason="调解不成", routes_explained=["可向人民法院起诉"])
    wait_until(lambda: report_status(platform, report["id"]) == "resolved", what="the report to be resolved")
    settled = [t for t in platform.cluster.dispatch.tasks_of_report(report["id"]) if t["id"] == task["id"]][0]
    assert settled["resolution"]["note"].startswith("已转介兰山区人民法院")
    assert "case_referred" in timeline_actions(platform, report["id"])


def test_a_case_handed_back_to_dispatch_is_filed_and_dispatched_as_an_ordinary_report(platform):
    report, task = escalated_dispute(platform)
    new_report_id = str(uuid.uuid4())
    publish_case_event(platform, "case.routed", report, task, station="triage", from_station="triage", to="dispatch",
                       note="属物业维修范围", dispatch={
                           "report_id": new_report_id, "category": "property.facility", "description": "楼道灯损坏",
                           "building": "44", "reporter_id": "ytl-triage", "reporter_role": "station_staff"})
    handed = wait_until(lambda: platform.cluster.dispatch.tasks_of_report(new_report_id),
                        what="the handed-over report to be dispatched")
    assert handed[0]["status"] == "assigned"
    assert "case_routed" in timeline_actions(platform, report["id"])
    assert timeline_actions(platform, new_report_id)[0] == "reported"
