"""Scoring's use cases: households and the rule book, the points ledger and its
publication (公示), objections, and the reward fund's periods and settlement.

Each use case runs in one unit of work and applies services.scoring.domain to
the stored records: a ledger row is turned into the domain's LedgerEntry, the
domain moves it on (and notes the step), and the row and its new steps are
written back. Events are handled once each (inbox); every "now" comes from the
service's clock, so a test can move time past a publication window.
"""
import dataclasses
import logging
import uuid
from datetime import date, datetime
from decimal import Decimal
from functools import partial

from sqlalchemy import and_, func, insert, literal, or_, select, update

from services.scoring import domain
from services.scoring.domain import EntryState, Evidence
from services.scoring.models import (
    FundPeriod,
    Household,
    LedgerEntry,
    LedgerStep,
    Member,
    Payout,
    Rule,
    StaffRecord,
)
from services.scoring.schemas import entry_view, money, payout_view, period_view
from shared.contracts import rpc
from shared.contracts import scoring as contracts
from shared.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound, PlatformError
from shared.contracts.events import load_payload
from shared.contracts.roles import OFFICE
from shared.contracts.validation import load, load_each
from shared.rules import apply_rule
from shared.times import local_day

log = logging.getLogger(__name__)

SYSTEM = "system"  # who proposes the entries that events bring
LEDGER_LIMIT = 500
# A broken rule of the domain is a conflict with the state of the entry, unless a call names another field.
_guard = partial(apply_rule, field="entry_id")
# Reports that earn their reporter's household points: filed by people of the community, not by staff.
REPORTER_ROLES = frozenset({"resident", "volunteer", "unit_leader", "building_leader"})
PROPOSERS = frozenset({"community_admin", "grid_worker", "grid_leader", "review_group"})
REVIEWERS = frozenset({"review_group"})
LEDGER_READERS = frozenset({"review_group", "community_admin"})
FUND_ADMINS = frozenset({"community_admin"})
# Entries that keep a period from being settled; a published one too while its window is open.
UNFINISHED = (EntryState.PROPOSED.value, EntryState.VERIFIED.value, EntryState.OBJECTED.value)
# The entry's fields that its publication moves on (the rest never change).
MOVING = ("state", "verified_by", "verified_at", "published_at", "window_ends", "objection", "objected_by",
          "decided_by", "effective_at")


# --- households and the rule book ---------------------------------------------
def import_households(uow, households: list) -> int:
    """Households with their members, keyed by code: importing twice changes nothing."""
    items = load_each(contracts.HouseholdImport, households, "households")
    with uow:
        for index, item in enumerate(items):
            household = uow.session.get(Household, item["code"])
            if household is None:
                household = Household(code=item["code"], community=item["community"])
                uow.session.add(household)
            elif household.community != item["community"]:  # its ledger belongs to its community
                raise InvalidInput.one(f"households.{index}.community", "invalid_value")
            household.building, household.unit = item["building"], item["unit"]
            household.members = [Member(**member) for member in item["members"]]
        uow.commit()
    return len(items)


def import_rules(uow, rules: list) -> int:
    """Village rule versions, each through the domain's guardrails; a newer version of a code is
    adopted from its valid_from (the one before ends the day before). Nothing is stored if one fails."""
    items = load_each(contracts.RuleImport, rules, "rules")
    with uow:
        _adopt_rules(uow.session, items, "rules")
        uow.commit()
    return len(items)


def _adopt_rules(session, items: list[dict], field: str) -> None:
    imported = field == "rules"  # a rule someone imports is bad input; one a council adopted is a conflict
    for index, item in sorted(enumerate(items), key=lambda pair: (pair[1]["code"], pair[1]["version"])):
        where = f"{field}.{index}"
        rule = domain.Rule(**item)
        stored = session.scalars(select(Rule).where(Rule.code == rule.code).with_for_update()).all()
        same = next((row for row in stored if row.version == rule.version), None)
        if same is not None:
            _guard(domain.check_rule, rule, field=where, bad_input=imported)
            if rule.valid_to is None and any(row.version > rule.version for row in stored):
                rule = dataclasses.replace(rule, valid_to=same.valid_to)  # ended by the newer version
            if _domain_rule(same) != rule:
                if session.scalar(select(func.count()).select_from(LedgerEntry).where(
                        LedgerEntry.rule_code == rule.code, LedgerEntry.rule_version == rule.version)):
                    raise Conflict("rule_version_in_use", field=where,
                                   params={"rule": rule.code, "version": rule.version})
                _write_rule(same, rule)
            continue
        if stored:
            book = _guard(domain.adopt_version, [_domain_rule(row) for row in stored], rule, field=where,
                          bad_input=imported)
            ended = {r.version: r.valid_to for r in book}
            for row in stored:
                row.valid_to = ended[row.version]
        else:
            _guard(domain.check_rule, rule, field=where, bad_input=imported)
        session.add(_write_rule(Rule(code=rule.code, version=rule.version), rule))
        session.flush()


