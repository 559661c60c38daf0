"""Request schemas of the RPC commands, shared by the gateway (to answer a bad
request at once) and the service (which checks again: it may have other callers).

Built on shared.contracts.validation: load a request with ``validation.load``; its
errors name every bad field with a message code.
"""
import re

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from shared.contracts import reasons
from shared.contracts.roles import STATIONS
from shared.contracts.scoring import RuleImport
from shared.contracts.validation import (
    EARLIEST,
    LATEST,
    MAX_NOTE,
    MAX_PHOTOS,
    MAX_TEXT,
    Day,
    Moment,
    Request,
    cross_field,
    list_of,
    one_of,
    text,
)

MAX_DESCRIPTION = 4000  # Open311 GeoReport v2 allows 4,000 characters
MAX_URL = 1000
CHANNELS = ("app", "web", "phone", "patrol", "open311", "mediation")  # mediation: a case handed back
RATINGS = ("satisfied", "basically_satisfied", "unsatisfied")
REPORT_STATUSES = ("submitted", "assigned", "accepted", "returned", "resolved", "rework", "closed", "reopened")
TASK_STATUSES = ("assigned", "accepted", "resolved", "rework", "closed", "returned", "escalated")
LEVELS = ("grid", "community", "street")
CARDS = ("normal", "yellow", "red", "supervised")  # 黄牌 near the deadline, 红牌 overdue, 督办 supervised
PHOTO_URL = re.compile(r"^(https?://|/api/v1/media/)[^\s]+$")
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


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
    # Chosen by the client (a phone's offline outbox) so that sending it again, whenever, files it once.
    id = fields.String(allow_none=True, load_default=None, validate=validate.Regexp(UUID, error="invalid_report_id"),
                       metadata={"description": "optional: a lowercase UUID the client chose for the report"})
    category = text(64, min_length=1, required=True)
    description = text(MAX_DESCRIPTION, min_length=1, required=True)
    grid = text(32, allow_none=True, load_default=None)
    building = text(32, allow_none=True, load_default=None)
    unit = text(32, allow_none=True, load_default=None)
    address = text(300, allow_none=True, load_default=None)
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

    @cross_field("grid", "building", "address", "unit")
    def _has_location(self, data, **_kwargs):
        errors = {}
        if not (data.get("grid") or data.get("building") or data.get("address")):
            errors["location"] = ["location_required"]
        if data.get("unit") and not data.get("building"):
            errors["building"] = ["required"]
        if errors:
            raise ValidationError(errors)


class Choices(fields.Field):
    """A query parameter naming one or more of ``choices``, comma-separated: ``status=assigned,accepted``."""

    def __init__(self, choices, **kwargs):
        super().__init__(**kwargs)
        self.choices = tuple(choices)

    def _deserialize(self, value, attr, data, **kwargs):
        chosen = value.split(",") if isinstance(value, str) else value
        if not isinstance(chosen, list) or not chosen or any(c not in self.choices for c in chosen):
            raise ValidationError("invalid_value")
        return chosen


class ReportFilter(Request):
    status = Choices(REPORT_STATUSES, load_default=None)
    category = fields.String(load_default=None)
    grid = fields.String(load_default=None)
    building = fields.String(load_default=None)
    reporter = fields.String(load_default=None)
    level = one_of(LEVELS, load_default=None)
    handler = fields.String(load_default=None, metadata={"description": "the staff code of whoever has it now"})
    due_before = Moment(load_default=None, default_timezone=None)
    created_from = Moment(load_default=None, default_timezone=None)
    created_to = Moment(load_default=None, default_timezone=None)
    sort = one_of(("-created", "deadline"), load_default="-created")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class TaskFilter(Request):
    """The task lists' filters; ``counts`` in the answer ignores ``status`` (the tabs' badges)."""

    status = Choices(TASK_STATUSES, load_default=None)
    category = fields.String(load_default=None)
    grid = fields.String(load_default=None)
    building = fields.String(load_default=None)
    level = one_of(LEVELS, load_default=None)
    handler = fields.String(load_default=None, metadata={"description": "the handler's staff code"})
    card = Choices(CARDS, load_default=None)
    report_id = fields.String(load_default=None)
    due_before = Moment(load_default=None, default_timezone=None)
    created_from = Moment(load_default=None, default_timezone=None)
    created_to = Moment(load_default=None, default_timezone=None)
    sort = one_of(("deadline", "-deadline", "-created"), load_default="deadline")
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class DuplicateQuery(Request):
    category = text(64, min_length=1, required=True)
    building = text(32, min_length=1, required=True)


