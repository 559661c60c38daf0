"""Open311 GeoReport v2 at /open311/v2, so existing civic-reporting apps and libraries work unchanged.

Every resource in both formats, ``.json`` and ``.xml``: discovery, services (the report categories),
service definitions (their attributes), POST requests (form-encoded, with an API key), GET requests
(filters: service_request_id list, service_code, start_date, end_date, status), GET requests/{id}
and tokens/{id}. Errors are the spec's list of {code, description}, with the HTTP status as code.

A request filed here is a report like any other: channel ``open311``, filed as the API key (its
community, its role), dispatched, handled, verified and closed by the same people. What comes back
is the public view (reporting.public_reports): no reporter, no handler's name, no account or
household; ``agency_responsible`` is the organisation that handles it. Every call counts against a
rate limit: the key's own (``requests_per_minute``), or ``OPEN311_ANONYMOUS_RPM`` per address.
"""
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timedelta

from flask import Blueprint, Response, current_app, g, json, request
from marshmallow import INCLUDE, Schema, fields
from werkzeug.exceptions import HTTPException

from gateway import audit, idempotency, keys
from gateway.openapi import documented
from gateway.permissions import allowed, api_key, public
from gateway.plumbing import call, gateway_state, organisation
from gateway.problems import Problem, field_params, language
from shared.contracts import rpc
from shared.contracts.errors import InvalidInput
from shared.contracts.messages import render
from shared.contracts.validation import EARLIEST, LATEST, load
from shared.times import SHANGHAI

blueprint = Blueprint("open311", __name__, url_prefix="/open311/v2")

FORMAT = "<any(json, xml):fmt>"
MEDIA_TYPES = {"json": "application/json; charset=utf-8", "xml": "text/xml; charset=utf-8"}
SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-26T00:00:00+08:00"  # when these endpoints last changed
DEFAULT_WINDOW = timedelta(days=90)  # GET requests without dates: the last 90 days, as the spec asks
# XML: a list under this element holds items named so.
XML_ITEMS = {"services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
             "endpoints": "endpoint", "formats": "format", "errors": "error"}
DATATYPE_HELP = {
    "string": ("一行文字", "a line of text"),
    "text": ("一段文字", "free text"),
    "number": ("数字", "a number"),
    "datetime": ("日期时间,ISO 8601,带时区", "a date and time, ISO 8601 with its offset"),
    "singlevaluelist": ("从所列值中选一个(key)", "one of the listed values (its key)"),
    "multivaluelist": ("从所列值中选一个或多个(key)", "one or more of the listed values (their keys)"),
}
NOTICE = ("已受理,将按时派遣处置;可凭编号查询进度。", "Received; it will be dispatched and handled. "
          "Follow it by its service_request_id.")
TEXTS = {
    "api_key": ("缺少或无效的 api_key。", "api_key was not provided or is not valid."),
    "jurisdiction_required": ("请提供 jurisdiction_id(社区编码)或 api_key。",
                              "Provide jurisdiction_id (a community code) or an api_key."),
    "jurisdiction_not_found": ("没有这个 jurisdiction_id:{value}。", "jurisdiction_id '{value}' was not found."),
    "jurisdiction_mismatch": ("此 api_key 只能向 {value} 提交。", "This api_key files into '{value}' only."),
    "service_code_required": ("缺少 service_code。", "service_code was not provided."),
    "service_not_found": ("没有这个 service_code:{value}。", "service_code '{value}' was not found."),
    "request_not_found": ("没有这个 service_request_id:{value}。", "service_request_id '{value}' was not found."),
    "token_not_found": ("没有这个 token:{value}。", "token '{value}' was not found."),
    "location_required": ("请给出位置:lat 和 long、address_string 或 address_id。",
                          "Give a location: lat and long, address_string or address_id."),
    "address_id_not_found": ("没有这个 address_id(楼栋编号):{value}。",
                             "address_id '{value}' (a building code) was not found."),
    "invalid_number": ("{value} 须为数字。", "{value} must be a number."),
    "invalid_date": ("{value} 须为带时区的 ISO 8601 日期时间。",
                     "{value} must be an ISO 8601 date and time with its offset."),
    "invalid_status": ("status 只能是 open 或 closed。", "status must be open or closed."),
    "too_many_ids": ("service_request_id 最多 100 个。", "At most 100 service_request_id values."),
}


