"""What ops sees of one service process, as `nameko run` starts it: its probes, its
/metrics after real RPC calls and events, and JSON log lines carrying the request,
event and correlation ids that came in the message headers."""
import json
from datetime import timedelta

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from prometheus_client.parser import text_string_to_metric_families

from deploy.local import LocalPlatform
from shared.bus import event_exchange, event_publisher
from shared.contracts.errors import NotFound
from shared.envelope import Event, to_message
from shared.times import utcnow
from tests.support import WithRequestIds, answers, wait_until

pytestmark = pytest.mark.integration

ZHANG_YAN = {"account_id": "zhangyan", "role": "grid_worker", "name": "张燕", "community": "ytl", "grid": "g04",
             "staff_code": "ytl-gw-04"}
GARBAGE = {"code": "sanitation.garbage", "name_zh": "暴露垃圾", "name_en": "Exposed garbage",
           "group_code": "sanitation", "group_zh": "卫生", "group_en": "Sanitation", "attributes": [], "active": True}


@pytest.fixture(scope="module")
def reporting(vhost, tmp_path_factory):
    folder = tmp_path_factory.mktemp("observed")
    # The database URL comes from a file, as a Kubernetes or compose secret does (NAME_FILE).
    secret = folder / "reporting-database-url"
    secret.write_text(f"sqlite:///{folder / 'reporting.db'}\n")
    running = LocalPlatform(folder, env={"AMQP_URI": vhost.uri, "EVENT_RETRY_DELAYS_S": "[0.2]",
                                         "REPORTING_DATABASE_URL_FILE": str(secret)})
    running.migrate("reporting")
    running.start_service("reporting")
    running.probe = running.probes["reporting"][0]
    running.database = folder / "reporting.db"
    try:
        with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as proxy:
            rpc = WithRequestIds(proxy)
            wait_until(lambda: answers(rpc.reporting), what="reporting up")
            rpc.reporting.import_categories([GARBAGE])
        yield running
    finally:
        running.kill("reporting")  # at once: the last test took its broker away, a graceful stop would wait for it


def metrics(probe: str) -> dict:
    """Every sample on /metrics: {(name, frozenset(labels)): value}."""
    text = requests.get(f"{probe}/metrics", timeout=10).text
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def sample(probe: str, name: str, **labels) -> float | None:
    return metrics(probe).get((name, frozenset({"service": "reporting", **labels}.items())))


def log_lines(platform: LocalPlatform) -> list[dict]:
    lines = (platform.log_dir / "reporting-0.log").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def rpc_with_request_id(vhost, request_id: str):
    return ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30, context_data={"request_id": request_id})


def publish(vhost, event: Event, request_id: str) -> None:
    event_publisher(vhost.uri).publish(to_message(event), exchange=event_exchange(event.source),
                                       routing_key=event.type, headers={"nameko.request_id": request_id})


def test_the_process_is_alive_and_ready_on_its_own_port(reporting):
    assert reporting.database.is_file()  # migrated and served where the secret file said
    for path in ("/livez", "/readyz"):
        answer = requests.get(reporting.probe + path, timeout=10)
        assert answer.status_code == 200, answer.text
        assert answer.json()["status"] == "ok" and answer.json()["service"] == "reporting"
    assert requests.get(reporting.probe + "/nothing", timeout=10).status_code == 404
    # RPC plus one consumer per subscription, every one with an open channel.
    assert sample(reporting.probe, "grid_consumers_connected") > 1


