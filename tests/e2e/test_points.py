"""Civility points end to end, over HTTP only: a resident's report earns their
household points once; a deduction for the household found responsible is
verified, published, objected to and upheld; the quarter is settled and the
public list shows both households' payouts, without a name."""
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import requests

from tests.support import wait_until

pytestmark = pytest.mark.e2e

REPORTER, RESPONSIBLE = "ytl-44-1-01", "ytl-44-1-02"  # two households of building 44, unit 1


def quarter(today: datetime) -> tuple[str, str, str]:
    first_month = 3 * ((today.month - 1) // 3) + 1
    starts = today.replace(month=first_month, day=1).date()
    ends = (starts.replace(year=starts.year + (first_month == 10), month=(first_month + 2) % 12 + 1, day=1)
            - timedelta(days=1))
    return f"{today.year}-Q{(first_month - 1) // 3 + 1}", starts.isoformat(), ends.isoformat()


def entries_of(api, household=None):
    return api.get("/api/v1/ledger", params={"household": household} if household else None).json()["items"]


def test_a_residents_report_earns_points_and_a_contested_deduction_is_settled(platform, as_user, as_handler):
    resident, neighbour = as_user(REPORTER), as_user(RESPONSIBLE)
    admin, review, grid_worker = as_user("ytl-admin"), as_user("ytl-review-01"), as_user("ytl-gw-02")
    code, starts, ends = quarter(datetime.now())
    opened = admin.post("/api/v1/fund-periods", json={"code": code, "starts_on": starts, "ends_on": ends,
                                                      "fund": "1000.00", "base": "5.00", "threshold": 0})
    assert opened.status_code == 201, opened.text

    report = resident.post("/api/v1/reports", json={"category": "sanitation.garbage", "building": "44", "unit": "1",
                                                    "description": "单元门口有人乱扔垃圾"}).json()["report"]
    task = wait_until(lambda: next((t for t in admin.get("/api/v1/tasks").json()["items"]
                                    if t["report_id"] == report["id"]), None), what="the task")
    handler = as_handler(task)
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已清理"}).status_code == 200
    wait_until(lambda: resident.get(f"/api/v1/reports/{report['id']}").json()["status"] == "resolved",
               what="the report to be resolved")
    closed = grid_worker.post(f"/api/v1/reports/{report['id']}/verification", json={
        "passed": True, "note": "已清理;经走访,系 02 户所为", "responsible_household": RESPONSIBLE,
        "rule": "ENV-LITTER"})
    assert closed.status_code == 200, closed.text

    # the reporter's household is credited, once
    credit = wait_until(lambda: [e for e in resident.get("/api/v1/households/me").json()["entries"]
                                 if e["rule_code"] == "ENV-REPORT"], what="the credit for the report")
    assert len(credit) == 1 and credit[0]["points"] == 2

    # the deduction waits for the review group, is published, objected to, upheld
    deduction = wait_until(lambda: [e for e in entries_of(review, RESPONSIBLE) if e["rule_code"] == "ENV-LITTER"],
                           what="the proposed deduction")[0]
    assert deduction["points"] == -5 and deduction["state"] == "proposed"
    assert neighbour.post(f"/api/v1/ledger/{deduction['id']}/objection", json={"reason": "不是我家"}).status_code == 409
    verified = review.post(f"/api/v1/ledger/{deduction['id']}/verification", json={"approve": True, "note": "监控为证"})
    assert verified.status_code == 200, verified.text
    assert verified.json()["state"] == "published"
    objected = neighbour.post(f"/api/v1/ledger/{deduction['id']}/objection", json={"reason": "垃圾不是我家的"})
    assert objected.status_code == 200, objected.text
    assert resident.post(f"/api/v1/ledger/{deduction['id']}/objection", json={"reason": "x"}).status_code in (403, 404)
    upheld = review.post(f"/api/v1/ledger/{deduction['id']}/decision", json={"uphold": True, "note": "证据充分"})
    assert upheld.status_code == 200 and upheld.json()["state"] == "upheld"

    # not before the quarter has ended
    early = admin.post(f"/api/v1/fund-periods/{code}/settlement")
    assert (early.status_code, early.json()["code"]) == (409, "period_not_ended"), early.text
    # once it has, and the publication window has closed: settle the quarter
    quarter_over = datetime.fromisoformat(ends).astimezone() + timedelta(days=1, hours=9)
    platform.clock.set(max(datetime.now().astimezone() + timedelta(days=8), quarter_over))
    settled = admin.post(f"/api/v1/fund-periods/{code}/settlement")
    assert settled.status_code == 200, settled.text
    assert admin.post(f"/api/v1/fund-periods/{code}/settlement").status_code == 409  # settled once, closed

    public = requests.get(f"{platform.url}/api/v1/public/ytl/publication/{code}", timeout=30)
    assert public.status_code == 200
    lines = {line["household"]: line for line in public.json()["lines"]}
    assert lines[REPORTER]["points"] == 2 and lines[RESPONSIBLE]["points"] == -5
    assert Decimal(lines[REPORTER]["payout"]) > Decimal(lines[RESPONSIBLE]["payout"]) >= Decimal("5.00")
    assert sum(Decimal(line["payout"]) for line in lines.values()) == Decimal("1000.00")
    text = public.text
    for person in ("张燕", "phone", "name", "1596390"):
        assert person not in text
