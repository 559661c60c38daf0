"""The gateway's edge checks, driven by Hypothesis: whatever text, numbers, dates and nesting come in,
the answer is a 4xx problem naming the field, never a 5xx."""
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.app import create_app
from gateway.input_checks import MAX_DEPTH, depth
from shared.config import component_config
from shared.contracts import rpc
from shared.contracts.errors import InvalidInput
from shared.contracts.validation import load
from shared.migrations import upgrade

ANY_TEXT = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF), max_size=40)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def client(tmp_path_factory, monkeypatch_module):
    folder = tmp_path_factory.mktemp("edge")
    url = f"sqlite:///{folder / 'gateway.db'}"
    monkeypatch_module.setenv("GATEWAY_DATABASE_URL", url)
    upgrade(["gateway"])
    app = create_app({**component_config("gateway"), "DATABASE_URL": url, "SECRET_KEY": "test-only-" + "k" * 32})
    return app.test_client()


@pytest.fixture(scope="module")
def monkeypatch_module():
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@FUZZ
@given(username=ANY_TEXT, password=ANY_TEXT)
def test_any_sign_in_text_is_answered_without_a_5xx(client, username, password):
    body = json.dumps({"username": username, "password": password})  # lone surrogates travel as \\ud800
    answer = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert answer.status_code < 500
    if "\x00" in username or any(0xD800 <= ord(c) <= 0xDFFF for c in username):
        assert answer.status_code == 422
        assert {"field": "username", "code": "invalid_text"}.items() <= answer.get_json()["errors"][0].items()


@FUZZ
@given(levels=st.integers(min_value=1, max_value=5000), opener=st.sampled_from(["[", '{"a":']))
def test_nesting_beyond_the_bound_is_refused_before_it_is_parsed(client, levels, opener):
    closer = "]" if opener == "[" else "}"
    body = opener * levels + "1" + closer * levels
    answer = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert answer.status_code < 500
    assert (answer.get_json()["code"] == "too_deeply_nested") == (levels > MAX_DEPTH)


@given(st.recursive(st.none() | st.integers() | ANY_TEXT, lambda inner: st.lists(inner) | st.dictionaries(
    ANY_TEXT, inner), max_leaves=30))
def test_depth_counts_brackets_outside_strings(document):
    text = json.dumps(document)

    def nesting(value) -> int:
        children = value.values() if isinstance(value, dict) else value if isinstance(value, list) else None
        return 0 if children is None else 1 + max((nesting(child) for child in children), default=0)

    assert depth(text.encode()) == nesting(document)


@FUZZ
@given(created_from=ANY_TEXT | st.datetimes(timezones=st.timezones()).map(lambda moment: moment.isoformat()),
       page=ANY_TEXT | st.integers().map(str))
def test_the_report_filter_refuses_or_takes_any_moment_and_page(created_from, page):
    try:
        loaded = load(rpc.ReportFilter, {"created_from": created_from, "page": page})
    except InvalidInput as refused:
        assert {error["field"] for error in refused.errors} <= {"created_from", "page"}
    else:
        assert 1970 <= loaded["created_from"].year <= 2100 and 1 <= loaded["page"] <= 100_000
