"""Scoring's use cases on a real database (SQLite, and PostgreSQL where it runs):
households and rules imported, credits and deductions from closed reports (each
event once), publication, objections and their outcome, settlement to the fen,
and the public list without a person's name."""
import json
from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from services.scoring import domain, service_layer
from services.scoring.models import Base, LedgerEntry, Member, Payout, inbox, outbox
from shared.contracts import scoring as contracts
from shared.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.contracts.events import dump_payload
from shared.db import create_db_engine, session_factory
from shared.envelope import Event
from shared.times import SHANGHAI
from shared.uow import UnitOfWork

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday in the fourth quarter
WEEK_LATER = T0 + domain.PUBLICATION_WINDOW + timedelta(hours=1)
Q4 = "2026-Q4"
AFTER_Q4 = datetime(2027, 1, 1, 9, 0, tzinfo=SHANGHAI)
REPORTER, RESPONSIBLE, QUIET = "ytl-44-1-01", "ytl-44-1-02", "ytl-44-2-01"

HOUSEHOLDS = [
    {"code": REPORTER, "community": "ytl", "building": "44", "unit": "1", "members": [
        {"name": "杜慧", "account": "ytl-44-1-01", "phone": "15963900013"}, {"name": "戴婷"}]},
    {"code": RESPONSIBLE, "community": "ytl", "building": "44", "unit": "1", "members": [
        {"name": "夏磊", "account": "ytl-44-1-02", "phone": "15963900014"}, {"name": "钟静"}]},
    {"code": QUIET, "community": "ytl", "building": "44", "unit": "2", "members": [
        {"name": "侯建华", "account": "ytl-44-2-01", "phone": "15963900015"}]},
    {"code": "jqs-8-1-01", "community": "jqs", "building": "8", "unit": "1", "members": [
        {"name": "邵玉梅", "account": "jqs-8-1-01", "phone": "15963900099"}]},
]


def rule(code, points, zh, en, **more):
    return {"code": code, "version": 1, "area": "environmental_sanitation", "description_zh": zh,
            "description_en": en, "points": points, "cap_per_period": None, "needs_verification": False,
            "evidence_required": False, "valid_from": "2026-01-01", "valid_to": None,
            "concerns_petitioning": False, **more}


RULES = [
    rule("ENV-REPORT", 2, "主动上报问题并经核查办结", "Reported a problem that was closed", cap_per_period=10),
    rule("ENV-LITTER", -5, "乱扔垃圾,经核实", "Littering, verified", cap_per_period=20, needs_verification=True,
         evidence_required=True),
    rule("CIV-HELP", 1, "邻里互助", "Helping neighbours", area="civility_integrity"),
]


def caller(account, role, name="某人", community="ytl", **more):
    return {"account_id": account, "role": role, "name": name, "community": community, **more}


RESIDENT = caller(REPORTER, "resident", "杜慧", building="44")
NEIGHBOUR = caller(RESPONSIBLE, "resident", "夏磊", building="44")
REVIEW = caller("ytl-review-01", "review_group", "冯建军")
ADMIN = caller("ytl-admin", "community_admin", "砚台岭社区办公室")
GRID_WORKER = caller("zhangyan", "grid_worker", "张燕", grid="g04", staff_code="ytl-gw-04")


def report_closed(report_id="r-1", reporter=REPORTER, role="resident", responsible=None, rule_code=None, at=T0):
    return Event(type="report.closed", source="reporting", correlation_id=report_id, occurred_at=at, payload={
        "report_id": report_id, "community": "ytl", "category": "sanitation.garbage", "reporter_id": reporter,
        "reporter_role": role, "rework_count": 0, "responsible_household": responsible, "rule": rule_code})


