"""The mediation desk's rules without a database or a broker: consent and refusal (Art. 17),
the 30-day clock and its extension, the agreement's obligations and signatures (Art. 29),
follow-up visits, the supervision clock and the council's vote counting."""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest

from services.mediation import domain
from services.mediation.domain import CaseStatus, MediationState, RuleBroken
from shared.contracts import rpc, validation
from shared.contracts.errors import InvalidInput
from shared.contracts.messages import MESSAGES
from shared.times import SHANGHAI
from shared.views import mask_phone

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)


@dataclass
class Case:
    station: str = "reception"
    opened_station: str = "reception"
    status: str = CaseStatus.REGISTERED
    opened_at: datetime = T0
    due_at: datetime | None = None
    mediation_state: str | None = None
    mediation_started_at: datetime | None = None
    extended_days: int = 0
    mediators: list = field(default_factory=list)
    mediators_chosen_by: str | None = None
    rights_notice_at: datetime | None = None
    outcome: str | None = None
    close_outcome: str | None = None
    close_reason: str | None = None
    closed_at: datetime | None = None
    resolved_at: datetime | None = None
    resolved_station: str | None = None
    resolve_seconds: int | None = None
    follow_up_satisfied: bool | None = None


@dataclass
class Party:
    id: str
    name: str
    consents: bool | None = None
    consent_at: datetime | None = None


@dataclass
class Signature:
    party_id: str | None = None
    mediator_code: str | None = None


@dataclass
class Agreement:
    effective_on: date | None = None


@dataclass
class Obligation:
    performed_on: date | None = None


def at_mediation(*parties):
    case = Case()
    domain.open_case(case, "reception", T0)
    domain.route(case, "mediation")
    return case, list(parties)


def mediating(now=T0):
    case, parties = at_mediation(Party("a", "张伟"), Party("b", "李娜"))
    domain.record_consent(case, parties, parties[0], True, now)
    domain.record_consent(case, parties, parties[1], True, now)
    return case, parties


def broken(code):
    return pytest.raises(RuleBroken, match=code)


# numbering, opening, routing -----------------------------------------------
def test_case_numbers_run_per_community_and_year():
    assert domain.case_number("ytl", 2026, 1) == "YTL-2026-0001"
    assert domain.case_number("jqs", 2027, 123) == "JQS-2027-0123"


def test_a_case_opens_at_reception_and_triage_routes_it_to_mediation_which_waits_for_consent():
    case = Case()
    domain.open_case(case, "reception", T0)
    assert (case.status, case.station, case.due_at) == ("registered", "reception", T0 + timedelta(days=30))
    assert domain.route(case, "mediation") == "mediation"
    assert (case.status, case.mediation_state) == ("in_progress", MediationState.CONSENT)
    with broken("case_state"):
        domain.route(case, "legal")  # at a station: only after it is sent back
    domain.send_back(case)
    assert (case.status, case.station, case.mediation_state) == ("registered", "triage", None)
    assert domain.route(case, "legal") == "legal"


def test_dispatch_and_outside_are_decided_at_triage():
    case = Case()
    domain.open_case(case, "reception", T0)
    assert domain.route(case, "dispatch") == "triage"
    with broken("invalid_route"):
        domain.route(Case(), "moon")


def test_a_walk_in_at_legal_services_is_worked_there_at_once():
    case = Case()
    domain.open_case(case, "legal", T0)
    assert (case.status, case.station, case.opened_station) == ("in_progress", "legal", "legal")


# consent (Art. 17) ------------------------------------------------------------
def test_mediation_starts_only_when_every_party_consented_and_its_clock_runs_thirty_days():
    case, parties = at_mediation(Party("a", "张伟"), Party("b", "李娜"))
    later = T0 + timedelta(days=2)
    assert domain.record_consent(case, parties, parties[0], True, T0) == "waiting"
    assert case.mediation_state == MediationState.CONSENT
    assert domain.record_consent(case, parties, parties[1], True, later) == "started"
    assert (case.mediation_state, case.mediation_started_at) == (MediationState.MEDIATING, later)
    assert case.due_at == later + timedelta(days=30)


