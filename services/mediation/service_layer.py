"""Mediation's use cases: the six stations' work on a case, one unit of work each.

Every use case loads its request through shared.contracts.rpc, checks who may
act (station staff on their own station's cases, the community office on every
case of its community), applies services.mediation.domain to the rows, writes
the step on the case's history and records its events in the same transaction
(outbox). Events are handled once each (inbox). Every "now" comes from the
service's clock, so tests can live through a 30-day limit in a second.
"""
import base64
import logging
import uuid
from datetime import date, datetime, timedelta
from functools import partial

from sqlalchemy import or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import lazyload

from services.mediation import domain
from services.mediation.agreement import render_agreement, render_agreement_pdf
from services.mediation.domain import BODY_NAMES, CaseStatus
from services.mediation.figures import station_figures
from services.mediation.models import (
    AgendaItem,
    Agreement,
    Case,
    CaseCounter,
    CaseStep,
    Consultation,
    CouncilDecision,
    CouncilMeeting,
    FollowUp,
    MediationSession,
    Obligation,
    Party,
    Referral,
    Signature,
    StationStaff,
    SupervisionOrder,
)
from services.mediation.schemas import (
    agreement_view,
    case_summary_view,
    case_view,
    decision_view,
    item_view,
    meeting_view,
)
from shared.contracts import rpc
from shared.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.contracts.events import load_payload
from shared.contracts.roles import OFFICE
from shared.contracts.validation import load, load_each
from shared.rules import apply_rule
from shared.times import SHANGHAI, as_utc, local_day
from shared.views import mask_phone

log = logging.getLogger(__name__)

SYSTEM = "system"
LIST_LIMIT = 200
# A broken rule of the domain is a conflict with the state of the case, unless a call names another field.
_guard = partial(apply_rule, field="case_id")
# A list shows each case's summary: none of the file's documents are read for it.
SUMMARY_ONLY = lazyload("*")
STAFF_ROLES = OFFICE | {"station_staff"}
OPEN = (CaseStatus.REGISTERED.value, CaseStatus.IN_PROGRESS.value)


# --- who may do what -----------------------------------------------------------
def _caller(caller: dict) -> dict:
    return load(rpc.Caller, caller)


def _station_of(caller: dict) -> str | None:
    return caller["station"] if caller["role"] == "station_staff" else None


def _require(caller: dict, *stations: str) -> None:
    """The community office, or staff of one of ``stations``."""
    if caller["role"] in OFFICE:
        return
    if caller["role"] == "station_staff":
        if caller["station"] in stations:
            return
        raise Forbidden("station_work", params={"station": caller["station"], "stations": stations[0]})
    raise Forbidden("forbidden_role", params={"role": caller["role"]})


def _acting_on(caller: dict, case: Case, station: str, also: tuple = (), anywhere: bool = False) -> None:
    """Station staff act only on cases at their station (``also``: where else the work may find the
    case; ``anywhere``: supervision's work reaches every case); the office acts on every case."""
    if caller["role"] in OFFICE:
        return
    if caller["role"] != "station_staff":
        raise Forbidden("forbidden_role", params={"role": caller["role"]})
    mine = _station_of(caller)
    if mine != station or not (anywhere or case.station in (station, *also)):
        raise Forbidden("not_your_station", field="case_id", params={"station": mine, "case_station": case.station})


def _is_staff(caller: dict) -> bool:
    return caller["role"] in STAFF_ROLES


def _handles(caller: dict, case: Case) -> bool:
    return caller["role"] in OFFICE or (caller["role"] == "station_staff" and caller["station"] == case.station)


def _own(caller: dict, case: Case) -> bool:
    account = caller["account_id"]
    return case.visitor_account == account or any(p.account_id == account for p in case.parties)


def _visible(caller: dict):
    """SQL: the cases a caller may see in their community (residents: their own)."""
    where = [Case.community == caller["community"]]
    if not _is_staff(caller):
        account = caller["account_id"]
        where.append(or_(Case.visitor_account == account,
                         Case.id.in_(select(Party.case_id).where(Party.account_id == account))))
    return where


# --- loading -------------------------------------------------------------
def _case_for(uow, caller: dict, case_id: str, lock: bool = True) -> Case:
    statement = select(Case).where(Case.id == case_id, *_visible(caller))
    if lock:
        statement = statement.with_for_update()
    case = uow.session.scalars(statement).first()
    if case is None:
        raise NotFound("case_not_found", field="case_id", params={"id": case_id})
    return case


def _agreement_for(uow, caller: dict, agreement_id: str, lock: bool = True) -> Agreement:
    query = select(Agreement).where(Agreement.id == agreement_id, Agreement.community == caller["community"])
    agreement = uow.session.scalars(query.with_for_update() if lock else query).first()
    if agreement is None or (not _is_staff(caller) and not _own(caller, agreement.case)):
        raise NotFound("agreement_not_found", field="agreement_id", params={"id": agreement_id})
    return agreement


