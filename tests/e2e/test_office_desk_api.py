"""What the office, the street and the desk read at their screens, over HTTP through real processes:
requests awaiting approval, the escalated queue with its reasons, the street's figures, exports as
CSV and workbooks, the paged ledger and the council's lists."""
import csv
import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from tests.support import wait_until

pytestmark = pytest.mark.e2e


def file_report(reporter, building="44", category="sanitation.garbage", description="垃圾满溢"):
    return reporter.post("/api/v1/reports", json={"category": category, "building": building,
                                                  "description": description}).json()["report"]


def task_of(api, report_id):
    return wait_until(lambda: next((t for t in api.get("/api/v1/tasks").json()["items"]
                                    if t["report_id"] == report_id), None), what="the task")


def this_month_around_now():
    now = datetime.now().astimezone()
    return {"period_from": (now - timedelta(days=1)).isoformat(), "period_to": (now + timedelta(days=1)).isoformat()}


def test_requests_wait_in_the_office_with_reason_new_deadline_and_history(as_user, as_handler):
    admin = as_user("ytl-admin")
    task = task_of(admin, file_report(as_user("ytl-bl-44"))["id"])
    handler = as_handler(task)
    until = (datetime.fromisoformat(task["deadline_at"]) + timedelta(days=2)).isoformat()
    first = handler.post(f"/api/v1/tasks/{task['id']}/extension-requests", json={"reason": "等配件", "until": until})
    assert first.status_code == 201, first.text
    admin.post(f"/api/v1/requests/{first.json()['id']}/decision", json={"approve": True, "note": "同意"})
    second = handler.post(f"/api/v1/tasks/{task['id']}/deferral-requests", json={"reason": "需街道资金"}).json()

    pending = admin.get("/api/v1/requests")
    assert pending.status_code == 200, pending.text
    mine = next(r for r in pending.json()["items"] if r["id"] == second["id"])
    assert (mine["kind"], mine["reason"], mine["status"]) == ("deferral", "需街道资金", "pending")
    assert mine["task"]["id"] == task["id"] and mine["task"]["extension_count"] == 1
    assert [(h["kind"], h["status"], h["reason"]) for h in mine["history"]] == [("extension", "approved", "等配件")]
    assert mine["history"][0]["until"] == datetime.fromisoformat(until).isoformat(timespec="milliseconds")

    approved = admin.get("/api/v1/requests", params={"status": "approved", "kind": "extension"}).json()["items"]
    assert first.json()["id"] in [r["id"] for r in approved]
    # The grid leader decides their own grid's requests only; a handler decides none.
    grid_leader = as_user("ytl-gl-02")
    assert second["id"] in [r["id"] for r in grid_leader.get("/api/v1/requests").json()["items"]]
    assert second["id"] not in [r["id"] for r in as_user("ytl-gl-04").get("/api/v1/requests").json()["items"]]
    assert handler.get("/api/v1/requests").status_code == 403
    bad = admin.get("/api/v1/requests", params={"status": "maybe"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


def test_the_street_queue_shows_the_community_of_origin_and_every_reason_on_the_way_up(as_user):
    zhang_yan, office, street = as_user("zhangyan"), as_user("ytl-admin"), as_user("lanshan-street")
    report = file_report(zhang_yan, building="47", category="environment.pollution", description="油烟直排")
    grid_task = task_of(zhang_yan, report["id"])
    community_task = zhang_yan.post(f"/api/v1/tasks/{grid_task['id']}/escalation",
                                    json={"reason": "涉及执法,网格无法解决"}).json()["successor"]
    assert [t["id"] for t in office.get("/api/v1/escalations").json()["items"]].count(community_task["id"]) == 1
    street_task = office.post(f"/api/v1/tasks/{community_task['id']}/escalation",
                              json={"reason": "需街道协调"}).json()["successor"]

    queue = street.get("/api/v1/escalations")
    assert queue.status_code == 200, queue.text
    item = next(t for t in queue.json()["items"] if t["id"] == street_task["id"])
    assert item["community"] == "ytl" and item["community_name"]["zh"] == "砚台岭社区"
    assert [(r["level"], r["escalation_reason"]) for r in item["ladder"]] == [
        ("grid", "涉及执法,网格无法解决"), ("community", "需街道协调")]
    assert community_task["id"] not in [t["id"] for t in office.get("/api/v1/escalations").json()["items"]]
    assert as_user("zhangyan").get("/api/v1/escalations").status_code == 403


def test_the_street_reads_its_communities_figures(as_user):
    report = file_report(as_user("ytl-bl-44"))
    wait_until(lambda: as_user("ytl-admin").get(f"/api/v1/reports/{report['id']}").json()["task_id"],
               what="dispatch to count it")
    street = as_user("lanshan-street")
    answer = street.get("/api/v1/figures", params={**this_month_around_now(), "group_by": "community"})
    assert answer.status_code == 200, answer.text
    rows = {row["key"]: row for row in answer.json()["rows"]}
    office = as_user("ytl-admin").get("/api/v1/figures", params=this_month_around_now()).json()["rows"][0]
    assert rows["ytl"]["found"] == office["found"] >= 1
    whole = street.get("/api/v1/figures", params=this_month_around_now()).json()["rows"][0]
    assert whole["found"] == sum(row["found"] for row in rows.values())


def test_the_filtered_report_list_exports_as_csv_and_as_a_workbook_with_the_apis_rows(as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    filed = [file_report(reporter, description=f"导出测试 {n}")["id"] for n in range(3)]
    for report_id in filed:  # the report learns its grid when it is dispatched
        wait_until(lambda r=report_id: admin.get(f"/api/v1/reports/{r}").json()["location"]["grid"] == "g02",
                   what="the report placed in its grid")
    listed = admin.get("/api/v1/reports", params={"grid": "g02", "per_page": 100}).json()
    assert listed["total"] >= 3

    answer = admin.get("/api/v1/exports/reports.csv", params={"grid": "g02"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/csv")
    assert "filename*=UTF-8''%E4%BA%8B%E4%BB%B6%E5%8F%B0%E8%B4%A6.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "上报时间", "类别", "状态"]
    assert [r[0] for r in rows[1:]] == [r["id"] for r in listed["items"]]
    first = listed["items"][0]
    shown = datetime.fromisoformat(first["created_at"]).strftime("%Y-%m-%d %H:%M:%S")  # the API's +08:00 time
    assert (rows[1][1], rows[1][2], rows[1][6]) == (shown, "暴露垃圾", "44")

    workbook = admin.get("/api/v1/exports/reports.xlsx", params={"grid": "g02"})
    assert workbook.status_code == 200, workbook.text
    sheet = load_workbook(io.BytesIO(workbook.content), read_only=True)["事件台账"]
    cells = list(sheet.iter_rows(values_only=True))
    assert cells[0][0] == "编号" and [c[0] for c in cells[1:]] == [r["id"] for r in listed["items"]]
    assert cells[1][1] == datetime.fromisoformat(first["created_at"]).replace(tzinfo=None, microsecond=0)

    assert admin.get("/api/v1/exports/reports.pdf").status_code == 404
    assert admin.get("/api/v1/exports/reports.csv", params={"colour": "red"}).json()["errors"][0]["field"] == "colour"
    assert as_user("wuli").get("/api/v1/exports/reports.csv").status_code == 403


def test_the_filtered_task_list_exports_in_the_lists_order_with_the_apis_rows(as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    for n in range(3):
        task_of(admin, file_report(reporter, description=f"任务导出测试 {n}")["id"])
    query = {"grid": "g02", "status": "assigned,accepted", "sort": "-created"}
    listed = admin.get("/api/v1/tasks", params={**query, "per_page": 200}).json()
    assert listed["total"] >= 3

    answer = admin.get("/api/v1/exports/tasks.csv", params=query)
    assert answer.status_code == 200, answer.text
    assert "filename*=UTF-8''%E4%BB%BB%E5%8A%A1%E5%8F%B0%E8%B4%A6.csv" in answer.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert rows[0][:5] == ["编号", "案卷编号", "派遣时间", "类别", "状态"]
    assert [r[0] for r in rows[1:]] == [t["id"] for t in listed["items"]]
    first = listed["items"][0]
    assert rows[1][15] == datetime.fromisoformat(first["deadline_at"]).strftime("%Y-%m-%d %H:%M:%S")

    workbook = admin.get("/api/v1/exports/tasks.xlsx", params=query)
    assert workbook.status_code == 200, workbook.text
    cells = list(load_workbook(io.BytesIO(workbook.content), read_only=True)["任务台账"].iter_rows(values_only=True))
    assert [c[0] for c in cells[1:]] == [t["id"] for t in listed["items"]]

    assert admin.get("/api/v1/exports/tasks.csv", params={"card": "blue"}).json()["errors"][0]["field"] == "card"
    assert as_user("wuli").get("/api/v1/exports/tasks.csv").status_code == 403


def test_figures_and_staff_performance_export_with_chinese_headers(as_user):
    admin = as_user("ytl-admin")
    report = file_report(as_user("ytl-bl-44"))
    wait_until(lambda: admin.get(f"/api/v1/reports/{report['id']}").json()["task_id"], what="dispatch to count it")
    query = {**this_month_around_now(), "group_by": "grid"}
    figures = {row["key"]: row for row in admin.get("/api/v1/figures", params=query).json()["rows"]}
    workbook = admin.get("/api/v1/exports/figures.xlsx", params=query)
    assert workbook.status_code == 200, workbook.text
    cells = list(load_workbook(io.BytesIO(workbook.content), read_only=True).active.iter_rows(values_only=True))
    assert cells[0][:3] == ("网格", "上报", "办结") and "办结率" in cells[0]
    assert {row[0]: row[1] for row in cells[1:]} == {key: row["found"] for key, row in figures.items()}

    staff = admin.get("/api/v1/exports/staff-performance.csv", params={"period": "2026-Q4"})
    assert staff.status_code == 200, staff.text
    assert staff.content.decode("utf-8-sig").splitlines()[0].startswith("人员,考核期,得分")
    assert admin.get("/api/v1/exports/staff-performance.csv").json()["errors"][0]["field"] == "period"


def test_the_ledger_comes_a_page_at_a_time(as_user):
    review = as_user("ytl-review-01")
    whole = review.get("/api/v1/ledger", params={"per_page": 200}).json()
    first = review.get("/api/v1/ledger", params={"per_page": 1, "page": 1}).json()
    assert first["total"] == whole["total"] and len(first["items"]) == min(1, whole["total"])
    assert review.get("/api/v1/ledger", params={"per_page": 0}).json()["errors"][0]["field"] == "per_page"


def test_the_desk_reads_the_councils_agenda_and_meetings(as_user):
    council, office = as_user("ytl-council"), as_user("ytl-admin")
    item = council.post("/api/v1/council/items", json={"title": "电动车充电桩选址", "description": "44号楼北侧"})
    assert item.status_code == 201, item.text
    listed = office.get("/api/v1/council/items", params={"status": "open"})
    assert listed.status_code == 200, listed.text
    assert item.json()["id"] in [i["id"] for i in listed.json()["items"]]
    meeting = council.post("/api/v1/council/meetings", json={
        "held_at": datetime.now().astimezone().isoformat(), "place": "社区议事厅", "attendees": 21,
        "item_ids": [item.json()["id"]]}).json()
    decided = council.post(f"/api/v1/council/items/{item.json()['id']}/decision", json={
        "meeting_id": meeting["id"], "decision": "选址44号楼北侧", "votes_for": 15, "votes_against": 3,
        "abstentions": 3})
    assert decided.status_code == 200, decided.text
    meetings = office.get("/api/v1/council/meetings").json()["items"]
    held = next(m for m in meetings if m["id"] == meeting["id"])
    assert [d["decision"] for d in held["decisions"]] == ["选址44号楼北侧"]
    assert [i["status"] for i in held["items"]] == ["decided"]
    assert as_user("ytl-bl-44").get("/api/v1/council/meetings").status_code == 403


def test_the_communitys_plan_comes_from_its_configuration_as_geojson_in_metres(as_user):
    plan = as_user("ytl-admin").get("/api/v1/communities/ytl/plan")
    assert plan.status_code == 200, plan.text
    features = plan.json()["features"]
    assert [f["properties"]["building"] for f in features] == [str(b) for b in range(41, 57)]
    assert {f["properties"]["grid"] for f in features} == {f"g{n:02d}" for n in range(1, 9)}
    ring = features[0]["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] and len(ring) == 5
    assert as_user("lanshan-street").get("/api/v1/communities/jqs/plan").status_code == 200
    assert as_user("jqs-admin").get("/api/v1/communities/ytl/plan").status_code == 404