def test_one_refusing_party_ends_it_no_mediation():
    case, parties = at_mediation(Party("a", "张伟"), Party("b", "李娜"))
    domain.record_consent(case, parties, parties[0], True, T0)
    assert domain.record_consent(case, parties, parties[1], False, T0) == "refused"
    assert case.mediation_state == MediationState.REFUSED
    with broken("mediation_state"):
        domain.record_consent(case, parties, parties[0], True, T0)


def test_a_single_party_cannot_start_a_mediation():
    case, parties = at_mediation(Party("a", "张伟"))
    assert domain.record_consent(case, parties, parties[0], True, T0) == "waiting"


def test_consent_is_asked_only_at_the_mediation_station():
    case = Case()
    domain.open_case(case, "reception", T0)
    with broken("case_state"):
        domain.record_consent(case, [], Party("a", "x"), True, T0)


# sessions, extension, failure ---------------------------------------------------
def test_a_session_needs_mediators_and_the_rights_notice_first():
    case, _ = mediating()
    with broken("mediators_required"):
        domain.check_session(case)
    domain.appoint_mediators(case, [{"code": "m1", "name": "李德华"}], "parties")
    with broken("rights_notice_first"):
        domain.check_session(case)
    domain.give_rights_notice(case, T0)
    domain.check_session(case)
    assert case.mediators_chosen_by == "parties"


def test_an_extension_needs_every_partys_consent_and_moves_the_deadline():
    case, parties = mediating()
    due = case.due_at
    with broken("extension_needs_every_party") as refused:
        domain.extend(case, parties, 15, ["a"])
    assert refused.value.params == {"missing": "李娜"}
    with broken("not_a_party"):
        domain.extend(case, parties, 15, ["a", "b", "z"])
    assert case.due_at == due  # nothing changed
    assert domain.extend(case, parties, 15, ["a", "b"]) == due + timedelta(days=15)
    assert case.extended_days == 15


def test_failure_needs_the_routes_explained():
    case, _ = mediating()
    with broken("routes_required"):
        domain.fail(case, ["  "])
    domain.fail(case, ["可向人民法院起诉"])
    assert case.mediation_state == MediationState.FAILED


# the agreement --------------------------------------------------------------
def test_an_agreement_without_obligations_is_refused_and_one_naming_a_stranger_too():
    case, parties = mediating()
    with broken("obligations_required"):
        domain.check_agreement(case, 1, [], ["a", "b"])
    with broken("session_first"):
        domain.check_agreement(case, 0, [{"party_id": "a"}], ["a", "b"])
    with broken("not_a_party"):
        domain.check_agreement(case, 1, [{"party_id": "z"}], ["a", "b"])
    domain.check_agreement(case, 1, [{"party_id": "a"}], ["a", "b"])
    assert case.mediation_state == MediationState.AGREED


def test_the_agreement_takes_effect_only_when_every_party_and_a_mediator_signed():
    parties = [Party("a", "张伟"), Party("b", "李娜")]
    agreement, signatures = Agreement(), []
    for signer in (Signature(party_id="a"), Signature(mediator_code="m1")):
        domain.sign(agreement, parties, signatures, party_id=signer.party_id, mediator_code=signer.mediator_code,
                    mediators=["m1"])
        signatures.append(signer)
        assert not domain.is_effective(parties, signatures)
    domain.sign(agreement, parties, signatures, party_id="b")
    signatures.append(Signature(party_id="b"))
    assert domain.is_effective(parties, signatures)
    assert domain.judicial_confirmation_by(date(2026, 11, 20)) == date(2026, 12, 20)


def test_a_signature_by_someone_not_a_party_or_twice_or_by_a_stranger_mediator_is_refused():
    parties = [Party("a", "张伟"), Party("b", "李娜")]
    with broken("not_a_party"):
        domain.sign(Agreement(), parties, [], party_id="z")
    with broken("already_signed"):
        domain.sign(Agreement(), parties, [Signature(party_id="a")], party_id="a")
    with broken("not_a_mediator"):
        domain.sign(Agreement(), parties, [], mediator_code="m9", mediators=["m1"])
    with broken("agreement_effective"):
        domain.sign(Agreement(effective_on=date(2026, 11, 20)), parties, [], party_id="a")


