"""When the gateway does not answer, the console says so in Chinese with what to do next, and the
outbox is told to keep the item: a real console against a port nothing listens on."""
import re

import pytest

from deploy.local import free_port
from shared.migrations import upgrade
from web.app import create_app


@pytest.fixture
def console(tmp_path, monkeypatch):
    database = f"sqlite:///{tmp_path / 'web.db'}"
    monkeypatch.setenv("WEB_DATABASE_URL", database)
    upgrade(["web"])
    app = create_app({"DATABASE_URL": database, "GATEWAY_URL": f"http://127.0.0.1:{free_port()}",
                      "SECRET_KEY": "local-development-only-secret", "SESSION_IDLE_S": 3600, "DEMO_PASSWORD": "",
                      "GATEWAY_TIMEOUT_S": 2, "MAX_REQUEST_BYTES": 1_000_000, "TRUSTED_PROXY_HOPS": 0})
    return app.test_client()


def csrf_of(page: str) -> str:
    return re.search(r'name="csrf_token" value="([0-9a-f]+)"', page).group(1)


def test_signing_in_while_the_gateway_is_down_explains_it_and_what_to_do(console):
    token = csrf_of(console.get("/signin").get_data(as_text=True))
    answer = console.post("/signin", data={"csrf_token": token, "username": "zhangyan", "password": "x"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 503
    assert "平台暂时连接不上" in page and "您填写的内容没有丢失" in page


def test_the_outbox_is_told_to_keep_an_item_it_could_not_deliver(console):
    token = csrf_of(console.get("/signin").get_data(as_text=True))
    answer = console.post("/signin", data={"csrf_token": token, "username": "zhangyan", "password": "x"},
                          headers={"Accept": "application/json"})
    assert answer.status_code == 503 and answer.get_json()["title"] == "平台暂时连接不上"


def test_a_form_without_the_token_is_refused_before_anything_is_sent(console):
    console.get("/signin")
    answer = console.post("/signin", data={"username": "zhangyan", "password": "x"})
    assert answer.status_code == 400 and "页面已过期" in answer.get_data(as_text=True)


def test_english_on_request(console):
    page = console.get("/signin?lang=en").get_data(as_text=True)
    assert "Sign in to the grid governance platform" in page and '<html lang="en">' in page
