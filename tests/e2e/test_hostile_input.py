"""Hostile input through the real gateway: every one a 4xx problem naming its field, never a 500,
and nothing stored. (Hypothesis drives the edge schemas in tests/unit/test_input_checks.py.)"""
import socket
from urllib.parse import urlparse

import pytest
import requests

from tests.e2e.test_bad_input import assert_problem, total_reports

pytestmark = pytest.mark.e2e

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
GOOD = {"category": "sanitation.garbage", "description": "44号楼下垃圾桶满溢", "building": "44"}


@pytest.mark.parametrize(("raw_description", "why"), [
    ('"44\\u0000号楼"', "NUL"),
    ('"44号楼\\ud800"', "lone surrogate"),
], ids=["nul", "lone-surrogate"])
def test_text_that_cannot_be_stored_is_refused_by_name(as_user, raw_description, why):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    before = total_reports(admin)
    body = '{"category": "sanitation.garbage", "building": "44", "description": %s}' % raw_description
    answer = reporter.post("/api/v1/reports", data=body.encode(), headers={"Content-Type": "application/json"})
    assert_problem(answer, 422, "description", "invalid_text")
    assert total_reports(admin) == before


def test_a_nul_in_the_sign_in_username_is_refused_before_anyone_is_looked_up(platform):
    answer = requests.post(f"{platform.url}/api/v1/auth/token", json={"username": "ytl\x00admin", "password": "x"},
                           timeout=10)
    assert_problem(answer, 422, "username", "invalid_text")


def test_a_nul_in_the_path_or_the_query_is_refused(as_user):
    admin = as_user("ytl-admin")
    assert_problem(admin.get("/api/v1/reports/abc%00def"), 422, "report_id", "invalid_text")
    assert_problem(admin.get("/api/v1/reports?grid=g%0004"), 422, "grid", "invalid_text")


@pytest.mark.parametrize(("user", "path", "field", "code"), [
    ("ytl-admin", "/api/v1/reports?created_from=0001-01-01T00:00:00%2B14:00", "created_from", "date_out_of_range"),
    ("ytl-admin", "/api/v1/reports?created_to=9999-12-31T23:59:59-14:00", "created_to", "date_out_of_range"),
    ("ytl-admin", "/api/v1/figures?period_from=0001-01-01T00:00:00%2B08:00&period_to=2026-12-01T00:00:00%2B08:00",
     "period_from", "date_out_of_range"),
    ("district-it", "/api/v1/audit?since=0001-01-01T00:00:00%2B14:00", "since", "date_out_of_range"),
    ("ytl-admin", "/api/v1/reports?page=%C2%B2", "page", "wrong_type"),
    ("ytl-admin", f"/api/v1/reports?page={2 ** 70}", "page", "invalid_value"),
    ("district-it", "/api/v1/audit?page=%C2%B2", "page", "wrong_type"),
    ("district-it", f"/api/v1/audit?page={2 ** 70}", "page", "number_out_of_range"),
    ("ytl-admin", "/api/v1/calendar?year=%C2%B2", "year", "required"),
    ("ytl-admin", "/api/v1/calendar?year=99999", "year", "number_out_of_range"),
], ids=["created-from-year-1", "created-to-year-9999", "figures-year-1", "audit-since-year-1", "page-superscript",
        "page-70-bits", "audit-page-superscript", "audit-page-70-bits", "year-superscript", "year-99999"])
def test_numbers_and_dates_out_of_range_are_refused_by_name(as_user, user, path, field, code):
    assert_problem(as_user(user).get(path), 422, field, code)


def test_a_body_nested_100000_deep_is_refused(as_user):
    reporter = as_user("ytl-bl-44")
    body = b'{"attributes": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    answer = reporter.post("/api/v1/reports", data=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 400 and answer.json()["code"] == "too_deeply_nested", answer.text


def test_a_422_names_every_bad_field(as_user):
    answer = as_user("ytl-bl-44").post("/api/v1/reports", json={
        **GOOD, "building": None, "urgent": "maybe", "latitude": "north"})
    named = {e["field"] for e in assert_problem(answer, 422, "urgent", "wrong_type")["errors"]}
    assert named == {"urgent", "latitude", "location"}


def raw_request(platform, head: bytes) -> tuple[int, dict, bytes]:
    address = urlparse(platform.url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(head)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    headers_text, _, body = rest.partition(b"\r\n\r\n")
    headers = dict(line.split(": ", 1) for line in headers_text.decode("latin-1").split("\r\n") if ": " in line)
    return int(status_line.split()[1]), headers, body


@pytest.mark.parametrize(("head", "status", "code"), [
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 414, "uri_too_long"),
    (b"GET /livez HTTP/1.1\r\nHost: x\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 431, "headers_too_large"),
], ids=["414", "431"])
def test_gunicorns_own_limits_answer_in_problem_json(platform, head, status, code):
    got, headers, body = raw_request(platform, head)
    assert got == status
    assert headers["Content-Type"].startswith("application/problem+json")
    assert code in body.decode()


def test_a_report_on_a_building_the_community_does_not_have_is_refused(as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    before = total_reports(admin)
    answer = reporter.post("/api/v1/reports", json={**GOOD, "building": "99"})
    assert_problem(answer, 422, "building", "unknown_building")
    assert total_reports(admin) == before


def test_a_photo_is_seen_by_those_who_may_see_its_report_and_no_other_household(as_user):
    resident, neighbour, leader = as_user("ytl-44-1-01"), as_user("ytl-44-1-02"), as_user("ytl-bl-44")
    photo = resident.post("/api/v1/media", files={"file": ("stairs.png", PNG, "image/png")}).json()["url"]
    assert resident.get(photo).status_code == 200  # its uploader
    assert neighbour.get(photo).status_code == 404  # before it belongs to any report
    created = resident.post("/api/v1/reports", json={**GOOD, "unit": "1", "photos": [photo]})
    assert created.status_code == 201, created.text
    assert leader.get(photo).status_code == 200  # the building's leader sees the building's reports
    assert_problem(neighbour.get(photo), 404, "media_id", "media_not_found")  # another household does not
