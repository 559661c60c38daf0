"""Request schemas of the RPC commands, shared by the gateway (to answer a bad
request at once) and the service (which checks again: it may have other callers).

Validation errors come out as a list of {field, code, params}, where code is a
key of shared.contracts.messages, so every error names its field in both languages.
"""
import re
from functools import cache

from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, validate, validates_schema

from shared.contracts.errors import InvalidInput
from shared.contracts.messages import MESSAGES
from shared.contracts.roles import STATIONS

MAX_PHOTOS = 9
MAX_DESCRIPTION = 4000  # Open311 GeoReport v2 allows 4,000 characters
MAX_NOTE = 2000
MAX_URL = 1000
CHANNELS = ("app", "web", "phone", "patrol", "open311", "mediation")  # mediation: a case handed back
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
PHOTO_URL = re.compile(r"^(https?://|/api/v1/media/)[^\s]+$")

_TYPE_ERRORS = {
    "Not a valid string.": "text",
    "Not a valid integer.": "integer",
    "Not a valid number.": "number",
    "Not a valid boolean.": "boolean",
    "Not a valid list.": "list",
    "Not a valid mapping type.": "object",
    "Not a valid datetime.": "datetime",
    "Not a valid date.": "date",
    "Not a valid UUID.": "uuid",
}
_EXPECTED_ZH = {"text": "文本", "integer": "整数", "number": "数字", "boolean": "布尔值", "list": "列表",
                "object": "对象", "datetime": "日期时间", "date": "日期", "uuid": "UUID"}


def _error_entry(field: str, message: str) -> dict:
    if message == "too_many_photos":
        return {"field": field, "code": message, "params": {"max": MAX_PHOTOS}}
    if message in MESSAGES:
        return {"field": field, "code": message, "params": {}}
    if message == "Missing data for required field." or message == "Field may not be null.":
        return {"field": field, "code": "required", "params": {}}
    if message == "Unknown field.":
        return {"field": field, "code": "unknown_field", "params": {}}
    if message in _TYPE_ERRORS:
        kind = _TYPE_ERRORS[message]
        return {"field": field, "code": "wrong_type", "params": {"expected": kind, "expected_zh": _EXPECTED_ZH[kind]}}
    longer = re.match(r"Longer than maximum length (\d+)\.", message)
    if longer:
        return {"field": field, "code": "too_long", "params": {"max": int(longer.group(1))}}
    return {"field": field, "code": "invalid_value", "params": {"detail": message}}


def flatten_errors(messages, prefix: str = "") -> list[dict]:
    """marshmallow's nested error dict -> [{field: 'photos.3', code, params}]."""
    if isinstance(messages, list):
        out = []
        for message in messages:
            nested = isinstance(message, dict)
            out.extend(flatten_errors(message, prefix) if nested else [_error_entry(prefix, message)])
        return out
    out = []
    for key, value in messages.items():
        name = "" if key == "_schema" else str(key)
        path = f"{prefix}.{name}" if prefix and name else (prefix or name)
        out.extend(flatten_errors(value, path))
    return out


@cache
def _instance(schema: type[Schema]) -> Schema:
    return schema()  # building a schema is costly; loading with one is thread-safe


def load(schema: type[Schema], data) -> dict:
    """Load ``data`` with the schema class, or raise InvalidInput naming every bad field."""
    if not isinstance(data, dict):
        raise InvalidInput([{"field": "", "code": "not_json", "params": {}}])
    try:
        return _instance(schema).load(data)
    except ValidationError as exc:
        raise InvalidInput(flatten_errors(exc.messages)) from None


def load_each(schema, items, field: str) -> list[dict]:
    """Load every item of a list with ``schema``; errors name the item: ``rules.3.points``."""
    if not isinstance(items, list):
        raise InvalidInput.one(field, "wrong_type", expected="list", expected_zh="列表")
    loaded, errors = [], []
    for index, item in enumerate(items):
        try:
            loaded.append(load(schema, item))
        except InvalidInput as bad:
            errors += [{**error, "field": f"{field}.{index}" + (f".{error['field']}" if error["field"] else "")}
                       for error in bad.errors]
    if errors:
        raise InvalidInput(errors)
    return loaded