class Scoring:
    """The service layer over one database, as the service calls it."""

    def __init__(self, url):
        self.engine = create_db_engine(url)
        Base.metadata.create_all(self.engine)
        self.sessions = session_factory(self.engine)

    def __getattr__(self, use_case):
        function = getattr(service_layer, use_case)
        return lambda *args, **kwargs: function(UnitOfWork(self.sessions, outbox, inbox, "scoring"), *args, **kwargs)

    def closed(self, event, now=T0):
        self.on_report_closed(event, now, "ENV-REPORT")

    def balance(self, household_caller, now):
        return self.my_household(household_caller, now)["balance"]

    def count(self, model, *where):
        with self.sessions() as session:
            return session.query(model).filter(*where).count()


@pytest.fixture
def scoring(database_url):
    service = Scoring(database_url)
    assert service.import_households(HOUSEHOLDS) == 4
    assert service.import_rules(RULES) == 3
    yield service
    service.engine.dispose()


def test_importing_households_and_rules_twice_changes_nothing(scoring):
    assert scoring.import_households(HOUSEHOLDS) == 4
    assert scoring.import_rules(RULES) == 3
    assert scoring.count(Member) == 6
    assert scoring.my_household(RESIDENT, T0) == {
        "household": REPORTER, "community": "ytl", "building": "44", "unit": "1", "period": Q4, "balance": 0,
        "entries": []}


def test_a_rule_that_scores_petitioning_is_refused_at_import_and_nothing_is_stored(scoring):
    for sneaky in (rule("STAB-X", -10, "无理缠访、闹访", "Pestering the authorities"),
                   rule("STAB-Y", -10, "越级 信 访", "Going over heads", needs_verification=True),
                   rule("STAB-Z", -10, "影响稳定", "Ｐｅｔｉｔｉｏｎ at the district", needs_verification=True),
                   rule("STAB-W", 5, "不去北京", "Stays home", concerns_petitioning=True)):
        with pytest.raises(InvalidInput) as refused:
            scoring.import_rules([rule("CIV-NEW", 1, "新规则", "A new rule"), sneaky])
        assert refused.value.errors == [{"field": "rules.1", "code": "rule_scores_petitioning",
                                         "params": {"rule": sneaky["code"]}}]
    with pytest.raises(InvalidInput) as refused:
        scoring.import_rules([rule("ENV-DUMP", -3, "倾倒垃圾", "Dumping")])  # a deduction must be verified
    assert refused.value.errors[0]["code"] == "deduction_unverified"
    with pytest.raises(InvalidInput) as refused:
        scoring.import_rules([{**rule("ENV-X", 1, "x", "x"), "area": "wealth"}])
    assert refused.value.errors[0] == {"field": "rules.0.area", "code": "unknown_area", "params": {}}
    with pytest.raises(InvalidInput) as refused:
        scoring.propose_entry(GRID_WORKER, {"household": QUIET, "rule": "CIV-NEW", "reason": "试试"}, T0)
    assert refused.value.errors[0]["code"] == "no_rule_in_force"  # nothing of the refused batches was stored


def test_a_residents_closed_report_credits_their_household_once(scoring):
    event = report_closed()
    scoring.closed(event)
    scoring.closed(event)  # redelivered
    [credit] = scoring.my_household(RESIDENT, T0)["entries"]
    assert (credit["rule_code"], credit["points"], credit["state"], credit["period"]) == ("ENV-REPORT", 2,
                                                                                          "published", Q4)
    assert credit["evidence"] == {"kind": "report", "ref": "r-1"}
    assert [step["action"] for step in credit["steps"]] == ["proposed", "published"]
    assert scoring.balance(RESIDENT, T0) == 0  # in its publication window: it does not count yet
    assert scoring.balance(RESIDENT, WEEK_LATER) == 2
    scoring.closed(event, now=WEEK_LATER)
    assert scoring.balance(RESIDENT, WEEK_LATER) == 2
    assert scoring.count(LedgerEntry) == 1


