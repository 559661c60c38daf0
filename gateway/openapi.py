"""The OpenAPI 3 document at /openapi.json, built from the routes themselves, and /docs.

The convention every route follows: under its ``@blueprint.<method>(...)`` line and above
``@requires(...)``, one ``@documented(...)`` names the marshmallow schemas of what it takes and
what it answers::

    @blueprint.post("/api/v1/reports/<report_id>/verification")
    @documented(body=rpc.Verification, returns=views.ReportWithTimeline, problems=(409,))
    @requires("reports:verify")
    def verify_report(report_id): ...

- ``body``: the request schema the route validates with (a shared contract), JSON by default;
  ``body_type`` for a form or an upload. ``query``: the schema of its query string.
- ``returns`` and ``status``: the answer's schema and status (None for an empty answer);
  ``media_type`` when the answer is not JSON (an image, a page).
- ``problems``: the problem statuses the route answers beyond those that follow from its shape,
  which are added by themselves: 401 and 403 for a route behind ``@requires`` (bearer token),
  404 with a path parameter, 400/413/422 with a body, 422 with a query, 503 when it calls a service
  (``calls_service=False`` when it does not); ``auto_problems=False`` lists them all by hand.
- ``security``: by default bearer behind ``@requires`` and none otherwise.

The document walks ``app.url_map``: a route without ``@documented`` still appears (with a bare
answer), and tests/unit/test_openapi.py fails until it is documented.
"""
import re
from dataclasses import dataclass, field
from pathlib import Path

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, current_app, jsonify, send_from_directory
from marshmallow import fields as marshmallow_fields
from werkzeug.exceptions import NotFound

from gateway import views
from gateway.permissions import PERMISSIONS, action_of, public

AUTO = "auto"
PROBLEM_JSON = "application/problem+json"
ALL_PROBLEMS = {
    400: "The body is not what this route reads (not JSON, not a form).",
    401: "Missing or invalid access token.",
    403: "The caller's role, or key, may not do this.",
    404: "No such record, or one the caller may not see.",
    409: "The record's state does not allow this now.",
    413: "The request, or an upload, is too large.",
    415: "The upload is not a JPEG, PNG or WebP image.",
    422: "Input that breaks the rules; each field at fault is named.",
    429: "Too many requests; wait for Retry-After seconds.",
    503: "A service is down or too slow; try again shortly.",
}
SECURITY_SCHEMES = {
    "bearer": {"type": "http", "scheme": "bearer",
               "description": "An access token from POST /api/v1/auth/token."},
    "api_key": {"type": "apiKey", "in": "query", "name": "api_key",
                "description": "A partner's or app's API key (python -m gateway.keys create); Open311 also "
                               "takes it as the api_key form field."},
}
PATH_PARAMETER = re.compile(r"<(?:(?P<converter>\w+)(?:\((?P<args>[^)]*)\))?:)?(?P<name>\w+)>")
SKIPPED_METHODS = {"HEAD", "OPTIONS"}


@dataclass(frozen=True)
class RouteDoc:
    summary: str | None = None
    body: object = None
    body_type: str = "application/json"
    query: object = None
    returns: object = None
    status: int = 200
    media_type: tuple[str, ...] = ("application/json",)
    problems: tuple[int, ...] = ()
    problem_schema: object = views.Problem
    problem_media_type: tuple[str, ...] = (PROBLEM_JSON,)
    security: str | None = AUTO
    calls_service: bool = True
    tags: tuple[str, ...] = ()
    extra_responses: dict = field(default_factory=dict)
    auto_problems: bool = True