# --- what households and the review group see ---------------------------------
def my_household(uow, caller: dict, now: datetime) -> dict:
    """A household's own ledger: its balance this period and every entry with its steps."""
    caller = load(rpc.Caller, caller)
    with uow:
        household = _household_of_account(uow.session, caller["community"], caller["account_id"])
        if household is None:
            raise NotFound("household_not_found", field="household")
        period = _current_period(uow.session, household.community, now)
        entries = uow.session.scalars(
            select(LedgerEntry).where(LedgerEntry.household == household.code)
            .order_by(LedgerEntry.proposed_at.desc(), LedgerEntry.id).limit(LEDGER_LIMIT)
        ).all()
        balance = domain.balance(entries, household.code, period, now)
        return {"household": household.code, "community": household.community, "building": household.building,
                "unit": household.unit, "period": period, "balance": balance.points,
                "entries": [_entry_out(entry, now) for entry in entries]}


def ledger(uow, caller: dict, filters: dict, now: datetime) -> dict:
    """The community's ledger, newest first, a page at a time, for the review group and the community office."""
    caller = load(rpc.Caller, caller)
    _require(caller, LEDGER_READERS)
    filters = load(contracts.LedgerFilter, filters or {})
    conditions = [LedgerEntry.community == caller["community"]]
    for name in ("state", "household", "period"):
        if filters[name]:
            conditions.append(getattr(LedgerEntry, name) == filters[name])
    page, per_page = filters["page"], filters["per_page"]
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(LedgerEntry).where(*conditions))
        entries = uow.session.scalars(
            select(LedgerEntry).where(*conditions)
            .order_by(LedgerEntry.proposed_at.desc(), LedgerEntry.id).offset((page - 1) * per_page).limit(per_page)
        ).all()
        # Which of them a live reversal corrects already (an entry is reversed once): one query for the page.
        reversed_by = dict(uow.session.execute(select(LedgerEntry.reverses, LedgerEntry.id).where(
            LedgerEntry.reverses.in_([entry.id for entry in entries]),
            LedgerEntry.state.notin_([state.value for state in domain.DEAD]))).all())
        return {"items": [{**_entry_out(entry, now), "reversed_by": reversed_by.get(entry.id)} for entry in entries],
                "page": page, "per_page": per_page, "total": total}


# --- the ledger: propose, verify, publish, object, decide ------------------------
def propose_entry(uow, caller: dict, data: dict, now: datetime) -> dict:
    """Grid staff, the office or the review group propose an entry; a rule that needs no
    verification is published at once, the others wait for the review group."""
    caller = load(rpc.Caller, caller)
    _require(caller, PROPOSERS)
    data = load(contracts.ProposeEntry, data)
    evidence = Evidence(data["evidence_kind"], data["evidence_ref"]) if data["evidence_kind"] else None
    with uow:
        row = _propose(uow, caller["community"], data["household"], data["rule"], data["reason"],
                       caller["account_id"], now, evidence)
        uow.commit()
        return _entry_out(row, now)


def verify_entry(uow, caller: dict, entry_id: str, data: dict, now: datetime) -> dict:
    """The review group checks the facts: approved, the entry is published at once; rejected, it never counts."""
    caller = load(rpc.Caller, caller)
    _require(caller, REVIEWERS)
    data = load(contracts.EntryVerification, data)
    with uow:
        row, entry = _entry_for(uow, caller, entry_id)
        if data["approve"]:
            _guard(domain.verify, entry, caller["account_id"], now)
            if data["note"]:
                entry.steps[-1] = dataclasses.replace(entry.steps[-1], note=data["note"])
            _guard(domain.publish, entry, now)
        else:
            _guard(domain.reject, entry, caller["account_id"], data["note"], now, inputs={"reason_required": "note"})
        _store(row, entry)
        uow.commit()
        return _entry_out(row, now)