def test_reports_filed_by_staff_or_strangers_earn_nothing_and_the_cap_holds(scoring):
    scoring.closed(report_closed("r-staff", reporter="zhangyan", role="grid_worker"))
    scoring.closed(report_closed("r-nobody", reporter="someone-else"))
    assert scoring.count(LedgerEntry) == 0
    for n in range(7):  # 2 points each, capped at 10 a period: five entries, then nothing
        scoring.closed(report_closed(f"r-{n}"))
    entries = scoring.my_household(RESIDENT, T0)["entries"]
    assert sorted(e["points"] for e in entries) == [2] * 5
    assert scoring.balance(RESIDENT, WEEK_LATER) == 10


def test_a_deduction_waits_for_verification_is_objected_to_upheld_and_then_counts(scoring):
    scoring.closed(report_closed("r-9", responsible=RESPONSIBLE, rule_code="ENV-LITTER"))
    [deduction] = scoring.ledger(REVIEW, {"household": RESPONSIBLE}, T0)["items"]
    assert (deduction["points"], deduction["state"], deduction["evidence"]) == (
        -5, "proposed", {"kind": "report", "ref": "r-9"})
    entry_id = deduction["id"]
    with pytest.raises(Conflict) as refused:
        scoring.object_to_entry(NEIGHBOUR, entry_id, {"reason": "不是我家"}, T0)
    assert refused.value.code == "entry_state"
    with pytest.raises(Forbidden):
        scoring.verify_entry(GRID_WORKER, entry_id, {"approve": True, "note": "看过了"}, T0)

    published = scoring.verify_entry(REVIEW, entry_id, {"approve": True, "note": "监控为证"}, T0 + timedelta(hours=1))
    assert published["state"] == "published" and published["verified_by"] == "ytl-review-01"
    with pytest.raises(Forbidden):  # another household may not object
        scoring.object_to_entry(RESIDENT, entry_id, {"reason": "凑热闹"}, T0 + timedelta(hours=2))
    with pytest.raises(NotFound):  # nor another community see it
        scoring.object_to_entry(caller("jqs-8-1-01", "resident", community="jqs"), entry_id, {"reason": "x"},
                                T0 + timedelta(hours=2))
    objected = scoring.object_to_entry(NEIGHBOUR, entry_id, {"reason": "垃圾不是我家的"}, T0 + timedelta(days=1))
    assert objected["state"] == "objected" and objected["objection"] == "垃圾不是我家的"
    assert scoring.balance(NEIGHBOUR, WEEK_LATER) == 0  # objected: it does not count, window or not

    upheld = scoring.decide_objection(REVIEW, entry_id, {"uphold": True, "note": "证据充分"}, T0 + timedelta(days=2))
    assert upheld["state"] == "upheld" and upheld["counts"] is True
    assert [(s["action"], s["by"]) for s in upheld["steps"]] == [
        ("proposed", "system"), ("verified", "ytl-review-01"), ("published", None), ("objected", RESPONSIBLE),
        ("upheld", "ytl-review-01")]
    assert upheld["steps"][1]["note"] == "监控为证"
    assert scoring.balance(NEIGHBOUR, T0 + timedelta(days=2)) == -5  # counts from the decision

    # closed again after a reopening (a new event): one report deducts once
    scoring.closed(report_closed("r-9", responsible=RESPONSIBLE, rule_code="ENV-LITTER"), now=T0 + timedelta(days=3))
    assert len(scoring.ledger(REVIEW, {"household": RESPONSIBLE}, T0)["items"]) == 1