class Open311Error(Exception):
    def __init__(self, status: int, *errors: tuple[str, dict] | str, headers: dict | None = None, **params):
        super().__init__(status)
        self.status = status
        self.messages = [(e, params) if isinstance(e, str) else e for e in errors]
        self.headers = headers or {}


def _say(code: str, lang: str, params: dict) -> str:
    if code in TEXTS:
        zh, en = TEXTS[code]
        template = en if lang == "en" else zh
        try:
            return template.format(**params)
        except (KeyError, IndexError):
            return template
    return render(code, lang, **params)


# --- answers in both formats ------------------------------------------------------------------
# Characters XML 1.0 cannot carry (control characters a phone keyboard may still send).
NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_value(element: ET.Element, value) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        element.text = "true" if value else "false"
    elif isinstance(value, dict):
        for key, inner in value.items():
            _xml_value(ET.SubElement(element, key), inner)
    elif isinstance(value, list):
        item = XML_ITEMS.get(element.tag, "item")
        for inner in value:
            _xml_value(ET.SubElement(element, item), inner)
    else:
        element.text = NOT_IN_XML.sub("", str(value))


def answer(fmt: str, root: str, body, status: int = 200, headers: dict | None = None) -> Response:
    """``body`` as JSON (as it is) or as XML (under ``root``; lists as items named by XML_ITEMS)."""
    if fmt == "xml":
        element = ET.Element(root)
        _xml_value(element, body)
        text = ET.tostring(element, encoding="unicode")
        payload = '<?xml version="1.0" encoding="utf-8"?>\n' + text
    else:
        payload = json.dumps(body, ensure_ascii=False)
    return Response(payload, status=status, content_type=MEDIA_TYPES[fmt], headers=headers or {})


def _fmt() -> str:
    return (request.view_args or {}).get("fmt") or ("xml" if request.path.endswith(".xml") else "json")


@blueprint.errorhandler(Open311Error)
def _open311_error(error: Open311Error):
    lang = language()
    errors = [{"code": error.status, "description": _say(code, lang, params)} for code, params in error.messages]
    return answer(_fmt(), "errors", errors, error.status, error.headers)


@blueprint.errorhandler(Problem)
def _problem(problem: Problem):
    lang = language()
    errors = [{"code": problem.status, "description": render(problem.code, lang, **problem.params)}]
    errors += [{"code": problem.status,
                "description": f"{e['field']}: {render(e['code'], lang, **field_params(e, lang))}"}
               for e in problem.errors]
    return answer(_fmt(), "errors", errors, problem.status)


@blueprint.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    code = {404: "route_not_found", 405: "method_not_allowed", 413: "payload_too_large"}.get(error.code,
                                                                                           "invalid_value")
    params = {"max": f"{current_app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MB"} if error.code == 413 else {}
    return _open311_error(Open311Error(error.code, code, **params))


# --- keys and rate limits ----------------------------------------------------------------------
def _sessions():
    return gateway_state().sessions


@blueprint.before_request
def _admit():
    """Who is calling (an API key, or an address) and whether they are within their rate."""
    given = request.args.get("api_key") or (request.form.get("api_key") if request.method == "POST" else None)
    with _sessions()() as session:
        key = keys.find(session, given) if given else None
        if given and key is None:
            raise Open311Error(403, "api_key")
        if key is not None:
            verdict = keys.hit(session, f"key:{key.id}", key.requests_per_minute)
            g.api_caller = key.as_caller()
            audit.set_actor("api_key", key.id, key.role, key.community)
        else:
            anonymous_rpm = int(gateway_state().config["OPEN311_ANONYMOUS_RPM"])
            verdict = keys.hit(session, f"addr:{request.remote_addr}", anonymous_rpm)
            g.api_caller = None
        session.commit()
    g.rate = verdict
    if not verdict.allowed:
        raise Open311Error(429, "rate_limited", headers=_rate_headers(verdict), seconds=verdict.retry_after_s)


def _rate_headers(verdict) -> dict:
    headers = {"X-RateLimit-Limit": str(verdict.limit), "X-RateLimit-Remaining": str(verdict.remaining)}
    if not verdict.allowed:
        headers["Retry-After"] = str(verdict.retry_after_s)
    return headers


@blueprint.after_request
def _with_rate_headers(response: Response) -> Response:
    verdict = g.get("rate")
    if verdict is not None:
        for name, value in _rate_headers(verdict).items():
            response.headers.setdefault(name, value)
    return response


