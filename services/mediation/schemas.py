"""How mediation's records leave the service: plain JSON, times in Asia/Shanghai,
dates as ISO dates. Phones are masked afterwards for whoever does not handle the
case (service_layer), so these schemas show what the handler sees."""
from marshmallow import Schema, fields

from services.mediation.domain import STATION_NAMES, judicial_confirmation_by
from shared.times import shown_local
from shared.views import local_time


def _station_name(attribute: str):
    return fields.Function(lambda obj: dict(zip(("zh", "en"), STATION_NAMES[getattr(obj, attribute)]))
                           if getattr(obj, attribute, None) in STATION_NAMES else None)


class StepView(Schema):
    at = local_time("at")
    action = fields.String()
    station = fields.String()
    by = fields.String()
    by_name = fields.String()
    note = fields.String()
    data = fields.Raw()


class PartyView(Schema):
    id = fields.String()
    role = fields.String()
    name = fields.String()
    phone = fields.String()
    household = fields.String()
    account_id = fields.String()
    consent = fields.Function(lambda p: None if p.consents is None else {
        "consents": p.consents, "note": p.consent_note, "recorded_by": p.consent_recorded_by})
    consent_at = local_time("consent_at")


class SessionView(Schema):
    id = fields.String()
    held_at = local_time("held_at")
    place = fields.String()
    attendees = fields.List(fields.String())
    record = fields.String()
    recorded_by = fields.String()


class ObligationView(Schema):
    id = fields.String()
    party_id = fields.String()
    what = fields.String()
    how = fields.String()
    due_on = fields.Date()
    performed_on = fields.Date()
    note = fields.String(attribute="performance_note")
    recorded_by = fields.String(attribute="performance_recorded_by")


class SignatureView(Schema):
    party_id = fields.String()
    mediator_code = fields.String()
    name = fields.String(attribute="signer_name")
    signed_at = local_time("signed_at")
    recorded_by = fields.String()


class AgreementView(Schema):
    id = fields.String()
    case_id = fields.String()
    case_number = fields.Function(lambda a: a.case.number)
    community = fields.String()
    facts = fields.String()
    responsibilities = fields.String()
    parties = fields.Function(lambda a: [
        {"id": p.id, "role": p.role, "name": p.name, "household": p.household,
         "signed": any(s.party_id == p.id for s in a.signatures)} for p in a.case.parties])
    obligations = fields.List(fields.Nested(ObligationView))
    signatures = fields.List(fields.Nested(SignatureView))
    mediator_signed = fields.Function(lambda a: any(s.mediator_code for s in a.signatures))
    effective = fields.Function(lambda a: a.effective_on is not None)
    effective_on = fields.Date()
    judicial_confirmation_by = fields.Method("_confirmation_by")
    judicial_confirmation = fields.Function(lambda a: None if a.judicial_applied_on is None else {
        "applied_on": a.judicial_applied_on.isoformat(), "court": a.judicial_court,
        "decision": a.judicial_decision,
        "decided_on": a.judicial_decided_on.isoformat() if a.judicial_decided_on else None,
        "note": a.judicial_note, "recorded_by": a.judicial_recorded_by})
    performed = fields.Function(lambda a: a.performed_at is not None)
    performed_at = local_time("performed_at")
    drafted_by = fields.String()
    drafted_at = local_time("drafted_at")

    def _confirmation_by(self, agreement):
        return judicial_confirmation_by(agreement.effective_on).isoformat() if agreement.effective_on else None


class ConsultationView(Schema):
    id = fields.String()
    question = fields.String()
    advice = fields.String()
    advisor = fields.String()
    at = local_time("at")
    recorded_by = fields.String()


class ReferralView(Schema):
    id = fields.String()
    body = fields.String()
    body_name = fields.String()
    reason = fields.String()
    routes_explained = fields.List(fields.String())
    at = local_time("at")
    by = fields.String()