def test_a_withdrawn_deduction_never_counts_and_a_rejected_one_neither(scoring):
    first, second = report_closed("r-1", responsible=RESPONSIBLE, rule_code="ENV-LITTER"), report_closed(
        "r-2", responsible=RESPONSIBLE, rule_code="ENV-LITTER")
    scoring.closed(first)
    scoring.closed(second)
    entries = scoring.ledger(REVIEW, {"household": RESPONSIBLE}, T0)["items"]
    withdrawn_id, rejected_id = (e["id"] for e in sorted(entries, key=lambda e: e["evidence"]["ref"]))
    scoring.verify_entry(REVIEW, withdrawn_id, {"approve": True, "note": None}, T0)
    scoring.object_to_entry(NEIGHBOUR, withdrawn_id, {"reason": "当天全家在外地"}, T0 + timedelta(days=1))
    withdrawn = scoring.decide_objection(REVIEW, withdrawn_id, {"uphold": False, "note": "有车票为证"},
                                         T0 + timedelta(days=2))
    assert withdrawn["state"] == "withdrawn" and withdrawn["counts"] is False
    with pytest.raises(InvalidInput) as refused:
        scoring.verify_entry(REVIEW, rejected_id, {"approve": False}, T0)
    assert refused.value.errors == [{"field": "note", "code": "reason_required", "params": {}}]
    rejected = scoring.verify_entry(REVIEW, rejected_id, {"approve": False, "note": "监控看不清"}, T0)
    assert rejected["state"] == "rejected"
    assert scoring.balance(NEIGHBOUR, WEEK_LATER + timedelta(days=30)) == 0
    with pytest.raises(Conflict):  # decided once
        scoring.decide_objection(REVIEW, withdrawn_id, {"uphold": True, "note": "改主意"}, T0 + timedelta(days=3))


def test_settling_a_quarter_with_an_uneven_fund_sums_exactly_and_closes_it(scoring):
    with pytest.raises(Forbidden):
        scoring.open_period(REVIEW, {"code": Q4, "starts_on": "2026-10-01", "ends_on": "2026-12-31",
                                     "fund": "100.00"}, T0)
    with pytest.raises(InvalidInput) as refused:
        scoring.open_period(ADMIN, {"code": Q4, "starts_on": "2026-10-01", "ends_on": "2026-12-31",
                                    "fund": "100.001", "base": "1.00"}, T0)
    assert refused.value.errors == [{"field": "fund", "code": "whole_fen", "params": {}}]
    period = scoring.open_period(ADMIN, {"code": Q4, "starts_on": "2026-10-01", "ends_on": "2026-12-31",
                                         "fund": "100.00", "base": "1.00", "threshold": 0}, T0)
    assert (period["fund"], period["base"], period["state"]) == ("100.00", "1.00", "open")
    with pytest.raises(Conflict):
        scoring.open_period(ADMIN, {"code": "2026-12", "starts_on": "2026-12-01", "ends_on": "2026-12-31",
                                    "fund": "10.00"}, T0)

    scoring.closed(report_closed("r-1"))  # REPORTER +2
    scoring.propose_entry(GRID_WORKER, {"household": QUIET, "rule": "CIV-HELP", "reason": "帮邻居搬家"}, T0)  # +1
    scoring.closed(report_closed("r-2", reporter="zhangyan", role="grid_worker", responsible=RESPONSIBLE,
                                 rule_code="ENV-LITTER"))  # −5, after review; a grid worker's report earns nothing
    [deduction] = scoring.ledger(ADMIN, {"state": "proposed"}, T0)["items"]

    with pytest.raises(Conflict) as refused:  # the quarter is not over yet
        scoring.settle_period(ADMIN, Q4, T0 + timedelta(days=3))
    assert (refused.value.code, refused.value.params) == ("period_not_ended", {"period": Q4, "ends_on": "2026-12-31"})
    with pytest.raises(Conflict) as refused:
        scoring.settle_period(ADMIN, Q4, AFTER_Q4)
    assert (refused.value.code, refused.value.params) == ("entries_pending", {"count": 1})
    scoring.verify_entry(REVIEW, deduction["id"], {"approve": True, "note": "属实"}, AFTER_Q4 - timedelta(days=1))
    with pytest.raises(Conflict) as refused:  # the deduction's window is still open
        scoring.settle_period(ADMIN, Q4, AFTER_Q4)
    assert refused.value.code == "entries_pending"

    # 9,700 fen of pool shared 2 : 1 → 6,466.67 and 3,233.33: the odd fen goes to the larger remainder
    settled = scoring.settle_period(ADMIN, Q4, AFTER_Q4 + timedelta(days=8))
    lines = {line["household"]: line for line in settled["lines"]}
    assert {h: (line["points"], line["payout"]) for h, line in lines.items()} == {
        REPORTER: (2, "65.67"), QUIET: (1, "33.33"), RESPONSIBLE: (-5, "1.00")}
    assert sum(Decimal(line["payout"]) for line in lines.values()) == Decimal("100.00")
    assert (settled["state"], settled["pool"], settled["counted_total"]) == ("settled", "97.00", 3)
    assert scoring.count(Payout) == 3
    effective = scoring.ledger(ADMIN, {"period": Q4}, WEEK_LATER)["items"]
    assert {e["state"] for e in effective} == {"effective"}  # every step recorded, also the window's end
    assert all(e["steps"][-1]["action"] == "effective" for e in effective)

    with pytest.raises(Conflict) as refused:
        scoring.settle_period(ADMIN, Q4, WEEK_LATER)
    assert refused.value.code == "period_settled"
    with pytest.raises(Conflict) as refused:  # a settled period is closed to new entries
        scoring.propose_entry(GRID_WORKER, {"household": QUIET, "rule": "CIV-HELP", "reason": "又帮忙"}, WEEK_LATER)
    assert refused.value.code == "period_settled"
    scoring.closed(report_closed("r-late"), now=WEEK_LATER)  # an event into it records nothing
    assert scoring.count(LedgerEntry) == 3
    assert scoring.publication("ytl", Q4, WEEK_LATER)["lines"] == sorted(
        ({"household": h, "points": line["points"], "counted": line["counted"], "base": "1.00",
          "reward": line["reward"], "payout": line["payout"]} for h, line in lines.items()),
        key=lambda line: line["household"])


