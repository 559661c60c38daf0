"""Civility points: the rule book, the ledger and its publication, balances, settlement, staff scores."""
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from services.scoring.domain import (
    PUBLICATION_WINDOW,
    EntryState,
    Evidence,
    Formula,
    Rule,
    RuleBroken,
    StaffCounts,
    adopt_version,
    balance,
    balances,
    check_rule,
    is_effective,
    object_to,
    points_within_cap,
    propose,
    publish,
    reject,
    reverse,
    rule_in_force,
    rule_version,
    settle,
    staff_score,
    take_effect,
    uphold,
    verify,
    withdraw,
)

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=timezone.utc)
Q2 = "2026-Q2"
REPORTED = Rule("report_closed", 1, "environmental_sanitation", "反映问题经受理并办结",
                "A report registered and closed", 2, date(2026, 1, 1), cap_per_period=10)
LITTERING = Rule("littering", 1, "environmental_sanitation", "乱扔垃圾、占道堆物", "Littering or piling on the road",
                 -5, date(2026, 1, 1), needs_verification=True, evidence_required=True)
PHOTO = Evidence("report", "r-000123")


def credit(entry_id="e1", household="h101", rule=REPORTED, period=Q2, existing=(), at=T0):
    return propose(entry_id, household, rule, period, "报告被办结", "system", at, existing=existing)


def deduction(entry_id="d1", household="h102", at=T0):
    return propose(entry_id, household, LITTERING, Q2, "楼道堆放杂物", "gw-04", at, evidence=PHOTO)


def effective(entry, at=T0):
    if entry.needs_verification:
        verify(entry, "review-1", at)
    publish(entry, at)
    take_effect(entry, entry.window_ends)
    return entry


# the rule book -----------------------------------------------------------

def test_a_rule_flagged_as_concerning_petitioning_is_refused():
    rule = replace(REPORTED, code="stability", area="social_stability", concerns_petitioning=True)
    with pytest.raises(RuleBroken) as raised:
        check_rule(rule)
    assert raised.value.code == "rule_scores_petitioning" and raised.value.params == {"rule": "stability"}


@pytest.mark.parametrize(("zh", "en"), [
    ("无信访记录的家庭加5分", "Households with no record"),
    ("越级上访扣10分", "Going over heads"),
    ("缠访闹访扣分", "Pestering"),
    ("维护稳定", "No petitions to higher levels"),
    ("维护稳定", "NO PETITIONING"),
    ("信 访", "spaced out"),
    ("维护稳定", "ｐｅｔｉｔｉｏｎ in full width"),
])
def test_a_rule_whose_description_speaks_of_petitioning_is_refused(zh, en):
    rule = Rule("stability", 1, "social_stability", zh, en, 5, date(2026, 1, 1))
    with pytest.raises(RuleBroken) as raised:
        check_rule(rule)
    assert raised.value.code == "rule_scores_petitioning"


def test_a_rule_about_visiting_neighbours_is_not_mistaken_for_petitioning():
    check_rule(Rule("visits", 1, "civility_integrity", "走访慰问孤寡老人", "Visiting elderly people living alone",
                    3, date(2026, 1, 1)))


@pytest.mark.parametrize(("change", "code"), [
    ({"area": "loyalty"}, "unknown_area"),
    ({"points": 0}, "rule_without_points"),
    ({"cap_per_period": 0}, "invalid_cap"),
    ({"valid_to": date(2025, 12, 31)}, "period_backwards"),
    ({"points": -3}, "deduction_unverified"),
])
def test_a_malformed_rule_is_refused(change, code):
    with pytest.raises(RuleBroken) as raised:
        check_rule(replace(REPORTED, **change))
    assert raised.value.code == code


def test_a_rule_cannot_be_scored_under_if_it_scores_petitioning_even_when_already_in_the_book():
    stored = replace(REPORTED, description_zh="不上访加分")
    with pytest.raises(RuleBroken) as raised:
        credit(rule=stored)
    assert raised.value.code == "rule_scores_petitioning"


def test_the_version_in_force_on_the_day_of_the_conduct_is_chosen():
    v2 = replace(LITTERING, version=2, points=-3, valid_from=date(2026, 5, 1), decision="council-2026-04")
    book = adopt_version([REPORTED, LITTERING], v2)
    assert rule_in_force(book, "littering", date(2026, 4, 30)).version == 1
    assert rule_in_force(book, "littering", date(2026, 5, 1)).version == 2
    assert rule_version(book, "littering", 1).valid_to == date(2026, 4, 30)
    assert rule_in_force(book, "report_closed", date(2026, 5, 1)) == REPORTED