class Request(Schema):
    class Meta:
        unknown = RAISE


def _text(max_length: int, min_length: int = 0, **kwargs):
    rules = [validate.Length(max=max_length)]
    if min_length:
        rules.insert(0, validate.Length(min=min_length, error="required"))
    return fields.String(validate=rules, **kwargs)


class Caller(Schema):
    """Who is asking, as the gateway authenticated them."""

    class Meta:
        unknown = EXCLUDE

    account_id = fields.String(required=True)
    role = fields.String(required=True)
    name = fields.String(required=True)
    community = fields.String(required=True)
    grid = fields.String(allow_none=True, load_default=None)
    building = fields.String(allow_none=True, load_default=None)
    staff_code = fields.String(allow_none=True, load_default=None)
    company = fields.String(allow_none=True, load_default=None)
    station = fields.String(allow_none=True, load_default=None)  # station staff: which of the six stations


class NewReport(Request):
    category = _text(64, min_length=1, required=True)
    description = _text(MAX_DESCRIPTION, min_length=1, required=True)
    grid = _text(32, allow_none=True, load_default=None)
    building = _text(32, allow_none=True, load_default=None)
    unit = _text(32, allow_none=True, load_default=None)
    address = _text(300, allow_none=True, load_default=None)
    latitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(-90, 90))
    longitude = fields.Float(allow_none=True, load_default=None, validate=validate.Range(-180, 180))
    photos = fields.List(
        fields.String(validate=[validate.Length(max=MAX_URL), validate.Regexp(PHOTO_URL, error="invalid_photo")]),
        load_default=list,
        validate=validate.Length(max=MAX_PHOTOS, error="too_many_photos"),
    )
    attributes = fields.Dict(keys=fields.String(), values=fields.Raw(), load_default=dict)
    urgent = fields.Boolean(load_default=False)
    channel = fields.String(load_default="app", validate=validate.OneOf(CHANNELS))

    @validates_schema
    def _has_location(self, data, **_kwargs):
        if not (data.get("grid") or data.get("building") or data.get("address")):
            raise ValidationError("location_required", field_name="location")
        if data.get("unit") and not data.get("building"):
            raise ValidationError("required", field_name="building")


class ReportFilter(Request):
    status = fields.String(load_default=None)
    category = fields.String(load_default=None)
    grid = fields.String(load_default=None)
    building = fields.String(load_default=None)
    reporter = fields.String(load_default=None)
    created_from = fields.AwareDateTime(load_default=None, default_timezone=None)
    created_to = fields.AwareDateTime(load_default=None, default_timezone=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class PublicReportFilter(Request):
    """What anyone may ask of a community's reports (Open311 GET requests): no person in it."""

    ids = fields.List(_text(64), load_default=None, validate=validate.Length(max=100))
    category = _text(64, load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "closed")))
    created_from = fields.AwareDateTime(load_default=None, default_timezone=None)
    created_to = fields.AwareDateTime(load_default=None, default_timezone=None)
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


class Verification(Request):
    passed = fields.Boolean(required=True)
    note = _text(MAX_NOTE, load_default=None, allow_none=True)
    # On a pass, the verifier may name a household found responsible and the village rule it broke:
    # scoring then proposes a deduction, which the review group must verify.
    responsible_household = _text(64, load_default=None, allow_none=True)
    rule = _text(64, load_default=None, allow_none=True)

    @validates_schema
    def _reason_on_failure(self, data, **_kwargs):
        if data.get("passed") is False and not (data.get("note") or "").strip():
            raise ValidationError("reason_required", field_name="note")
        if bool(data.get("responsible_household")) != bool(data.get("rule")):
            raise ValidationError("required", field_name="rule" if data.get("responsible_household") else
                                  "responsible_household")


