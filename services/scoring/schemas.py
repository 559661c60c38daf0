"""How scoring's records leave the service: plain JSON, times in Asia/Shanghai,
money as strings in yuan to the fen ("123.45")."""
from decimal import Decimal

from marshmallow import Schema, fields

from services.scoring.domain import AREA_NAMES, ENTRY_STATE_NAMES, EntryState
from shared.views import local_time


def money(amount) -> str | None:
    return None if amount is None else f"{Decimal(amount):.2f}"


def _money(attribute: str):
    return fields.Function(lambda obj: money(getattr(obj, attribute)))


class StepView(Schema):
    action = fields.String()
    at = local_time("at")
    by = fields.String()
    reason = fields.String()
    note = fields.String()


class EntryView(Schema):
    id = fields.String()
    community = fields.String()
    household = fields.String()
    period = fields.String()
    rule_code = fields.String()
    rule_version = fields.Integer()
    points = fields.Integer()
    reason = fields.String()
    evidence = fields.Function(lambda e: {"kind": e.evidence_kind, "ref": e.evidence_ref} if e.evidence_kind else None)
    proposed_by = fields.String()
    proposed_at = local_time("proposed_at")
    needs_verification = fields.Boolean()
    reverses = fields.String()
    state = fields.String()
    state_name = fields.Function(lambda e: dict(zip(("zh", "en"), ENTRY_STATE_NAMES[EntryState(e.state)])))
    verified_by = fields.String()
    verified_at = local_time("verified_at")
    published_at = local_time("published_at")
    window_ends = local_time("window_ends")
    objection = fields.String()
    objected_by = fields.String()
    decided_by = fields.String()
    effective_at = local_time("effective_at")
    steps = fields.List(fields.Nested(StepView))


class RuleView(Schema):
    code = fields.String()
    version = fields.Integer()
    area = fields.String()
    area_name = fields.Function(lambda r: dict(zip(("zh", "en"), AREA_NAMES[r.area])))
    description = fields.Function(lambda r: {"zh": r.description_zh, "en": r.description_en})
    points = fields.Integer()
    cap_per_period = fields.Integer()
    needs_verification = fields.Boolean()
    evidence_required = fields.Boolean()
    valid_from = fields.Date()
    valid_to = fields.Date()
    decision = fields.String()


class PeriodView(Schema):
    community = fields.String()
    code = fields.String()
    starts_on = fields.Date()
    ends_on = fields.Date()
    fund = _money("fund")
    base = _money("base")
    threshold = fields.Integer()
    state = fields.String()
    opened_by = fields.String()
    opened_at = local_time("opened_at")
    settled_by = fields.String()
    settled_at = local_time("settled_at")
    pool = _money("pool")
    counted_total = fields.Integer()
    shared_equally = fields.Boolean()


class PayoutView(Schema):
    """One line of the published list: a household code and its figures, never a person."""

    household = fields.String()
    points = fields.Integer()
    counted = fields.Integer()
    base = _money("base")
    reward = _money("reward")
    payout = _money("payout")


# One instance each: building a schema costs far more than using it.
entry_view = EntryView()
rule_view = RuleView()
period_view = PeriodView()
payout_view = PayoutView()