def test_a_new_version_leaves_entries_on_the_version_they_were_scored_under():
    book = (LITTERING,)
    old = effective(deduction(at=T0))
    book = adopt_version(book, replace(LITTERING, version=2, points=-3, valid_from=date(2026, 5, 1)))
    new = propose("d2", "h102", rule_in_force(book, "littering", date(2026, 5, 2)), Q2, "再次堆物", "gw-04",
                  datetime(2026, 5, 2, tzinfo=timezone.utc), evidence=PHOTO)
    assert (old.rule_version, old.points) == (1, -5)
    assert (new.rule_version, new.points) == (2, -3)
    assert rule_version(book, old.rule_code, old.rule_version).points == -5


def test_no_version_is_in_force_before_the_first_one_starts():
    with pytest.raises(RuleBroken) as raised:
        rule_in_force([REPORTED], "report_closed", date(2025, 12, 31))
    assert raised.value.code == "no_rule_in_force"


@pytest.mark.parametrize(("version", "valid_from", "code"), [
    (1, date(2026, 5, 1), "version_not_newer"),
    (2, date(2026, 1, 1), "version_overlaps"),
])
def test_a_new_version_must_be_newer_and_start_later(version, valid_from, code):
    with pytest.raises(RuleBroken) as raised:
        adopt_version([LITTERING], replace(LITTERING, version=version, valid_from=valid_from))
    assert raised.value.code == code


def test_a_new_version_that_scores_petitioning_is_not_adopted():
    with pytest.raises(RuleBroken) as raised:
        adopt_version([REPORTED], replace(REPORTED, version=2, valid_from=date(2026, 5, 1), concerns_petitioning=True))
    assert raised.value.code == "rule_scores_petitioning"


def test_an_entry_under_a_version_no_longer_in_force_is_refused():
    ended = replace(REPORTED, valid_to=date(2026, 3, 31))
    with pytest.raises(RuleBroken) as raised:
        credit(rule=ended)
    assert raised.value.code == "rule_not_in_force"


def test_an_entry_needs_a_reason_and_the_evidence_its_rule_requires():
    with pytest.raises(RuleBroken) as raised:
        propose("d1", "h102", LITTERING, Q2, "楼道堆放杂物", "gw-04", T0)
    assert raised.value.code == "evidence_required"
    with pytest.raises(RuleBroken) as raised:
        propose("e1", "h101", REPORTED, Q2, "  ", "system", T0)
    assert raised.value.code == "reason_required"
    with pytest.raises(RuleBroken) as raised:
        Evidence("rumour", "x")
    assert raised.value.code == "unknown_evidence_kind"


# caps --------------------------------------------------------------------

def test_without_a_cap_an_entry_carries_the_rules_points():
    assert points_within_cap(replace(REPORTED, cap_per_period=None), "h101", Q2, [credit()] * 20) == 2


def test_an_entry_is_clipped_to_what_the_cap_leaves_and_the_clipping_is_recorded():
    existing = [credit(f"e{n}") for n in range(4)]  # 8 of 10
    assert points_within_cap(REPORTED, "h101", Q2, existing) == 2
    existing.append(propose("e5", "h101", replace(REPORTED, points=1), Q2, "报告被办结", "system", T0))  # 9 of 10
    clipped = credit("e6", existing=existing)
    assert clipped.points == 1
    assert clipped.steps[0].note == "capped from 2 to 1 (cap 10 per period)"
    existing.append(clipped)
    assert points_within_cap(REPORTED, "h101", Q2, existing) == 0
    with pytest.raises(RuleBroken) as raised:
        credit("e7", existing=existing)
    assert (raised.value.code, raised.value.params) == ("cap_reached", {"rule": "report_closed", "cap": 10})


def test_only_live_entries_of_the_same_household_period_and_rule_count_against_the_cap():
    rejected = credit("x1")
    reject(rejected, "review-1", "重复上报", T0)
    others = [credit("x2", household="h999"), credit("x3", period="2026-Q1"), rejected,
              propose("x4", "h101", replace(REPORTED, code="volunteer"), Q2, "志愿服务", "system", T0)]
    assert points_within_cap(REPORTED, "h101", Q2, others * 5) == 2