def test_the_publication_list_shows_household_codes_and_never_a_person(scoring):
    scoring.open_period(ADMIN, {"code": Q4, "starts_on": "2026-10-01", "ends_on": "2026-12-31",
                                "fund": "30.00", "base": "5.00"}, T0)
    scoring.closed(report_closed("r-1"))
    during = scoring.publication("ytl", Q4, WEEK_LATER)
    assert during["state"] == "open" and during["fund"] == "30.00"
    assert during["lines"] == [{"household": REPORTER, "points": 2, "payout": None},
                               {"household": RESPONSIBLE, "points": 0, "payout": None},
                               {"household": QUIET, "points": 0, "payout": None}]
    scoring.settle_period(ADMIN, Q4, AFTER_Q4)
    after = scoring.publication("ytl", Q4, WEEK_LATER)
    assert [line["payout"] for line in after["lines"]] == ["20.00", "5.00", "5.00"]
    for listing in (during, after):
        text = json.dumps(listing, ensure_ascii=False)
        for personal in ("杜慧", "戴婷", "夏磊", "侯建华", "1596390", "name", "phone", "account"):
            assert personal not in text
    with pytest.raises(NotFound):
        scoring.publication("ytl", "2019-Q1", WEEK_LATER)


def test_without_an_open_period_an_entry_counts_in_its_quarter_and_residents_see_only_their_own(scoring):
    entry = scoring.propose_entry(GRID_WORKER, {"household": QUIET, "rule": "CIV-HELP", "reason": "扫雪"},
                                  datetime(2026, 4, 1, 7, 0, tzinfo=SHANGHAI))
    assert entry["period"] == "2026-Q2"  # Shanghai's day (in UTC it is still 31 March)
    with pytest.raises(Forbidden):
        scoring.ledger(RESIDENT, {}, T0)
    with pytest.raises(NotFound):
        scoring.my_household(caller("ytl-gw-04", "grid_worker"), T0)
    with pytest.raises(InvalidInput) as refused:
        scoring.propose_entry(GRID_WORKER, {"household": "jqs-8-1-01", "rule": "CIV-HELP", "reason": "x"}, T0)
    assert refused.value.errors[0]["code"] == "unknown_household"  # another community's household
    with pytest.raises(InvalidInput) as refused:
        scoring.propose_entry(GRID_WORKER, {"household": RESPONSIBLE, "rule": "ENV-LITTER", "reason": "乱扔"}, T0)
    assert refused.value.errors == [{"field": "evidence_ref", "code": "evidence_required",
                                     "params": {"rule": "ENV-LITTER"}}]