def test_rpc_calls_are_counted_by_handler_and_outcome_and_logged_with_their_request_id(reporting, vhost):
    with rpc_with_request_id(vhost, "req-obs-created") as proxy:
        rpc = WithRequestIds(proxy)
        report = rpc.reporting.create_report(ZHANG_YAN, {"category": "sanitation.garbage", "building": "47",
                                                         "description": "47号楼垃圾满溢"})["report"]
    with rpc_with_request_id(vhost, "req-obs-missing") as rpc, pytest.raises(NotFound):
        rpc.reporting.get_report(ZHANG_YAN, "no-such-report")

    handled = {"handler": "create_report", "kind": "rpc"}
    assert sample(reporting.probe, "grid_messages_total", **handled, outcome="ok") == 1
    assert sample(reporting.probe, "grid_handler_seconds_count", **handled) == 1
    assert sample(reporting.probe, "grid_messages_total", handler="get_report", kind="rpc", outcome="refused") == 1
    # The report.created it recorded went out: nothing waits in the outbox.
    wait_until(lambda: sample(reporting.probe, "grid_outbox_backlog") == 0, what="the outbox to empty")
    assert sample(reporting.probe, "grid_outbox_oldest_age_seconds") == 0

    refused = wait_until(lambda: [line for line in log_lines(reporting) if line.get("request_id") == "req-obs-missing"],
                         what="the refused call's log line")
    assert refused[0]["entrypoint"] == "reporting.get_report" and refused[0]["service"] == "reporting"
    assert refused[0]["instance"].endswith(f":{reporting.processes['reporting'][0].pid}")
    reporting.report_id = report["id"]


def test_a_redelivered_event_counts_as_an_inbox_duplicate(reporting, vhost):
    assigned = Event(type="task.assigned", source="dispatch", correlation_id=reporting.report_id, payload={
        "task_id": "t-obs-1", "report_id": reporting.report_id, "community": "ytl", "sequence": 1, "version": 1,
        "staff_code": "ytl-gw-04", "handler_name": "张燕", "deadline_at": (utcnow() + timedelta(days=1)).isoformat(),
        "grid": "g04", "handler_kind": "grid", "category": "sanitation.garbage"})
    publish(vhost, assigned, "req-obs-assigned")
    publish(vhost, assigned, "req-obs-assigned")

    handled = {"handler": "on_task_assigned", "kind": "event", "outcome": "ok"}
    wait_until(lambda: sample(reporting.probe, "grid_messages_total", **handled) == 2, what="both deliveries handled")
    assert sample(reporting.probe, "grid_inbox_duplicates_total", consumer="reporting:task.assigned") == 1


def test_an_unreadable_event_fails_is_parked_and_its_lines_carry_its_ids(reporting, vhost):
    broken = Event(type="task.accepted", source="dispatch", correlation_id="rep-obs-broken", payload={"task": 1})
    publish(vhost, broken, "req-obs-broken")

    parked = {"queue": "reporting--dispatch.task.accepted.parked"}
    wait_until(lambda: sample(reporting.probe, "grid_parked_messages", **parked) == 1, what="the event parked")
    # A payload that breaks its schema is parked on its first failure: retrying cannot mend it.
    assert sample(reporting.probe, "grid_messages_total", handler="on_task_accepted", kind="event",
                  outcome="failed") == 1
    lines = [line for line in log_lines(reporting) if line.get("event_id") == broken.id]
    assert "ERROR" in {line["level"] for line in lines}  # the parking
    assert all(line["correlation_id"] == "rep-obs-broken" and line["request_id"] == "req-obs-broken"
               and line["entrypoint"] == "reporting.on_task_accepted" for line in lines)


def test_without_its_broker_the_process_is_neither_ready_nor_alive(reporting, vhost):
    vhost.delete()  # the connections close and cannot come back: the vhost is gone

    def down(path):
        answer = requests.get(reporting.probe + path, timeout=30)
        return answer.status_code == 503 and answer.json()

    ready = wait_until(lambda: down("/readyz"), timeout_s=30, what="/readyz to fail")
    assert [problem.split(":")[0] for problem in ready["problems"]] == ["broker"]  # the database still answers
    alive = wait_until(lambda: down("/livez"), timeout_s=30, what="/livez to fail")
    assert "consumers not connected" in alive["problems"][0]
