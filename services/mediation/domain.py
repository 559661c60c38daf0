"""The mediation desk's rules, in plain Python (no framework imports).

A case (案件) opens at reception (接访站), triage (事务分流站) routes it, and
one station works it: dispute mediation (争议调解站) under the People's
Mediation Law (人民调解法), legal services (法律服务站), the residents'
council (居民议事站); supervision (督导督办站) watches every open case's
clock and visits the parties after it is resolved (回访). One case, one file:
the service layer writes every step on the case's history.

Functions take any object with the record's attributes (the service passes its
rows, the unit tests small stand-ins) and change it, or raise RuleBroken with
a message code of shared.contracts.messages.
"""
import math
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from enum import StrEnum

from shared.domain import RuleBroken

STATION_NAMES = {
    "reception": ("接访站", "Reception"),
    "triage": ("事务分流站", "Triage"),
    "mediation": ("争议调解站", "Dispute mediation"),
    "legal": ("法律服务站", "Legal services"),
    "supervision": ("督导督办站", "Supervision"),
    "council": ("居民议事站", "Residents' council"),
}
SOURCES = ("escalation", "walk_in", "phone")
PARTY_ROLES = ("applicant", "respondent", "other")
# Where triage may send a case: a station of the desk, back to dispatch as an ordinary task, or outside.
ROUTES = ("mediation", "legal", "council", "dispatch", "outside")
OUTSIDE_BODIES = ("court", "arbitration", "police", "department")
REFERRAL_BODIES = (*OUTSIDE_BODIES, "legal_aid")
BODY_NAMES = {"court": "人民法院", "arbitration": "仲裁委员会", "police": "公安机关", "department": "政府有关部门",
              "legal_aid": "法律援助中心"}

MEDIATION_DAYS = 30  # 人民调解: normally finished within a month of its start
CASE_DAYS = 30  # any other case: the desk answers within a month of registration
NEAR_DEADLINE_DAYS = 5  # 黄牌: this many days left or fewer
JUDICIAL_CONFIRMATION_DAYS = 30  # 司法确认: the parties apply within 30 days of the agreement taking effect


class CaseStatus(StrEnum):
    REGISTERED = "registered"  # at reception (or sent back to triage), waiting to be routed
    IN_PROGRESS = "in_progress"  # a station works it
    RESOLVED = "resolved"  # waiting for the follow-up visit (回访)
    CLOSED = "closed"


class MediationState(StrEnum):
    CONSENT = "awaiting_consent"  # Art. 17: every party must agree to be mediated
    MEDIATING = "mediating"  # every party consented: the 30-day clock runs
    AGREED = "agreed"  # an agreement is drafted (effective once every party and a mediator signed)
    REFUSED = "refused"  # a party refused: no mediation
    FAILED = "failed"  # Art. 26: ended without agreement, routes explained


OPEN_STATUSES = (CaseStatus.REGISTERED, CaseStatus.IN_PROGRESS)
CLOSE_OUTCOMES = ("resolved", "refused", "referred", "handed_to_dispatch")


def case_number(community: str, year: int, sequence: int) -> str:
    """Printed on every document: the community's code, the year, the case's place in that year."""
    return f"{community.upper()}-{year}-{sequence:04d}"


def _require_status(case, *statuses, action: str) -> None:
    if case.status not in statuses:
        raise RuleBroken("case_state", status=str(case.status), action=action)


# --- opening and routing ---------------------------------------------------------
def open_case(case, station: str, now: datetime) -> None:
    """A new case: registered at reception (or opened where a walk-in is served, as at legal)."""
    case.station = station
    case.opened_station = station
    case.status = CaseStatus.REGISTERED if station == "reception" else CaseStatus.IN_PROGRESS
    case.opened_at = now
    case.due_at = now + timedelta(days=CASE_DAYS)


def route(case, to: str) -> str:
    """事务分流: where the case stands now. ``dispatch`` and ``outside`` take it off the desk
    (the caller closes it); a station starts working it. Routing again (after a station sent
    it back) is allowed; the history keeps every route."""
    _require_status(case, CaseStatus.REGISTERED, action="route")
    if to not in ROUTES:
        raise RuleBroken("invalid_route", value=to)
    if to in ("mediation", "legal", "council"):
        case.station = to
        case.status = CaseStatus.IN_PROGRESS
        if to == "mediation":
            case.mediation_state = MediationState.CONSENT
    else:
        case.station = "triage"  # decided at triage; the caller closes the case
    return case.station