class PublicReportFilter(Request):
    """What anyone may ask of a community's reports (Open311 GET requests): no person in it."""

    ids = fields.List(text(64), load_default=None, validate=validate.Length(max=100))
    category = text(64, load_default=None)
    status = fields.String(load_default=None, validate=validate.OneOf(("open", "closed")))
    created_from = Moment(load_default=None, default_timezone=None)
    created_to = Moment(load_default=None, default_timezone=None)
    limit = fields.Integer(load_default=200, validate=validate.Range(min=1, max=1000))


def standard_reason(kind: str):
    """A standard reason of ``kind`` (shared.contracts.reasons), optional beside the free-text note."""
    return one_of(reasons.codes(kind), error="unknown_reason", allow_none=True, load_default=None)


def _reason_given(data: dict, note_field: str) -> None:
    """A standard reason, a note, or both; "other" (其他) says nothing without its note."""
    if data.get("reason_code") in (None, reasons.OTHER) and not (data.get(note_field) or "").strip():
        raise ValidationError("standard_reason_required", field_name=note_field)


class Verification(Request):
    passed = fields.Boolean(required=True)
    note = text(MAX_NOTE, load_default=None, allow_none=True)
    reason_code = standard_reason("verification_failure")  # why it failed
    photos = NewReport._declared_fields["photos"]  # what the verifier saw on site
    # On a pass, the verifier may name a household found responsible and the village rule it broke:
    # scoring then proposes a deduction, which the review group must verify.
    responsible_household = text(64, load_default=None, allow_none=True)
    rule = text(64, load_default=None, allow_none=True)

    @cross_field("passed", "note", "reason_code")
    def _reason_on_failure(self, data, **_kwargs):
        if data.get("passed") is False:
            _reason_given(data, "note")
        elif data.get("reason_code"):
            raise ValidationError("reason_on_failure_only", field_name="reason_code")

    @cross_field("responsible_household", "rule")
    def _household_with_its_rule(self, data, **_kwargs):
        if bool(data.get("responsible_household")) != bool(data.get("rule")):
            raise ValidationError("required", field_name="rule" if data.get("responsible_household") else
                                  "responsible_household")


class Rating(Request):
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS, error="invalid_rating"))
    comment = text(MAX_NOTE, load_default=None, allow_none=True)


class Resolution(Request):
    note = text(MAX_NOTE, min_length=1, required=True)
    photos = NewReport._declared_fields["photos"]


class Reasoned(Request):
    """A request that gives a reason: ``reason_code`` from the standard list, ``reason`` in words, or both."""

    reason = text(MAX_NOTE, allow_none=True, load_default=None)

    @cross_field("reason", "reason_code")
    def _reason_given(self, data, **_kwargs):
        _reason_given(data, "reason")


class TaskReturn(Reasoned):
    reason_code = standard_reason("return")


class Escalation(Reasoned):
    reason_code = standard_reason("escalation")


class ExtensionRequest(Reasoned):
    reason_code = standard_reason("extension")
    until = Moment(required=True, default_timezone=None)


class DeferralRequest(Reasoned):
    reason_code = standard_reason("deferral")


class Decision(Request):
    approve = fields.Boolean(required=True)
    note = text(MAX_NOTE, load_default=None, allow_none=True)


class RequestFilter(Request):
    """Which extension (延期) and deferral (挂账) requests to list: the pending ones by default."""

    status = one_of(("pending", "approved", "denied"), load_default="pending")
    kind = one_of(("extension", "deferral"), allow_none=True, load_default=None)


# patrols (巡查) -------------------------------------------------------------
# Each step says when it happened on the phone: a patrol may be sent from an outbox long after.
MAX_TRACK_POINTS = 500


def _moment(**kwargs):
    return Moment(default_timezone=None, **kwargs)


def _client_id():
    return fields.String(allow_none=True, load_default=None, validate=validate.Regexp(UUID, error="invalid_id"),
                         metadata={"description": "optional: a lowercase UUID the phone chose, so a resend is one"})