# --- what the public may know of a community ------------------------------------------------------
def _community() -> str:
    """The key's community, or the jurisdiction_id asked for."""
    caller = g.get("api_caller")
    asked = request.values.get("jurisdiction_id")
    if caller is not None:
        if asked and asked != caller["community"]:
            raise Open311Error(403, "jurisdiction_mismatch", value=caller["community"])
        return caller["community"]
    if not asked:
        raise Open311Error(400, "jurisdiction_required")
    if organisation(asked)["community"] is None:
        raise Open311Error(404, "jurisdiction_not_found", value=asked)
    return asked


def _categories() -> dict[str, dict]:
    return {c["code"]: c for c in call("reporting", "list_categories")}


# --- discovery, services, definitions ------------------------------------------------------------
class Endpoint(Schema):
    specification = fields.String(required=True)
    url = fields.String(required=True)
    changeset = fields.String(required=True)
    type = fields.String(required=True)
    formats = fields.List(fields.String(), required=True)


class Discovery(Schema):
    changeset = fields.String(required=True)
    contact = fields.String(required=True)
    key_service = fields.String(required=True)
    endpoints = fields.List(fields.Nested(Endpoint), required=True)


class Service(Schema):
    service_code = fields.String(required=True)
    service_name = fields.String(required=True)
    description = fields.String(allow_none=True)
    metadata = fields.Boolean(required=True)
    type = fields.String(required=True, metadata={"enum": ["realtime", "batch", "blackbox"]})
    keywords = fields.String(allow_none=True)
    group = fields.String(allow_none=True)


class AttributeValue(Schema):
    key = fields.String(required=True)
    name = fields.String(required=True)


class Attribute(Schema):
    variable = fields.Boolean(required=True)
    code = fields.String(required=True)
    datatype = fields.String(required=True)
    required = fields.Boolean(required=True)
    datatype_description = fields.String(allow_none=True)
    order = fields.Integer(required=True)
    description = fields.String(allow_none=True)
    values = fields.List(fields.Nested(AttributeValue), required=True)


class ServiceDefinition(Schema):
    service_code = fields.String(required=True)
    attributes = fields.List(fields.Nested(Attribute), required=True)


class Open311ErrorItem(Schema):
    code = fields.Integer(required=True)
    description = fields.String(required=True)


class Jurisdiction(Schema):
    jurisdiction_id = fields.String(metadata={"description": "a community code, e.g. ytl (not needed with an api_key)"})
    api_key = fields.String(metadata={"description": "optional on reads: counts against the key's own rate"})


def _list_of(schema) -> dict:
    return {"type": "array", "items": schema}


def _open311(**kwargs):
    """@documented for Open311 routes: both formats, the spec's error list."""
    return documented(media_type=("application/json", "text/xml"), auto_problems=False,
                      problem_schema=_list_of(Open311ErrorItem), problem_media_type=("application/json", "text/xml"),
                      tags=("open311",), **kwargs)


@blueprint.get(f"/discovery.{FORMAT}")
@_open311(returns=Discovery, problems=(429,), calls_service=False, summary="Service discovery")
@public("open311:read")
def discovery(fmt):
    base = request.url_root.rstrip("/") + blueprint.url_prefix
    lang = language()
    return answer(fmt, "discovery", {
        "changeset": CHANGESET,
        "contact": "社区办公室(网格化管理平台)" if lang == "zh" else "The community office (grid governance platform)",
        "key_service": "向社区办公室或区信息中心申请 API key" if lang == "zh" else
                       "Ask the community office or district IT for an API key",
        "endpoints": [{"specification": SPECIFICATION, "url": base, "changeset": CHANGESET, "type": "production",
                       "formats": ["text/xml", "application/json"]}],
    })


@blueprint.get(f"/services.{FORMAT}")
@_open311(returns=_list_of(Service), problems=(429, 503), summary="Services: the report categories")
@public("open311:read")
def services(fmt):
    lang = language()
    items = [{
        "service_code": c["code"],
        "service_name": c["name"][lang],
        "description": c["description"][lang],
        "metadata": bool(c["attributes"]),
        "type": "realtime",
        "keywords": c["group"]["code"],
        "group": c["group"][lang],
    } for c in call("reporting", "list_categories")]
    return answer(fmt, "services", items)


