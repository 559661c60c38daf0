"""A real three-node RabbitMQ cluster on this machine (nodes on their own ports, started and stopped here):
reports keep coming while the node that leads the work queues is stopped; every report gets exactly one
task and the street gets every escalation once. The quorum queues, declared as on one node, carry it."""
import json
import sys

import pytest
import yaml
from nameko.exceptions import RpcTimeout
from nameko.standalone.rpc import ClusterRpcProxy

from deploy.demo.load import DEMO_FILE, catalogue, organisation
from deploy.local import LocalPlatform
from tests.rabbit import start_nodes, stop_nodes
from tests.support import WithRequestIds, answers, wait_until

pytestmark = pytest.mark.integration

ZHANG_YAN = {"account_id": "zhangyan", "role": "grid_worker", "name": "张燕", "community": "ytl", "grid": "g04",
             "staff_code": "ytl-gw-04"}
REPORTS = 24  # a hazard every fourth: it starts at the street, which must receive it


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    nodes = start_nodes(tmp_path_factory.mktemp("cluster"), 3, "grid-cluster")
    yield nodes
    stop_nodes(nodes)


def file_report(rpc, n: int) -> str | None:
    """The report's id, or None when the call's outcome is unknown (it timed out during the failover)."""
    hazard = n % 4 == 0
    try:
        return rpc.reporting.create_report(ZHANG_YAN, {
            "category": "safety.major_hazard" if hazard else "sanitation.garbage",
            "description": f"47号楼 {n}", "building": "47"})["report"]["id"]
    except RpcTimeout:
        return None


def test_stopping_the_node_that_leads_the_work_queues_loses_and_doubles_nothing(cluster, tmp_path):
    every_node = ";".join(node.uri for node in cluster)  # kombu fails over to the next address
    platform = LocalPlatform(tmp_path, env={"AMQP_URI": every_node, "EVENT_RETRY_DELAYS_S": "[0.5, 1, 2]"})
    platform.migrate()
    platform.start_service("reporting")
    platform.start_service("dispatch")
    doc = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
    try:
        with ClusterRpcProxy({"AMQP_URI": every_node}, timeout=30) as proxy:
            rpc = WithRequestIds(proxy)
            wait_until(lambda: answers(rpc.dispatch) and answers(rpc.reporting), timeout_s=60, what="services up")
            rpc.reporting.import_categories(catalogue(doc))
            rpc.dispatch.import_organisation(organisation(doc)[0])
        leaders = cluster[0].queue_leaders()
        leader = leaders["dispatch--reporting.report.created"]
        assert leaders["street.lanshan.escalations"], "the street's queue exists before its office connects"
        lost = next(node for node in cluster if node.nodename == leader)
        survivors = [node for node in cluster if node is not lost]

        street_out = tmp_path / "street.jsonl"
        platform.env["AMQP_URI"] = ";".join(node.uri for node in survivors[::-1] + [lost])
        platform.start_process("street", [sys.executable, "-m", "deploy.street.subscriber", "--street", "lanshan",
                                          "--jsonl", str(street_out), "--state", str(tmp_path / "street-state")])

        told = []  # reports the client was told were created
        with ClusterRpcProxy({"AMQP_URI": survivors[0].uri}, timeout=30) as proxy:
            rpc = WithRequestIds(proxy)
            for n in range(REPORTS):
                if n == REPORTS // 3:
                    lost.stop()  # mid-stream: its leaders move to the other two
                told.append((n, file_report(rpc, n)))
            assert survivors[0].queue_leaders()["dispatch--reporting.report.created"] != lost.nodename
            created = [(n, report_id) for n, report_id in told if report_id]
            assert len(created) >= REPORTS - 2, f"only {len(created)} of {REPORTS} calls answered: {told}"

            def tasks():
                return {report_id: rpc.dispatch.tasks_of_report(report_id) for _n, report_id in created}

            books = wait_until(lambda: (t := tasks()) and all(t.values()) and t, timeout_s=90,
                               what="every report to get its task")
        assert all(len(found) == 1 for found in books.values()), books
        hazards = {report_id for n, report_id in created if n % 4 == 0}

        def street_received():
            lines = street_out.read_text().splitlines() if street_out.exists() else []
            return [json.loads(line)["payload"]["report_id"] for line in lines]

        wait_until(lambda: hazards <= set(street_received()), timeout_s=90, what="the street's escalations")
        received = street_received()
        assert sorted(received) == sorted(set(received)), "an escalation reached the street twice"
        assert set(received) <= hazards | {r for _n, r in told if r is None}
    finally:
        platform.stop_all()
