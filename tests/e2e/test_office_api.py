"""The community office over HTTP: the working calendar, extensions and deferrals, figures."""
from datetime import datetime, timedelta

import pytest

from tests.support import wait_until

pytestmark = pytest.mark.e2e


def file_and_get_task(reporter, admin, **fields):
    report = reporter.post("/api/v1/reports", json={"category": "sanitation.garbage", "building": "44",
                                                    "description": "垃圾满溢", **fields}).json()["report"]
    return wait_until(lambda: next((t for t in admin.get("/api/v1/tasks").json()["items"]
                                    if t["report_id"] == report["id"]), None), what="the task")


def test_the_calendar_carries_the_national_holidays_and_the_office_can_correct_a_day(as_user):
    admin = as_user("ytl-admin")
    days = {d["date"]: d for d in admin.get("/api/v1/calendar?year=2026").json()["days"]}
    assert days["2026-10-01"]["kind"] == "holiday" and days["2026-10-10"]["kind"] == "workday"

    changed = admin.put("/api/v1/calendar/days/2026-12-31", json={"kind": "holiday", "name": "社区停电检修"})
    assert changed.status_code == 200, changed.text
    assert any(d["date"] == "2026-12-31" for d in admin.get("/api/v1/calendar?year=2026").json()["days"])
    assert as_user("wuli").put("/api/v1/calendar/days/2026-12-30", json={"kind": "holiday", "name": "停电"}
                               ).status_code == 403
    bad = admin.put("/api/v1/calendar/days/2026-13-40", json={"kind": "holiday", "name": "停电"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "date"
    unexplained = admin.put("/api/v1/calendar/days/2026-12-30", json={"kind": "normal"})
    assert unexplained.status_code == 422 and unexplained.json()["errors"][0]["field"] == "name"

    # each correction is kept with its reason, who made it and when; removing the day too
    assert admin.put("/api/v1/calendar/days/2026-12-31", json={"kind": "normal", "name": "检修改期"}).status_code == 200
    changes = admin.get("/api/v1/calendar/changes?year=2026").json()["items"]
    assert [(c["date"], c["kind"], c["reason"], c["by"]) for c in changes[:2]] == [
        ("2026-12-31", "normal", "检修改期", "ytl-admin"), ("2026-12-31", "holiday", "社区停电检修", "ytl-admin")]
    assert as_user("wuli").get("/api/v1/calendar/changes?year=2026").status_code == 403


def test_an_extension_is_asked_by_the_handler_and_decided_by_the_office(as_user, as_handler):
    admin = as_user("ytl-admin")
    task = file_and_get_task(as_user("ytl-bl-44"), admin)
    handler = as_handler(task)
    until = (datetime.fromisoformat(task["deadline_at"]) + timedelta(days=3)).isoformat()

    asked = handler.post(f"/api/v1/tasks/{task['id']}/extension-requests",
                         json={"reason": "需等待环卫车", "until": until})
    assert asked.status_code == 201, asked.text
    assert handler.post(f"/api/v1/tasks/{task['id']}/extension-requests",
                        json={"reason": "again", "until": until}).json()["code"] == "request_pending"
    assert handler.post(f"/api/v1/requests/{asked.json()['id']}/decision", json={"approve": True}).status_code == 403

    decided = admin.post(f"/api/v1/requests/{asked.json()['id']}/decision", json={"approve": True, "note": "同意"})
    assert decided.status_code == 200, decided.text
    assert decided.json()["task"]["deadline_at"] == datetime.fromisoformat(until).isoformat(timespec="milliseconds")
    reporter = as_user("ytl-bl-44")
    wait_until(lambda: "request_approved" in [e["action"] for e in reporter.get(
        f"/api/v1/reports/{task['report_id']}").json()["timeline"]], what="the approval on the timeline")


def test_figures_come_per_grid_for_a_period(as_user):
    admin = as_user("ytl-admin")
    file_and_get_task(as_user("ytl-bl-44"), admin)
    now = datetime.now().astimezone()
    answer = admin.get("/api/v1/figures", params={"period_from": (now - timedelta(days=1)).isoformat(),
                                                  "period_to": (now + timedelta(days=1)).isoformat(),
                                                  "group_by": "grid"})
    assert answer.status_code == 200, answer.text
    rows = {row["key"]: row for row in answer.json()["rows"]}
    assert rows["g02"]["found"] >= 1 and 0 <= rows["g02"]["completion_rate"] <= 1
    backwards = admin.get("/api/v1/figures", params={"period_from": now.isoformat(),
                                                     "period_to": (now - timedelta(days=1)).isoformat()})
    assert backwards.status_code == 422 and backwards.json()["errors"][0]["field"] == "period_to"
    assert as_user("wuli").get("/api/v1/figures").status_code == 403