@blueprint.get(f"/services/<service_code>.{FORMAT}")
@_open311(returns=ServiceDefinition, problems=(404, 429, 503), summary="A service's definition: its attributes")
@public("open311:read")
def service_definition(service_code, fmt):
    category = _categories().get(service_code)
    if category is None:
        raise Open311Error(404, "service_not_found", value=service_code)
    lang = language()
    side = "en" if lang == "en" else "zh"
    attributes = []
    for index, a in enumerate(sorted(category["attributes"], key=lambda a: a.get("order", 0)), start=1):
        help_text = DATATYPE_HELP.get(a.get("datatype"), (None, None))
        attributes.append({
            "variable": True,
            "code": a["code"],
            "datatype": a.get("datatype", "string"),
            "required": bool(a.get("required")),
            "datatype_description": a.get(f"datatype_description_{side}") or help_text[1 if lang == "en" else 0],
            "order": int(a.get("order", index)),
            "description": a.get(f"description_{side}") or a.get("description") or a["code"],
            "values": [{"key": str(v["key"]), "name": v.get(f"name_{side}") or v.get("name") or str(v["key"])}
                       for v in a.get("values", [])],
        })
    return answer(fmt, "service_definition", {"service_code": service_code, "attributes": attributes})


# --- service requests -----------------------------------------------------------------------------
class NewServiceRequest(Schema):
    """POST requests (application/x-www-form-urlencoded). Personal fields (email, names, phone,
    device_id, account_id) are accepted as the spec allows and never stored; attribute[code] (and
    attribute[code][] for several values) carry the service's attributes."""

    class Meta:
        unknown = INCLUDE

    api_key = fields.String(required=True)
    jurisdiction_id = fields.String()
    service_code = fields.String(required=True)
    lat = fields.Float()
    long = fields.Float()
    address_string = fields.String()
    address_id = fields.String(metadata={"description": "a building code, e.g. 44"})
    description = fields.String(metadata={"maxLength": rpc.MAX_DESCRIPTION})
    media_url = fields.String()
    email = fields.String()
    device_id = fields.String()
    account_id = fields.String()
    first_name = fields.String()
    last_name = fields.String()
    phone = fields.String()


class RequestCreated(Schema):
    service_request_id = fields.String(allow_none=True)
    token = fields.String(allow_none=True)
    service_notice = fields.String(allow_none=True)
    account_id = fields.String(allow_none=True)


class ServiceRequest(Schema):
    service_request_id = fields.String(required=True)
    status = fields.String(required=True, metadata={"enum": ["open", "closed"]})
    status_notes = fields.String(allow_none=True)
    service_name = fields.String(allow_none=True)
    service_code = fields.String(required=True)
    description = fields.String(allow_none=True)
    agency_responsible = fields.String(allow_none=True)
    service_notice = fields.String(allow_none=True)
    requested_datetime = fields.DateTime(required=True)
    updated_datetime = fields.DateTime(allow_none=True)
    expected_datetime = fields.DateTime(allow_none=True)
    address = fields.String(allow_none=True)
    address_id = fields.String(allow_none=True)
    zipcode = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    long = fields.Float(allow_none=True)
    media_url = fields.String(allow_none=True)


class RequestsQuery(Jurisdiction):
    service_request_id = fields.String(metadata={"description": "one id or several, comma-separated"})
    service_code = fields.String()
    start_date = fields.DateTime()
    end_date = fields.DateTime()
    status = fields.String(metadata={"description": "open, closed, or both comma-separated"})


class TokenAnswer(Schema):
    service_request_id = fields.String(allow_none=True)
    token = fields.String(required=True)


def _number(name: str) -> float | None:
    value = request.form.get(name, "").strip()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        raise Open311Error(400, "invalid_number", value=name) from None


def _attributes(category: dict) -> dict:
    """attribute[code]=value, and attribute[code][]=value for several."""
    kinds = {a["code"]: a.get("datatype") for a in category["attributes"]}
    found = {}
    for name in request.form:
        if not (name.startswith("attribute[") and "]" in name):
            continue
        code = name[len("attribute["):name.index("]")]
        values = [v for v in request.form.getlist(name) if v != ""]
        if not values:
            continue
        found[code] = values if kinds.get(code) == "multivaluelist" or name.endswith("[]") else values[-1]
    return found


