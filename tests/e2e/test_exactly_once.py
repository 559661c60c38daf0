"""Exactly once from the phone to the database, with the faults injected for real: a service killed
right after its commit, a database lock held past the RPC timeout, a gateway worker killed with a
keyed request in hand. Each ends with the same books: a client that retries with the same
Idempotency-Key learns its report's id, and exactly one report exists."""
import os
import signal
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
import requests

from tests.support import wait_until

pytestmark = pytest.mark.e2e

REPORT = {"category": "sanitation.garbage", "description": "44号楼下垃圾桶满溢", "building": "44"}
LEASE_S = 3


@pytest.fixture(scope="module")
def platform_env():
    # The key of a request whose worker died frees itself soon; the breaker does not open on the faults.
    return {"IDEMPOTENCY_LEASE_S": str(LEASE_S), "BREAKER_FAILURES": "100"}


def reports_like(admin, description: str) -> list[dict]:
    return [r for r in admin.get("/api/v1/reports", params={"per_page": 100}).json()["items"]
            if r["description"] == description]


def keyed(api, description: str, key: str, timeout: float = 30):
    return api.http.post(f"{api.base_url}/api/v1/reports", json={**REPORT, "description": description},
                         headers={"Idempotency-Key": key}, timeout=timeout)


@contextmanager
def reporting_database_locked(platform):
    """Hold reporting's write lock: its commands wait for it, longer than the gateway waits for them."""
    database = sqlite3.connect(platform.data_dir / "reporting.db", isolation_level=None, timeout=30)
    database.execute("BEGIN IMMEDIATE")
    try:
        yield
    finally:
        database.execute("ROLLBACK")
        database.close()


def test_a_service_killed_after_its_commit_answers_the_retry_with_the_first_report(platform, as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    description, key = f"提交后崩溃 {uuid.uuid4().hex[:6]}", f"crash-{uuid.uuid4()}"
    platform.kill("reporting")
    platform.env["GRID_FAILPOINT"] = "command_committed"
    dying = platform.start_service("reporting")
    del platform.env["GRID_FAILPOINT"]
    wait_until(lambda: requests.get(f"{platform.url}/healthz", timeout=5).json()["services"]["reporting"]["status"]
               == "ok", what="reporting up with its failpoint")

    first = keyed(reporter, description, key)
    assert first.status_code == 503, first.text  # committed, then killed before it could reply
    dying.wait(timeout=30)
    platform.processes.pop("reporting")
    platform.start_service("reporting")
    platform.wait_healthy()

    retried = keyed(reporter, description, key)
    assert retried.status_code == 201, retried.text
    [stored] = reports_like(admin, description)
    assert retried.json()["report"]["id"] == stored["id"]


def test_a_service_slower_than_the_rpc_timeout_is_not_run_twice_by_the_retry(platform, as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    description, key = f"超时重试 {uuid.uuid4().hex[:6]}", f"slow-{uuid.uuid4()}"
    with reporting_database_locked(platform):
        first = keyed(reporter, description, key)
        assert (first.status_code, first.json()["code"]) == (503, "timeout"), first.text
        assert first.headers["Retry-After"]
        time.sleep(1)
    # the first request runs now that the lock is gone; the retry gets its answer, whichever comes first
    retried = keyed(reporter, description, key)
    assert retried.status_code == 201, retried.text
    again = keyed(reporter, description, key)
    assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    [stored] = wait_until(lambda: reports_like(admin, description), what="the report")
    assert retried.json()["report"]["id"] == again.json()["report"]["id"] == stored["id"]


def gateway_workers(platform) -> list[int]:
    master = platform.processes["gateway"][0].pid
    children = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                parent = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if parent == master:
            children.append(int(pid))
    return children


def test_a_gateway_worker_killed_mid_request_leaves_a_key_that_frees_itself(platform, as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    description, key = f"网关进程被杀 {uuid.uuid4().hex[:6]}", f"worker-{uuid.uuid4()}"
    [worker] = gateway_workers(platform)
    outcome = {}

    def send():
        try:
            outcome["answer"] = keyed(reporter, description, key)
        except requests.RequestException as lost:
            outcome["lost"] = lost

    with reporting_database_locked(platform):
        sending = threading.Thread(target=send)
        sending.start()
        time.sleep(1.5)  # the request is in the worker's hands, waiting on reporting
        os.kill(worker, signal.SIGKILL)
        sending.join(timeout=30)
    assert "lost" in outcome  # the client never heard: did its report get stored?

    wait_until(lambda: gateway_workers(platform) and requests.get(f"{platform.url}/livez", timeout=5).ok,
               what="gunicorn's new worker")
    time.sleep(LEASE_S)  # the dead worker's lease on the key ends
    retried = wait_until(lambda: (answer := keyed(reporter, description, key)).status_code != 409 and answer,
                         what="the key freed")
    assert retried.status_code == 201, retried.text
    [stored] = wait_until(lambda: reports_like(admin, description), what="the report")
    assert retried.json()["report"]["id"] == stored["id"]