class PatrolStart(Request):
    id = _client_id()
    started_at = _moment(required=True)


class CheckIn(Request):
    """打卡 at a building (and unit), with an optional photo and the phone's position (WGS-84)."""

    id = _client_id()
    building = text(32, min_length=1, required=True)
    unit = text(32, allow_none=True, load_default=None)
    at = _moment(required=True)
    latitude = NewReport._declared_fields["latitude"]
    longitude = NewReport._declared_fields["longitude"]
    photo = fields.String(allow_none=True, load_default=None,
                          validate=[validate.Length(max=MAX_URL), validate.Regexp(PHOTO_URL, error="invalid_photo")])
    note = text(MAX_NOTE, allow_none=True, load_default=None)

    @cross_field("latitude", "longitude")
    def _both_or_neither(self, data, **_kwargs):
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            raise ValidationError("required", field_name="longitude" if data.get("longitude") is None else "latitude")


class TrackPoint(Request):
    at = _moment(required=True)
    latitude = fields.Float(required=True, validate=validate.Range(-90, 90))
    longitude = fields.Float(required=True, validate=validate.Range(-180, 180))


class Track(Request):
    points = list_of(fields.Nested(TrackPoint), min_length=1, max_length=MAX_TRACK_POINTS, required=True)


class PatrolEnd(Request):
    ended_at = _moment(required=True)


class PatrolFilter(Request):
    walker = fields.String(load_default=None, metadata={"description": "a walker's staff code"})
    grid = fields.String(load_default=None)
    started_from = Moment(load_default=None, default_timezone=None)
    started_to = Moment(load_default=None, default_timezone=None)
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class CoverageQuery(Request):
    """Days in Asia/Shanghai, both included; at most a quarter."""

    from_ = Day(required=True, data_key="from")
    to = Day(required=True)
    grid = fields.String(load_default=None)

    @cross_field("from_", "to")
    def _a_short_period_forward(self, data, **_kwargs):
        if data.get("from_") and data.get("to"):
            if data["to"] < data["from_"]:
                raise ValidationError("period_backwards", field_name="to")
            if (data["to"] - data["from_"]).days > 92:
                raise ValidationError("period_too_long", field_name="to")


# messages (消息) ---------------------------------------------------------------
class NotificationQuery(Request):
    unread = fields.Boolean(load_default=False, metadata={"description": "only those not read yet"})
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class NotificationsRead(Request):
    """Which messages to mark read: ``ids``, or every one up to ``up_to`` (the newest the phone has shown)."""

    ids = list_of(fields.Integer(strict=True), min_length=1, max_length=200, load_default=None)
    up_to = fields.Integer(strict=True, load_default=None)

    @cross_field("ids", "up_to")
    def _one_way(self, data, **_kwargs):
        if (data.get("ids") is None) == (data.get("up_to") is None):
            raise ValidationError("ids_or_up_to", field_name="ids")


class CalendarDayChange(Request):
    """A day made a holiday or a make-up working day (调休), or back to the weekly pattern (normal);
    ``name`` is the day's name (国庆节) or why it changes, kept with the change either way."""

    kind = fields.String(required=True, validate=validate.OneOf(("holiday", "workday", "normal")))
    name = fields.String(required=True, validate=[validate.Regexp(r"\s*\S", error="required"),
                                                  validate.Length(max=64)])


class CalendarChangesQuery(Request):
    year = fields.Integer(required=True, validate=validate.Range(min=EARLIEST.year, max=LATEST.year))


class FiguresQuery(Request):
    period_from = Moment(required=True, default_timezone=None)
    period_to = Moment(required=True, default_timezone=None)
    # community: the street platform's figures, one row per community of its street
    group_by = fields.String(load_default="none",
                             validate=validate.OneOf(("none", "community", "grid", "handler", "category")))

    @cross_field("period_from", "period_to")
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
MAX_EXTENSION_DAYS = 30


class Party(Request):
    role = one_of(PARTY_ROLES, required=True)
    name = text(100, min_length=1, required=True)
    phone = text(32, allow_none=True, load_default=None)
    household = text(64, allow_none=True, load_default=None)
    account_id = text(64, allow_none=True, load_default=None)