def _party(case: Case, party_id: str, field: str = "party_id") -> Party:
    party = next((p for p in case.parties if p.id == party_id), None)
    if party is None:
        raise InvalidInput.one(field, "not_a_party", party=party_id)
    return party


# --- writing the file ------------------------------------------------------------
def _step(case: Case, caller: dict | None, action: str, now: datetime, note: str | None = None,
          data: dict | None = None) -> None:
    case.steps.append(CaseStep(at=now, action=action, station=case.station,
                               by=caller["account_id"] if caller else SYSTEM,
                               by_name=caller["name"] if caller else None, note=note, data=data))


def _record(uow, event_type: str, case: Case, **payload) -> None:
    """A case event with the case's identity; an escalated case's carries its report and task."""
    uow.record(event_type, {
        "case_id": case.id, "case_number": case.number, "community": case.community, "station": case.station,
        "report_id": case.report_id, "task_id": case.task_id, **payload,
    }, correlation_id=case.report_id or case.id)


def _close(uow, case: Case, caller: dict | None, outcome: str, reason: str, now: datetime) -> None:
    domain.close(case, outcome, reason, now)
    _closed(uow, case, caller, now)


def _closed(uow, case: Case, caller: dict | None, now: datetime, **more) -> None:
    """A closure the domain has just made, on the case's file and on the bus."""
    _step(case, caller, "closed", now, note=case.close_reason, data={"outcome": case.close_outcome})
    _record(uow, "case.closed", case, outcome=case.close_outcome, reason=case.close_reason, **more)


def _refer(uow, case: Case, caller: dict, body: str, body_name: str | None, reason: str, now: datetime,
           routes: list | None = None) -> None:
    """The case leaves the desk for an outside body (case.referred), and closes as referred."""
    name = body_name or BODY_NAMES.get(body)
    case.referrals.append(Referral(id=str(uuid.uuid4()), body=body, body_name=name, reason=reason,
                                   routes_explained=list(routes or []), at=now, by=caller["account_id"]))
    _step(case, caller, "referred", now, note=reason, data={"body": body, "body_name": name})
    _record(uow, "case.referred", case, body=body, body_name=name, reason=reason, routes_explained=list(routes or []))
    _close(uow, case, caller, "referred", f"转{name}:{reason}", now)


def _resolve(uow, case: Case, caller: dict | None, outcome: str, summary: str, now: datetime) -> None:
    domain.resolve(case, outcome, now)
    _step(case, caller, "resolved", now, note=summary, data={"outcome": outcome})
    _record(uow, "case.resolved", case, outcome=outcome, summary=summary)


def _new_case(session, community: str, now: datetime, station: str, **columns) -> Case:
    year = as_utc(now).astimezone(SHANGHAI).year
    number = domain.case_number(community, year, _next_number(session, community, year))
    case = Case(id=str(uuid.uuid4()), number=number, community=community, extended_days=0, mediators=[], **columns)
    domain.open_case(case, station, now)
    session.add(case)
    return case


def _next_number(session, community: str, year: int) -> int:
    """The community's next case number this year, taken atomically: competing instances never share one."""
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(CaseCounter).values(community=community, year=year, last=0).on_conflict_do_nothing())
    return session.execute(update(CaseCounter).where(CaseCounter.community == community, CaseCounter.year == year)
                           .values(last=CaseCounter.last + 1).returning(CaseCounter.last)).scalar_one()


def _add_parties(case: Case, parties: list[dict]) -> None:
    start = len(case.parties)
    for offset, party in enumerate(parties):
        case.parties.append(Party(id=str(uuid.uuid4()), position=start + offset, **party))


# --- views --------------------------------------------------------------------
def _private(view: dict, caller: dict, case: Case) -> dict:
    """Phones: whole for whoever handles the case, masked for other staff; a resident sees
    their own number and no other party's."""
    if _handles(caller, case):
        return view
    staff = _is_staff(caller)
    account = caller["account_id"]
    visitor = view.get("visitor")
    if visitor and visitor.get("contact"):
        own = case.visitor_account == account
        visitor["contact"] = visitor["contact"] if own else (mask_phone(visitor["contact"]) if staff else None)
    for party in view.get("parties", []):
        if party.get("phone"):
            own = party.get("account_id") == account
            party["phone"] = party["phone"] if own else (mask_phone(party["phone"]) if staff else None)
    return view


def _case_out(case: Case, caller: dict, now: datetime | None = None) -> dict:
    view = _private(case_view.dump(case), caller, case)
    if now is not None:
        view["clock"] = _clock(case, now)
    return view


def _summary_out(case: Case, caller: dict, now: datetime) -> dict:
    view = _private(case_summary_view.dump(case), caller, case)
    view["clock"] = _clock(case, now)
    return view


def _clock(case: Case, now: datetime) -> dict | None:
    if case.status not in OPEN:
        return None
    state, days = domain.clock(case.due_at, now)
    return {"state": state, "days_left": days}