class Rating(Request):
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS, error="invalid_rating"))
    comment = _text(MAX_NOTE, load_default=None, allow_none=True)


class Resolution(Request):
    note = _text(MAX_NOTE, min_length=1, required=True)
    photos = NewReport._declared_fields["photos"]


class TaskReturn(Request):
    reason = _text(MAX_NOTE, min_length=1, required=True)


class Escalation(Request):
    reason = _text(MAX_NOTE, min_length=1, required=True)


class ExtensionRequest(Request):
    reason = _text(MAX_NOTE, min_length=1, required=True)
    until = fields.AwareDateTime(required=True, default_timezone=None)


class DeferralRequest(Request):
    reason = _text(MAX_NOTE, min_length=1, required=True)


class Decision(Request):
    approve = fields.Boolean(required=True)
    note = _text(MAX_NOTE, load_default=None, allow_none=True)


class CalendarDayChange(Request):
    kind = fields.String(required=True, validate=validate.OneOf(("holiday", "workday", "normal")))
    name = _text(64, load_default=None, allow_none=True)


class FiguresQuery(Request):
    period_from = fields.AwareDateTime(required=True, default_timezone=None)
    period_to = fields.AwareDateTime(required=True, default_timezone=None)
    group_by = fields.String(load_default="none", validate=validate.OneOf(("none", "grid", "handler", "category")))

    @validates_schema
    def _period_runs_forward(self, data, **_kwargs):
        if data.get("period_from") and data.get("period_to") and data["period_to"] <= data["period_from"]:
            raise ValidationError("period_backwards", field_name="period_to")


# mediation ---------------------------------------------------------------
# The six-station desk (六站): shared.contracts.roles.STATIONS names the stations.
CASE_SOURCES = ("walk_in", "phone")  # what reception registers; escalations come from the bus
CASE_STATUSES = ("registered", "in_progress", "resolved", "closed")
PARTY_ROLES = ("applicant", "respondent", "other")
CASE_ROUTES = ("mediation", "legal", "council", "dispatch", "outside")
OUTSIDE_BODIES = ("court", "arbitration", "police", "department")
REFERRAL_BODIES = (*OUTSIDE_BODIES, "legal_aid")
MAX_TEXT = 4000
MAX_EXTENSION_DAYS = 30


def _choice(choices, error="invalid_value", **kwargs):
    return fields.String(validate=validate.OneOf(choices, error=error), **kwargs)


def _list(inner, min_length: int = 0, error: str = "required", max_length: int = 50, **kwargs):
    rules = [validate.Length(max=max_length)]
    if min_length:
        rules.insert(0, validate.Length(min=min_length, error=error))
    return fields.List(inner, validate=rules, **kwargs)


class Party(Request):
    role = _choice(PARTY_ROLES, required=True)
    name = _text(100, min_length=1, required=True)
    phone = _text(32, allow_none=True, load_default=None)
    household = _text(64, allow_none=True, load_default=None)
    account_id = _text(64, allow_none=True, load_default=None)


class NewCase(Request):
    """接访登记: a walk-in or phone visit registered at reception."""

    source = _choice(CASE_SOURCES, required=True)
    visitor_name = _text(100, min_length=1, required=True)
    contact = _text(32, allow_none=True, load_default=None)
    visitor_account_id = _text(64, allow_none=True, load_default=None)
    description = _text(MAX_TEXT, min_length=1, required=True)  # what happened
    category = _text(64, allow_none=True, load_default=None)
    grid = _text(32, allow_none=True, load_default=None)
    building = _text(32, allow_none=True, load_default=None)
    unit = _text(32, allow_none=True, load_default=None)
    parties = _list(fields.Nested(Party), load_default=list)


class CaseFilter(Request):
    station = _choice(STATIONS, error="unknown_station", allow_none=True, load_default=None)
    status = _choice(CASE_STATUSES, allow_none=True, load_default=None)
    source = _choice(("escalation", *CASE_SOURCES), allow_none=True, load_default=None)
    report_id = _text(64, allow_none=True, load_default=None)