def test_other_versions_of_the_rule_count_against_its_cap():
    v2 = replace(REPORTED, version=2, valid_from=date(2026, 5, 1))
    existing = [credit(f"e{n}") for n in range(5)]
    assert points_within_cap(v2, "h101", Q2, existing) == 0


def test_the_cap_of_a_deduction_applies_to_its_absolute_value():
    capped = replace(LITTERING, cap_per_period=8)
    first = propose("d1", "h102", capped, Q2, "堆物", "gw-04", T0, evidence=PHOTO)
    assert first.points == -5
    assert points_within_cap(capped, "h102", Q2, [first]) == -3


def test_a_reversal_frees_room_under_the_cap_only_once_it_is_effective():
    existing = [effective(credit(f"e{n}")) for n in range(5)]
    correction = reverse(existing[0], "c1", "review-group", "该报告系重复上报", T0 + timedelta(days=8))
    existing.append(correction)
    assert points_within_cap(REPORTED, "h101", Q2, existing) == 0
    effective(correction, T0 + timedelta(days=8))
    assert points_within_cap(REPORTED, "h101", Q2, existing) == 2


# publication -------------------------------------------------------------

def test_a_credit_whose_rule_needs_no_verification_is_published_at_once():
    entry = credit()
    step = publish(entry, T0)
    assert entry.state == EntryState.PUBLISHED and entry.window_ends == T0 + PUBLICATION_WINDOW
    assert (step.action, step.entry_id) == ("published", "e1")


def test_a_deduction_is_published_only_after_verification():
    entry = deduction()
    assert entry.needs_verification
    with pytest.raises(RuleBroken) as raised:
        publish(entry, T0)
    assert raised.value.code == "verification_required"
    verify(entry, "review-1", T0)
    publish(entry, T0)
    assert (entry.state, entry.verified_by) == (EntryState.PUBLISHED, "review-1")


def test_nobody_verifies_their_own_proposal():
    with pytest.raises(RuleBroken) as raised:
        verify(deduction(), "gw-04", T0)
    assert raised.value.code == "verifier_is_proposer"


def test_an_entry_rejected_at_verification_is_never_published_and_never_counts():
    entry = deduction()
    reject(entry, "review-1", "照片不是本户", T0)
    assert entry.state == EntryState.REJECTED
    with pytest.raises(RuleBroken) as raised:
        publish(entry, T0)
    assert raised.value.code == "entry_state"
    assert not is_effective(entry, T0 + timedelta(days=30))


def test_an_objection_inside_the_window_is_taken():
    entry = deduction()
    verify(entry, "review-1", T0)
    publish(entry, T0)
    step = object_to(entry, "h102-resident", "杂物是邻居的", entry.window_ends - timedelta(seconds=1))
    assert entry.state == EntryState.OBJECTED and entry.objection == "杂物是邻居的"
    assert (step.action, step.by) == ("objected", "h102-resident")


def test_an_objection_after_the_window_is_refused():
    entry = deduction()
    verify(entry, "review-1", T0)
    publish(entry, T0)
    with pytest.raises(RuleBroken) as raised:
        object_to(entry, "h102-resident", "杂物是邻居的", entry.window_ends)
    assert raised.value.code == "objection_window_closed"
    take_effect(entry, entry.window_ends + timedelta(days=1))
    with pytest.raises(RuleBroken) as raised:
        object_to(entry, "h102-resident", "杂物是邻居的", entry.window_ends + timedelta(days=1))
    assert raised.value.code == "objection_window_closed"


def test_an_objection_needs_a_reason():
    entry = credit()
    publish(entry, T0)
    with pytest.raises(RuleBroken) as raised:
        object_to(entry, "h303-resident", "", T0)
    assert raised.value.code == "reason_required"


def test_an_entry_counts_only_once_its_window_has_ended():
    entry = credit()
    assert not is_effective(entry, T0 + timedelta(days=30))  # proposed
    publish(entry, T0)
    assert not is_effective(entry, entry.window_ends - timedelta(seconds=1))
    assert is_effective(entry, entry.window_ends)
    assert not is_effective(entry)  # not yet recorded, and no moment given
    with pytest.raises(RuleBroken) as raised:
        take_effect(entry, entry.window_ends - timedelta(seconds=1))
    assert raised.value.code == "window_open"
    take_effect(entry, entry.window_ends + timedelta(hours=3))  # the timer ran late
    assert entry.state == EntryState.EFFECTIVE and entry.effective_at == entry.window_ends
    assert is_effective(entry) and not is_effective(entry, T0)


