"""Schemathesis against the live gateway's own /openapi.json: for every route, a bounded number of
generated requests (signed in as the Yantailing community office), and every answer must be no
server error and must match the schema the document gives for its status."""
import subprocess
import sys

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from deploy.demo.load import DEMO_PASSWORD
from deploy.local import LocalPlatform
from shared.clock import FileClock
from shared.config import REPO_ROOT
from tests.e2e.conftest import free_port
from tests.e2e.test_report_loop import report_in_status, report_sofa, task_of

pytestmark = pytest.mark.e2e

POSITIVE_EXAMPLES = 60  # per route: about 45 routes, so the run stays within a few minutes on 2 cores
NEGATIVE_EXAMPLES = 20
KNOWN_EXAMPLES = 8  # per existing record, for routes about one record


@pytest.fixture(scope="module")
def platform(vhost, tmp_path_factory):
    """The whole platform, with Open311's per-address limit lifted so generated requests reach the routes."""
    folder = tmp_path_factory.mktemp("platform")
    clock = FileClock(str(folder / "now"))
    running = LocalPlatform(folder, gateway_bind=f"127.0.0.1:{free_port()}", env={
        "AMQP_URI": vhost.uri, "RPC_TIMEOUT_S": "5", "GATEWAY_WORKERS": "1", "CLOCK": f"file:{clock.path}",
        "OPEN311_ANONYMOUS_RPM": "1000000"})
    try:
        running.start_all()
        running.load_demo()
        yield running
    finally:
        running.stop_all()


@pytest.fixture(scope="module")
def signed_in(platform):
    answer = requests.post(f"{platform.url}/api/v1/auth/token",
                           json={"username": "ytl-admin", "password": DEMO_PASSWORD}, timeout=30)
    assert answer.status_code == 200, answer.text
    made = subprocess.run([sys.executable, "-m", "gateway.keys", "create", "--name", "schemathesis",
                           "--community", "ytl", "--rpm", "1000000"], env=platform.env, cwd=REPO_ROOT,
                          capture_output=True, text=True, check=True)
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}, made.stdout.splitlines()[0].strip()


@pytest.fixture(scope="module")
def known(platform, as_user, as_handler, signed_in):
    """Records for the generated requests to find: a closed report (with its whole timeline), an open
    one, their tasks, an Open311 request, a fund period; so answers are checked with data in them."""
    office, zhang_yan = as_user("ytl-admin"), as_user("zhangyan")
    closed = report_sofa(zhang_yan)["report"]
    task = task_of(office, closed["id"])
    handler = as_handler(task)
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已清运"}).status_code == 200
    report_in_status(office, closed["id"], "resolved")
    assert zhang_yan.post(f"/api/v1/reports/{closed['id']}/verification", json={"passed": True}).status_code == 200
    still_open = report_sofa(office, description="47号楼前的旧柜子")["report"]
    open_task = task_of(office, still_open["id"])
    filed = requests.post(f"{platform.url}/open311/v2/requests.json", timeout=30, data={
        "api_key": signed_in[1], "service_code": "sanitation.garbage", "address_id": "44",
        "description": "44号楼垃圾桶满了", "attribute[volume]": "large"})
    assert filed.status_code == 200, filed.text
    period = office.post("/api/v1/fund-periods", json={"code": "2026-Q4", "starts_on": "2026-10-01",
                                                      "ends_on": "2026-12-31", "fund": "1000.00", "base": "5.00"})
    assert period.status_code == 201, period.text
    return [
        {"report_id": closed["id"], "task_id": task["id"], "service_request_id": closed["id"], "token": closed["id"],
         "community": "ytl", "period": "2026-Q4", "code": "2026-Q4"},
        {"report_id": still_open["id"], "task_id": open_task["id"], "service_request_id": still_open["id"],
         "token": filed.json()[0]["service_request_id"], "community": "ytl", "period": "2026-Q4", "code": "2026-Q4"},
    ]


def _run(operation, platform, headers, examples, **fixed):
    @given(operation.as_strategy(**fixed))
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.generate])
    def exercise(case):
        case.call_and_validate(base_url=platform.url, headers=headers,
                               checks=[not_a_server_error, response_schema_conformance])

    exercise()


def test_every_route_answers_as_documented(platform, signed_in, known):
    """Each route in turn: requests that fit its schema, requests that break it, and requests about
    records that exist. Every failure is collected, so one run shows them all."""
    headers, api_key = signed_in
    api = schemathesis.openapi.from_url(f"{platform.url}/openapi.json")
    failures, tried = [], 0
    for result in api.get_all_operations():
        operation = result.ok()
        keyed = any("api_key" in r for r in operation.definition.raw.get("security", []))
        query = {"api_key": api_key} if keyed else None
        path_names = {p["name"] for p in operation.definition.raw.get("parameters", []) if p["in"] == "path"} - {"fmt"}
        runs = [("positive", POSITIVE_EXAMPLES, {"generation_mode": GenerationMode.POSITIVE, "query": query}),
                ("negative", NEGATIVE_EXAMPLES, {"generation_mode": GenerationMode.NEGATIVE, "query": query})]
        if path_names and all(name in known[0] for name in path_names):
            runs += [(f"record {i}", KNOWN_EXAMPLES,
                      {"query": query, "path_parameters": {n: record[n] for n in path_names}})
                     for i, record in enumerate(known)]
        for label, examples, fixed in runs:
            tried += 1
            try:
                _run(operation, platform, headers, examples, **fixed)
            except Unsatisfiable:
                continue  # nothing to break in this route (no parameters, no body)
            except (Exception, BaseExceptionGroup) as failure:  # one route's failure must not hide the others'
                failures.append(f"{operation.label} ({label}): {failure}")
    assert tried >= 80
    assert not failures, "\n\n".join(failures)
