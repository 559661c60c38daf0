"""巡查 end to end: a grid worker walks her grid from her phone (start, 打卡, track, end), the steps may
be sent again from the outbox, and the office sees who patrolled which buildings on which day."""
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

pytestmark = pytest.mark.e2e

SHANGHAI = ZoneInfo("Asia/Shanghai")


def ago(minutes: float) -> str:
    return (datetime.now(SHANGHAI) - timedelta(minutes=minutes)).isoformat()


def test_a_patrol_from_start_to_end_with_check_ins_and_a_track(as_user):
    zhang = as_user("zhangyan")
    patrol_id = str(uuid.uuid4())
    started = zhang.post("/api/v1/patrols", json={"id": patrol_id, "started_at": ago(30)})
    assert started.status_code == 201, started.text
    assert started.json()["grid"] == "g04" and started.json()["walker"]["name"] == "张燕"
    again = zhang.post("/api/v1/patrols", json={"id": patrol_id, "started_at": ago(30)})
    assert again.status_code == 200 and again.json()["created"] is False
    second = zhang.post("/api/v1/patrols", json={"started_at": ago(1)})
    assert second.status_code == 409 and second.json()["code"] == "patrol_open"

    check_in = {"id": str(uuid.uuid4()), "building": "47", "unit": "1", "at": ago(20),
                "latitude": 35.0605, "longitude": 118.3421, "note": "楼道畅通"}
    done = zhang.post(f"/api/v1/patrols/{patrol_id}/check-ins", json=check_in)
    assert done.status_code == 201, done.text
    assert zhang.post(f"/api/v1/patrols/{patrol_id}/check-ins", json=check_in).json()["id"] == check_in["id"]
    for bad, field, code in (({"building": "99"}, "building", "unknown_building"),
                             ({"unit": "9"}, "unit", "unknown_unit"),
                             ({"at": (datetime.now(SHANGHAI) + timedelta(hours=2)).isoformat()}, "at",
                              "in_the_future"),
                             ({"latitude": 35.06, "longitude": None}, "longitude", "required")):
        refused = zhang.post(f"/api/v1/patrols/{patrol_id}/check-ins", json={**check_in, "id": None, **bad})
        assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == field, (bad, refused.text)
        assert refused.json()["errors"][0]["code"] == code
    other = as_user("ytl-gw-01").post(f"/api/v1/patrols/{patrol_id}/check-ins", json={**check_in, "id": None})
    assert other.status_code == 404  # another grid's worker does not see it ...
    leader = as_user("ytl-gl-04").post(f"/api/v1/patrols/{patrol_id}/check-ins", json={**check_in, "id": None})
    assert leader.status_code == 403 and leader.json()["code"] == "not_your_patrol"  # ... her leader may not walk it

    points = [{"at": ago(m), "latitude": 35.06 + (25 - m) * 0.0001, "longitude": 118.342} for m in (25, 24, 23)]
    assert zhang.post(f"/api/v1/patrols/{patrol_id}/track", json={"points": points[:2]}).status_code == 200
    tracked = zhang.post(f"/api/v1/patrols/{patrol_id}/track", json={"points": points[1:]})
    assert tracked.status_code == 200 and tracked.json()["track_points"] == 3

    ended = zhang.post(f"/api/v1/patrols/{patrol_id}/end", json={"ended_at": ago(2)})
    assert ended.status_code == 200, ended.text
    assert ended.json()["buildings"] == ["47"] and ended.json()["distance_m"] == 22
    assert zhang.post(f"/api/v1/patrols/{patrol_id}/end", json={"ended_at": ago(0)}).json() == ended.json()
    late = zhang.post(f"/api/v1/patrols/{patrol_id}/check-ins", json={**check_in, "id": None, "at": ago(1)})
    assert late.status_code == 409 and late.json()["code"] == "patrol_ended"

    detail = zhang.get(f"/api/v1/patrols/{patrol_id}").json()
    assert [c["building"] for c in detail["check_ins"]] == ["47"] and len(detail["track"]) == 3
    assert patrol_id in {p["id"] for p in zhang.get("/api/v1/patrols").json()["items"]}
    assert patrol_id in {p["id"] for p in as_user("ytl-gl-04").get("/api/v1/patrols").json()["items"]}
    assert as_user("ytl-gw-01").get(f"/api/v1/patrols/{patrol_id}").status_code == 404
    assert as_user("wuli").get("/api/v1/patrols").status_code == 403

    today = datetime.now(SHANGHAI).date().isoformat()
    coverage = as_user("ytl-admin").get("/api/v1/patrol-coverage", params={"from": today, "to": today})
    assert coverage.status_code == 200, coverage.text
    (row,) = [r for r in coverage.json()["rows"] if r["grid"] == "g04"]
    assert row == {"day": today, "grid": "g04", "walkers": ["张燕"], "buildings_visited": ["47"],
                   "buildings_total": 2, "coverage": 0.5}
    assert as_user("zhangyan").get("/api/v1/patrol-coverage", params={"from": today, "to": today}).status_code == 403


def test_a_patrol_needs_its_start_time_and_coverage_a_short_period(as_user):
    assert as_user("zhangyan").post("/api/v1/patrols", json={}).json()["errors"][0]["field"] == "started_at"
    too_long = as_user("ytl-admin").get("/api/v1/patrol-coverage", params={"from": "2026-01-01", "to": "2026-12-31"})
    assert too_long.status_code == 422 and too_long.json()["errors"][0]["field"] == "to"
    assert as_user("ytl-44-1-01").post("/api/v1/patrols", json={"started_at": ago(1)}).status_code == 403
