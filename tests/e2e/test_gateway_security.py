"""The gateway as a front door, against the live platform: refresh tokens rotate and
a reused one revokes the sign-in, sign-out, ten wrong passwords lock an account (and
the lock lifts), one address cannot try without limit, a retried POST creates one
report, the audit log tells the community office who did what, district IT runs
operations."""
import re
import threading
import time
from datetime import datetime, timedelta

import pytest
import requests

from deploy.demo.load import DEMO_PASSWORD
from shared.times import SHANGHAI

pytestmark = pytest.mark.e2e

LOCK_S = 4
ADDRESS_LIMIT = 40
GOOD = {"category": "sanitation.garbage", "description": "44号楼下垃圾桶满溢", "building": "44"}


@pytest.fixture(scope="module")
def platform_env():
    # A short lock so the test sees it lift; X-Forwarded-For trusted (one proxy hop) so a test can
    # speak from another address.
    return {"LOGIN_LOCK_S": str(LOCK_S), "LOGIN_ADDRESS_LIMIT": str(ADDRESS_LIMIT), "TRUSTED_PROXY_HOPS": "1"}


def sign_in(platform, username, password=DEMO_PASSWORD, lang="zh", address=None):
    headers = {"Accept-Language": lang, **({"X-Forwarded-For": address} if address else {})}
    return requests.post(f"{platform.url}/api/v1/auth/token", json={"username": username, "password": password},
                         headers=headers, timeout=30)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_a_refresh_token_works_once_and_a_reused_one_revokes_the_whole_sign_in(platform):
    first = sign_in(platform, "ytl-gl-04").json()
    assert first["token_type"] == "Bearer" and first["expires_in"] == 3600 and first["refresh_token"]
    url = f"{platform.url}/api/v1"
    second = requests.post(f"{url}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=30)
    assert second.status_code == 200, second.text
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"] and second["account"]["account_id"] == "ytl-gl-04"
    assert requests.get(f"{url}/me", headers=bearer(second["access_token"]), timeout=30).status_code == 200

    reused = requests.post(f"{url}/auth/refresh", json={"refresh_token": first["refresh_token"]}, timeout=30)
    assert reused.status_code == 401 and reused.json()["code"] == "refresh_reused"
    assert "作废" in reused.json()["title"]
    for token in (first["access_token"], second["access_token"]):
        answer = requests.get(f"{url}/me", headers=bearer(token), timeout=30)
        assert answer.status_code == 401 and answer.json()["code"] == "token_revoked"
    again = requests.post(f"{url}/auth/refresh", json={"refresh_token": second["refresh_token"]}, timeout=30)
    assert again.status_code == 401 and again.json()["code"] == "token_revoked"


def test_signing_out_ends_the_access_and_the_refresh_token(platform):
    tokens = sign_in(platform, "ytl-admin").json()
    url = f"{platform.url}/api/v1"
    assert requests.post(f"{url}/auth/logout", headers=bearer(tokens["access_token"]), timeout=30).status_code == 204
    me = requests.get(f"{url}/me", headers={**bearer(tokens["access_token"]), "Accept-Language": "en"}, timeout=30)
    assert me.status_code == 401 and me.json()["title"] == "This sign-in has been signed out or revoked; sign in again."
    refresh = requests.post(f"{url}/auth/refresh", json={"refresh_token": tokens["refresh_token"]}, timeout=30)
    assert refresh.status_code == 401 and refresh.json()["code"] == "token_revoked"
    forged = requests.get(f"{url}/me", headers=bearer("not.a.token"), timeout=30)
    assert forged.status_code == 401 and forged.json()["code"] == "unauthorized"


def test_ten_wrong_passwords_lock_the_account_with_a_clear_message_and_the_lock_lifts(platform):
    for _ in range(9):
        wrong = sign_in(platform, "ytl-ul-44-2", "not-the-password")
        assert wrong.status_code == 401 and wrong.json()["code"] == "bad_credentials"
    locked_at = datetime.now(SHANGHAI)
    tenth = sign_in(platform, "ytl-ul-44-2", "not-the-password")
    assert tenth.status_code == 429, tenth.text
    assert tenth.headers["Content-Type"].startswith("application/problem+json")
    assert 1 <= int(tenth.headers["Retry-After"]) <= LOCK_S
    title = tenth.json()["title"]
    assert title.startswith("账号“ytl-ul-44-2”因连续 10 次密码错误已被锁定,请于 ") and "(北京时间)之后再试" in title
    until = datetime.strptime(re.search(r"请于 (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)", title).group(1), "%Y-%m-%d %H:%M:%S")
    assert abs(until.replace(tzinfo=SHANGHAI) - (locked_at + timedelta(seconds=LOCK_S))) < timedelta(seconds=5)

    right_but_locked = sign_in(platform, "ytl-ul-44-2", lang="en")
    assert right_but_locked.status_code == 429
    assert re.fullmatch(r"Account 'ytl-ul-44-2' is locked after 10 wrong passwords in a row; try again after "
                        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(Asia/Shanghai time\)\.", right_but_locked.json()["title"])

    time.sleep(int(right_but_locked.headers["Retry-After"]) + 0.5)
    assert sign_in(platform, "ytl-ul-44-2").status_code == 200


def test_one_address_cannot_try_without_limit(platform):
    address = "203.0.113.9"
    for n in range(ADDRESS_LIMIT):
        assert sign_in(platform, f"nobody-{n}", "guess", address=address).status_code == 401
    refused = sign_in(platform, "ytl-bl-45", address=address)  # even the right password
    assert refused.status_code == 429 and refused.json()["code"] == "too_many_attempts"
    assert int(refused.headers["Retry-After"]) > 0 and "北京时间" in refused.json()["title"]
    assert sign_in(platform, "ytl-bl-45", address="198.51.100.4").status_code == 200  # another address is not held


def total_reports(admin) -> int:
    return admin.get("/api/v1/reports").json()["total"]


def test_a_retried_report_with_the_same_idempotency_key_creates_one_report(as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    before = total_reports(admin)
    key = {"Idempotency-Key": "c0ffee-report-1"}
    first = reporter.post("/api/v1/reports", json=GOOD, headers=key)
    assert first.status_code == 201, first.text
    retried = reporter.post("/api/v1/reports", json=GOOD, headers=key)
    assert retried.status_code == 201 and retried.headers["Idempotent-Replayed"] == "true"
    assert retried.json() == first.json() and retried.headers["Location"] == first.headers["Location"]
    assert total_reports(admin) == before + 1

    changed = reporter.post("/api/v1/reports", json={**GOOD, "description": "另一件事"}, headers=key)
    assert changed.status_code == 422
    assert changed.json()["errors"][0]["field"] == "Idempotency-Key"
    assert total_reports(admin) == before + 1
    assert reporter.post("/api/v1/reports", json=GOOD).status_code == 201  # no key: works as always
    assert total_reports(admin) == before + 2


def test_concurrent_duplicates_create_one_report_and_the_rest_wait_or_replay(as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    before = total_reports(admin)
    answers = []

    def post():
        answers.append(requests.post(f"{reporter.base_url}/api/v1/reports", json=GOOD, timeout=30,
                                     headers={**reporter.http.headers, "Idempotency-Key": "c0ffee-burst"}))

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted({a.status_code for a in answers}) in ([201], [201, 409]), [a.text for a in answers]
    assert sum(1 for a in answers if a.status_code == 201 and "Idempotent-Replayed" not in a.headers) == 1
    assert all(a.json()["code"] == "idempotency_in_flight" for a in answers if a.status_code == 409)
    assert total_reports(admin) == before + 1


def test_the_audit_log_shows_the_office_who_did_what_in_its_community_only(platform, as_user):
    created = as_user("ytl-bl-44").post("/api/v1/reports", json=GOOD).json()["report"]
    sign_in(platform, "ytl-bl-44", "wrong")
    jqs_report = as_user("jqs-admin").post("/api/v1/reports", json={**GOOD, "building": None,
                                                                    "address": "金雀山路 1 号"})
    assert jqs_report.status_code == 201, jqs_report.text

    office = as_user("ytl-admin")
    entries = office.get("/api/v1/audit", params={"actor": "ytl-bl-44", "per_page": 200}).json()
    assert entries["total"] >= 2 and all(e["actor"]["community"] == "ytl" for e in entries["items"])
    creates = [e for e in entries["items"] if e["action"] == "reports:create" and e["target"] == created["id"]]
    assert creates and creates[0]["method"] == "POST" and creates[0]["status"] == 201
    assert {k: v for k, v in creates[0]["actor"].items() if k != "ref"} == {
        "kind": "account", "id": "ytl-bl-44", "role": "building_leader", "community": "ytl"}
    assert creates[0]["at"].endswith("+08:00") and creates[0]["address"]
    failures = office.get("/api/v1/audit", params={"action": "auth:sign_in", "actor": "ytl-bl-44"}).json()["items"]
    assert any(e["status"] == 401 for e in failures) and any(e["status"] == 200 for e in failures)
    everything = office.get("/api/v1/audit", params={"per_page": 200}).json()
    assert all(e["actor"]["community"] == "ytl" for e in everything["items"])
    assert not any(e["actor"]["id"] == "jqs-admin" for e in everything["items"])
    paged = office.get("/api/v1/audit", params={"per_page": 1, "page": 2}).json()
    assert len(paged["items"]) == 1 and paged["total"] == everything["total"]
    future = office.get("/api/v1/audit", params={"since": "2099-01-01T00:00:00+08:00"}).json()
    assert future["total"] == 0

    district = as_user("district-it").get("/api/v1/audit", params={"per_page": 200}).json()
    assert {"ytl", "jqs"} <= {e["actor"]["community"] for e in district["items"]}
    # No personal data: no account ids (a pseudonym the office sees too), networks not addresses, no bodies.
    assert all("id" not in e["actor"] for e in district["items"])
    assert creates[0]["actor"]["ref"] in {e["actor"]["ref"] for e in district["items"]}
    assert all(e["address"].endswith("/24") for e in district["items"] if e["address"])
    assert "ytl-bl-44" not in str(district) and "44号楼" not in str(district)

    assert as_user("ytl-44-1-01").get("/api/v1/audit").status_code == 403
    assert office.get("/api/v1/audit", params={"since": "yesterday"}).status_code == 422


def test_district_it_sees_health_and_parked_events_and_can_replay(as_user):
    it = as_user("district-it")
    health = it.get("/api/v1/ops/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert set(health.json()["services"]) == {"reporting", "dispatch", "mediation", "scoring"}
    parked = it.get("/api/v1/ops/parked").json()
    queue = next(item for item in parked["items"] if item["queue"] == "dispatch--reporting.report.created")
    assert queue["parked"] == 0
    replayed = it.post("/api/v1/ops/parked/dispatch--reporting.report.created/replay")
    assert replayed.status_code == 200 and replayed.json() == {"queue": queue["queue"], "replayed": 0}
    assert it.post("/api/v1/ops/parked/no.such.queue/replay").status_code == 404
    assert as_user("ytl-admin").get("/api/v1/ops/parked").status_code == 403
    assert it.get("/api/v1/reports").status_code == 403  # no personal data for district IT
