"""A report's whole loop, as the article tells it: the abandoned sofa at building 47."""
import json

import pytest
import requests

from tests.support import wait_until

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def report_sofa(grid_worker, **extra):
    answer = grid_worker.post("/api/v1/reports", json={
        "category": "property.abandoned_item",
        "description": "47号楼前废弃沙发占用车位",
        "building": "47",
        "attributes": {"item_type": "furniture"},
        "channel": "patrol",
        **extra,
    })
    assert answer.status_code == 201, answer.text
    return answer.json()


def task_of(handler, report_id):
    def find():
        tasks = handler.get("/api/v1/tasks").json()["items"]
        return next((t for t in tasks if t["report_id"] == report_id), None)

    return wait_until(find, what=f"a task for report {report_id} in {handler.username}'s list")


def report_in_status(api, report_id, status):
    return wait_until(
        lambda: (r := api.get(f"/api/v1/reports/{report_id}").json())["status"] == status and r,
        what=f"report {report_id} to be {status}",
    )


def upload_photo(api) -> str:
    answer = api.post("/api/v1/media", files={"file": ("done.png", PNG, "image/png")})
    assert answer.status_code == 201, answer.text
    return answer.json()["url"]


def test_abandoned_sofa_is_reported_dispatched_handled_verified_and_closed(as_user):
    zhang_yan, property_staff = as_user("zhangyan"), as_user("wuli")

    report = report_sofa(zhang_yan)["report"]
    assert report["status"] == "submitted"

    task = task_of(property_staff, report["id"])
    assert task["handler"] == {"staff_code": "ytl-wy-01", "name": "吴丽", "kind": "property", "company": "ytl-wy"}
    assert task["deadline_at"].endswith("+08:00")
    assert task["location"]["grid"] == "g04"
    assigned = report_in_status(zhang_yan, report["id"], "assigned")
    assert assigned["deadline_at"] == task["deadline_at"]

    accepted = property_staff.post(f"/api/v1/tasks/{task['id']}/accept")
    assert accepted.status_code == 200, accepted.text
    report_in_status(zhang_yan, report["id"], "accepted")

    photo = upload_photo(property_staff)
    assert property_staff.get(photo).content == PNG
    resolved = property_staff.post(f"/api/v1/tasks/{task['id']}/resolve",
                                   json={"note": "沙发已清运,车位已腾空", "photos": [photo]})
    assert resolved.status_code == 200, resolved.text
    report_in_status(zhang_yan, report["id"], "resolved")

    verified = zhang_yan.post(f"/api/v1/reports/{report['id']}/verification",
                              json={"passed": True, "note": "现场已清理"})
    assert verified.status_code == 200, verified.text
    closed = verified.json()
    assert closed["status"] == "closed" and closed["rework_count"] == 0

    steps = [(e["action"], e["actor"]["name"]) for e in closed["timeline"]]
    assert steps == [
        ("reported", "张燕"),
        ("dispatched", "系统"),
        ("accepted", "吴丽"),
        ("resolved", "吴丽"),
        ("verified", "张燕"),
        ("closed", "张燕"),
    ]
    assert all(e["at"].endswith("+08:00") for e in closed["timeline"])
    assert closed["timeline"][1]["details"]["handler"] == "吴丽"
    assert closed["timeline"][3]["details"]["photos"] == [photo]


def test_failed_verification_sends_the_work_back_and_counts_the_rework(as_user, as_handler):
    zhang_yan, admin = as_user("zhangyan"), as_user("ytl-admin")
    report = report_sofa(zhang_yan)["report"]
    task = task_of(admin, report["id"])
    handler = as_handler(task)

    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已处理"}).status_code == 200
    report_in_status(zhang_yan, report["id"], "resolved")

    failed = zhang_yan.post(f"/api/v1/reports/{report['id']}/verification",
                            json={"passed": False, "note": "沙发只挪到了旁边车位"})
    assert failed.status_code == 200, failed.text
    assert failed.json()["status"] == "rework" and failed.json()["rework_count"] == 1

    wait_until(lambda: handler.get(f"/api/v1/tasks/{task['id']}").json()["status"] == "rework",
               what="the task to come back for rework")
    again = handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已彻底清运"})
    assert again.status_code == 200, again.text
    report_in_status(zhang_yan, report["id"], "resolved")

    closed = zhang_yan.post(f"/api/v1/reports/{report['id']}/verification", json={"passed": True}).json()
    assert closed["status"] == "closed"
    assert closed["rework_count"] == 1
    assert [e["action"] for e in closed["timeline"]] == [
        "reported", "dispatched", "accepted", "resolved", "verification_failed", "resolved", "verified", "closed",
    ]
    assert admin.get(f"/api/v1/tasks/{task['id']}").json()["rework_count"] == 1