class NewCase(Request):
    """接访登记: a walk-in or phone visit registered at reception."""

    source = one_of(CASE_SOURCES, required=True)
    visitor_name = text(100, min_length=1, required=True)
    contact = text(32, allow_none=True, load_default=None)
    visitor_account_id = text(64, allow_none=True, load_default=None)
    description = text(MAX_TEXT, min_length=1, required=True)  # what happened
    category = text(64, allow_none=True, load_default=None)
    grid = text(32, allow_none=True, load_default=None)
    building = text(32, allow_none=True, load_default=None)
    unit = text(32, allow_none=True, load_default=None)
    parties = list_of(fields.Nested(Party), load_default=list)


class CaseFilter(Request):
    station = one_of(STATIONS, error="unknown_station", allow_none=True, load_default=None)
    status = one_of(CASE_STATUSES, allow_none=True, load_default=None)
    source = one_of(("escalation", *CASE_SOURCES), allow_none=True, load_default=None)
    report_id = text(64, allow_none=True, load_default=None)


class CouncilItemFilter(Request):
    status = one_of(("open", "scheduled", "decided"), allow_none=True, load_default=None)


class Route(Request):
    """事务分流: to a station, back to dispatch (with its category) or to an outside body."""

    to = one_of(CASE_ROUTES, error="invalid_route", required=True)
    note = text(MAX_NOTE, allow_none=True, load_default=None)
    body = one_of(OUTSIDE_BODIES, allow_none=True, load_default=None)
    body_name = text(200, allow_none=True, load_default=None)
    category = text(64, allow_none=True, load_default=None)
    description = text(MAX_TEXT, allow_none=True, load_default=None)

    @cross_field("to", "body", "category", "note")
    def _what_each_route_needs(self, data, **_kwargs):
        errors = {}
        if data.get("to") == "outside" and not data.get("body"):
            errors["body"] = ["body_required"]
        if data.get("to") == "dispatch" and not data.get("category"):
            errors["category"] = ["category_required"]
        if data.get("to") == "outside" and not (data.get("note") or "").strip():
            errors["note"] = ["reason_required"]
        if errors:
            raise ValidationError(errors)


class SendBack(Request):
    note = text(MAX_NOTE, min_length=1, required=True)


class Consent(Request):
    party_id = text(64, min_length=1, required=True)
    consents = fields.Boolean(required=True)
    note = text(MAX_NOTE, allow_none=True, load_default=None)

    @cross_field("consents", "note")
    def _reason_for_refusal(self, data, **_kwargs):
        if data.get("consents") is False and not (data.get("note") or "").strip():
            raise ValidationError("reason_required", field_name="note")


class MediatorAppointment(Request):
    mediators = list_of(text(64, min_length=1), min_length=1, error="mediators_required", max_length=5, required=True)
    chosen_by = one_of(("station", "parties"), required=True)


class RightsNotice(Request):
    given_at = Moment(allow_none=True, load_default=None, default_timezone=None)
    note = text(MAX_NOTE, allow_none=True, load_default=None)


class MediationSession(Request):
    held_at = Moment(required=True, default_timezone=None)
    place = text(200, min_length=1, required=True)
    attendees = list_of(text(100, min_length=1), min_length=1, required=True)
    record = text(MAX_TEXT, min_length=1, required=True)


class MediationExtension(Request):
    days = fields.Integer(required=True, strict=True,
                          validate=validate.Range(min=1, max=MAX_EXTENSION_DAYS, error="invalid_value"))
    consenting_parties = list_of(text(64, min_length=1), load_default=list)
    note = text(MAX_NOTE, allow_none=True, load_default=None)


class MediationFailure(Request):
    reason = text(MAX_NOTE, min_length=1, required=True)
    routes_explained = list_of(text(200, min_length=1), min_length=1, error="routes_required", max_length=10,
                             required=True)
    body = one_of(REFERRAL_BODIES, allow_none=True, load_default=None)
    body_name = text(200, allow_none=True, load_default=None)


class Obligation(Request):
    party_id = text(64, min_length=1, required=True)
    what = text(MAX_NOTE, min_length=1, required=True)
    how = text(MAX_NOTE, min_length=1, required=True)
    due_on = Day(required=True)


