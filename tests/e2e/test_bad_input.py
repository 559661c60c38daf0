"""Every bad request gets a 4xx problem naming the field, in Chinese or English,
and nothing is stored; a caller outside the scope sees nothing."""
import pytest
import requests

from tests.support import wait_until

pytestmark = pytest.mark.e2e

GOOD = {"category": "sanitation.garbage", "description": "44号楼下垃圾桶满溢", "building": "44"}


def total_reports(admin) -> int:
    return admin.get("/api/v1/reports").json()["total"]


def assert_problem(answer, status: int, field: str, code: str):
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["status"] == status and problem["title"]
    named = {(e["field"], e["code"]) for e in problem.get("errors", [])}
    assert (field, code) in named, problem
    assert all(e["message"] for e in problem["errors"])
    return problem


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"category": "no.such.category"}, "category", "unknown_category"),
    ({"building": None}, "location", "location_required"),
    ({"photos": [f"https://photos.example/{n}.jpg" for n in range(10)]}, "photos", "too_many_photos"),
    ({"description": "x" * (5 * 1024 * 1024)}, "description", "too_long"),  # a 5 MB text
    ({"urgent": "maybe"}, "urgent", "wrong_type"),
    ({"latitude": "north"}, "latitude", "wrong_type"),
    ({"colour": "red"}, "colour", "unknown_field"),
    ({"attributes": {"volume": "enormous"}}, "attributes.volume", "invalid_attribute"),
], ids=["unknown-category", "missing-location", "ten-photos", "5MB-text", "wrong-type", "wrong-type-number",
        "unknown-field", "bad-attribute"])
def test_a_bad_report_is_refused_with_the_field_named_and_nothing_stored(as_user, change, field, code):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    before = total_reports(admin)
    answer = reporter.post("/api/v1/reports", json={**GOOD, **change})
    assert_problem(answer, 422, field, code)
    assert total_reports(admin) == before


def test_a_report_with_several_faults_names_every_one_in_one_answer(as_user):
    reporter, admin = as_user("ytl-bl-44", lang="en"), as_user("ytl-admin")
    before = total_reports(admin)
    several = {"category": "sanitation.garbage", "description": "", "urgent": "maybe", "latitude": 200}
    problem = assert_problem(reporter.post("/api/v1/reports", json=several), 422, "location", "location_required")
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {
        ("description", "required"), ("urgent", "wrong_type"), ("latitude", "invalid_value"),
        ("location", "location_required"),
    }
    location = next(e for e in problem["errors"] if e["field"] == "location")
    assert location["message"] == "Give a location: a grid, a building (and unit) or an address."
    assert total_reports(admin) == before


def test_a_query_names_a_bad_parameter_and_a_period_run_backwards_together(as_user):
    backwards = {"from": "2026-02-01", "to": "2026-01-01", "walker": "zhangyan"}
    problem = assert_problem(as_user("ytl-admin").get("/api/v1/patrol-coverage", params=backwards),
                             422, "to", "period_backwards")
    assert [(e["field"], e["code"], e["message"]) for e in problem["errors"]] == [
        ("walker", "unknown_field", "不认识的字段。"), ("to", "period_backwards", "结束时间须晚于开始时间。"),
    ]


def test_the_audit_log_names_every_bad_parameter_at_once(as_user):
    answer = as_user("district-it").get("/api/v1/audit", params={"since": "yesterday", "page": "0", "per_page": "²"})
    problem = assert_problem(answer, 422, "since", "wrong_type")
    assert {(e["field"], e["code"]) for e in problem["errors"]} == {
        ("since", "wrong_type"), ("page", "wrong_type"), ("per_page", "wrong_type"),
    }


def test_problems_speak_chinese_first_and_english_on_request(as_user):
    zh = as_user("ytl-bl-44").post("/api/v1/reports", json={**GOOD, "category": "nope"}).json()
    en = as_user("ytl-bl-44", lang="en").post("/api/v1/reports", json={**GOOD, "category": "nope"}).json()
    assert zh["errors"][0]["message"] == "没有编码为“nope”的问题类别。"
    assert en["errors"][0]["message"] == "There is no category with code 'nope'."