def object_to_entry(uow, caller: dict, entry_id: str, data: dict, now: datetime) -> dict:
    """异议: a member of the household objects, with a reason, while the entry is published."""
    caller = load(rpc.Caller, caller)
    data = load(contracts.Objection, data)
    with uow:
        row, entry = _entry_for(uow, caller, entry_id)
        member = uow.session.scalar(select(func.count()).select_from(Member).where(
            Member.household == row.household, Member.account == caller["account_id"]))
        if not member:
            raise Forbidden("not_your_household", field="entry_id")
        _guard(domain.object_to, entry, caller["account_id"], data["reason"], now, inputs={"reason_required": "reason"})
        _store(row, entry)
        uow.commit()
        return _entry_out(row, now)


def decide_objection(uow, caller: dict, entry_id: str, data: dict, now: datetime) -> dict:
    """The review group upholds the entry (it counts from now) or withdraws it (it never counts)."""
    caller = load(rpc.Caller, caller)
    _require(caller, REVIEWERS)
    data = load(contracts.ObjectionDecision, data)
    with uow:
        row, entry = _entry_for(uow, caller, entry_id)
        decide = domain.uphold if data["uphold"] else domain.withdraw
        _guard(decide, entry, caller["account_id"], data["note"], now, inputs={"reason_required": "note"})
        _store(row, entry)
        uow.commit()
        return _entry_out(row, now)


# --- the reward fund -------------------------------------------------------
def reverse_entry(uow, caller: dict, entry_id: str, data: dict, now: datetime) -> dict:
    """A correction or a late appeal (申诉): a new entry of the opposite points, never an edit.
    It goes through verification and publication like any entry; it lands in the period open
    now when the original's period is already settled."""
    caller = load(rpc.Caller, caller)
    _require(caller, REVIEWERS | FUND_ADMINS)
    data = load(contracts.Correction, data)
    with uow:
        row, original = _entry_for(uow, caller, entry_id)
        reversals = [_as_domain(r) for r in uow.session.scalars(
            select(LedgerEntry).where(LedgerEntry.reverses == row.id)).all()]
        settled = uow.session.get(FundPeriod, (row.community, row.period))
        period = _period_for_proposal(uow.session, row.community, now) if settled and settled.state == "settled" \
            else None
        entry = _guard(domain.reverse, original, str(uuid.uuid4()), caller["account_id"], data["reason"], now,
                       reversals=reversals, period=period, inputs={"reason_required": "reason"})
        reversal = LedgerEntry(
            id=entry.id, community=row.community, household=entry.household, period=entry.period,
            rule_code=entry.rule_code, rule_version=entry.rule_version, points=entry.points, reason=entry.reason,
            evidence_kind=row.evidence_kind, evidence_ref=row.evidence_ref, proposed_by=entry.proposed_by,
            proposed_at=entry.proposed_at, needs_verification=True, reverses=row.id, steps=[])
        _store(reversal, entry)
        uow.session.add(reversal)
        uow.commit()
        return _entry_out(reversal, now)


def open_period(uow, caller: dict, data: dict, now: datetime) -> dict:
    """The community office opens a fund period with its fund, base entitlement and threshold."""
    caller = load(rpc.Caller, caller)
    _require(caller, FUND_ADMINS)
    data = load(contracts.FundPeriodOpen, data)
    community = caller["community"]
    with uow:
        session = uow.session
        if session.get(FundPeriod, (community, data["code"])) is not None:
            raise Conflict("period_exists", field="code", params={"period": data["code"]})
        overlapping = session.scalars(select(FundPeriod).where(
            FundPeriod.community == community, FundPeriod.starts_on <= data["ends_on"],
            FundPeriod.ends_on >= data["starts_on"])).first()
        if overlapping is not None:
            raise Conflict("period_overlaps", field="starts_on", params={"period": overlapping.code})
        households = session.scalar(select(func.count()).select_from(Household).where(
            Household.community == community))
        if data["fund"] < data["base"] * households:
            raise InvalidInput.one("fund", "fund_below_base", fund=money(data["fund"]),
                                   bases=money(data["base"] * households))
        period = FundPeriod(community=community, state="open", opened_by=caller["account_id"], opened_at=now,
                            **data)
        session.add(period)
        uow.commit()
        return period_view.dump(period)


