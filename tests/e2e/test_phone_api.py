"""What the phone needs of the API: standard reasons; task and report lists that filter,
sort by deadline, page and count per status for the tabs; "me too"; report ids the phone chose."""
import uuid
from datetime import datetime, timedelta

import pytest

from tests.support import wait_until

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def report(api, **fields):
    answer = api.post("/api/v1/reports", json={"description": "测试", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()["report"]


def sofa(api, building="47"):
    return report(api, category="property.abandoned_item", building=building, attributes={"item_type": "furniture"})


def task_of(api, report_id):
    return wait_until(lambda: next(iter(api.get("/api/v1/tasks", params={"report_id": report_id}).json()["items"]),
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
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已清运"}).status_code == 200
    wait_until(lambda: zhang.get(f"/api/v1/reports/{filed['id']}").json()["status"] == "resolved",
               what="the report to be resolved")
    seen = zhang.post("/api/v1/media", files={"file": ("site.png", PNG, "image/png")}).json()["url"]
    failed = zhang.post(f"/api/v1/reports/{filed['id']}/verification",
                        json={"passed": False, "reason_code": "not_done", "photos": [seen]})
    assert failed.status_code == 200, failed.text
    entry = next(e for e in failed.json()["timeline"] if e["action"] == "verification_failed")
    assert entry["note"] == "现场问题未处理" and entry["details"]["reason_code"] == "not_done"
    assert entry["details"]["photos"] == [seen]
    assert wu.get("/api/v1/reasons").status_code == 200


# --- task and report lists ------------------------------------------------------------
def test_tasks_filter_page_sort_by_deadline_and_count_per_status(as_user):
    zhang, admin = as_user("zhangyan"), as_user("ytl-admin")
    filed = [sofa(zhang, building=b)["id"] for b in ("47", "48", "47")]
    tasks = [task_of(admin, r) for r in filed]
    # Property staff see their company's tasks (each still acts only on their own).
    wu = as_user("wuli").get("/api/v1/tasks", params={"per_page": 200}).json()
    assert {t["id"] for t in tasks} <= {t["id"] for t in wu["items"]}
    assert all(t["handler"]["company"] == "ytl-wy" for t in wu["items"])

    mine = as_user("wuli").get("/api/v1/tasks", params={"handler": "ytl-wy-01", "per_page": 200}).json()
    assert all(t["handler"]["staff_code"] == "ytl-wy-01" for t in mine["items"])

    assigned = admin.get("/api/v1/tasks", params={"status": "assigned", "category": "property.abandoned_item",
                                                  "per_page": 2}).json()
    assert all(t["status"] == "assigned" for t in assigned["items"]) and len(assigned["items"]) <= 2
    assert assigned["total"] == assigned["counts"]["assigned"] >= 3
    second = admin.get("/api/v1/tasks", params={"status": "assigned", "category": "property.abandoned_item",
                                                "per_page": 2, "page": 2}).json()
    assert not {t["id"] for t in assigned["items"]} & {t["id"] for t in second["items"]}
    both = admin.get("/api/v1/tasks", params={"status": "assigned,accepted", "per_page": 200}).json()
    assert both["total"] == both["counts"]["assigned"] + both["counts"]["accepted"]
    deadlines = [t["deadline_at"] for t in both["items"]]
    assert deadlines == sorted(deadlines)
    newest = admin.get("/api/v1/tasks", params={"sort": "-created", "per_page": 1}).json()["items"][0]
    assert newest["created_at"] >= max(t["created_at"] for t in tasks)

    at_48 = admin.get("/api/v1/tasks", params={"building": "48", "grid": "g04", "level": "grid", "card": "normal",
                                               "per_page": 200}).json()
    assert tasks[1]["id"] in {t["id"] for t in at_48["items"]} and tasks[0]["id"] not in {t["id"] for t in
                                                                                           at_48["items"]}
    past = (datetime.now().astimezone() - timedelta(days=1)).isoformat()
    assert admin.get("/api/v1/tasks", params={"due_before": past, "report_id": filed[0]}).json()["total"] == 0
    assert admin.get("/api/v1/tasks", params={"created_from": past, "report_id": filed[0]}).json()["total"] == 1
    assert as_user("jqs-admin").get("/api/v1/tasks", params={"report_id": filed[0]}).json()["total"] == 0


def test_bad_list_filters_name_their_field(as_user):
    admin = as_user("ytl-admin")
    for params, field in (({"status": "assigned,lost"}, "status"), ({"card": "blue"}, "card"),
                          ({"per_page": 500}, "per_page"), ({"sort": "name"}, "sort"),
                          ({"due_before": "tomorrow"}, "due_before")):
        answer = admin.get("/api/v1/tasks", params=params)
        assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == field, (params, answer.text)
    assert admin.get("/api/v1/reports", params={"level": "district"}).json()["errors"][0]["field"] == "level"


def test_reports_to_check_are_listed_by_deadline_with_several_statuses(as_user):
    zhang = as_user("zhangyan")
    filed = sofa(zhang, building="48")
    wait_until(lambda: zhang.get(f"/api/v1/reports/{filed['id']}").json()["deadline_at"], what="its deadline")
    listed = zhang.get("/api/v1/reports", params={"status": "assigned,accepted,resolved", "grid": "g04",
                                                  "sort": "deadline", "per_page": 100}).json()
    assert filed["id"] in {r["id"] for r in listed["items"]}
    assert {r["status"] for r in listed["items"]} <= {"assigned", "accepted", "resolved"}
    deadlines = [r["deadline_at"] for r in listed["items"] if r["deadline_at"]]
    assert deadlines == sorted(deadlines)
    handler = zhang.get(f"/api/v1/reports/{filed['id']}").json()["handler"]["staff_code"]
    theirs = zhang.get("/api/v1/reports", params={"handler": handler, "level": "grid", "per_page": 100}).json()
    assert filed["id"] in {r["id"] for r in theirs["items"]}


# --- "me too" and the client's own report id ---------------------------------------------
def test_me_too_is_counted_once_per_account_and_never_for_the_reporter(as_user):
    filed = sofa(as_user("zhangyan"))
    resident, leader = as_user("ytl-44-1-01"), as_user("ytl-bl-47")
    first = resident.post(f"/api/v1/reports/{filed['id']}/me-too")
    assert first.status_code == 200, first.text
    assert first.json()["supporters"] == 1 and set(first.json()) == {"report_id", "supporters", "joined_at"}
    again = resident.post(f"/api/v1/reports/{filed['id']}/me-too")
    assert again.json() == first.json()
    assert leader.post(f"/api/v1/reports/{filed['id']}/me-too").json()["supporters"] == 2
    assert as_user("zhangyan").get(f"/api/v1/reports/{filed['id']}").json()["supporters"] == 2
    own = as_user("zhangyan").post(f"/api/v1/reports/{filed['id']}/me-too")
    assert own.status_code == 409 and own.json()["code"] == "own_report"
    elsewhere = as_user("jqs-admin").post(f"/api/v1/reports/{filed['id']}/me-too")
    assert elsewhere.status_code == 404
    assert as_user("wuli").post(f"/api/v1/reports/{filed['id']}/me-too").status_code == 403


def test_before_reporting_a_resident_finds_the_same_problem_to_join(as_user):
    zhang, resident = as_user("zhangyan"), as_user("ytl-44-1-01")
    filed = report(zhang, category="sanitation.garbage", building="48", description="48号楼垃圾桶满溢",
                   attributes={})
    lookup = {"category": "sanitation.garbage", "building": "48"}
    (found,) = [d for d in resident.get("/api/v1/reports/possible-duplicates", params=lookup).json()["items"]
                if d["id"] == filed["id"]]
    assert found["description"] is None and (found["mine"], found["joined"]) == (False, False)  # not hers to read
    assert resident.post(f"/api/v1/reports/{filed['id']}/me-too").status_code == 200
    (joined,) = [d for d in resident.get("/api/v1/reports/possible-duplicates", params=lookup).json()["items"]
                 if d["id"] == filed["id"]]
    assert joined["joined"] is True and joined["supporters"] == 1
    (own,) = [d for d in zhang.get("/api/v1/reports/possible-duplicates", params=lookup).json()["items"]
              if d["id"] == filed["id"]]
    assert own["description"] == "48号楼垃圾桶满溢" and own["mine"] is True
    missing = resident.get("/api/v1/reports/possible-duplicates", params={"category": "sanitation.garbage"})
    assert missing.status_code == 422 and missing.json()["errors"][0]["field"] == "building"


def test_a_report_sent_again_under_the_phones_own_id_is_filed_once(as_user):
    zhang, admin = as_user("zhangyan"), as_user("ytl-admin")
    chosen = str(uuid.uuid4())
    body = {"id": chosen, "category": "safety.hazard", "building": "47", "description": "楼道堆物"}
    first = zhang.post("/api/v1/reports", json=body)
    assert first.status_code == 201 and first.json()["report"]["id"] == chosen and first.json()["created"] is True
    again = zhang.post("/api/v1/reports", json={**body, "description": "楼道堆物(重发)"})
    assert again.status_code == 200 and again.json()["created"] is False
    assert again.json()["report"]["description"] == "楼道堆物"
    listed = admin.get("/api/v1/reports", params={"reporter": zhang.get("/api/v1/me").json()["account_id"],
                                                   "per_page": 100}).json()["items"]
    assert [r["id"] for r in listed].count(chosen) == 1
    task_of(admin, chosen)
    assert admin.get("/api/v1/tasks", params={"report_id": chosen}).json()["total"] == 1
    taken = as_user("ytl-gw-01").post("/api/v1/reports", json=body)
    assert taken.status_code == 409 and taken.json()["errors"][0]["field"] == "id"
    bad = zhang.post("/api/v1/reports", json={**body, "id": "not-a-uuid"})
    assert bad.status_code == 422 and bad.json()["errors"][0] == {
        "field": "id", "code": "invalid_report_id", "message": bad.json()["errors"][0]["message"]}


# --- messages (消息) -----------------------------------------------------------------
def messages(api, **params):
    answer = api.get("/api/v1/notifications", params={"per_page": 100, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_the_reporter_the_handler_and_the_grid_are_told_what_happened(as_user):
    zhang, resident = as_user("zhangyan"), as_user("ytl-44-1-01")
    filed = report(resident, category="property.facility", building="44", description="单元门禁损坏")
    task = task_of(as_user("ytl-admin"), filed["id"])
    handler = as_user({"ytl-wy-01": "wuli"}.get(task["handler"]["staff_code"], task["handler"]["staff_code"]))
    told = wait_until(lambda: [m for m in messages(handler)["items"] if m["report_id"] == filed["id"]],
                      what="the handler's message")
    assert [m["action"] for m in told] == ["dispatched"] and told[0]["read"] is False
    assert told[0]["action_name"]["zh"] == "派遣" and told[0]["building"] == "44"

    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "门禁已修复"}).status_code == 200
    mine = wait_until(lambda: len(told := [m for m in messages(resident)["items"] if m["report_id"] == filed["id"]])
                      >= 2 and told, what="the resident's messages")
    assert sorted(m["action"] for m in mine) == ["accepted", "resolved"]
    assert next(m for m in mine if m["action"] == "resolved")["note"] == "门禁已修复"
    # The grid's staff are told it waits for their check; the handler is not told what she did herself.
    grid_worker = as_user("ytl-gw-02")  # building 44 is in grid g02
    assert "resolved" in {m["action"] for m in messages(grid_worker)["items"] if m["report_id"] == filed["id"]}
    assert {m["action"] for m in messages(handler)["items"] if m["report_id"] == filed["id"]} == {"dispatched"}
    assert not [m for m in messages(zhang)["items"] if m["report_id"] == filed["id"]]  # not her grid

    before = messages(resident)
    assert before["unread"] >= 2 and messages(resident, unread="true")["total"] == before["unread"]
    newest = before["items"][0]["id"]
    marked = resident.post("/api/v1/notifications/read", json={"ids": [newest]})
    assert marked.status_code == 200 and marked.json()["unread"] == before["unread"] - 1
    assert resident.post("/api/v1/notifications/read", json={"ids": [newest]}).json() == marked.json()
    assert resident.post("/api/v1/notifications/read", json={"up_to": newest}).json()["unread"] == 0
    assert all(m["read"] for m in messages(resident)["items"])
    # Someone else's message cannot be marked by its id, and marking needs ids or up_to.
    assert as_user("ytl-44-1-02").post("/api/v1/notifications/read", json={"ids": [newest]}).json()["unread"] == 0
    empty = resident.post("/api/v1/notifications/read", json={})
    assert empty.status_code == 422 and empty.json()["errors"][0]["field"] == "ids"
    assert as_user("district-it").get("/api/v1/notifications").status_code == 403