def test_every_step_of_an_entry_is_recorded():
    entry = deduction()
    verify(entry, "review-1", T0 + timedelta(hours=1))
    publish(entry, T0 + timedelta(hours=2))
    object_to(entry, "h102-resident", "杂物是邻居的", T0 + timedelta(days=1))
    uphold(entry, "review-group", "现场照片为本户门口", T0 + timedelta(days=3))
    assert [(s.action, s.by) for s in entry.steps] == [
        ("proposed", "gw-04"), ("verified", "review-1"), ("published", None),
        ("objected", "h102-resident"), ("upheld", "review-group"),
    ]
    assert entry.steps[0].reason == "楼道堆放杂物" and entry.steps[-1].reason == "现场照片为本户门口"


# objection outcomes ------------------------------------------------------

def objected_deduction():
    entry = deduction()
    verify(entry, "review-1", T0)
    publish(entry, T0)
    object_to(entry, "h102-resident", "杂物是邻居的", T0 + timedelta(days=1))
    return entry


def test_an_upheld_entry_counts_from_the_decision():
    entry = objected_deduction()
    decided = T0 + timedelta(days=10)  # after the window: the objection held it until now
    uphold(entry, "review-group", "现场照片为本户门口", decided)
    assert entry.state == EntryState.UPHELD
    assert not is_effective(entry, decided - timedelta(seconds=1)) and is_effective(entry, decided)
    assert balance([entry], "h102", Q2).points == -5


def test_a_withdrawn_entry_never_counts():
    entry = objected_deduction()
    withdraw(entry, "review-group", "核实为邻居所放", T0 + timedelta(days=2))
    assert entry.state == EntryState.WITHDRAWN
    assert not is_effective(entry, T0 + timedelta(days=365))
    assert balance([entry], "h102", Q2, T0 + timedelta(days=365)).points == 0
    with pytest.raises(RuleBroken):
        uphold(entry, "review-group", "改判", T0 + timedelta(days=3))


def test_only_an_objected_entry_is_decided_and_every_decision_has_a_reason():
    entry = credit()
    publish(entry, T0)
    with pytest.raises(RuleBroken) as raised:
        uphold(entry, "review-group", "维持", T0)
    assert raised.value.code == "entry_state"
    entry = objected_deduction()
    with pytest.raises(RuleBroken) as raised:
        withdraw(entry, "review-group", None, T0)
    assert raised.value.code == "reason_required"


# reversal ----------------------------------------------------------------

def test_a_correction_is_a_reversing_entry_and_the_original_stays_as_it_was():
    original = effective(deduction())
    later = T0 + timedelta(days=20)
    correction = reverse(original, "c1", "review-group", "复查发现认定有误", later)
    assert (correction.points, correction.reverses, correction.household) == (5, "d1", "h102")
    assert (correction.rule_code, correction.rule_version) == (original.rule_code, original.rule_version)
    assert correction.needs_verification and correction.state == EntryState.PROPOSED
    assert (original.points, original.state) == (-5, EntryState.EFFECTIVE)
    assert balance([original, correction], "h102", Q2, later).points == -5  # not yet effective
    verify(correction, "review-1", later)
    publish(correction, later)
    take_effect(correction, correction.window_ends)
    both = balance([original, correction], "h102", Q2)
    assert (both.points, both.entry_ids) == (0, ("d1", "c1"))


def test_a_correction_can_land_in_the_open_period_when_the_original_is_settled():
    original = effective(deduction())
    correction = reverse(original, "c1", "review-group", "复查发现认定有误", T0 + timedelta(days=100), period="2026-Q3")
    assert correction.period == "2026-Q3"