def settle_period(uow, caller: dict, code: str, now: datetime) -> dict:
    """Settle a period once: every household its base, the pool by points above the threshold,
    exact to the fen. Refused while any entry of the period is still on its way."""
    caller = load(rpc.Caller, caller)
    _require(caller, FUND_ADMINS)
    community = caller["community"]
    with uow:
        session = uow.session
        period = session.scalars(select(FundPeriod).where(
            FundPeriod.community == community, FundPeriod.code == code).with_for_update()).first()
        if period is None:
            raise NotFound("period_not_found", field="code", params={"period": code})
        if period.state == "settled":
            raise Conflict("period_settled", field="code", params={"period": code})
        if local_day(now) <= period.ends_on:  # its last day's points may still come
            raise Conflict("period_not_ended", field="code", params={"period": code, "ends_on": str(period.ends_on)})
        of_period = and_(LedgerEntry.community == community, LedgerEntry.period == code)
        unfinished = session.scalar(select(func.count()).select_from(LedgerEntry).where(of_period, or_(
            LedgerEntry.state.in_(UNFINISHED),
            and_(LedgerEntry.state == EntryState.PUBLISHED.value, LedgerEntry.window_ends > now))))
        if unfinished:
            raise Conflict("entries_pending", field="code", params={"count": unfinished})
        _take_effect_all(session, of_period, now)
        points = _points_per_household(session, of_period, now)
        households = session.scalars(select(Household.code).where(Household.community == community)).all()
        settlement = _guard(domain.settle, code, Decimal(period.fund), households, points,
                            domain.Formula(Decimal(period.base), period.threshold), field="code")
        payouts = [Payout(community=community, period=code, household=line.household, points=line.points,
                          counted=line.counted, base=line.base, reward=line.reward, payout=line.payout)
                   for line in settlement.lines]
        session.add_all(payouts)
        period.state, period.settled_by, period.settled_at = "settled", caller["account_id"], now
        period.pool, period.counted_total = settlement.pool, settlement.counted_total
        period.shared_equally = settlement.shared_equally
        uow.record("fund.settled", {
            "community": community, "period": code, "starts_on": period.starts_on.isoformat(),
            "ends_on": period.ends_on.isoformat(), "fund": money(settlement.fund), "base": money(settlement.base),
            "threshold": settlement.threshold, "pool": money(settlement.pool), "households": len(settlement.lines),
            "counted_total": settlement.counted_total, "shared_equally": settlement.shared_equally,
            "settled_at": now,
        }, correlation_id=f"{community}/{code}")
        uow.commit()
        return {**period_view.dump(period), "lines": payout_view.dump(payouts, many=True)}


def publication(uow, community: str, period_code: str, now: datetime) -> dict:
    """公示 list of a period, for anyone: household codes and their figures, never a person.
    A settled period shows each payout line; an open one the points so far (payout null)."""
    with uow:
        session = uow.session
        period = session.get(FundPeriod, (community, period_code))
        if period is not None and period.state == "settled":
            payouts = session.scalars(select(Payout).where(
                Payout.community == community, Payout.period == period_code).order_by(Payout.household)).all()
            lines = payout_view.dump(payouts, many=True)
        else:
            of_period = and_(LedgerEntry.community == community, LedgerEntry.period == period_code)
            if period is None and not session.scalar(select(func.count()).select_from(LedgerEntry).where(of_period)):
                raise NotFound("period_not_found", field="period", params={"period": period_code})
            points = _points_per_household(session, of_period, now)
            households = session.scalars(select(Household.code).where(Household.community == community)
                                         .order_by(Household.code)).all()
            lines = [{"household": code, "points": points.get(code, 0), "payout": None} for code in households]
        shown = period_view.dump(period) if period is not None else {}
        return {"community": community, "period": period_code, "state": period.state if period else "unfunded",
                **{k: shown.get(k) for k in ("starts_on", "ends_on", "fund", "base", "threshold", "settled_at")},
                "lines": lines}


def _counts_at(now: datetime):
    """domain.is_effective as SQL, so a period's points are summed in the database instead of
    reading every entry into Python (a test keeps the two in step)."""
    return or_(
        and_(LedgerEntry.state.in_([state.value for state in domain.COUNTING]), LedgerEntry.effective_at <= now),
        and_(LedgerEntry.state == EntryState.PUBLISHED.value, LedgerEntry.window_ends <= now),
    )


