"""A service that is down gives 503 quickly, never a hang; and it picks up where it left off."""
import time

import pytest

from tests.support import wait_until

pytestmark = pytest.mark.e2e


def test_a_stopped_service_is_a_503_and_the_report_still_arrives_after_restart(platform, as_user):
    zhang_yan, admin = as_user("zhangyan"), as_user("ytl-admin")
    platform.kill("dispatch")

    # Reporting still takes reports: nothing depends on dispatch being up.
    created = zhang_yan.post("/api/v1/reports", json={
        "category": "safety.hazard", "description": "47号楼道电动车充电", "building": "47"})
    assert created.status_code == 201, created.text
    report_id = created.json()["report"]["id"]

    started = time.monotonic()
    answer = admin.get("/api/v1/tasks")
    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] in ("timeout", "service_unavailable")
    assert time.monotonic() - started < 15

    health = admin.get("/healthz")
    assert health.status_code == 503
    assert health.json()["services"]["dispatch"]["status"] == "down"
    assert health.json()["services"]["reporting"]["status"] == "ok"

    platform.start_service("dispatch")
    platform.wait_healthy()
    wait_until(lambda: zhang_yan.get(f"/api/v1/reports/{report_id}").json()["status"] == "assigned",
               what="the report waiting in the queue to be assigned after dispatch came back")


def test_a_report_refused_while_reporting_is_down_is_not_stored_later(platform, as_user):
    """The caller was told 503 and may try again: the refused request must not run when reporting returns."""
    zhang_yan, admin = as_user("zhangyan"), as_user("ytl-admin")
    before = admin.get("/api/v1/reports").json()["total"]
    platform.kill("reporting")
    refused = zhang_yan.post("/api/v1/reports", json={
        "category": "safety.hazard", "description": "不应被保存", "building": "47"})
    assert refused.status_code == 503, refused.text

    platform.start_service("reporting")
    platform.wait_healthy()
    time.sleep(2)  # time enough for a late request to be handled, were it still queued
    assert admin.get("/api/v1/reports").json()["total"] == before