def test_only_a_counting_entry_is_reversed_and_only_once():
    pending = deduction()
    with pytest.raises(RuleBroken) as raised:
        reverse(pending, "c1", "review-group", "有误", T0)
    assert raised.value.code == "entry_state"
    original = effective(deduction())
    first = reverse(original, "c1", "review-group", "有误", T0 + timedelta(days=8))
    with pytest.raises(RuleBroken) as raised:
        reverse(original, "c2", "review-group", "有误", T0 + timedelta(days=8), reversals=[first])
    assert raised.value.code == "already_reversed"
    reject(first, "review-1", "原认定无误", T0 + timedelta(days=9))
    assert reverse(original, "c2", "review-group", "再次复查", T0 + timedelta(days=10), reversals=[first]).points == 5
    with pytest.raises(RuleBroken) as raised:
        reverse(original, "c3", "review-group", "", T0 + timedelta(days=10))
    assert raised.value.code == "reason_required"


# balances ----------------------------------------------------------------

def test_a_balance_sums_the_households_effective_entries_of_the_period_and_names_them():
    counted = [effective(credit("e1")), effective(credit("e2"))]
    uncounted = [credit("e3"), effective(credit("e4", household="h999")), effective(credit("e5", period="2026-Q1"))]
    result = balance(counted + uncounted, "h101", Q2)
    assert (result.points, result.entry_ids) == (4, ("e1", "e2"))
    assert balance([], "h101", Q2).points == 0
    every = balances(counted + uncounted, Q2)
    assert {h: b.points for h, b in every.items()} == {"h101": 4, "h999": 2}


# settlement --------------------------------------------------------------

def test_a_fund_that_does_not_divide_evenly_is_paid_to_the_fen_and_sums_exactly():
    result = settle(Q2, Decimal("100.00"), ["h3", "h1", "h2"], {"h1": 1, "h2": 1, "h3": 1}, Formula(Decimal("10")))
    assert result.pool == Decimal("70.00")
    # 7000 fen / 3 = 2333 r 1 each: the one fen left goes to the smallest code
    assert [(line.household, line.reward, line.payout) for line in result.lines] == [
        ("h1", Decimal("23.34"), Decimal("33.34")),
        ("h2", Decimal("23.33"), Decimal("33.33")),
        ("h3", Decimal("23.33"), Decimal("33.33")),
    ]
    assert sum(line.payout for line in result.lines) == Decimal("100.00")


def test_the_pool_goes_to_the_largest_remainders_in_proportion_to_points():
    result = settle(Q2, Decimal("10.00"), ["a", "b", "c"], {"a": 1, "b": 2, "c": 4}, Formula(Decimal("0")))
    # 1000 fen × 1/7, 2/7, 4/7: floors 142, 285, 571 with remainders 6/7, 5/7, 3/7; the 2 fen left go to a and b
    assert [line.payout for line in result.lines] == [Decimal("1.43"), Decimal("2.86"), Decimal("5.71")]
    assert result.counted_total == 7 and not result.shared_equally


def test_points_at_or_below_the_threshold_share_nothing_of_the_pool():
    result = settle(Q2, Decimal("60.00"), ["a", "b", "c"], {"a": 5, "b": 8, "c": 14}, Formula(Decimal("10"), 5))
    assert [(line.counted, line.reward) for line in result.lines] == [
        (0, Decimal("0.00")), (3, Decimal("7.50")), (9, Decimal("22.50"))]


def test_a_household_with_a_negative_balance_still_gets_its_base():
    result = settle(Q2, Decimal("50.00"), ["h101", "h102"], {"h101": 6, "h102": -15}, Formula(Decimal("20.00")))
    lines = {line.household: line for line in result.lines}
    assert (lines["h102"].points, lines["h102"].counted, lines["h102"].payout) == (-15, 0, Decimal("20.00"))
    assert lines["h101"].payout == Decimal("30.00")


def test_with_no_points_above_the_threshold_the_pool_is_shared_equally():
    result = settle(Q2, Decimal("100.00"), ["a", "b", "c"], {"a": 0, "b": -5, "c": 2}, Formula(Decimal("5"), 2))
    assert result.shared_equally and result.counted_total == 0
    assert [line.reward for line in result.lines] == [Decimal("28.34"), Decimal("28.33"), Decimal("28.33")]
    assert sum(line.payout for line in result.lines) == Decimal("100.00")


def test_households_without_entries_count_as_zero_points():
    result = settle(Q2, Decimal("30"), ["a", "b"], {"a": 3}, Formula(Decimal("10")))
    assert [line.payout for line in result.lines] == [Decimal("20.00"), Decimal("10.00")]