def _points_per_household(session, of_period, now: datetime) -> dict[str, int]:
    return {household: int(total) for household, total in session.execute(
        select(LedgerEntry.household, func.sum(LedgerEntry.points)).where(of_period, _counts_at(now))
        .group_by(LedgerEntry.household)).all()}


# --- events ---------------------------------------------------------------
def on_report_closed(uow, event, now: datetime, report_rule: str) -> None:
    """A closed report: its reporter's household earns points under ``report_rule`` (capped per
    period), and a household the verifier found responsible gets a deduction proposed for the
    review group to verify. Once per event; what the rules refuse is logged, not retried."""
    closed = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        community, report_id = closed["community"], closed["report_id"]
        evidence = Evidence("report", report_id)
        if closed["reporter_role"] in REPORTER_ROLES:
            household = _household_of_account(uow.session, community, closed["reporter_id"])
            if household is not None:
                _propose_from_event(uow, event, community, household.code, report_rule,
                                    f"反映的问题经核查办结(案卷 {report_id})", now, evidence)
        if closed["responsible_household"] and closed["rule"]:
            _propose_from_event(uow, event, community, closed["responsible_household"], closed["rule"],
                                f"经核查,案卷 {report_id} 的问题系该户造成", now, evidence, deduction=True)
        uow.commit()


def on_agreement_performed(uow, event, now: datetime, agreement_rule: str) -> None:
    """A mediation agreement performed: each party's household earns points under ``agreement_rule``."""
    performed = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        for household in performed["households"]:
            _propose_from_event(uow, event, performed["community"], household, agreement_rule,
                                f"按期履行调解协议(案件 {performed['case_id']})", now,
                                Evidence("case", performed["case_id"]))
        uow.commit()


def on_council_decided(uow, event) -> None:
    """A residents' council decision that adopts a rule version (村规民约的修订): adopted from its date,
    entries already scored keep the version they were scored under. Refused rules park the event."""
    decided = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        if decided["adopts_rule"]:
            rule = {**decided["adopts_rule"], "decision": decided["decision_id"]}
            _adopt_rules(uow.session, load_each(contracts.RuleImport, [rule], "adopts_rule"), "adopts_rule")
        uow.commit()


def count_for_staff(uow, event) -> None:
    """Staff performance (网格化管理奖惩): each task event counts once for the staff member it is about,
    in the quarter it happened."""
    payload = load_payload(event.type, event.payload)
    outcome = _staff_outcome(event.type, payload, event.occurred_at)
    with uow:
        if not uow.first_delivery(event):
            return
        if outcome is not None:
            staff, column = outcome
            key = (staff, quarter_of(local_day(event.occurred_at)))
            record = uow.session.get(StaffRecord, key, with_for_update=True)
            if record is None:
                record = StaffRecord(staff=key[0], period=key[1], community=payload["community"],
                                     **dict.fromkeys(STAFF_COUNTS, 0))
                uow.session.add(record)
            setattr(record, column, getattr(record, column) + 1)
        uow.commit()


STAFF_COUNTS = ("on_time", "overdue", "rework", "returns", "satisfied", "basically_satisfied", "unsatisfied")


def _staff_outcome(event_type: str, payload: dict, at: datetime) -> tuple[str, str] | None:
    """(staff code, which count) an event adds to, or None."""
    if event_type == "task.resolved":
        return payload["staff_code"], "on_time" if at <= payload["deadline_at"] else "overdue"
    if event_type == "task.returned":
        return payload["staff_code"], "returns"
    if event_type == "report.verified" and not payload["passed"] and payload["handler"]:
        return payload["handler"], "rework"
    if event_type == "report.rated" and payload["handler"]:
        return payload["handler"], payload["rating"]
    return None


def staff_performance(uow, caller: dict, period: str) -> list[dict]:
    """Each staff member's counts and score for a period, best first."""
    caller = load(rpc.Caller, caller)
    _require(caller, OFFICE)
    with uow:
        rows = uow.session.scalars(select(StaffRecord).where(
            StaffRecord.community == caller["community"], StaffRecord.period == period)).all()
        scores = [domain.staff_score(domain.StaffCounts(
            r.staff, r.period, **{name: getattr(r, name) for name in STAFF_COUNTS})) for r in rows]
    ranked = sorted(scores, key=lambda s: (s.score is None, -(s.score or 0), s.staff))
    return [{"staff": s.staff, "period": s.period, "score": _number(s.score), "timeliness": _number(s.timeliness),
             "quality": _number(s.quality), "satisfaction": _number(s.satisfaction),
             "counts": {name: getattr(s.counts, name) for name in STAFF_COUNTS}} for s in ranked]


