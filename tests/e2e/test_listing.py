"""Finding reports again: filters, pages, and the duplicate suggestion."""
from datetime import datetime, timedelta

import pytest

from tests.support import wait_until

pytestmark = pytest.mark.e2e


def file(api, **fields):
    answer = api.post("/api/v1/reports", json={"description": "测试", **fields})
    assert answer.status_code == 201, answer.text
    return answer.json()


def test_an_open_report_of_the_same_kind_at_the_same_building_is_suggested_as_a_duplicate(as_user):
    first = file(as_user("ytl-bl-44"), category="city.encroachment", building="44")["report"]
    # Which grid building 44 is in, reporting learns from dispatch with the assignment.
    wait_until(lambda: as_user("ytl-admin").get(f"/api/v1/reports/{first['id']}").json()["location"]["grid"],
               what="the first report's grid")
    # The grid worker of building 44's grid sees which report it may duplicate ...
    second = file(as_user("ytl-gw-02"), category="city.encroachment", building="44")["possible_duplicates"]
    assert first["id"] in [d["id"] for d in second["items"]] and second["count"] >= 1
    # ... a unit leader is told there is one, without seeing someone else's report.
    third = file(as_user("ytl-ul-44-1"), category="city.encroachment", building="44", unit="1")["possible_duplicates"]
    assert third["count"] >= 2 and first["id"] not in [d["id"] for d in third["items"]]
    elsewhere = file(as_user("ytl-gw-02"), category="city.encroachment", building="43")["possible_duplicates"]
    assert first["id"] not in [d["id"] for d in elsewhere["items"]]


def test_reports_are_filtered_and_paged(as_user):
    reporter, admin = as_user("ytl-gw-01"), as_user("ytl-admin")
    mine = {file(reporter, category="safety.hazard", building="41")["report"]["id"] for _ in range(5)}

    page_one = admin.get("/api/v1/reports", params={"reporter": "ytl-gw-01", "per_page": 3, "page": 1}).json()
    page_two = admin.get("/api/v1/reports", params={"reporter": "ytl-gw-01", "per_page": 3, "page": 2}).json()
    assert page_one["total"] == page_two["total"] == 5
    assert len(page_one["items"]) == 3 and len(page_two["items"]) == 2
    assert {r["id"] for r in page_one["items"] + page_two["items"]} == mine

    by_category = admin.get("/api/v1/reports", params={"category": "safety.hazard", "per_page": 100}).json()
    assert mine <= {r["id"] for r in by_category["items"]}
    assert all(r["category"] == "safety.hazard" for r in by_category["items"])

    tomorrow = (datetime.now().astimezone() + timedelta(days=1)).isoformat()
    later = admin.get("/api/v1/reports", params={"reporter": "ytl-gw-01", "created_from": tomorrow}).json()
    assert later["total"] == 0

    bad = admin.get("/api/v1/reports", params={"per_page": 1000})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "per_page"
