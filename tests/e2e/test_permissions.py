"""The permission table, walked against the live platform: every role (one demo
account each) against every route of the gateway's url_map — so a route added
later is covered without touching this test — is allowed (never 401, never the
role refusal ``forbidden_role``; the owning service may still refuse out of scope,
say a station's staff on another station's work) or refused (403 forbidden_role,
before anything is looked up) exactly as gateway/permissions.py says;
without a token every non-public route is 401.

Path parameters get a placeholder id; bodies are empty JSON objects, so nothing
is created: allowed callers get 404 or 422, never a state change."""
import re

import pytest
import requests

from gateway.app import create_app
from gateway.open311 import FORMAT
from gateway.permissions import PERMISSIONS, route_actions
from shared.config import component_config
from shared.contracts.roles import ROLES

pytestmark = pytest.mark.e2e

PLACEHOLDER = "00000000-0000-0000-0000-000000000000"
ACCOUNT_OF_ROLE = {
    "resident": "ytl-44-1-01",
    "volunteer": "ytl-vol-41-1-a",
    "unit_leader": "ytl-ul-44-1",
    "building_leader": "ytl-bl-44",
    "grid_worker": "zhangyan",
    "grid_leader": "ytl-gl-04",
    "property_staff": "wuli",
    "community_admin": "ytl-admin",
    "party_secretary": "ytl-secretary",
    "street_platform": "lanshan-street",
    "review_group": "ytl-review-01",
    "district_it": "district-it",
    "station_staff": "ytl-reception",
}
MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def routes() -> list[tuple[str, str, str, str]]:
    """(url path with placeholders, method, action, kind) of every route."""
    app = create_app({**component_config("gateway"), "DATABASE_URL": "sqlite://"})
    return [(re.sub(r"<(?:[^:>]+:)?[^>]+>", PLACEHOLDER, path.replace(FORMAT, "json")), method, action, kind)
            for path, method, action, kind in route_actions(app)]


ROUTES = routes()


def send(base_url: str, method: str, path: str, headers: dict) -> requests.Response:
    body = {"json": {}} if method in ("POST", "PUT", "PATCH") else {}
    return requests.request(method, base_url + path, headers=headers, timeout=30, **body)


def test_every_role_has_a_demo_account_here():
    assert set(ACCOUNT_OF_ROLE) == set(ROLES)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_against_each_route_is_allowed_or_refused_as_the_table_says(as_user, role):
    user = as_user(ACCOUNT_OF_ROLE[role])
    assert user.get("/api/v1/me").json()["role"] == role
    wrong = []
    for path, method, action, kind in ROUTES:
        if kind != "role":
            continue  # public and API-key routes do not look at the bearer's role (see the anonymous test)
        answer = send(user.base_url, method, path, dict(user.http.headers))
        refused_by_role = answer.status_code == 403 and answer.json()["code"] == "forbidden_role"
        if role in PERMISSIONS[action]:
            ok = answer.status_code != 401 and not refused_by_role and answer.status_code < 500
        else:
            ok = refused_by_role  # the role is checked before the route looks anything up
        if not ok:
            wrong.append(f"{method} {path} [{action}] -> {answer.status_code} {answer.text[:200]}")
        if role == "district_it" and answer.ok:
            assert not MOBILE.search(answer.text), f"district IT saw a phone number in {method} {path}"
    assert not wrong, f"{role} ({ACCOUNT_OF_ROLE[role]}):\n" + "\n".join(wrong)


def test_without_a_token_every_non_public_route_is_401_and_public_ones_answer(platform):
    wrong = []
    for path, method, action, kind in ROUTES:
        answer = send(platform.url, method, path, {})
        if kind == "role":
            ok = answer.status_code == 401 and answer.json()["code"] == "unauthorized"
        elif kind == "public":
            # Sign-out takes a token as its credential; every other public route answers anyone.
            ok = answer.status_code < 500 and answer.status_code != 403 and (
                answer.status_code != 401 or action == "auth:sign_out")
        else:  # an API-key route refuses a caller without a key
            ok = answer.status_code in (400, 401, 403)
        if not ok:
            wrong.append(f"{method} {path} [{action}] -> {answer.status_code} {answer.text[:200]}")
        assert not MOBILE.search(answer.text), f"an anonymous caller saw a phone number in {method} {path}"
    assert not wrong, "\n".join(wrong)
