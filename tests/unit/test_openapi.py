"""The OpenAPI document: valid against the specification, and complete — every route the gateway
serves is in it, documented by the one convention (@documented), with its security and problems."""
import pytest
from flask import g
from openapi_spec_validator import validate

from gateway.app import create_app
from gateway.openapi import SKIPPED_METHODS, _path_of, build
from gateway.problems import Problem
from shared.config import component_config
from shared.contracts.validation import Request

# Two schemas under one name would be renamed silently by apispec (Location1): that is an error here.
pytestmark = pytest.mark.filterwarnings("error::UserWarning")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("gateway")
    return create_app({**component_config("gateway"), "DATABASE_URL": f"sqlite:///{folder / 'gateway.db'}",
                       "SECRET_KEY": "test-only-" + "k" * 32, "RPC_TIMEOUT_S": 1, "RPC_POOL_SIZE": 1})


@pytest.fixture(scope="module")
def document(app):
    return build(app)


def routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - SKIPPED_METHODS):
            yield rule, method.lower()


def test_the_document_is_valid_openapi(document):
    validate(document)
    assert document["openapi"].startswith("3.")


def test_every_route_in_the_url_map_is_in_the_document(app, document):
    missing = [f"{method.upper()} {rule.rule}" for rule, method in routes(app)
               if method not in document["paths"].get(_path_of(rule.rule)[0], {})]
    assert not missing
    assert len(list(routes(app))) >= 40


def test_every_route_follows_the_convention(app):
    undocumented = [rule.rule for rule in app.url_map.iter_rules()
                    if getattr(app.view_functions[rule.endpoint], "openapi", None) is None]
    assert not undocumented, "add @documented(...) to these routes (see gateway/openapi.py)"
    without_answer = [rule.rule for rule in app.url_map.iter_rules()
                      if (doc := app.view_functions[rule.endpoint].openapi).returns is None
                      and doc.media_type == ("application/json",) and doc.status not in doc.extra_responses]
    assert not without_answer, "name the schema of what these routes answer: @documented(returns=...)"


def test_security_follows_the_route(document):
    paths = document["paths"]
    assert paths["/api/v1/reports"]["post"]["security"] == [{"bearer": []}]
    assert paths["/api/v1/reports/{report_id}"]["get"]["description"].startswith("Permission: `reports:read` (roles:")
    assert "grid_worker" in paths["/api/v1/reports/{report_id}/verification"]["post"]["description"]
    assert paths["/api/v1/auth/token"]["post"]["security"] == []
    assert paths["/api/v1/public/{community}/publication/{period}"]["get"]["security"] == []
    assert paths["/open311/v2/requests.{fmt}"]["post"]["security"] == [{"api_key": []}]
    assert paths["/open311/v2/requests.{fmt}"]["get"]["security"] == []
    assert set(document["components"]["securitySchemes"]) == {"bearer", "api_key"}


def test_requests_answers_and_problems_are_described(document):
    create = document["paths"]["/api/v1/reports"]["post"]
    body = create["requestBody"]["content"]["application/json"]["schema"]
    assert body == {"$ref": "#/components/schemas/NewReport"}
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/ReportCreated")
    assert set(create["responses"]) == {"200", "201", "400", "401", "403", "409", "413", "422", "503"}
    assert "application/problem+json" in create["responses"]["422"]["content"]
    verify = document["paths"]["/api/v1/reports/{report_id}/verification"]["post"]["responses"]
    assert {"404", "409"} <= set(verify)
    upload = document["paths"]["/api/v1/media"]["post"]
    assert "multipart/form-data" in upload["requestBody"]["content"] and "415" in upload["responses"]
    listing = document["paths"]["/api/v1/reports"]["get"]
    assert {p["name"] for p in listing["parameters"]} >= {"status", "page", "per_page", "created_from"}
    open311 = document["paths"]["/open311/v2/requests.{fmt}"]["post"]
    assert "application/x-www-form-urlencoded" in open311["requestBody"]["content"]
    assert {"400", "403", "404", "429"} <= set(open311["responses"])
    assert set(open311["responses"]["403"]["content"]) == {"application/json", "text/xml"}


def test_the_gateway_serves_the_document_and_offline_docs(app, document):
    client = app.test_client()
    served = client.get("/openapi.json")
    assert served.status_code == 200 and served.get_json()["paths"].keys() == document["paths"].keys()
    page = client.get("/docs")
    assert page.status_code == 200 and b"/docs/assets/swagger-ui-bundle.js" in page.data
    assert b"http://" not in page.data and b"https://" not in page.data  # nothing from the internet
    for asset in ("swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "swagger-ui.css"):
        answer = client.get(f"/docs/assets/{asset}")
        assert answer.status_code == 200 and len(answer.data) > 1000, asset
        answer.close()
    assert client.get("/docs/assets/nothing-here.js").status_code == 404


def test_every_route_that_documents_a_request_body_checks_it_with_that_schema_before_any_call(app, monkeypatch):
    """Bad input is answered at the edge, field by field, by the schema the route's @documented names:
    a body with a field that schema does not know is a 422 before any service is called."""
    def no_call(*_args):
        raise AssertionError("a service was called with a body nobody checked")

    for name in ("api", "desk"):
        monkeypatch.setattr(f"gateway.{name}.call", no_call)
    checked = []
    for rule, method in routes(app):
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "openapi", None)
        if doc is None or not (isinstance(doc.body, type) and issubclass(doc.body, Request)):
            continue
        with app.test_request_context(rule.rule, method=method.upper(), json={"no_such_field": 1}):
            g.caller = {"account_id": "a", "role": "community_admin", "name": "n", "community": "ytl"}
            with pytest.raises(Problem) as answered:
                view.__wrapped__(**dict.fromkeys(rule.arguments, "x"))
        assert (answered.value.status, answered.value.code) == (422, "invalid_input"), rule.rule
        assert {"field": "no_such_field", "code": "unknown_field", "params": {}} in answered.value.errors, rule.rule
        checked.append(f"{method.upper()} {rule.rule}")
    assert "POST /api/v1/ledger" in checked and "POST /api/v1/fund-periods" in checked