def send_back(case) -> None:
    """A station sends a case that is not its own back to triage (history kept)."""
    _require_status(case, CaseStatus.IN_PROGRESS, action="send_back")
    if case.mediation_state in (MediationState.MEDIATING, MediationState.AGREED):
        raise RuleBroken("mediation_under_way")
    case.station = "triage"
    case.status = CaseStatus.REGISTERED
    case.mediation_state = None


# --- dispute mediation --------------------------------------------------------
def _require_mediation(case, *states, action: str) -> None:
    if case.status != CaseStatus.IN_PROGRESS or case.station != "mediation":
        raise RuleBroken("case_state", status=str(case.status), action=action)
    if case.mediation_state not in states:
        raise RuleBroken("mediation_state", state=str(case.mediation_state), action=action)


def record_consent(case, parties: list, party, consents: bool, now: datetime) -> str:
    """Art. 17: each party says whether it agrees to be mediated. One refusal ends it ("refused");
    once every party (at least two) has consented, mediation starts and its clock runs ("started")."""
    _require_mediation(case, MediationState.CONSENT, action="consent")
    party.consents = consents
    party.consent_at = now
    if not consents:
        case.mediation_state = MediationState.REFUSED
        return "refused"
    if len(parties) >= 2 and all(p.consents for p in parties):
        case.mediation_state = MediationState.MEDIATING
        case.mediation_started_at = now
        case.due_at = now + timedelta(days=MEDIATION_DAYS)
        return "started"
    return "waiting"


def check_party_change(case) -> None:
    """Parties are added before mediation starts, never under a running clock."""
    if case.status not in OPEN_STATUSES:
        raise RuleBroken("case_state", status=str(case.status), action="add_party")
    if case.mediation_state not in (None, MediationState.CONSENT):
        raise RuleBroken("mediation_state", state=str(case.mediation_state), action="add_party")


def appoint_mediators(case, mediators: list, chosen_by: str) -> None:
    """Art. 19: appointed by the station or chosen by the parties, from the station's mediators."""
    _require_mediation(case, MediationState.CONSENT, MediationState.MEDIATING, action="appoint")
    if not mediators:
        raise RuleBroken("mediators_required")
    if chosen_by not in ("station", "parties"):
        raise RuleBroken("invalid_value")
    case.mediators = list(mediators)
    case.mediators_chosen_by = chosen_by


def give_rights_notice(case, at: datetime) -> None:
    """The parties are told their rights and duties before mediation proper."""
    _require_mediation(case, MediationState.CONSENT, MediationState.MEDIATING, action="rights_notice")
    case.rights_notice_at = at


def check_session(case) -> None:
    """A session needs mediation under way, mediators, and the rights notice given first."""
    _require_mediation(case, MediationState.MEDIATING, action="session")
    if not case.mediators:
        raise RuleBroken("mediators_required")
    if case.rights_notice_at is None:
        raise RuleBroken("rights_notice_first")


def extend(case, parties: list, days: int, consenting: Iterable[str]) -> datetime:
    """Extended only with every party's consent; the new deadline."""
    _require_mediation(case, MediationState.MEDIATING, MediationState.AGREED, action="extend")
    if days < 1:
        raise RuleBroken("invalid_value")
    consenting = set(consenting)
    unknown = sorted(consenting - {p.id for p in parties})
    if unknown:
        raise RuleBroken("not_a_party", party=", ".join(unknown))
    missing = [p for p in parties if p.id not in consenting]
    if missing:
        raise RuleBroken("extension_needs_every_party", missing="、".join(p.name for p in missing))
    case.due_at = case.due_at + timedelta(days=days)
    case.extended_days = (case.extended_days or 0) + days
    return case.due_at


def fail(case, routes_explained: list) -> None:
    """Art. 26: mediation ends without agreement; the parties are told the other routes."""
    _require_mediation(case, MediationState.CONSENT, MediationState.MEDIATING, action="fail")
    if not [r for r in routes_explained if r and r.strip()]:
        raise RuleBroken("routes_required")
    case.mediation_state = MediationState.FAILED


# --- the agreement (调解协议书) ------------------------------------------------
def check_agreement(case, sessions: int, obligations: list, party_ids: Iterable[str]) -> None:
    """Art. 29: an agreement says what each party will do, how and by when; it follows a session."""
    _require_mediation(case, MediationState.MEDIATING, action="agree")
    if not obligations:
        raise RuleBroken("obligations_required")
    if not sessions:
        raise RuleBroken("session_first")
    known = set(party_ids)
    for obligation in obligations:
        if obligation["party_id"] not in known:
            raise RuleBroken("not_a_party", party=obligation["party_id"])
    case.mediation_state = MediationState.AGREED