def test_an_unknown_report_id_is_a_404_naming_it(as_user):
    answer = as_user("ytl-admin").get("/api/v1/reports/00000000-0000-0000-0000-000000000000")
    assert_problem(answer, 404, "report_id", "report_not_found")


def test_a_handler_cannot_act_on_someone_elses_task(as_user):
    reported = as_user("ytl-bl-44").post("/api/v1/reports", json=GOOD)
    assert reported.status_code == 201, reported.text
    report_id = reported.json()["report"]["id"]
    admin = as_user("ytl-admin")
    task = wait_until(lambda: next((t for t in admin.get("/api/v1/tasks").json()["items"]
                                    if t["report_id"] == report_id), None), what="the garbage task")
    someone_else = "ytl-wy-02" if task["handler"]["staff_code"] != "ytl-wy-02" else "ytl-wy-03"

    answer = as_user(someone_else).post(f"/api/v1/tasks/{task['id']}/accept")
    assert_problem(answer, 403, "task_id", "not_your_task")
    assert admin.get(f"/api/v1/tasks/{task['id']}").json()["status"] == "assigned"


def test_a_body_over_the_size_limit_is_refused(as_user):
    answer = as_user("ytl-bl-44").post("/api/v1/reports", data=b"x" * (7 * 1024 * 1024),
                                       headers={"Content-Type": "application/json"})
    assert answer.status_code == 413
    assert answer.json()["code"] == "payload_too_large"


def test_an_upload_that_is_not_an_image_is_refused(as_user):
    answer = as_user("wuli").post("/api/v1/media", files={"file": ("x.png", b"MZ\x90\x00 not an image", "image/png")})
    assert_problem(answer, 415, "file", "unsupported_media_type")


def test_no_token_is_401_and_a_wrong_role_is_403(platform, as_user):
    anonymous = requests.get(f"{platform.url}/api/v1/reports", timeout=10)
    assert anonymous.status_code == 401 and anonymous.json()["code"] == "unauthorized"
    property_staff = as_user("wuli")
    assert property_staff.post("/api/v1/reports/x/verification", json={"passed": True}).status_code == 403


def test_a_community_sees_nothing_of_another(as_user):
    reported = as_user("ytl-bl-44").post("/api/v1/reports", json=GOOD).json()["report"]
    other_admin = as_user("jqs-admin")
    assert other_admin.get(f"/api/v1/reports/{reported['id']}").status_code == 404
    assert all(r["community"] == "jqs" for r in other_admin.get("/api/v1/reports").json()["items"])
    assert all(t["community"] == "jqs" for t in other_admin.get("/api/v1/tasks").json()["items"])


def test_a_resident_level_reporter_sees_only_their_own_reports(as_user):
    mine = as_user("ytl-ul-44-1").post("/api/v1/reports", json={**GOOD, "unit": "1"}).json()["report"]
    other = as_user("ytl-ul-44-2").post("/api/v1/reports", json={**GOOD, "unit": "2"}).json()["report"]
    unit_leader = as_user("ytl-ul-44-1")
    ids = {r["id"] for r in unit_leader.get("/api/v1/reports?per_page=100").json()["items"]}
    assert mine["id"] in ids and other["id"] not in ids
    assert unit_leader.get(f"/api/v1/reports/{other['id']}").status_code == 404


def test_acting_twice_is_a_409_conflict_saying_why(as_user):
    reported = as_user("ytl-bl-44").post("/api/v1/reports", json={**GOOD, "description": "重复签收测试"}).json()
    admin = as_user("ytl-admin")
    task = wait_until(lambda: next((t for t in admin.get("/api/v1/tasks").json()["items"]
                                    if t["report_id"] == reported["report"]["id"]), None), what="the task")
    handler = as_user({"ytl-wy-01": "wuli"}.get(task["handler"]["staff_code"], task["handler"]["staff_code"]))
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    again = handler.post(f"/api/v1/tasks/{task['id']}/accept")
    assert again.status_code == 409, again.text
    assert again.json()["title"] == "任务当前为“已签收”,不能签收。"