@blueprint.post(f"/requests.{FORMAT}")
@_open311(body=NewServiceRequest, body_type="application/x-www-form-urlencoded", returns=_list_of(RequestCreated),
          security="api_key", problems=(400, 403, 404, 413, 429, 503), summary="File a service request")
@api_key("open311:submit")
def create_request(fmt):
    caller = g.get("api_caller")
    if caller is None:
        raise Open311Error(403, "api_key")
    if not allowed("reports:create", caller["role"]):
        raise Open311Error(403, "forbidden_role", role=caller["role"])
    kept = idempotency.claim(caller["account_id"])
    if kept is not None:
        return kept
    _community()  # a jurisdiction_id, if given, must be the key's
    form = request.form
    service_code = form.get("service_code", "").strip()
    if not service_code:
        raise Open311Error(400, "service_code_required")
    category = _categories().get(service_code)
    if category is None:
        raise Open311Error(404, "service_not_found", value=service_code)
    lat, long = _number("lat"), _number("long")
    address_string = form.get("address_string", "").strip() or None
    address_id = form.get("address_id", "").strip() or None
    if address_id is not None and address_id not in organisation(caller["community"])["buildings"]:
        raise Open311Error(400, "address_id_not_found", value=address_id)
    has_point = lat is not None and long is not None
    if not (has_point or address_string or address_id):
        raise Open311Error(400, "location_required")
    address = address_string or (f"{lat:.6f},{long:.6f}" if has_point and not address_id else None)
    report = {
        "category": service_code,
        "description": form.get("description", ""),
        "building": address_id,
        "address": address,
        "latitude": lat if has_point else None,
        "longitude": long if has_point else None,
        "photos": [form["media_url"]] if form.get("media_url", "").strip() else [],
        "attributes": _attributes(category),
        "channel": "open311",
    }
    try:
        load(rpc.NewReport, report)  # answer at once, field by field; reporting checks again
    except InvalidInput as exc:
        raise _input_error(exc) from None
    try:
        created = call("reporting", "create_report", caller, report)
    except Problem as problem:
        if problem.status == 422:
            raise _input_error(InvalidInput(problem.errors)) from None
        raise
    lang = language()
    return answer(fmt, "service_requests", [{
        "service_request_id": created["report"]["id"],
        "service_notice": NOTICE[1 if lang == "en" else 0],
        "account_id": None,
    }])


# Our field names -> the Open311 parameter a client sent.
OPEN311_FIELD = {"category": "service_code", "building": "address_id", "address": "address_string",
                 "latitude": "lat", "longitude": "long", "photos": "media_url", "location": "location"}


def _input_error(exc: InvalidInput) -> Open311Error:
    lang = language()
    messages = []
    for e in exc.errors:
        head, _, rest = e["field"].partition(".")
        name = f"attribute[{rest}]" if head == "attributes" and rest else OPEN311_FIELD.get(head, head)
        text = render(e["code"], lang, **field_params(e, lang))
        messages.append(("required_input", {"text": f"{name}: {text}"}))
    return Open311Error(400, *messages)


TEXTS["required_input"] = ("{text}", "{text}")


def _moment(name: str) -> datetime | None:
    value = request.args.get(name, "").strip()
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "+"))
    except ValueError:
        raise Open311Error(400, "invalid_date", value=name) from None
    if moment.tzinfo is None or not EARLIEST <= moment.date() <= LATEST:
        raise Open311Error(400, "invalid_date", value=name)
    return moment


def _status_filter() -> str | None:
    wanted = {s.strip() for s in request.args.get("status", "").split(",") if s.strip()}
    if not wanted <= {"open", "closed"}:
        raise Open311Error(400, "invalid_status")
    return wanted.pop() if len(wanted) == 1 else None


def _service_request(report: dict, categories: dict, organisation: dict, lang: str) -> dict:
    category = categories.get(report["category"])
    return {
        "service_request_id": report["id"],
        "status": report["status"],
        "status_notes": _status_notes(report["steps"], lang),
        "service_name": category["name"][lang] if category else None,
        "service_code": report["category"],
        "description": report["description"],
        "agency_responsible": _agency_name(report["agency"], organisation, lang),
        "service_notice": None,
        "requested_datetime": report["created_at"],
        "updated_datetime": report["updated_at"],
        "expected_datetime": report["deadline_at"],
        "address": report["address"] or _building_address(report["building"], lang),
        "address_id": report["building"],
        "zipcode": None,
        "lat": report["latitude"],
        "long": report["longitude"],
        "media_url": report["media_urls"][0] if report["media_urls"] else None,
    }