class OrderView(Schema):
    id = fields.String()
    to = fields.String()
    instruction = fields.String()
    due_on = fields.Date()
    issued_by = fields.String()
    issued_by_name = fields.String()
    issued_at = local_time("issued_at")


class FollowUpView(Schema):
    id = fields.String()
    satisfied = fields.Boolean()
    note = fields.String()
    visited_on = fields.Date()
    at = local_time("at")
    by = fields.String()


class CaseSummaryView(Schema):
    """A line of a list: where the case stands and its clock, without its documents."""

    id = fields.String()
    number = fields.String()
    community = fields.String()
    source = fields.String()
    station = fields.String()
    station_name = _station_name("station")
    status = fields.String()
    outcome = fields.String()
    close_outcome = fields.String()
    category = fields.String()
    summary = fields.String()
    visitor = fields.Function(lambda c: None if c.visitor_name is None else {
        "name": c.visitor_name, "contact": c.visitor_contact, "account_id": c.visitor_account})
    location = fields.Function(lambda c: {"grid": c.grid, "building": c.building, "unit": c.unit})
    report_id = fields.String()
    task_id = fields.String()
    handed_report_id = fields.String()
    opened_station = fields.String()
    opened_by = fields.String()
    opened_at = local_time("opened_at")
    due_at = local_time("due_at")
    mediation = fields.Function(lambda c: None if c.mediation_state is None else {
        "state": c.mediation_state, "started_at": _local(c.mediation_started_at), "extended_days": c.extended_days})
    resolved_at = local_time("resolved_at")
    resolved_station = fields.String()
    closed_at = local_time("closed_at")
    close_reason = fields.String()
    follow_up_satisfied = fields.Boolean()


def _local(moment):
    return shown_local(moment)


class CaseView(CaseSummaryView):
    """The whole file (一案一档): every party, document and step."""

    parties = fields.List(fields.Nested(PartyView))
    mediators = fields.Raw()
    mediators_chosen_by = fields.String()
    rights_notice = fields.Function(lambda c: None if c.rights_notice_at is None else {
        "given_at": _local(c.rights_notice_at), "by": c.rights_notice_by, "note": c.rights_notice_note})
    sessions = fields.List(fields.Nested(SessionView))
    agreements = fields.List(fields.Nested(AgreementView))
    consultations = fields.List(fields.Nested(ConsultationView))
    referrals = fields.List(fields.Nested(ReferralView))
    orders = fields.List(fields.Nested(OrderView))
    follow_ups = fields.List(fields.Nested(FollowUpView))
    history = fields.List(fields.Nested(StepView), attribute="steps")


class AgendaItemView(Schema):
    id = fields.String()
    community = fields.String()
    title = fields.String()
    description = fields.String()
    case_id = fields.String()
    raised_by = fields.String()
    raised_role = fields.String()
    raised_at = local_time("raised_at")
    status = fields.String()
    meeting_id = fields.String()


class MeetingView(Schema):
    id = fields.String()
    community = fields.String()
    held_at = local_time("held_at")
    place = fields.String()
    attendance = fields.Integer()
    attendees = fields.Raw()
    recorded_by = fields.String()


class DecisionView(Schema):
    """A decision as published (公示): what was decided and the votes, never a person."""

    id = fields.String()
    item_id = fields.String()
    meeting_id = fields.String()
    title = fields.String()
    decision = fields.String()
    votes_for = fields.Integer()
    votes_against = fields.Integer()
    abstentions = fields.Integer()
    adopted = fields.Boolean()
    adopts_rule = fields.Function(lambda d: None if not d.adopts_rule else {
        k: d.adopts_rule.get(k) for k in ("code", "version", "area", "description_zh", "description_en", "points",
                                          "valid_from")})
    decided_at = local_time("decided_at")


# One instance each: building a schema costs far more than using it.
case_view = CaseView()
case_summary_view = CaseSummaryView()
agreement_view = AgreementView()
item_view = AgendaItemView()
meeting_view = MeetingView()
decision_view = DecisionView()