def test_a_returned_task_goes_one_step_up_the_line(as_user, as_handler):
    """退单: the property company says it is not theirs; the grid worker of building 47's grid gets it."""
    zhang_yan, admin = as_user("zhangyan"), as_user("ytl-admin")
    report = report_sofa(zhang_yan, description="47号楼车位上的旧柜子")["report"]
    task = task_of(admin, report["id"])
    assert task["handler"]["kind"] == "property"

    returned = as_handler(task).post(f"/api/v1/tasks/{task['id']}/return", json={"reason": "业主私人物品,非物业范围"})
    assert returned.status_code == 200, returned.text
    assert returned.json()["status"] == "returned"
    successor = returned.json()["successor"]
    assert successor["handler"] == {"staff_code": "ytl-gw-04", "name": "张燕", "kind": "grid", "company": None}

    wait_until(lambda: [e["action"] for e in zhang_yan.get(f"/api/v1/reports/{report['id']}").json()["timeline"]]
               == ["reported", "dispatched", "returned", "dispatched"], what="the return on the timeline")
    report = report_in_status(zhang_yan, report["id"], "assigned")
    assert report["task_id"] == successor["id"] and report["handler"]["name"] == "张燕"


def test_an_unsatisfied_rating_reopens_the_report_as_a_new_task(as_user, as_handler):
    zhang_yan, admin = as_user("zhangyan"), as_user("ytl-admin")
    report = report_sofa(zhang_yan, description="47号楼前的废弃床垫")["report"]
    task = task_of(admin, report["id"])
    handler = as_handler(task)
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已清运"}).status_code == 200
    report_in_status(zhang_yan, report["id"], "resolved")
    assert zhang_yan.post(f"/api/v1/reports/{report['id']}/verification", json={"passed": True}).status_code == 200

    rated = zhang_yan.post(f"/api/v1/reports/{report['id']}/rating",
                           json={"rating": "unsatisfied", "comment": "又有人堆了"})
    assert rated.status_code == 200, rated.text
    assert rated.json()["status"] == "reopened" and rated.json()["reopen_count"] == 1

    def redo_tasks():
        return [t for t in admin.get("/api/v1/tasks").json()["items"]
                if t["report_id"] == report["id"] and t["id"] != task["id"]]

    assert len(wait_until(redo_tasks, what="a new task after the reopening")) == 1
    report_in_status(zhang_yan, report["id"], "assigned")


def test_ops_sees_every_process_ready_with_its_metrics_and_json_lines(platform, as_user):
    """After the loops above: each process's probes and /metrics, and the gateway's access lines."""
    zhang = as_user("zhangyan")
    answer = zhang.post("/api/v1/reports", json={"category": "sanitation.garbage", "description": "垃圾桶满溢",
                                                 "building": "47"})
    assert answer.status_code == 201, answer.text
    for name in ("reporting", "dispatch", "mediation", "scoring"):
        for path in ("/livez", "/readyz"):
            probe = requests.get(platform.probes[name][0] + path, timeout=10)
            assert probe.status_code == 200, f"{name}{path}: {probe.text}"
    assigned = 'grid_messages_total{handler="on_report_created",kind="event",outcome="ok",service="dispatch"}'
    assert float(metric_line(platform.probes["dispatch"][0], assigned)) >= 1

    gateway = platform.probes["gateway"][0]  # every gunicorn worker's samples, summed by the master
    filed = 'grid_http_requests_total{method="POST",route="/api/v1/reports",service="gateway",status="201"}'
    assert float(metric_line(gateway, filed)) >= 1
    called = 'grid_rpc_calls_total{method="create_report",service="gateway",target="reporting"}'
    assert float(metric_line(gateway, called)) >= 1

    lines = [json.loads(line) for line in (platform.log_dir / "gateway-0.log").read_text().splitlines()
             if line.startswith("{")]
    access = [line for line in lines if line.get("route") == "/api/v1/reports" and line["status"] == 201]
    assert access and all(line["method"] == "POST" and line["service"] == "gateway" for line in access)
    assert access[-1].get("request_id") == answer.headers.get("X-Request-Id")


def metric_line(probe: str, sample: str) -> str:
    """The value of one sample, written as Prometheus writes it (labels sorted by name)."""
    text = requests.get(f"{probe}/metrics", timeout=10).text
    found = [line.rsplit(" ", 1)[1] for line in text.splitlines() if line.startswith(sample + " ")]
    assert found, f"{sample} not on {probe}/metrics"
    return found[0]