def sign(agreement, parties: list, signatures: list, party_id: str | None = None,
         mediator_code: str | None = None, mediators: Iterable[str] = ()) -> None:
    """One signature: a party of the agreement, or one of the case's mediators. Twice is refused."""
    if agreement.effective_on is not None:
        raise RuleBroken("agreement_effective")
    if party_id is not None:
        if party_id not in {p.id for p in parties}:
            raise RuleBroken("not_a_party", party=party_id)
        if any(s.party_id == party_id for s in signatures):
            raise RuleBroken("already_signed")
    else:
        if mediator_code not in set(mediators):
            raise RuleBroken("not_a_mediator")
        if any(s.mediator_code for s in signatures):
            raise RuleBroken("already_signed")


def is_effective(parties: list, signatures: list) -> bool:
    """Effective when every party and a mediator have signed."""
    signed = {s.party_id for s in signatures if s.party_id}
    return bool(parties) and all(p.id in signed for p in parties) and any(s.mediator_code for s in signatures)


def judicial_confirmation_by(effective_on: date) -> date:
    return effective_on + timedelta(days=JUDICIAL_CONFIRMATION_DAYS)


def perform(agreement, obligation, on: date) -> None:
    if agreement.effective_on is None:
        raise RuleBroken("agreement_not_effective")
    if obligation.performed_on is not None:
        raise RuleBroken("already_performed")
    obligation.performed_on = on


def all_performed(obligations: list) -> bool:
    return bool(obligations) and all(o.performed_on is not None for o in obligations)


# --- resolving, closing, following up ------------------------------------------
def resolve(case, outcome: str, now: datetime) -> None:
    _require_status(case, CaseStatus.IN_PROGRESS, action="resolve")
    case.status = CaseStatus.RESOLVED
    case.outcome = outcome
    case.resolved_at = now
    case.resolved_station = case.station
    case.resolve_seconds = int((now - case.opened_at).total_seconds())


def close(case, outcome: str, reason: str, now: datetime) -> None:
    if case.status == CaseStatus.CLOSED:
        raise RuleBroken("case_state", status=str(case.status), action="close")
    if outcome not in CLOSE_OUTCOMES:
        raise RuleBroken("invalid_value")
    case.status = CaseStatus.CLOSED
    case.close_outcome = outcome
    case.close_reason = reason
    case.closed_at = now


def follow_up(case, satisfied: bool, now: datetime, reason: str = "回访满意") -> str:
    """回访 after resolution: satisfied closes the case (for ``reason``); unsatisfied reopens it
    where it was resolved."""
    _require_status(case, CaseStatus.RESOLVED, action="follow_up")
    case.follow_up_satisfied = satisfied
    if satisfied:
        close(case, "resolved", reason, now)
        return "closed"
    case.status = CaseStatus.IN_PROGRESS
    case.station = case.resolved_station or case.station
    case.resolved_at = None
    case.resolve_seconds = None
    case.outcome = None
    case.due_at = now + timedelta(days=CASE_DAYS)
    if case.station == "mediation":
        case.mediation_state = MediationState.MEDIATING
    return "reopened"


# --- supervision -----------------------------------------------------------
def clock(due_at: datetime | None, now: datetime) -> tuple[str, int | None]:
    """(normal | near_deadline | overdue, whole days left; negative once overdue)."""
    if due_at is None:
        return "normal", None
    left = due_at - now
    days = math.floor(left.total_seconds() / 86400)
    if left < timedelta(0):
        return "overdue", days
    if left <= timedelta(days=NEAR_DEADLINE_DAYS):
        return "near_deadline", days
    return "normal", days


# --- residents' council ------------------------------------------------------
def count_votes(votes_for: int, against: int, abstentions: int, attendance: int | None = None) -> bool:
    """Adopted when the votes for are more than half of the votes cast (abstentions are cast votes)."""
    if min(votes_for, against, abstentions) < 0:
        raise RuleBroken("invalid_votes")
    cast = votes_for + against + abstentions
    if cast == 0:
        raise RuleBroken("no_votes")
    if attendance is not None and cast > attendance:
        raise RuleBroken("votes_exceed_attendance", cast=cast, attendance=attendance)
    return votes_for * 2 > cast