def test_a_fund_below_the_bases_is_refused():
    with pytest.raises(RuleBroken) as raised:
        settle(Q2, Decimal("59.99"), ["a", "b", "c"], {}, Formula(Decimal("20")))
    assert (raised.value.code, raised.value.params) == ("fund_below_base", {"fund": "59.99", "bases": "60.00"})
    exact = settle(Q2, Decimal("60"), ["a", "b", "c"], {"a": 9}, Formula(Decimal("20")))
    assert [line.payout for line in exact.lines] == [Decimal("20.00")] * 3


def test_settlement_is_the_same_whatever_order_the_households_come_in():
    points = {f"h{n:03d}": (n * 37) % 23 - 7 for n in range(50)}
    codes = list(points)
    first = settle(Q2, Decimal("12345.67"), codes, points, Formula(Decimal("100.01"), 1))
    again = settle(Q2, Decimal("12345.67"), list(reversed(codes)), dict(reversed(points.items())),
                   Formula(Decimal("100.01"), 1))
    assert first == again
    assert [line.household for line in first.lines] == sorted(codes)


@pytest.mark.parametrize(("fund", "households", "points", "code"), [
    (Decimal("10.001"), ["a"], {}, "amount_below_fen"),
    (Decimal("-1"), ["a"], {}, "invalid_amount"),
    (Decimal("NaN"), ["a"], {}, "invalid_amount"),
    (Decimal("10"), [], {}, "no_households"),
    (Decimal("10"), ["a", "a"], {}, "duplicate_household"),
    (Decimal("10"), ["a"], {"b": 3}, "unknown_household"),
])
def test_settlement_refuses_what_it_cannot_pay_exactly(fund, households, points, code):
    with pytest.raises(RuleBroken) as raised:
        settle(Q2, fund, households, points, Formula(Decimal("1")))
    assert raised.value.code == code


def test_money_never_passes_through_a_float():
    with pytest.raises(TypeError):
        settle(Q2, 100.0, ["a"], {}, Formula(Decimal("1")))


def test_a_negative_threshold_is_refused():
    with pytest.raises(RuleBroken) as raised:
        settle(Q2, Decimal("10"), ["a"], {}, Formula(Decimal("1"), -3))
    assert raised.value.code == "invalid_threshold"


def test_every_amount_on_the_list_is_to_the_fen():
    result = settle(Q2, Decimal("7"), ["a", "b"], {"a": 1}, Formula(Decimal("1")))
    amounts = [result.fund, result.base, result.pool] + [x for line in result.lines
                                                           for x in (line.base, line.reward, line.payout)]
    assert all(amount.as_tuple().exponent == -2 for amount in amounts)


# staff performance -------------------------------------------------------

def test_a_staff_score_weighs_timeliness_quality_and_satisfaction():
    counts = StaffCounts("gw-04", Q2, on_time=8, overdue=2, rework=1, returns=1,
                         satisfied=6, basically_satisfied=1, unsatisfied=1)
    score = staff_score(counts)
    # timeliness 8/10, quality 1 − 2/11, satisfaction 7/8: (50×0.8 + 20×9/11 + 30×7/8) / 100 = 82.61…
    assert (score.timeliness, score.quality, score.satisfaction) == (Decimal("80.0"), Decimal("81.8"), Decimal("87.5"))
    assert score.score == Decimal("82.6")


def test_a_rate_with_nothing_to_measure_is_left_out():
    score = staff_score(StaffCounts("wy-01", Q2, on_time=3))
    assert (score.satisfaction, score.score) == (None, Decimal("100.0"))
    assert staff_score(StaffCounts("wy-02", Q2)).score is None


def test_quality_does_not_go_below_zero():
    score = staff_score(StaffCounts("gw-05", Q2, overdue=1, rework=4))
    assert (score.timeliness, score.quality, score.score) == (Decimal("0.0"), Decimal("0.0"), Decimal("0.0"))


def test_negative_counts_are_refused():
    with pytest.raises(RuleBroken) as raised:
        staff_score(StaffCounts("gw-04", Q2, rework=-1))
    assert raised.value.code == "invalid_count"


def test_every_scoring_error_has_a_message_in_both_languages():
    import re
    from pathlib import Path

    from shared.contracts.messages import MESSAGES

    source = Path(__file__).resolve().parents[2].joinpath("services", "scoring", "domain.py").read_text()
    codes = set(re.findall(r'RuleBroken\(\s*"([a-z_]+)"', source))
    assert codes and codes <= set(MESSAGES), sorted(codes - set(MESSAGES))
