"""A service that is down gives 503 quickly, never a hang, and slows nothing that does not need it;
and it picks up where it left off."""
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.support import wait_until

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def platform_env():
    return {"BREAKER_OPEN_S": "3"}


def timed(call):
    started = time.monotonic()
    answer = call()
    return answer, time.monotonic() - started


def test_a_down_service_is_answered_at_once_and_slows_nothing_else(platform, as_user):
    admin, it = as_user("ytl-admin"), as_user("district-it")
    platform.kill("dispatch")
    with ThreadPoolExecutor(8) as callers:  # a crowd waiting on dispatch ...
        waiting = [callers.submit(timed, lambda: admin.get("/api/v1/tasks")) for _ in range(6)]
        time.sleep(1)
        reports, took = timed(lambda: admin.get("/api/v1/reports"))  # ... holds up no one asking reporting
        assert reports.status_code == 200 and took < 2, took
        crowd = [future.result() for future in waiting]
    assert all(answer.status_code == 503 and answer.headers["Retry-After"] for answer, _took in crowd)
    assert max(took for _answer, took in crowd) < 8  # at most one RPC timeout (5 s), not one after another

    tasks, took = timed(lambda: admin.get("/api/v1/tasks"))  # the breaker is open now
    assert (tasks.status_code, tasks.json()["code"]) == (503, "circuit_open") and took < 0.5, (tasks.text, took)
    assert 1 <= int(tasks.headers["Retry-After"]) <= 3

    health, took = timed(lambda: requests.get(f"{platform.url}/healthz", timeout=10))
    assert health.status_code == 503 and took < 1.5, took
    assert health.json()["services"]["dispatch"] == {"status": "down", "reason": "timeout"}
    ops = it.get("/api/v1/ops/health")
    assert ops.status_code == 503 and ops.json()["status"] == "degraded"
    # The gateway itself is alive and ready: it still serves everything but dispatch.
    assert requests.get(f"{platform.url}/livez", timeout=5).status_code == 200
    ready = requests.get(f"{platform.url}/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["checks"] == {"database": "ok", "broker": "ok"}

    platform.start_service("dispatch")
    platform.wait_healthy()
    wait_until(lambda: admin.get("/api/v1/tasks").status_code == 200, what="the breaker's probe letting calls in")


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