class Route(Request):
    """事务分流: to a station, back to dispatch (with its category) or to an outside body."""

    to = _choice(CASE_ROUTES, error="invalid_route", required=True)
    note = _text(MAX_NOTE, allow_none=True, load_default=None)
    body = _choice(OUTSIDE_BODIES, allow_none=True, load_default=None)
    body_name = _text(200, allow_none=True, load_default=None)
    category = _text(64, allow_none=True, load_default=None)
    description = _text(MAX_TEXT, allow_none=True, load_default=None)

    @validates_schema
    def _what_each_route_needs(self, data, **_kwargs):
        if data.get("to") == "outside" and not data.get("body"):
            raise ValidationError("body_required", field_name="body")
        if data.get("to") == "dispatch" and not data.get("category"):
            raise ValidationError("category_required", field_name="category")
        if data.get("to") == "outside" and not (data.get("note") or "").strip():
            raise ValidationError("reason_required", field_name="note")


class SendBack(Request):
    note = _text(MAX_NOTE, min_length=1, required=True)


class Consent(Request):
    party_id = _text(64, min_length=1, required=True)
    consents = fields.Boolean(required=True)
    note = _text(MAX_NOTE, allow_none=True, load_default=None)

    @validates_schema
    def _reason_for_refusal(self, data, **_kwargs):
        if data.get("consents") is False and not (data.get("note") or "").strip():
            raise ValidationError("reason_required", field_name="note")


class MediatorAppointment(Request):
    mediators = _list(_text(64, min_length=1), min_length=1, error="mediators_required", max_length=5, required=True)
    chosen_by = _choice(("station", "parties"), required=True)


class RightsNotice(Request):
    given_at = fields.AwareDateTime(allow_none=True, load_default=None, default_timezone=None)
    note = _text(MAX_NOTE, allow_none=True, load_default=None)


class MediationSession(Request):
    held_at = fields.AwareDateTime(required=True, default_timezone=None)
    place = _text(200, min_length=1, required=True)
    attendees = _list(_text(100, min_length=1), min_length=1, required=True)
    record = _text(MAX_TEXT, min_length=1, required=True)


class MediationExtension(Request):
    days = fields.Integer(required=True, strict=True,
                          validate=validate.Range(min=1, max=MAX_EXTENSION_DAYS, error="invalid_value"))
    consenting_parties = _list(_text(64, min_length=1), load_default=list)
    note = _text(MAX_NOTE, allow_none=True, load_default=None)


class MediationFailure(Request):
    reason = _text(MAX_NOTE, min_length=1, required=True)
    routes_explained = _list(_text(200, min_length=1), min_length=1, error="routes_required", max_length=10,
                             required=True)
    body = _choice(REFERRAL_BODIES, allow_none=True, load_default=None)
    body_name = _text(200, allow_none=True, load_default=None)


class Obligation(Request):
    party_id = _text(64, min_length=1, required=True)
    what = _text(MAX_NOTE, min_length=1, required=True)
    how = _text(MAX_NOTE, min_length=1, required=True)
    due_on = fields.Date(required=True)


class AgreementDraft(Request):
    facts = _text(MAX_TEXT, min_length=1, required=True)
    responsibilities = _text(MAX_TEXT, min_length=1, required=True)
    obligations = _list(fields.Nested(Obligation), min_length=1, error="obligations_required", required=True)


class Signature(Request):
    party_id = _text(64, allow_none=True, load_default=None)
    as_mediator = fields.Boolean(load_default=False)

    @validates_schema
    def _one_signer(self, data, **_kwargs):
        if bool(data.get("party_id")) == bool(data.get("as_mediator")):
            raise ValidationError("one_signer", field_name="party_id")


class Performance(Request):
    performed_on = fields.Date(required=True)
    note = _text(MAX_NOTE, allow_none=True, load_default=None)