def test_performance_is_counted_per_obligation_once_the_agreement_is_effective():
    obligations = [Obligation(), Obligation()]
    with broken("agreement_not_effective"):
        domain.perform(Agreement(), obligations[0], date(2026, 11, 21))
    effective = Agreement(effective_on=date(2026, 11, 20))
    domain.perform(effective, obligations[0], date(2026, 11, 21))
    assert not domain.all_performed(obligations)
    with broken("already_performed"):
        domain.perform(effective, obligations[0], date(2026, 11, 22))
    domain.perform(effective, obligations[1], date(2026, 11, 22))
    assert domain.all_performed(obligations)


# resolving, following up, the clock ------------------------------------------------
def test_a_satisfied_follow_up_closes_and_an_unsatisfied_one_reopens_where_it_was_resolved():
    case, _ = mediating()
    domain.resolve(case, "agreement_performed", T0 + timedelta(days=3))
    assert (case.status, case.resolved_station, case.resolve_seconds) == ("resolved", "mediation", 3 * 86400)
    with broken("case_state"):
        domain.resolve(case, "again", T0)
    assert domain.follow_up(case, False, T0 + timedelta(days=4)) == "reopened"
    assert (case.status, case.station, case.resolved_at) == ("in_progress", "mediation", None)
    domain.resolve(case, "agreement_performed", T0 + timedelta(days=5))
    assert domain.follow_up(case, True, T0 + timedelta(days=6)) == "closed"
    assert (case.status, case.close_outcome, case.follow_up_satisfied) == ("closed", "resolved", True)
    with broken("case_state"):
        domain.follow_up(case, True, T0)


def test_the_supervision_clock_shows_near_deadline_within_five_days_and_overdue_after():
    due = T0 + timedelta(days=30)
    assert domain.clock(due, T0) == ("normal", 30)
    assert domain.clock(due, due - timedelta(days=5)) == ("near_deadline", 5)
    assert domain.clock(due, due - timedelta(hours=1)) == ("near_deadline", 0)
    assert domain.clock(due, due + timedelta(hours=1)) == ("overdue", -1)
    assert domain.clock(due, due + timedelta(days=2, hours=1)) == ("overdue", -3)
    assert domain.clock(None, T0) == ("normal", None)


# the residents' council -------------------------------------------------------
@pytest.mark.parametrize("votes, adopted", [
    ((11, 10, 0), True), ((10, 10, 0), False), ((10, 5, 6), False), ((11, 5, 5), True), ((1, 0, 0), True),
])
def test_a_decision_is_adopted_when_more_than_half_the_votes_cast_are_for_it(votes, adopted):
    assert domain.count_votes(*votes) is adopted


def test_votes_cannot_be_negative_missing_or_more_than_those_present():
    with broken("invalid_votes"):
        domain.count_votes(-1, 0, 0)
    with broken("no_votes"):
        domain.count_votes(0, 0, 0)
    with broken("votes_exceed_attendance"):
        domain.count_votes(20, 5, 0, attendance=24)


# contracts the domain relies on ---------------------------------------------------
def test_every_code_the_domain_raises_has_a_message_in_both_languages():
    import inspect
    import re

    codes = set(re.findall(r'RuleBroken\("([a-z_]+)"', inspect.getsource(domain)))
    assert codes and codes <= set(MESSAGES)


def test_the_contracts_name_the_same_choices_as_the_domain():
    assert rpc.PARTY_ROLES == domain.PARTY_ROLES
    assert rpc.CASE_ROUTES == domain.ROUTES
    assert rpc.REFERRAL_BODIES == domain.REFERRAL_BODIES
    assert set(rpc.CASE_STATUSES) == {s.value for s in CaseStatus}


def test_an_agreement_request_without_obligations_names_the_field():
    with pytest.raises(InvalidInput) as refused:
        validation.load(rpc.AgreementDraft, {"facts": "噪音", "responsibilities": "双方", "obligations": []})
    assert refused.value.errors == [{"field": "obligations", "code": "obligations_required", "params": {}}]


def test_phones_are_masked_in_the_middle():
    assert mask_phone("13812341004") == "138****1004"
    assert mask_phone(None) is None
    assert "1004" in mask_phone("0539-1004") and mask_phone("0539-1004") != "0539-1004"