class AgreementDraft(Request):
    facts = text(MAX_TEXT, min_length=1, required=True)
    responsibilities = text(MAX_TEXT, min_length=1, required=True)
    obligations = list_of(fields.Nested(Obligation), min_length=1, error="obligations_required", required=True)


class Signature(Request):
    party_id = text(64, allow_none=True, load_default=None)
    as_mediator = fields.Boolean(load_default=False)

    @cross_field("party_id", "as_mediator")
    def _one_signer(self, data, **_kwargs):
        if bool(data.get("party_id")) == bool(data.get("as_mediator")):
            raise ValidationError("one_signer", field_name="party_id")


class Performance(Request):
    performed_on = Day(required=True)
    note = text(MAX_NOTE, allow_none=True, load_default=None)


class JudicialConfirmation(Request):
    """司法确认: the parties' application to the court and, once made, the court's decision."""

    applied_on = Day(required=True)
    court = text(200, min_length=1, required=True)
    decision = one_of(("confirmed", "rejected"), allow_none=True, load_default=None)
    decided_on = Day(allow_none=True, load_default=None)
    note = text(MAX_NOTE, allow_none=True, load_default=None)

    @cross_field("decision", "decided_on")
    def _decided_on_a_day(self, data, **_kwargs):
        if data.get("decision") and not data.get("decided_on"):
            raise ValidationError("decision_date_required", field_name="decided_on")


class Consultation(Request):
    """法律咨询: on a case, or a walk-in (then the visitor is named)."""

    case_id = text(64, allow_none=True, load_default=None)
    question = text(MAX_TEXT, min_length=1, required=True)
    advice = text(MAX_TEXT, min_length=1, required=True)
    advisor = text(100, allow_none=True, load_default=None)
    visitor_name = text(100, allow_none=True, load_default=None)
    contact = text(32, allow_none=True, load_default=None)

    @cross_field("case_id", "visitor_name")
    def _walk_in_is_named(self, data, **_kwargs):
        if not data.get("case_id") and not (data.get("visitor_name") or "").strip():
            raise ValidationError("visitor_required", field_name="visitor_name")


class LegalAidReferral(Request):
    reason = text(MAX_NOTE, min_length=1, required=True)
    body_name = text(200, allow_none=True, load_default=None)


class CaseResolution(Request):
    """A station settles a case itself (legal advice given, or settled on the spot)."""

    outcome = one_of(("advice_given", "settled"), required=True)
    summary = text(MAX_NOTE, min_length=1, required=True)


class SupervisionOrder(Request):
    to = text(100, min_length=1, required=True)
    instruction = text(MAX_NOTE, min_length=1, required=True)
    due_on = Day(required=True)


class FollowUp(Request):
    satisfied = fields.Boolean(required=True)
    note = text(MAX_NOTE, allow_none=True, load_default=None)
    visited_on = Day(allow_none=True, load_default=None)


class AgendaItem(Request):
    title = text(200, min_length=1, required=True)
    description = text(MAX_TEXT, min_length=1, required=True)
    case_id = text(64, allow_none=True, load_default=None)


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
    held_at = Moment(required=True, default_timezone=None)
    place = text(200, min_length=1, required=True)
    attendees = Attendees(required=True)
    item_ids = list_of(text(64, min_length=1), min_length=1, required=True)


class CouncilDecision(Request):
    meeting_id = text(64, min_length=1, required=True)
    votes_for = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, error="invalid_votes"))
    votes_against = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, error="invalid_votes"))
    abstentions = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, error="invalid_votes"))
    decision = text(MAX_TEXT, min_length=1, required=True)
    # A new version of a village rule (村规民约), in the shape scoring's import_rules takes.
    adopts_rule = fields.Nested(RuleImport, allow_none=True, load_default=None)


class MediationFigures(Request):
    from_ = Day(required=True, data_key="from")
    to = Day(required=True)

    @cross_field("from_", "to")
    def _runs_forward(self, data, **_kwargs):
        if data.get("from_") and data.get("to") and data["to"] < data["from_"]:
            raise ValidationError("period_backwards", field_name="to")


class StationStaff(Request):
    code = text(64, min_length=1, required=True)
    community = text(32, min_length=1, required=True)
    name = text(100, min_length=1, required=True)
    station = one_of(STATIONS, error="unknown_station", required=True)