def documented(*, returns=None, status: int = 200, body=None, body_type: str = "application/json", query=None,
               problems: tuple[int, ...] = (), media_type: str | tuple[str, ...] = "application/json",
               summary: str | None = None, security: str | None = AUTO, calls_service: bool = True,
               problem_schema=views.Problem, problem_media_type: str | tuple[str, ...] = PROBLEM_JSON,
               tags: tuple[str, ...] = (), extra_responses: dict | None = None, auto_problems: bool = True):
    """Mark a view with what it takes and answers; see the module's docstring."""
    def as_tuple(value) -> tuple:
        return (value,) if isinstance(value, str) else tuple(value)

    def mark(view):
        view.openapi = RouteDoc(summary, body, body_type, query, returns, status, as_tuple(media_type),
                                tuple(problems), problem_schema, as_tuple(problem_media_type), security,
                                calls_service, tuple(tags), dict(extra_responses or {}), auto_problems)
        return view

    return mark


def _schema_name(schema) -> str:
    """A nested answer schema is named with its parent (CaseFile.Party -> CaseFileParty), so names stay unique."""
    cls = schema if isinstance(schema, type) else type(schema)
    return cls.__qualname__.replace(".", "")


def build(app, title: str = "Grid governance platform (网格化管理平台) API", version: str = "1") -> dict:
    """The OpenAPI 3.0 document of every route in ``app.url_map``."""
    marshmallow = MarshmallowPlugin(schema_name_resolver=_schema_name)
    spec = APISpec(
        title=title, version=version, openapi_version="3.0.3", plugins=[marshmallow],
        info={"description": "HTTP JSON under /api/v1 (bearer tokens), Open311 GeoReport v2 under /open311/v2 "
                             "(API keys), errors as application/problem+json (RFC 9457) in Chinese, or English "
                             "with Accept-Language: en."},
    )
    marshmallow.converter.add_attribute_function(_amounts)
    for name, scheme in SECURITY_SCHEMES.items():
        spec.components.security_scheme(name, scheme)
    spec.components.schema("Problem", schema=views.Problem)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        doc: RouteDoc = getattr(view, "openapi", None) or RouteDoc(calls_service=False)
        path, parameters = _path_of(rule.rule)
        operations = {}
        for method in sorted(rule.methods - SKIPPED_METHODS):
            operations[method.lower()] = _operation(rule, view, doc, parameters)
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _amounts(self, field, ret, **_kwargs) -> dict:
    """Amounts in yuan (Decimal fields) are taken as "123.45" or as a number, never below zero."""
    if isinstance(field, marshmallow_fields.Decimal):
        nullable = ret.pop("nullable", None)
        for key in ("type", "minimum", "maximum", "format"):
            ret.pop(key, None)
        ret["anyOf"] = [{"type": "string", "pattern": r"^[0-9]+(\.[0-9]{1,2})?$"}, {"type": "number", "minimum": 0}]
        if "default" in ret:
            ret["default"] = str(ret["default"])
        if nullable:
            ret["nullable"] = True
    return {}


def _path_of(rule: str) -> tuple[str, list[dict]]:
    parameters = []

    def replace(match):
        name, converter, args = match.group("name"), match.group("converter"), match.group("args")
        schema = {"type": "string"}
        if converter == "any" and args:
            schema["enum"] = [a.strip().strip("'\"") for a in args.split(",")]
        elif converter == "int":
            schema = {"type": "integer"}
        parameters.append({"in": "path", "name": name, "required": True, "schema": schema})
        return "{" + name + "}"

    return PATH_PARAMETER.sub(replace, rule), parameters