def test_the_contracts_name_the_same_areas_evidence_and_states_as_the_domain():
    assert contracts.AREAS == domain.AREAS
    assert contracts.EVIDENCE_KINDS == domain.EVIDENCE_KINDS
    assert set(contracts.ENTRY_STATES) == {state.value for state in domain.EntryState}


def task_event(event_type, staff="ytl-wy-01", at=T0, deadline=T0 + timedelta(hours=4), **more):
    payload = {"task_id": "t-1", "report_id": "r-1", "community": "ytl", "sequence": 1, "version": 3,
               "staff_code": staff, "handler_name": "吴丽", "deadline_at": deadline, **more}
    return Event(type=event_type, source="dispatch", correlation_id="r-1", occurred_at=at,
                 payload=dump_payload(event_type, payload))


def test_staff_are_scored_from_task_events_once_each(scoring):
    on_time = task_event("task.resolved", note="已处理")
    late = task_event("task.resolved", at=T0 + timedelta(hours=5), note="已处理")
    returned = task_event("task.returned", staff="ytl-gw-02", reason="非本网格")
    rework = Event(type="report.verified", source="reporting", correlation_id="r-1", occurred_at=T0, payload={
        "report_id": "r-1", "community": "ytl", "task_id": "t-1", "passed": False, "note": "未清理干净",
        "verifier_id": "zhangyan", "rework_count": 1, "handler": "ytl-wy-01"})
    rated = Event(type="report.rated", source="reporting", correlation_id="r-1", occurred_at=T0, payload={
        "report_id": "r-1", "community": "ytl", "rating": "satisfied", "comment": None, "handler": "ytl-wy-01"})
    for event in (on_time, late, returned, rework, rated, on_time, rated):  # the last two are redeliveries
        scoring.count_for_staff(event)

    period = service_layer.quarter_of(T0.date())
    scores = {row["staff"]: row for row in scoring.staff_performance(ADMIN, period)}
    assert scores["ytl-wy-01"]["counts"] == {"on_time": 1, "overdue": 1, "rework": 1, "returns": 0, "satisfied": 1,
                                             "basically_satisfied": 0, "unsatisfied": 0}
    assert scores["ytl-gw-02"]["counts"]["returns"] == 1
    assert scores["ytl-wy-01"]["timeliness"] == "50.0" and scores["ytl-wy-01"]["satisfaction"] == "100.0"
    with pytest.raises(Forbidden):
        scoring.staff_performance(GRID_WORKER, period)


def test_a_correction_reverses_an_entry_that_counts_never_edits_it(scoring):
    scoring.closed(report_closed())
    [credit] = scoring.my_household(RESIDENT, WEEK_LATER)["entries"]
    with pytest.raises(Forbidden):
        scoring.reverse_entry(RESIDENT, credit["id"], {"reason": "x"}, WEEK_LATER)
    reversal = scoring.reverse_entry(ADMIN, credit["id"], {"reason": "案卷系重复上报"}, WEEK_LATER)
    assert (reversal["points"], reversal["state"], reversal["reverses"]) == (-2, "proposed", credit["id"])
    with pytest.raises(Conflict):  # once only
        scoring.reverse_entry(ADMIN, credit["id"], {"reason": "again"}, WEEK_LATER)
    listed = {e["id"]: e for e in scoring.ledger(ADMIN, {}, WEEK_LATER)["items"]}
    assert listed[credit["id"]]["reversed_by"] == reversal["id"] and listed[reversal["id"]]["reversed_by"] is None
    scoring.verify_entry(REVIEW, reversal["id"], {"approve": True, "note": "核实"}, WEEK_LATER)
    two_weeks = WEEK_LATER + domain.PUBLICATION_WINDOW + timedelta(hours=1)
    assert scoring.balance(RESIDENT, two_weeks) == 0
    assert scoring.count(LedgerEntry) == 2  # the original is still there, unchanged


