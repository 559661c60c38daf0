"""What the phone needs of the API: standard reasons."""

import pytest

from tests.support import wait_until

pytestmark = pytest.mark.e2e


def report(api, **fields):
    answer = api.post("/api/v1/reports", json={"description": "测试", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()["report"]


def sofa(api, building="47"):
    return report(api, category="property.abandoned_item", building=building, attributes={"item_type": "furniture"})


def task_of(api, report_id):
    return wait_until(lambda: next((t for t in api.get("/api/v1/tasks").json()["items"] if t["report_id"] == report_id),
                                   None), what=f"the task of {report_id}")


def timeline_entry(api, report_id, action):
    return wait_until(lambda: next((e for e in api.get(f"/api/v1/reports/{report_id}").json()["timeline"]
                                    if e["action"] == action), None), what=f"{action} on {report_id}")


# --- standard reasons ---------------------------------------------------------------
def test_the_standard_reasons_are_listed_in_both_languages(as_user):
    answer = as_user("wuli").get("/api/v1/reasons")
    assert answer.status_code == 200
    lists = answer.json()
    assert set(lists) == {"return", "escalation", "extension", "deferral", "verification_failure"}
    assert lists["extension"][-1] == {"code": "other", "name": {"zh": "其他", "en": "Other"}, "needs_note": True}
    assert as_user("district-it").get("/api/v1/reasons").status_code == 403


def test_an_escalation_with_a_standard_reason_reads_it_on_the_timeline(as_user):
    zhang = as_user("zhangyan")
    filed = report(zhang, category="safety.hazard", building="47")
    task = task_of(zhang, filed["id"])
    answer = zhang.post(f"/api/v1/tasks/{task['id']}/escalation",
                        json={"reason_code": "law_enforcement", "reason": "占道经营"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["successor"]["level"] == "community"
    entry = timeline_entry(zhang, filed["id"], "escalated")
    assert entry["note"] == "涉及执法,本级无法解决:占道经营" and entry["details"]["reason_code"] == "law_enforcement"


def test_an_unknown_reason_code_or_other_without_words_is_refused_naming_the_field(as_user):
    zhang = as_user("zhangyan")
    task = task_of(zhang, report(zhang, category="safety.hazard", building="48")["id"])
    unknown = zhang.post(f"/api/v1/tasks/{task['id']}/escalation", json={"reason_code": "bored"})
    assert unknown.status_code == 422 and unknown.headers["Content-Type"].startswith("application/problem+json")
    assert unknown.json()["errors"] == [{"field": "reason_code", "code": "unknown_reason",
                                         "message": "请从标准理由列表中选择。"}]
    other = as_user("zhangyan", "en").post(f"/api/v1/tasks/{task['id']}/extension-requests",
                                           json={"reason_code": "other", "until": "2030-01-01T17:00:00+08:00"})
    assert other.status_code == 422
    assert [(e["field"], e["code"]) for e in other.json()["errors"]] == [("reason", "standard_reason_required")]
    assert "standard reason" in other.json()["errors"][0]["message"]
    assert zhang.get(f"/api/v1/tasks/{task['id']}").json()["requests"] == []  # nothing stored half-way


def test_a_request_and_a_failed_check_may_give_only_a_standard_reason(as_user):
    zhang, wu = as_user("zhangyan"), as_user("wuli")
    filed = sofa(zhang)
    task = task_of(zhang, filed["id"])
    handler = as_user({"ytl-wy-01": "wuli"}.get(task["handler"]["staff_code"], task["handler"]["staff_code"]))
    asked = handler.post(f"/api/v1/tasks/{task['id']}/extension-requests",
                         json={"reason_code": "weather", "until": "2030-01-01T17:00:00+08:00"})
    assert asked.status_code == 201, asked.text
    assert asked.json()["reason"] == "天气原因无法施工"
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已清运"}).status_code == 200
    wait_until(lambda: zhang.get(f"/api/v1/reports/{filed['id']}").json()["status"] == "resolved",
               what="the report to be resolved")
    failed = zhang.post(f"/api/v1/reports/{filed['id']}/verification",
                        json={"passed": False, "reason_code": "not_done"})
    assert failed.status_code == 200, failed.text
    entry = next(e for e in failed.json()["timeline"] if e["action"] == "verification_failed")
    assert entry["note"] == "现场问题未处理" and entry["details"]["reason_code"] == "not_done"
    assert wu.get("/api/v1/reasons").status_code == 200