def _operation(rule, view, doc: RouteDoc, path_parameters: list[dict]) -> dict:
    action, kind = action_of(view)
    security = doc.security
    if security == AUTO:
        security = {"role": "bearer", "api_key": "api_key"}.get(kind)
    summary = doc.summary or (view.__doc__ or "").strip().split("\n")[0] or view.__name__.replace("_", " ")
    operation = {
        "operationId": rule.endpoint.replace(".", "_"),
        "summary": summary,
        "tags": list(doc.tags) or [_tag_of(rule.rule)],
        "parameters": list(path_parameters),
        "responses": {},
    }
    if kind == "role":
        roles = ", ".join(sorted(PERMISSIONS.get(action, ())))
        operation["description"] = f"Permission: `{action}` (roles: {roles})."
    operation["security"] = [{security: []}] if security else []
    if doc.query is not None:
        operation["parameters"].append({"in": "query", "schema": doc.query})
    if doc.body is not None:
        schema = doc.body
        operation["requestBody"] = {"required": True, "content": {doc.body_type: {"schema": schema}}}
    answer = {"description": _status_text(doc.status)}
    if doc.returns is not None:
        answer["content"] = {m: {"schema": doc.returns} for m in doc.media_type}
    elif doc.media_type and doc.media_type[0] not in ("application/json",):
        answer["content"] = {m: {"schema": {"type": "string", "format": "binary"}} for m in doc.media_type}
    operation["responses"][str(doc.status)] = answer
    for status, response in doc.extra_responses.items():
        operation["responses"][str(status)] = response
    for status in sorted(_problems_of(doc, security, path_parameters)):
        operation["responses"].setdefault(str(status), {
            "description": ALL_PROBLEMS.get(status, "A problem."),
            "content": {m: {"schema": doc.problem_schema} for m in doc.problem_media_type},
        })
    return operation


def _problems_of(doc: RouteDoc, security: str | None, path_parameters: list[dict]) -> set[int]:
    problems = set(doc.problems)
    if not doc.auto_problems:
        return problems
    if security == "bearer":
        problems |= {401, 403}
    if security == "api_key":
        problems |= {403, 429}
    if path_parameters:
        problems.add(404)
    if doc.body is not None:
        problems |= {400, 413, 422}
    if doc.query is not None:
        problems.add(422)
    if doc.calls_service:
        problems.add(503)
    return problems


def _tag_of(rule: str) -> str:
    parts = [p for p in rule.split("/") if p and not p.startswith("<")]
    if parts[:2] == ["api", "v1"] and len(parts) > 2:
        return parts[2]
    if parts[:1] == ["open311"]:
        return "open311"
    return "operations"


def _status_text(status: int) -> str:
    return {200: "OK", 201: "Created", 204: "No content"}.get(status, str(status))


# --- the document and the docs page -----------------------------------------------------------
blueprint = Blueprint("openapi", __name__)

try:
    import swagger_ui_bundle

    SWAGGER_UI = Path(swagger_ui_bundle.swagger_ui_path)
except ImportError:  # pragma: no cover - pinned in requirements.txt
    SWAGGER_UI = None

DOCS_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
  <meta charset="utf-8">
  <title>网格化管理平台 API</title>
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script>
    window.ui = SwaggerUIBundle({
      url: "/openapi.json",
      dom_id: "#swagger-ui",
      deepLinking: true,
      presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
      layout: "StandaloneLayout",
      validatorUrl: null
    });
  </script>
</body>
</html>
"""


@blueprint.get("/openapi.json")
@documented(returns=None, summary="This document (OpenAPI 3.0)", calls_service=False,
            extra_responses={200: {"description": "The OpenAPI document",
                                   "content": {"application/json": {"schema": {"type": "object"}}}}})
@public("openapi:read")
def openapi_document():
    document = current_app.extensions.get("openapi_document")
    if document is None:  # the url_map is complete once the app serves; build once per process
        document = current_app.extensions["openapi_document"] = build(current_app)
    return jsonify(document)


@blueprint.get("/docs")
@documented(media_type="text/html", summary="Interactive API docs (served here, no internet needed)",
            calls_service=False)
@public("openapi:read")
def docs_page():
    return Response(DOCS_PAGE, content_type="text/html; charset=utf-8")


@blueprint.get("/docs/assets/<path:filename>")
@documented(media_type=("application/javascript", "text/css"), summary="The docs page's own files",
            calls_service=False)
@public("openapi:read")
def docs_asset(filename):
    if SWAGGER_UI is None:
        raise NotFound()
    return send_from_directory(SWAGGER_UI, filename, max_age=86400)