def test_a_performed_agreement_credits_each_partys_household_once(scoring):
    scoring.import_rules([rule("STAB-AGREEMENT", 5, "按期履行调解协议", "Performed a mediation agreement",
                               area="social_stability", evidence_required=True)])
    performed = Event(type="agreement.performed", source="mediation", correlation_id="case-1", occurred_at=T0,
                      payload={"case_id": "case-1", "agreement_id": "a-1", "community": "ytl",
                               "households": [REPORTER, RESPONSIBLE]})
    service_layer.on_agreement_performed(UnitOfWork(scoring.sessions, outbox, inbox, "scoring"), performed, T0,
                                         "STAB-AGREEMENT")
    service_layer.on_agreement_performed(UnitOfWork(scoring.sessions, outbox, inbox, "scoring"), performed, T0,
                                         "STAB-AGREEMENT")  # redelivered
    assert scoring.count(LedgerEntry, LedgerEntry.rule_code == "STAB-AGREEMENT") == 2
    assert scoring.balance(RESIDENT, WEEK_LATER) == 5


def test_a_council_decision_adopts_a_new_rule_version_from_its_date(scoring):
    scoring.closed(report_closed())  # scored under version 1
    decided = Event(type="council.decided", source="mediation", correlation_id="d-1", occurred_at=T0, payload={
        "decision_id": "d-1", "community": "ytl", "title": "上报奖励调整为 3 分",
        "adopts_rule": {**rule("ENV-REPORT", 3, "主动上报问题并经核查办结", "Reported a problem that was closed",
                               cap_per_period=12), "version": 2, "valid_from": "2026-11-10"}})
    service_layer.on_council_decided(UnitOfWork(scoring.sessions, outbox, inbox, "scoring"), decided)
    service_layer.on_council_decided(UnitOfWork(scoring.sessions, outbox, inbox, "scoring"), decided)
    later = T0 + timedelta(days=10)
    scoring.closed(report_closed(report_id="r-2", at=later), now=later)
    points = sorted((e["rule_version"], e["points"]) for e in scoring.my_household(RESIDENT, later)["entries"])
    assert points == [(1, 2), (2, 3)]


def test_the_databases_count_of_what_counts_agrees_with_the_domain(scoring):
    """Settlement sums points in SQL (service_layer._counts_at); the domain's is_effective is the rule."""
    from sqlalchemy import and_, select

    scoring.closed(report_closed())  # published: counts once its window ends
    scoring.closed(report_closed(report_id="r-2", responsible=RESPONSIBLE, rule_code="ENV-LITTER"))  # proposed
    [deduction] = [e for e in scoring.ledger(REVIEW, {}, T0)["items"] if e["rule_code"] == "ENV-LITTER"]
    scoring.verify_entry(REVIEW, deduction["id"], {"approve": True, "note": "ok"}, T0)
    scoring.object_to_entry(caller(RESPONSIBLE, "resident"), deduction["id"], {"reason": "no"}, T0)
    scoring.decide_objection(REVIEW, deduction["id"], {"uphold": True, "note": "ok"}, T0 + timedelta(days=1))
    with scoring.sessions() as session:
        rows = session.scalars(select(LedgerEntry)).all()
        for moment in (T0, T0 + timedelta(days=1, hours=1), WEEK_LATER):
            in_sql = service_layer._points_per_household(session, and_(LedgerEntry.period == Q4), moment)
            in_python = {h: b.points for h, b in domain.balances([service_layer._as_domain(r) for r in rows], Q4,
                                                                  moment).items() if b.entry_ids}
            assert in_sql == in_python, moment