# --- reception (接访站) ------------------------------------------------------
def import_station_staff(uow, staff: list) -> int:
    """The stations' staff, keyed by code: importing twice changes nothing."""
    items = load_each(rpc.StationStaff, staff, "staff")
    with uow:
        for item in items:
            row = uow.session.get(StationStaff, item["code"])
            if row is None:
                uow.session.add(StationStaff(**item))
            else:
                row.community, row.name, row.station = item["community"], item["name"], item["station"]
        uow.commit()
    return len(items)


def open_case(uow, caller: dict, data: dict, now: datetime) -> dict:
    """接访登记: reception registers a walk-in or phone visit; the case waits for triage."""
    caller = _caller(caller)
    _require(caller, "reception")
    data = load(rpc.NewCase, data)
    with uow:
        case = _new_case(uow.session, caller["community"], now, "reception", source=data["source"],
                         category=data["category"], summary=data["description"], visitor_name=data["visitor_name"],
                         visitor_contact=data["contact"], visitor_account=data["visitor_account_id"],
                         grid=data["grid"], building=data["building"], unit=data["unit"],
                         opened_by=caller["account_id"])
        _add_parties(case, data["parties"])
        _step(case, caller, "opened", now, data={"source": case.source, "parties": len(data["parties"])})
        _record(uow, "case.opened", case, source=case.source, category=case.category, summary=case.summary)
        uow.commit()
        return _case_out(case, caller, now)


def on_report_escalated(uow, event, now: datetime) -> None:
    """A matter the ladder passed up to the community arrives at reception as one case, linked to
    its report and task; the same event delivered again opens nothing."""
    escalated = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        if escalated["level"] != "community":
            uow.commit()
            return
        case = _new_case(uow.session, escalated["community"], now, "reception", source="escalation",
                         category=escalated["category"], summary=escalated["description"],
                         grid=escalated["grid"], building=escalated["building"],
                         report_id=escalated["report_id"], task_id=escalated["task_id"], opened_by=SYSTEM)
        _step(case, None, "opened", now, note=escalated["reason"],
              data={"source": "escalation", "report_id": case.report_id, "task_id": case.task_id,
                    "dispute": escalated["dispute"], "event_id": event.id})
        _record(uow, "case.opened", case, source="escalation", category=case.category, summary=case.summary)
        uow.commit()
        log.info("escalation %s of report %s opened case %s", event.id, case.report_id, case.number)


def list_cases(uow, caller: dict, filters: dict | None, now: datetime) -> dict:
    caller = _caller(caller)
    filters = load(rpc.CaseFilter, filters or {})
    where = _visible(caller)
    for name in ("station", "status", "source"):
        if filters[name]:
            where.append(getattr(Case, name) == filters[name])
    if filters["report_id"]:
        where.append(or_(Case.report_id == filters["report_id"], Case.handed_report_id == filters["report_id"]))
    with uow:
        cases = uow.session.scalars(select(Case).where(*where).options(SUMMARY_ONLY)
                                    .order_by(Case.opened_at.desc(), Case.number.desc()).limit(LIST_LIMIT)).all()
        return {"items": [_summary_out(c, caller, now) for c in cases]}


def get_case(uow, caller: dict, case_id: str, now: datetime) -> dict:
    caller = _caller(caller)
    with uow:
        return _case_out(_case_for(uow, caller, case_id, lock=False), caller, now)


