"""The ladder end to end: what the grid cannot solve climbs to the community and
then to the street, whose own subscriber receives it, and whose answer closes it."""
import json
import sys
import time

import jsonschema
import pytest

from deploy.demo.load import DEMO_FILE
from tests.support import wait_until

pytestmark = pytest.mark.e2e

SCHEMA = json.loads((DEMO_FILE.parents[2] / "docs" / "events" / "report.escalated.v1.schema.json").read_text())


class StreetSubscriber:
    """deploy/street/subscriber.py as a real process, writing what it receives to a file."""

    def __init__(self, platform, folder):
        self.platform = platform
        self.received_file = folder / "street-received.jsonl"

    def start(self):
        self.platform.start_process("street", [sys.executable, "-m", "deploy.street.subscriber", "--street",
                                               "lanshan", "--amqp-uri", self.platform.env["AMQP_URI"],
                                               "--jsonl", str(self.received_file),
                                               "--state", str(self.received_file.parent / "street-state")])
        log = self.platform.log_dir / f"street-{len(self.platform.processes['street']) - 1}.log"
        wait_until(lambda: log.exists() and "listening on" in log.read_text(), what="the street subscriber")

    def stop(self):
        self.platform.kill("street")

    def received(self) -> list[dict]:
        if not self.received_file.exists():
            return []
        return [json.loads(line) for line in self.received_file.read_text(encoding="utf-8").splitlines()]

    def for_report(self, report_id: str) -> list[dict]:
        return [e for e in self.received() if e["payload"]["report_id"] == report_id]


@pytest.fixture(scope="module")
def street(platform, tmp_path_factory):
    subscriber = StreetSubscriber(platform, tmp_path_factory.mktemp("street"))
    subscriber.start()
    yield subscriber
    subscriber.stop()


def current_task(api, report_id):
    def latest():
        report = api.get(f"/api/v1/reports/{report_id}").json()
        return report["task_id"] and report

    return wait_until(latest, what=f"a task for report {report_id}")


def escalate(api, task_id, reason):
    answer = api.post(f"/api/v1/tasks/{task_id}/escalation", json={"reason": reason})
    assert answer.status_code == 200, answer.text
    return answer.json()["successor"]


def test_a_matter_the_grid_cannot_solve_climbs_to_the_street_and_the_streets_answer_closes_it(as_user, street):
    zhang_yan, street_platform = as_user("zhangyan"), as_user("lanshan-street")
    filed = zhang_yan.post("/api/v1/reports", json={
        "category": "environment.pollution", "building": "47",
        "description": "47号楼底商餐馆油烟直排,居民多次反映"}).json()["report"]
    grid_task = zhang_yan.get(f"/api/v1/tasks/{current_task(zhang_yan, filed['id'])['task_id']}").json()
    assert (grid_task["level"], grid_task["handler"]["staff_code"]) == ("grid", "ytl-gw-04")

    community_task = escalate(zhang_yan, grid_task["id"], "涉及执法,网格无法解决")
    assert (community_task["level"], community_task["handler"]["kind"]) == ("community", "community")
    office = as_user("ytl-admin")
    street_task = escalate(office, community_task["id"], "需街道协调城管、环保执法")
    assert (street_task["level"], street_task["handler"]["staff_code"]) == ("street", "lanshan-platform-01")

    received = wait_until(lambda: street.for_report(filed["id"]), what="the street to receive the escalation")
    time.sleep(1)  # would a second copy follow?
    received = street.for_report(filed["id"])
    assert len(received) == 1
    jsonschema.validate(received[0], SCHEMA, format_checker=jsonschema.FormatChecker())
    escalation = received[0]["payload"]
    assert (escalation["level"], escalation["from_level"], escalation["task_id"]) == \
        ("street", "community", street_task["id"])
    assert escalation["reason"] == "需街道协调城管、环保执法"

    assert street_platform.post(f"/api/v1/tasks/{street_task['id']}/accept").status_code == 200
    answered = street_platform.post(f"/api/v1/tasks/{street_task['id']}/resolve",
                                    json={"note": "街道联合执法,餐馆已加装油烟净化设备"})
    assert answered.status_code == 200, answered.text
    wait_until(lambda: zhang_yan.get(f"/api/v1/reports/{filed['id']}").json()["status"] == "resolved",
               what="the street's answer to reach the report")
    closed = zhang_yan.post(f"/api/v1/reports/{filed['id']}/verification", json={"passed": True}).json()
    assert closed["status"] == "closed" and closed["level"] == "street"
    actions = [e["action"] for e in closed["timeline"]]
    assert actions.count("escalated") == 2
    assert actions[-2:] == ["verified", "closed"]


def test_the_street_can_send_a_matter_back_to_the_community(as_user, street):
    zhang_yan, street_platform = as_user("zhangyan"), as_user("lanshan-street")
    filed = zhang_yan.post("/api/v1/reports", json={
        "category": "safety.major_hazard", "building": "48", "description": "48号楼外墙空鼓有脱落风险"}).json()
    task_id = current_task(zhang_yan, filed["report"]["id"])["task_id"]
    returned = street_platform.post(f"/api/v1/tasks/{task_id}/return", json={"reason": "属物业维修基金范围,请社区组织"})
    assert returned.status_code == 200, returned.text
    assert returned.json()["successor"]["level"] == "community"


def test_escalations_published_while_the_street_was_offline_all_arrive_when_it_returns(as_user, street):
    zhang_yan = as_user("zhangyan")
    street.stop()
    report_ids = [zhang_yan.post("/api/v1/reports", json={
        "category": "safety.major_hazard", "building": "47", "description": f"燃气异味 {n}"}).json()["report"]["id"]
        for n in range(3)]
    wait_until(lambda: all(current_task(zhang_yan, r) for r in report_ids), what="the street tasks")
    assert all(not street.for_report(r) for r in report_ids)

    street.start()
    wait_until(lambda: all(len(street.for_report(r)) == 1 for r in report_ids), what="the backlog to arrive")
    assert {street.for_report(r)[0]["payload"]["reason"] for r in report_ids} == {"street_level_category"}


def test_only_the_streets_own_staff_see_street_tasks(as_user):
    street_tasks = as_user("lanshan-street").get("/api/v1/tasks").json()["items"]
    assert street_tasks and all(t["level"] == "street" for t in street_tasks)
    other_community = {t["id"] for t in as_user("jqs-admin").get("/api/v1/tasks").json()["items"]}
    assert not other_community & {t["id"] for t in street_tasks}