def _number(value) -> str | None:
    return None if value is None else str(value)


# --- inside -------------------------------------------------------------
def _propose(uow, community: str, household_code: str, rule_code: str, reason: str, proposed_by: str,
             now: datetime, evidence: Evidence | None = None, deduction: bool = False) -> LedgerEntry:
    """A new ledger row under the rule version in force today, clipped to the rule's cap, in the
    period open now; published at once unless it needs verification. The household is locked,
    so two proposals cannot both slip under one cap."""
    session = uow.session
    household = session.scalars(select(Household).where(
        Household.code == household_code, Household.community == community).with_for_update()).first()
    if household is None:
        raise InvalidInput.one("household", "unknown_household", household=household_code)
    period = _period_for_proposal(session, community, now)
    day = local_day(now)
    book = [_domain_rule(row) for row in session.scalars(select(Rule).where(Rule.code == rule_code)).all()]
    rule = _guard(domain.rule_in_force, book, rule_code, day, field="rule", inputs={"no_rule_in_force": "rule"})
    if deduction and not rule.is_deduction:
        raise InvalidInput.one("rule", "not_a_deduction", rule=rule_code)
    existing = session.scalars(select(LedgerEntry).where(
        LedgerEntry.household == household.code, LedgerEntry.period == period,
        LedgerEntry.rule_code == rule.code)).all()
    entry = _guard(domain.propose, str(uuid.uuid4()), household.code, rule, period, reason, proposed_by, now,
                   evidence=evidence, existing=existing, on=day, field="rule",
                   inputs={"reason_required": "reason", "evidence_required": "evidence_ref",
                           "rule_not_in_force": "rule", "rule_scores_petitioning": "rule"})
    if not entry.needs_verification:
        domain.publish(entry, now)
    row = LedgerEntry(
        id=entry.id, community=community, household=entry.household, period=entry.period,
        rule_code=entry.rule_code, rule_version=entry.rule_version, points=entry.points, reason=entry.reason,
        evidence_kind=evidence.kind if evidence else None, evidence_ref=evidence.ref if evidence else None,
        proposed_by=entry.proposed_by, proposed_at=entry.proposed_at, needs_verification=entry.needs_verification,
        reverses=entry.reverses, steps=[],
    )
    _store(row, entry)
    session.add(row)
    return row


def _propose_from_event(uow, event, community: str, household: str, rule: str, reason: str, now: datetime,
                        evidence: Evidence, deduction: bool = False) -> None:
    """An entry an event brings; what the rules refuse (a cap reached, an unknown household or rule,
    a settled period) is not an error to retry: it is logged and nothing is recorded. One report
    scores a household under a rule once, even if it is closed again after a reopening."""
    already = uow.session.scalar(select(func.count()).select_from(LedgerEntry).where(
        LedgerEntry.household == household, LedgerEntry.rule_code == rule,
        LedgerEntry.evidence_kind == evidence.kind, LedgerEntry.evidence_ref == evidence.ref,
        LedgerEntry.state.notin_([state.value for state in domain.DEAD])))
    if already:
        log.info("%s %s: household %s already has an entry under %s for %s %s", event.type, event.id, household,
                 rule, evidence.kind, evidence.ref)
        return
    try:
        _propose(uow, community, household, rule, reason, SYSTEM, now, evidence, deduction=deduction)
    except PlatformError as refused:
        params = refused.errors if isinstance(refused, InvalidInput) else refused.params
        log.info("%s %s: no entry for household %s under %s (%s %s)", event.type, event.id, household, rule,
                 refused.code, params)


def _store(row: LedgerEntry, entry: domain.LedgerEntry) -> None:
    """Write what the domain moved back onto the row, with the steps it noted."""
    for name in MOVING:
        setattr(row, name, getattr(entry, name))
    row.state = EntryState(entry.state).value
    for step in entry.steps:
        row.steps.append(LedgerStep(action=step.action, at=step.at, by=step.by, reason=step.reason, note=step.note))
    entry.steps.clear()