def add_party(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """A party (applicant, respondent, other) added before mediation starts, by the station holding the case."""
    caller = _caller(caller)
    data = load(rpc.Party, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, case.station)
        _guard(domain.check_party_change, case)
        _add_parties(case, [data])
        _step(case, caller, "party_added", now, data={"role": data["role"], "party_id": case.parties[-1].id})
        uow.commit()
        return _case_out(case, caller, now)


# --- triage (事务分流站) --------------------------------------------------------
def route_case(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """To a station; back to dispatch as an ordinary task (a new report, linked); or outside with a referral."""
    caller = _caller(caller)
    data = load(rpc.Route, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "triage", also=("reception",))
        from_station = case.station
        to = data["to"]
        _guard(domain.route, case, to)
        _step(case, caller, "routed", now, note=data["note"], data={"from": from_station, "to": to})
        routed = {"from_station": from_station, "to": to, "note": data["note"]}
        if to == "dispatch":
            case.handed_report_id = str(uuid.uuid4())
            routed["dispatch"] = {
                "report_id": case.handed_report_id, "category": data["category"],
                "description": data["description"] or case.summary, "grid": case.grid, "building": case.building,
                "unit": case.unit, "reporter_id": caller["account_id"], "reporter_role": caller["role"]}
        _record(uow, "case.routed", case, **routed)
        if to == "dispatch":
            _close(uow, case, caller, "handed_to_dispatch", data["note"] or "转网格派遣处置", now)
        elif to == "outside":
            _refer(uow, case, caller, data["body"], data["body_name"], data["note"], now)
        uow.commit()
        return _case_out(case, caller, now)


def send_back(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """A station sends a case that is not its own back to triage; the history keeps both routes."""
    caller = _caller(caller)
    data = load(rpc.SendBack, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, case.station)
        from_station = case.station
        _guard(domain.send_back, case)
        _step(case, caller, "sent_back", now, note=data["note"], data={"from": from_station})
        uow.commit()
        return _case_out(case, caller, now)


# --- dispute mediation (争议调解站) ---------------------------------------------
def record_consent(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """Art. 17: a party's consent; one refusal closes the case without mediation."""
    caller = _caller(caller)
    data = load(rpc.Consent, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "mediation")
        party = _party(case, data["party_id"])
        if party.consents is not None:
            raise Conflict("consent_recorded", field="party_id")
        outcome = _guard(domain.record_consent, case, case.parties, party, data["consents"], now)
        party.consent_note, party.consent_recorded_by = data["note"], caller["account_id"]
        _step(case, caller, "consent", now, note=data["note"],
              data={"party_id": party.id, "consents": data["consents"]})
        if outcome == "started":
            _step(case, caller, "mediation_started", now, data={"due_at": as_utc(case.due_at).isoformat()})
        elif outcome == "refused":
            _close(uow, case, caller, "refused", f"当事人{party.name}不同意调解:{data['note']}", now)
        uow.commit()
        return _case_out(case, caller, now)


def appoint_mediators(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """Art. 19: mediators of the station, appointed by it or chosen by the parties."""
    caller = _caller(caller)
    data = load(rpc.MediatorAppointment, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "mediation")
        staff = {s.code: s for s in uow.session.scalars(select(StationStaff).where(
            StationStaff.community == case.community, StationStaff.station == "mediation",
            StationStaff.code.in_(data["mediators"]))).all()}
        unknown = [{"field": f"mediators.{i}", "code": "unknown_mediator", "params": {"code": code}}
                   for i, code in enumerate(data["mediators"]) if code not in staff]
        if unknown:
            raise InvalidInput(unknown)
        mediators = [{"code": code, "name": staff[code].name} for code in dict.fromkeys(data["mediators"])]
        _guard(domain.appoint_mediators, case, mediators, data["chosen_by"])
        _step(case, caller, "mediators_appointed", now, data={"mediators": mediators, "chosen_by": data["chosen_by"]})
        uow.commit()
        return _case_out(case, caller, now)


def give_rights_notice(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    caller = _caller(caller)
    data = load(rpc.RightsNotice, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "mediation")
        _guard(domain.give_rights_notice, case, data["given_at"] or now)
        case.rights_notice_by, case.rights_notice_note = caller["name"], data["note"]
        _step(case, caller, "rights_notice", now, note=data["note"])
        uow.commit()
        return _case_out(case, caller, now)


def hold_session(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    caller = _caller(caller)
    data = load(rpc.MediationSession, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "mediation")
        _guard(domain.check_session, case)
        session = MediationSession(id=str(uuid.uuid4()), held_at=data["held_at"], place=data["place"],
                                   attendees=data["attendees"], record=data["record"], recorded_by=caller["account_id"])
        case.sessions.append(session)
        _step(case, caller, "session", now, data={"session_id": session.id, "place": data["place"]})
        uow.commit()
        return _case_out(case, caller, now)


def extend_mediation(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """Beyond the 30 days only with every party's consent."""
    caller = _caller(caller)
    data = load(rpc.MediationExtension, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "mediation")
        due = _guard(domain.extend, case, case.parties, data["days"], data["consenting_parties"],
                     inputs={"extension_needs_every_party": "consenting_parties", "not_a_party": "consenting_parties",
                             "invalid_value": "days"})
        _step(case, caller, "extended", now, note=data["note"], data={"days": data["days"],
                                                                      "due_at": as_utc(due).isoformat()})
        uow.commit()
        return _case_out(case, caller, now)


def fail_mediation(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """Art. 26: no agreement; the routes are explained and the case is referred (to the court by default)."""
    caller = _caller(caller)
    data = load(rpc.MediationFailure, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "mediation")
        _guard(domain.fail, case, data["routes_explained"], inputs={"routes_required": "routes_explained"})
        case.mediation_failed_at = now
        _step(case, caller, "mediation_failed", now, note=data["reason"],
              data={"routes_explained": data["routes_explained"]})
        _refer(uow, case, caller, data["body"] or "court", data["body_name"], data["reason"], now,
               routes=data["routes_explained"])
        uow.commit()
        return _case_out(case, caller, now)


def draft_agreement(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """调解协议书 (Art. 29): facts, responsibilities, and each obligation with how and by when."""
    caller = _caller(caller)
    data = load(rpc.AgreementDraft, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "mediation")
        if case.agreements:
            raise Conflict("agreement_exists", field="case_id")
        party_ids = [p.id for p in case.parties]
        for index, obligation in enumerate(data["obligations"]):
            if obligation["party_id"] not in party_ids:
                raise InvalidInput.one(f"obligations.{index}.party_id", "not_a_party", party=obligation["party_id"])
        _guard(domain.check_agreement, case, len(case.sessions), data["obligations"], party_ids,
               inputs={"obligations_required": "obligations"})
        agreement = Agreement(id=str(uuid.uuid4()), community=case.community, facts=data["facts"],
                              responsibilities=data["responsibilities"], drafted_by=caller["account_id"],
                              drafted_at=now)
        agreement.obligations = [Obligation(id=str(uuid.uuid4()), position=i, **o)
                                 for i, o in enumerate(data["obligations"])]
        case.agreements.append(agreement)
        _step(case, caller, "agreement_drafted", now, data={"agreement_id": agreement.id,
                                                            "obligations": len(agreement.obligations)})
        uow.commit()
        return agreement_view.dump(agreement)


def sign_agreement(uow, caller: dict, agreement_id: str, data: dict, now: datetime) -> dict:
    """A party's or a mediator's signature, recorded by the mediation station (a resident may sign as
    themselves). Every party and a mediator signed: the agreement takes effect (agreement.signed)."""
    caller = _caller(caller)
    data = load(rpc.Signature, data)
    with uow:
        agreement = _agreement_for(uow, caller, agreement_id)
        case = agreement.case
        signing_self = (not _is_staff(caller) and data["party_id"]
                        and any(p.id == data["party_id"] and p.account_id == caller["account_id"]
                                for p in case.parties))
        if not signing_self:
            _acting_on(caller, case, "mediation")
        mediator_codes = [m["code"] for m in case.mediators or []]
        if data["as_mediator"]:
            if caller.get("staff_code") not in mediator_codes:
                raise Forbidden("not_a_mediator", field="as_mediator")
            signer = next(m["name"] for m in case.mediators if m["code"] == caller["staff_code"])
        else:
            signer = _party(case, data["party_id"]).name
        _guard(domain.sign, agreement, case.parties, agreement.signatures, party_id=data["party_id"],
               mediator_code=caller.get("staff_code") if data["as_mediator"] else None, mediators=mediator_codes,
               field="agreement_id", inputs={"not_a_party": "party_id"})
        agreement.signatures.append(Signature(
            party_id=data["party_id"], mediator_code=caller["staff_code"] if data["as_mediator"] else None,
            signer_name=signer, signed_at=now, recorded_by=caller["account_id"]))
        _step(case, caller, "signed", now, data={"agreement_id": agreement.id, "party_id": data["party_id"],
                                                 "as_mediator": data["as_mediator"]})
        if domain.is_effective(case.parties, agreement.signatures):
            agreement.effective_on, agreement.effective_at = local_day(now), now
            by = domain.judicial_confirmation_by(agreement.effective_on)
            _step(case, caller, "agreement_effective", now, data={"judicial_confirmation_by": by.isoformat()})
            _record(uow, "agreement.signed", case, agreement_id=agreement.id, households=_households(case),
                    obligations=len(agreement.obligations), judicial_confirmation_by=by.isoformat())
        uow.commit()
        return agreement_view.dump(agreement)


def record_performance(uow, caller: dict, agreement_id: str, obligation_id: str, data: dict,
                       now: datetime) -> dict:
    """Performance per obligation (mediation follows it up, supervision too); all performed: the
    agreement is performed (agreement.performed) and the case resolved."""
    caller = _caller(caller)
    data = load(rpc.Performance, data)
    with uow:
        agreement = _agreement_for(uow, caller, agreement_id)
        case = agreement.case
        if _station_of(caller) == "supervision":
            _acting_on(caller, case, "supervision", anywhere=True)
        else:
            _acting_on(caller, case, "mediation")
        obligation = next((o for o in agreement.obligations if o.id == obligation_id), None)
        if obligation is None:
            raise NotFound("obligation_not_found", field="obligation_id", params={"id": obligation_id})
        _guard(domain.perform, agreement, obligation, data["performed_on"], field="obligation_id")
        obligation.performance_note, obligation.performance_recorded_by = data["note"], caller["account_id"]
        _step(case, caller, "performed", now, note=data["note"],
              data={"agreement_id": agreement.id, "obligation_id": obligation.id})
        if domain.all_performed(agreement.obligations):
            agreement.performed_at = now
            uow.record("agreement.performed", {"case_id": case.id, "agreement_id": agreement.id,
                                               "community": case.community, "households": _households(case)},
                       correlation_id=case.report_id or case.id)
            _resolve(uow, case, caller, "agreement_performed", "调解协议已全部履行", now)
        uow.commit()
        return agreement_view.dump(agreement)


def record_judicial_confirmation(uow, caller: dict, agreement_id: str, data: dict, now: datetime) -> dict:
    """司法确认: the application to the court and its decision, recorded by mediation or legal services."""
    caller = _caller(caller)
    data = load(rpc.JudicialConfirmation, data)
    with uow:
        agreement = _agreement_for(uow, caller, agreement_id)
        _require(caller, "mediation", "legal")
        if agreement.effective_on is None:
            raise Conflict("agreement_not_effective", field="agreement_id")
        agreement.judicial_applied_on, agreement.judicial_court = data["applied_on"], data["court"]
        agreement.judicial_decision, agreement.judicial_decided_on = data["decision"], data["decided_on"]
        agreement.judicial_note, agreement.judicial_recorded_by = data["note"], caller["account_id"]
        _step(agreement.case, caller, "judicial_confirmation", now, note=data["note"],
              data={"agreement_id": agreement.id, "court": data["court"], "decision": data["decision"]})
        uow.commit()
        return agreement_view.dump(agreement)


def agreement_document(uow, caller: dict, agreement_id: str) -> str:
    """The printable 调解协议书, in Chinese, every piece of user text escaped."""
    caller = _caller(caller)
    with uow:
        agreement = _agreement_for(uow, caller, agreement_id, lock=False)
        return render_agreement(agreement)


def agreement_pdf(uow, caller: dict, agreement_id: str) -> dict:
    """The same 调解协议书 as an A4 PDF, in base64 to travel over RPC, with its case number to name the file."""
    caller = _caller(caller)
    with uow:
        agreement = _agreement_for(uow, caller, agreement_id, lock=False)
        return {"number": agreement.case.number,
                "content_b64": base64.b64encode(render_agreement_pdf(agreement)).decode()}


# --- legal services (法律服务站) -----------------------------------------------
def record_consultation(uow, caller: dict, data: dict, now: datetime) -> dict:
    """法律咨询 on a case at the legal station, or a walk-in: that opens a case at the legal
    station and resolves it at once (advice given), so it counts in the figures."""
    caller = _caller(caller)
    data = load(rpc.Consultation, data)
    _require(caller, "legal")
    with uow:
        if data["case_id"]:
            case = _case_for(uow, caller, data["case_id"])
            _acting_on(caller, case, "legal")
            if case.status != CaseStatus.IN_PROGRESS:
                raise Conflict("case_state", field="case_id", params={"status": case.status, "action": "consult"})
        else:
            case = _new_case(uow.session, caller["community"], now, "legal", source="walk_in",
                             summary=data["question"], visitor_name=data["visitor_name"],
                             visitor_contact=data["contact"], opened_by=caller["account_id"])
            _step(case, caller, "opened", now, data={"source": "walk_in"})
            _record(uow, "case.opened", case, source="walk_in", category=None, summary=case.summary)
        consultation = Consultation(id=str(uuid.uuid4()), question=data["question"], advice=data["advice"],
                                    advisor=data["advisor"] or caller["name"], at=now, recorded_by=caller["account_id"])
        case.consultations.append(consultation)
        _step(case, caller, "consultation", now, data={"consultation_id": consultation.id})
        if not data["case_id"]:
            _resolve(uow, case, caller, "advice_given", "已提供法律咨询意见", now)
        uow.commit()
        return _case_out(case, caller, now)


def resolve_case(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """Legal services (advice given) or the council settle a case they hold."""
    caller = _caller(caller)
    data = load(rpc.CaseResolution, data)
    with uow:
        _require(caller, "legal", "council")
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, case.station)
        _guard(_resolve, uow, case, caller, data["outcome"], data["summary"], now)
        uow.commit()
        return _case_out(case, caller, now)


def refer_to_legal_aid(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    caller = _caller(caller)
    data = load(rpc.LegalAidReferral, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "legal")
        if case.status != CaseStatus.IN_PROGRESS:
            raise Conflict("case_state", field="case_id", params={"status": case.status, "action": "refer"})
        _refer(uow, case, caller, "legal_aid", data["body_name"], data["reason"], now)
        uow.commit()
        return _case_out(case, caller, now)


# --- supervision (督导督办站) ----------------------------------------------------
def supervision_lists(uow, caller: dict, now: datetime) -> dict:
    """Open cases whose deadline is within 5 days (黄牌) and those past it (红牌), soonest first."""
    caller = _caller(caller)
    _require(caller, "supervision")
    near = now + timedelta(days=domain.NEAR_DEADLINE_DAYS)
    with uow:
        cases = uow.session.scalars(select(Case).where(
            Case.community == caller["community"], Case.status.in_(OPEN), Case.due_at <= near)
            .options(SUMMARY_ONLY).order_by(Case.due_at).limit(LIST_LIMIT)).all()
        items = [_summary_out(c, caller, now) for c in cases]
    return {"near_deadline": [i for i in items if i["clock"]["state"] == "near_deadline"],
            "overdue": [i for i in items if i["clock"]["state"] == "overdue"]}


def issue_supervision_order(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """督办单 on the case file: to whom, what, by when."""
    caller = _caller(caller)
    data = load(rpc.SupervisionOrder, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "supervision", anywhere=True)
        if case.status == CaseStatus.CLOSED:
            raise Conflict("case_state", field="case_id", params={"status": case.status, "action": "supervise"})
        order = SupervisionOrder(id=str(uuid.uuid4()), to=data["to"], instruction=data["instruction"],
                                 due_on=data["due_on"], issued_by=caller["account_id"], issued_by_name=caller["name"],
                                 issued_at=now)
        case.orders.append(order)
        _step(case, caller, "supervision_order", now, note=data["instruction"],
              data={"order_id": order.id, "to": data["to"], "due_on": data["due_on"].isoformat()})
        uow.commit()
        return _case_out(case, caller, now)


def record_follow_up(uow, caller: dict, case_id: str, data: dict, now: datetime) -> dict:
    """回访: satisfied closes the case; unsatisfied reopens it at the station that resolved it."""
    caller = _caller(caller)
    data = load(rpc.FollowUp, data)
    with uow:
        case = _case_for(uow, caller, case_id)
        _acting_on(caller, case, "supervision", anywhere=True)
        visit = FollowUp(id=str(uuid.uuid4()), satisfied=data["satisfied"], note=data["note"],
                         visited_on=data["visited_on"] or local_day(now), at=now, by=caller["account_id"])
        reason = "回访满意" + (f":{data['note']}" if data["note"] else "")
        outcome = _guard(domain.follow_up, case, data["satisfied"], now, reason)
        case.follow_ups.append(visit)
        _step(case, caller, "follow_up", now, note=data["note"], data={"satisfied": data["satisfied"]})
        if outcome == "closed":
            _closed(uow, case, caller, now, follow_up_satisfied=True)
        else:
            _step(case, caller, "reopened", now, note=data["note"])
            _record(uow, "case.reopened", case, reason=data["note"] or "回访不满意")
        uow.commit()
        return _case_out(case, caller, now)


# --- residents' council (居民议事站) ---------------------------------------------
def raise_agenda_item(uow, caller: dict, data: dict, now: datetime) -> dict:
    """An agenda item: from a case at the council station, or raised by a resident or staff."""
    caller = _caller(caller)
    data = load(rpc.AgendaItem, data)
    with uow:
        case = None
        if data["case_id"]:
            case = _case_for(uow, caller, data["case_id"])
            if _is_staff(caller):
                _acting_on(caller, case, "council")
        elif caller["role"] == "station_staff":
            _require(caller, "council", "reception", "triage")
        item = AgendaItem(id=str(uuid.uuid4()), community=caller["community"], title=data["title"],
                          description=data["description"], case_id=case.id if case else None,
                          raised_by=caller["account_id"], raised_role=caller["role"], raised_at=now, status="open")
        uow.session.add(item)
        if case is not None:
            _step(case, caller, "agenda_item", now, note=data["title"], data={"item_id": item.id})
        uow.commit()
        return item_view.dump(item)


def hold_meeting(uow, caller: dict, data: dict, now: datetime) -> dict:
    caller = _caller(caller)
    _require(caller, "council")
    data = load(rpc.CouncilMeeting, data)
    with uow:
        items = {i.id: i for i in uow.session.scalars(select(AgendaItem).where(
            AgendaItem.community == caller["community"], AgendaItem.id.in_(data["item_ids"])).with_for_update()).all()}
        errors = [{"field": f"item_ids.{n}", "code": "item_not_found", "params": {"id": item_id}}
                  for n, item_id in enumerate(data["item_ids"]) if item_id not in items]
        errors += [{"field": f"item_ids.{n}", "code": "already_decided", "params": {}}
                   for n, item_id in enumerate(data["item_ids"])
                   if item_id in items and items[item_id].status == "decided"]
        if errors:
            raise InvalidInput(errors)
        attendees = data["attendees"]
        counted = isinstance(attendees, int)  # a head count, or the list of those present
        meeting = CouncilMeeting(id=str(uuid.uuid4()), community=caller["community"], held_at=data["held_at"],
                                 place=data["place"], attendance=attendees if counted else len(attendees),
                                 attendees=None if counted else attendees, recorded_by=caller["account_id"])
        uow.session.add(meeting)
        uow.session.flush()
        for item in items.values():
            item.status, item.meeting_id = "scheduled", meeting.id
        uow.commit()
        scheduled = [item_view.dump(items[item_id]) for item_id in dict.fromkeys(data["item_ids"])]
        return {**meeting_view.dump(meeting), "items": scheduled}


def decide(uow, caller: dict, item_id: str, data: dict, now: datetime) -> dict:
    """A decision on an item at a meeting: adopted when more than half the votes cast are for it.
    An adopted decision is published (council.decided), with the village rule version it adopts;
    an item from a case resolves the case."""
    caller = _caller(caller)
    _require(caller, "council")
    data = load(rpc.CouncilDecision, data)
    with uow:
        session = uow.session
        item = session.scalars(select(AgendaItem).where(
            AgendaItem.id == item_id, AgendaItem.community == caller["community"]).with_for_update()).first()
        if item is None:
            raise NotFound("item_not_found", field="item_id", params={"id": item_id})
        if item.status == "decided":
            raise Conflict("already_decided", field="item_id")
        meeting = session.scalars(select(CouncilMeeting).where(
            CouncilMeeting.id == data["meeting_id"], CouncilMeeting.community == caller["community"])).first()
        if meeting is None:
            raise InvalidInput.one("meeting_id", "meeting_not_found", id=data["meeting_id"])
        if item.meeting_id != meeting.id:
            raise InvalidInput.one("meeting_id", "not_on_agenda")
        adopted = _guard(domain.count_votes, data["votes_for"], data["votes_against"], data["abstentions"],
                         meeting.attendance, inputs={"invalid_votes": "votes_for", "no_votes": "votes_for",
                                                     "votes_exceed_attendance": "votes_for"})
        rule = _plain_rule(data["adopts_rule"]) if data["adopts_rule"] else None
        decision = CouncilDecision(id=str(uuid.uuid4()), community=item.community, item_id=item.id,
                                   meeting_id=meeting.id, title=item.title, decision=data["decision"],
                                   votes_for=data["votes_for"], votes_against=data["votes_against"],
                                   abstentions=data["abstentions"], adopted=adopted, adopts_rule=rule,
                                   decided_at=now, decided_by=caller["account_id"])
        session.add(decision)
        item.status = "decided"
        if adopted:
            uow.record("council.decided", {"decision_id": decision.id, "community": decision.community,
                                           "title": decision.title, "adopts_rule": rule},
                       correlation_id=item.case_id or decision.id)
        if item.case_id:
            case = session.get(Case, item.case_id, with_for_update=True)
            _step(case, caller, "council_decided", now, note=data["decision"],
                  data={"decision_id": decision.id, "adopted": adopted})
            if case.status == CaseStatus.IN_PROGRESS and case.station == "council":
                _resolve(uow, case, caller, "council_decided", f"居民议事会决定:{data['decision']}", now)
        uow.commit()
        return decision_view.dump(decision)


def council_items(uow, caller: dict, filters: dict) -> dict:
    """The council's agenda (议题), oldest first: every station may see what waits for the council."""
    caller = _caller(caller)
    _require(caller, *domain.STATION_NAMES)
    filters = load(rpc.CouncilItemFilter, filters or {})
    conditions = [AgendaItem.community == caller["community"]]
    if filters["status"]:
        conditions.append(AgendaItem.status == filters["status"])
    with uow:
        items = uow.session.scalars(select(AgendaItem).where(*conditions)
                                    .order_by(AgendaItem.raised_at, AgendaItem.id).limit(LIST_LIMIT)).all()
        return {"items": item_view.dump(items, many=True)}


def council_meetings(uow, caller: dict) -> dict:
    """The council's meetings, newest first, each with its agenda and the decisions taken on it."""
    caller = _caller(caller)
    _require(caller, *domain.STATION_NAMES)
    with uow:
        session = uow.session
        meetings = session.scalars(select(CouncilMeeting).where(CouncilMeeting.community == caller["community"])
                                   .order_by(CouncilMeeting.held_at.desc()).limit(LIST_LIMIT)).all()
        ids = [m.id for m in meetings]
        items = session.scalars(select(AgendaItem).where(AgendaItem.meeting_id.in_(ids))
                                .order_by(AgendaItem.raised_at)).all()
        decisions = session.scalars(select(CouncilDecision).where(CouncilDecision.meeting_id.in_(ids))
                                    .order_by(CouncilDecision.decided_at)).all()
        return {"items": [{**meeting_view.dump(m), "items": item_view.dump([i for i in items if i.meeting_id == m.id],
                                                                             many=True),
                           "decisions": decision_view.dump([d for d in decisions if d.meeting_id == m.id], many=True)}
                          for m in meetings]}


def published_decisions(uow, community: str) -> dict:
    """公示: the council's decisions with their votes, for anyone; no person is named."""
    with uow:
        decisions = uow.session.scalars(select(CouncilDecision).where(CouncilDecision.community == community)
                                        .order_by(CouncilDecision.decided_at.desc()).limit(LIST_LIMIT)).all()
        return {"community": community, "items": decision_view.dump(decisions, many=True)}


def _plain_rule(rule: dict) -> dict:
    """A rule version as plain JSON, in the shape scoring's import_rules takes."""
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in rule.items() if k != "decision"}


# --- figures ------------------------------------------------------------------
def figures(uow, caller: dict, query: dict, now: datetime) -> dict:
    """The desk's figures per station (figures.py counts them) for the office and the stations' staff."""
    caller = _caller(caller)
    _require(caller, *domain.STATION_NAMES)
    query = load(rpc.MediationFigures, query)
    return station_figures(uow, caller["community"], query["from_"], query["to"], now)


# --- inside ---------------------------------------------------------------------
def _households(case: Case) -> list[str]:
    return list(dict.fromkeys(p.household for p in case.parties if p.household))