class JudicialConfirmation(Request):
    """司法确认: the parties' application to the court and, once made, the court's decision."""

    applied_on = fields.Date(required=True)
    court = _text(200, min_length=1, required=True)
    decision = _choice(("confirmed", "rejected"), allow_none=True, load_default=None)
    decided_on = fields.Date(allow_none=True, load_default=None)
    note = _text(MAX_NOTE, allow_none=True, load_default=None)

    @validates_schema
    def _decided_on_a_day(self, data, **_kwargs):
        if data.get("decision") and not data.get("decided_on"):
            raise ValidationError("decision_date_required", field_name="decided_on")


class Consultation(Request):
    """法律咨询: on a case, or a walk-in (then the visitor is named)."""

    case_id = _text(64, allow_none=True, load_default=None)
    question = _text(MAX_TEXT, min_length=1, required=True)
    advice = _text(MAX_TEXT, min_length=1, required=True)
    advisor = _text(100, allow_none=True, load_default=None)
    visitor_name = _text(100, allow_none=True, load_default=None)
    contact = _text(32, allow_none=True, load_default=None)

    @validates_schema
    def _walk_in_is_named(self, data, **_kwargs):
        if not data.get("case_id") and not (data.get("visitor_name") or "").strip():
            raise ValidationError("visitor_required", field_name="visitor_name")


class LegalAidReferral(Request):
    reason = _text(MAX_NOTE, min_length=1, required=True)
    body_name = _text(200, allow_none=True, load_default=None)


class CaseResolution(Request):
    """A station settles a case itself (legal advice given, or settled on the spot)."""

    outcome = _choice(("advice_given", "settled"), required=True)
    summary = _text(MAX_NOTE, min_length=1, required=True)


class SupervisionOrder(Request):
    to = _text(100, min_length=1, required=True)
    instruction = _text(MAX_NOTE, min_length=1, required=True)
    due_on = fields.Date(required=True)


class FollowUp(Request):
    satisfied = fields.Boolean(required=True)
    note = _text(MAX_NOTE, allow_none=True, load_default=None)
    visited_on = fields.Date(allow_none=True, load_default=None)


class AgendaItem(Request):
    title = _text(200, min_length=1, required=True)
    description = _text(MAX_TEXT, min_length=1, required=True)
    case_id = _text(64, allow_none=True, load_default=None)


class Attendees(fields.Field):
    """A meeting's attendance: a head count, or the list of those present."""

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("invalid_value")
        if isinstance(value, int):
            if value < 1:
                raise ValidationError("invalid_value")
            return value
        if isinstance(value, list) and value and all(isinstance(v, str) and v.strip() and len(v) <= 100
                                                     for v in value):
            return value
        raise ValidationError("invalid_value")


class CouncilMeeting(Request):
    held_at = fields.AwareDateTime(required=True, default_timezone=None)
    place = _text(200, min_length=1, required=True)
    attendees = Attendees(required=True)
    item_ids = _list(_text(64, min_length=1), min_length=1, required=True)


def _rule_import():
    from shared.contracts.scoring import RuleImport  # scoring's contracts build on this module

    return RuleImport()


class CouncilDecision(Request):
    meeting_id = _text(64, min_length=1, required=True)
    votes_for = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, error="invalid_votes"))
    votes_against = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, error="invalid_votes"))
    abstentions = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, error="invalid_votes"))
    decision = _text(MAX_TEXT, min_length=1, required=True)
    # A new version of a village rule (村规民约), in the shape scoring's import_rules takes.
    adopts_rule = fields.Nested(lambda: _rule_import(), allow_none=True, load_default=None)


class MediationFigures(Request):
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)

    @validates_schema
    def _runs_forward(self, data, **_kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("period_backwards", field_name="to")


class StationStaff(Request):
    code = _text(64, min_length=1, required=True)
    community = _text(32, min_length=1, required=True)
    name = _text(100, min_length=1, required=True)
    station = _choice(STATIONS, error="unknown_station", required=True)