def _as_domain(row: LedgerEntry) -> domain.LedgerEntry:
    """The domain's entry for a row; its steps start empty, so what is done now is what gets added."""
    evidence = Evidence(row.evidence_kind, row.evidence_ref) if row.evidence_kind else None
    return domain.LedgerEntry(
        id=row.id, household=row.household, period=row.period, rule_code=row.rule_code,
        rule_version=row.rule_version, points=row.points, reason=row.reason, proposed_by=row.proposed_by,
        proposed_at=row.proposed_at, evidence=evidence, needs_verification=row.needs_verification,
        reverses=row.reverses, state=EntryState(row.state),
        **{name: getattr(row, name) for name in MOVING if name != "state"},
    )


def _entry_for(uow, caller: dict, entry_id: str) -> tuple[LedgerEntry, domain.LedgerEntry]:
    """An entry of the caller's community, locked, and its domain twin."""
    row = uow.session.scalars(select(LedgerEntry).where(
        LedgerEntry.id == entry_id, LedgerEntry.community == caller["community"]).with_for_update()).first()
    if row is None:
        raise NotFound("entry_not_found", field="entry_id", params={"id": entry_id})
    return row, _as_domain(row)


def _entry_out(row: LedgerEntry, now: datetime) -> dict:
    return {**entry_view.dump(row), "counts": domain.is_effective(row, now)}


def _take_effect_all(session, of_period, now: datetime) -> None:
    """What domain.take_effect does to each published entry whose window has ended without
    objection (effective from the window's end, with its step), in two statements for the period."""
    ended = and_(of_period, LedgerEntry.state == EntryState.PUBLISHED.value, LedgerEntry.window_ends <= now)
    session.execute(insert(LedgerStep).from_select(
        ["entry_id", "action", "at"],
        select(LedgerEntry.id, literal("effective"), LedgerEntry.window_ends).where(ended)))
    session.execute(update(LedgerEntry).where(ended).values(
        state=EntryState.EFFECTIVE.value, effective_at=LedgerEntry.window_ends,
    ).execution_options(synchronize_session=False))


def _household_of_account(session, community: str, account: str) -> Household | None:
    return session.scalars(
        select(Household).join(Member, Member.household == Household.code)
        .where(Member.account == account, Household.community == community).order_by(Household.code)
    ).first()


def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def _covering(session, community: str, day: date) -> list[FundPeriod]:
    return session.scalars(select(FundPeriod).where(
        FundPeriod.community == community, FundPeriod.starts_on <= day, FundPeriod.ends_on >= day)
        .order_by(FundPeriod.starts_on)).all()


def _current_period(session, community: str, now: datetime) -> str:
    """The period a household's balance is shown for: the fund period covering today, else the quarter."""
    day = local_day(now)
    covering = _covering(session, community, day)
    return next((p.code for p in covering if p.state == "open"), covering[0].code if covering else quarter_of(day))


def _period_for_proposal(session, community: str, now: datetime) -> str:
    """The open fund period covering now; with none, the quarter's code. A settled period is closed."""
    day = local_day(now)
    covering = _covering(session, community, day)
    code = next((p.code for p in covering if p.state == "open"), None)
    if code is not None:
        return code
    if covering:
        raise Conflict("period_settled", field="period", params={"period": covering[0].code})
    code = quarter_of(day)
    named = session.get(FundPeriod, (community, code))
    if named is not None and named.state == "settled":
        raise Conflict("period_settled", field="period", params={"period": code})
    return code


def _domain_rule(row: Rule) -> domain.Rule:
    return domain.Rule(code=row.code, version=row.version, area=row.area, description_zh=row.description_zh,
                       description_en=row.description_en, points=row.points, valid_from=row.valid_from,
                       valid_to=row.valid_to, cap_per_period=row.cap_per_period,
                       needs_verification=row.needs_verification, evidence_required=row.evidence_required,
                       decision=row.decision)


def _write_rule(row: Rule, rule: domain.Rule) -> Rule:
    for name in ("area", "description_zh", "description_en", "points", "cap_per_period", "needs_verification",
                 "evidence_required", "valid_from", "valid_to", "decision"):
        setattr(row, name, getattr(rule, name))
    return row


def _require(caller: dict, roles: frozenset) -> None:
    if caller["role"] not in roles:
        raise Forbidden("forbidden_role", params={"role": caller["role"]})