def _building_address(building: str | None, lang: str) -> str | None:
    """A request filed by address_id reads as the building it names."""
    if not building:
        return None
    return f"Building {building}" if lang == "en" else f"{building}号楼"


def _status_notes(steps: list[dict], lang: str) -> str | None:
    """The latest step, and the latest note when that step has none (reporting sends only the notes
    the public may read: the handling, the verification, returns, escalation, deadlines)."""
    if not steps:
        return None

    def name(step: dict) -> str:
        return step["action_name"][lang]

    last = steps[-1]
    text = f"{name(last)}:{last['note']}" if last["note"] else name(last)
    if not last["note"]:
        noted = next((s for s in reversed(steps) if s["note"]), None)
        if noted is not None:
            text += f"({name(noted)}:{noted['note']})"
    return text


def _agency_name(agency: dict | None, organisation: dict, lang: str) -> str | None:
    """The organisation handling it: the street platform, the community, a property company, a grid."""
    if not agency:
        return None
    community = (organisation.get("community") or {}).get(lang) or ""
    if agency["level"] == "street":
        return organisation.get("street")
    if agency["level"] == "community":
        return community or None
    if agency["kind"] == "property" and agency.get("company") in organisation.get("companies", {}):
        return organisation["companies"][agency["company"]]
    if agency["kind"] == "property":
        return f"{community}物业" if lang == "zh" else f"{community} property management"
    grid = organisation.get("grids", {}).get(agency.get("grid"))
    if grid:
        return f"{community}{grid}" if lang == "zh" else f"{community}, {grid}"
    return community or None


def _public_reports(community: str, filters: dict) -> list[dict]:
    lang = language()
    reports = call("reporting", "public_reports", community, filters)
    if not reports:
        return []
    categories, places = _categories(), organisation(community)
    return [_service_request(r, categories, places, lang) for r in reports]


@blueprint.get(f"/requests.{FORMAT}")
@_open311(query=RequestsQuery, returns=_list_of(ServiceRequest), problems=(400, 403, 404, 429, 503),
          summary="Service requests: by id, service, dates and status (the last 90 days by default)")
@public("open311:read")
def list_requests(fmt):
    community = _community()
    ids = [i.strip() for i in request.args.get("service_request_id", "").split(",") if i.strip()]
    if len(ids) > 100:
        raise Open311Error(400, "too_many_ids")
    limit = int(gateway_state().config["OPEN311_MAX_RESULTS"])
    if ids:  # the spec: service_request_id overrides every other filter
        filters = {"ids": ids, "limit": limit}
    else:
        start, end = _moment("start_date"), _moment("end_date")
        if start is None and end is None:
            start = datetime.now(SHANGHAI) - DEFAULT_WINDOW
        elif start is None:
            start = end - DEFAULT_WINDOW
        filters = {"created_from": start.isoformat(), "limit": limit}
        if end is not None:
            filters["created_to"] = end.isoformat()
        if request.args.get("service_code"):
            filters["category"] = request.args["service_code"][:64]
        status = _status_filter()
        if status:
            filters["status"] = status
    return answer(fmt, "service_requests", _public_reports(community, filters))


@blueprint.get(f"/requests/<service_request_id>.{FORMAT}")
@_open311(query=Jurisdiction, returns=_list_of(ServiceRequest), problems=(400, 403, 404, 429, 503),
          summary="One service request")
@public("open311:read")
def get_request(service_request_id, fmt):
    found = _public_reports(_community(), {"ids": [service_request_id[:64]], "limit": 1})
    if not found:
        raise Open311Error(404, "request_not_found", value=service_request_id)
    return answer(fmt, "service_requests", found)


@blueprint.get(f"/tokens/<token>.{FORMAT}")
@_open311(query=Jurisdiction, returns=_list_of(TokenAnswer), problems=(400, 403, 404, 429, 503),
          summary="The service request a token became (requests are created at once: the token is its id)")
@public("open311:read")
def get_token(token, fmt):
    found = call("reporting", "public_reports", _community(), {"ids": [token[:64]], "limit": 1})
    if not found:
        raise Open311Error(404, "token_not_found", value=token)
    return answer(fmt, "service_requests", [{"service_request_id": found[0]["id"], "token": token}])
