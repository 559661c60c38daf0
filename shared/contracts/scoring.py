"""Request schemas of scoring's RPC commands: households and village rules to import,
ledger entries and their publication, fund periods.

Like shared.contracts.rpc (both build on shared.contracts.validation): the gateway
loads them to answer bad input at once, the service loads them again; errors name
each field with a message code.
"""
import decimal

from marshmallow import ValidationError, fields, validate, validates_schema

from shared.contracts.validation import MAX_NOTE, Day, Request, text

AREAS = ("social_stability", "civility_integrity", "environmental_sanitation", "law_abiding")
EVIDENCE_KINDS = ("report", "case", "document")
ENTRY_STATES = ("proposed", "verified", "rejected", "published", "objected", "upheld", "withdrawn", "effective")
FEN = decimal.Decimal("0.01")


class Yuan(fields.Decimal):
    """An amount in yuan, exact to the fen: "123.45" (a string, or a number); never rounded silently."""

    def __init__(self, **kwargs):
        super().__init__(places=2, as_string=True, validate=validate.Range(min=0, error="invalid_value"), **kwargs)

    def _format_num(self, value):
        number = decimal.Decimal(str(value))
        if number.is_finite() and number != number.quantize(FEN, rounding=decimal.ROUND_DOWN):
            raise ValidationError("whole_fen")
        return super()._format_num(value)


class Member(Request):
    name = text(100, min_length=1, required=True)
    account = text(64, allow_none=True, load_default=None)
    phone = text(32, allow_none=True, load_default=None)


class HouseholdImport(Request):
    code = text(64, min_length=1, required=True)
    community = text(32, min_length=1, required=True)
    building = text(32, allow_none=True, load_default=None)
    unit = text(32, allow_none=True, load_default=None)
    members = fields.List(fields.Nested(Member), load_default=list)


class RuleImport(Request):
    code = text(64, min_length=1, required=True)
    version = fields.Integer(load_default=1, strict=True)
    area = fields.String(required=True, validate=validate.OneOf(AREAS, error="unknown_area"))
    description_zh = text(1000, min_length=1, required=True)
    description_en = text(1000, min_length=1, required=True)
    points = fields.Integer(required=True, strict=True)
    cap_per_period = fields.Integer(allow_none=True, load_default=None, strict=True)
    needs_verification = fields.Boolean(load_default=False)
    evidence_required = fields.Boolean(load_default=False)
    valid_from = Day(required=True)
    valid_to = Day(allow_none=True, load_default=None)
    concerns_petitioning = fields.Boolean(load_default=False)
    decision = text(200, allow_none=True, load_default=None)


class ProposeEntry(Request):
    household = text(64, min_length=1, required=True)
    rule = text(64, min_length=1, required=True)
    reason = text(MAX_NOTE, min_length=1, required=True)
    evidence_kind = fields.String(allow_none=True, load_default=None,
                                  validate=validate.OneOf(EVIDENCE_KINDS, error="unknown_evidence_kind"))
    evidence_ref = text(200, allow_none=True, load_default=None)

    @validates_schema
    def _evidence_whole(self, data, **_kwargs):
        if data.get("evidence_kind") and not data.get("evidence_ref"):
            raise ValidationError("required", field_name="evidence_ref")
        if data.get("evidence_ref") and not data.get("evidence_kind"):
            raise ValidationError("required", field_name="evidence_kind")


class EntryVerification(Request):
    approve = fields.Boolean(required=True)
    note = text(MAX_NOTE, allow_none=True, load_default=None)

    @validates_schema
    def _reason_on_rejection(self, data, **_kwargs):
        if data.get("approve") is False and not (data.get("note") or "").strip():
            raise ValidationError("reason_required", field_name="note")


class Objection(Request):
    reason = text(MAX_NOTE, min_length=1, required=True)


class Correction(Request):
    """Why an entry that counts is reversed (a correction, or an appeal after the window)."""

    reason = text(MAX_NOTE, min_length=1, required=True)


class ObjectionDecision(Request):
    uphold = fields.Boolean(required=True)
    note = text(MAX_NOTE, min_length=1, required=True)


class LedgerFilter(Request):
    state = fields.String(allow_none=True, load_default=None, validate=validate.OneOf(ENTRY_STATES))
    household = text(64, allow_none=True, load_default=None)
    period = text(32, allow_none=True, load_default=None)


class FundPeriodOpen(Request):
    code = fields.String(required=True, validate=[
        validate.Length(min=1, error="required"), validate.Length(max=32),
        validate.Regexp(r"^[0-9A-Za-z][0-9A-Za-z_.-]*$", error="invalid_value"),
    ])
    starts_on = Day(required=True)
    ends_on = Day(required=True)
    fund = Yuan(required=True)
    base = Yuan(load_default=decimal.Decimal("0.00"))
    threshold = fields.Integer(load_default=0, strict=True, validate=validate.Range(min=0, error="invalid_value"))

    @validates_schema
    def _period_runs_forward(self, data, **_kwargs):
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            raise ValidationError("period_backwards", field_name="ends_on")
