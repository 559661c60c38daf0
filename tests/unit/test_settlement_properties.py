"""For any ledger and any fund that covers the bases, settlement pays out exactly and the same every time."""
from datetime import datetime, timezone
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from services.scoring.domain import EntryState, Formula, LedgerEntry, balances, settle

PERIOD = "2026-Q2"
T0 = datetime(2026, 4, 1, tzinfo=timezone.utc)
STATES = [EntryState.EFFECTIVE, EntryState.UPHELD, EntryState.PUBLISHED, EntryState.WITHDRAWN, EntryState.REJECTED]


def fen(amount: Decimal) -> int:
    return int(amount.scaleb(2))


@st.composite
def ledgers(draw):
    """Household codes, a ledger of entries over them (most counting, some not), and a formula and fund."""
    codes = draw(st.lists(st.from_regex(r"h[0-9]{1,4}", fullmatch=True), min_size=1, max_size=30, unique=True))
    lines = draw(st.lists(st.tuples(st.sampled_from(codes), st.integers(-30, 30), st.sampled_from(STATES)),
                          max_size=200))
    entries = [
        LedgerEntry(f"e{n}", code, PERIOD, "rule", 1, points, "reason", "system", T0, state=state,
                    effective_at=T0 if state in (EntryState.EFFECTIVE, EntryState.UPHELD) else None)
        for n, (code, points, state) in enumerate(lines)
    ]
    base = Decimal(draw(st.integers(0, 50_000))).scaleb(-2)
    pool = Decimal(draw(st.integers(0, 10_000_000))).scaleb(-2)
    fund = base * len(codes) + pool
    return codes, entries, Formula(base, draw(st.integers(0, 10))), fund


@settings(max_examples=300, deadline=None)
@given(ledgers(), st.randoms(use_true_random=False))
def test_payouts_are_non_negative_exact_at_least_the_base_and_repeatable(ledger, random):
    codes, entries, formula, fund = ledger
    points = {h: b.points for h, b in balances(entries, PERIOD).items()}
    result = settle(PERIOD, fund, codes, points, formula)

    assert [line.household for line in result.lines] == sorted(codes)
    assert all(line.payout >= 0 and line.reward >= 0 for line in result.lines)
    assert sum(line.payout for line in result.lines) == fund
    assert all(line.base == formula.base and line.payout >= formula.base for line in result.lines)
    assert all(line.payout == line.base + line.reward for line in result.lines)

    # Each reward is within one fen of the household's exact share of the pool.
    weights = {line.household: (1 if result.shared_equally else line.counted) for line in result.lines}
    for line in result.lines:
        exact = Fraction(fen(result.pool) * weights[line.household], sum(weights.values()))
        assert abs(fen(line.reward) - exact) < 1

    # More points above the threshold never pays less.
    by_counted = sorted(result.lines, key=lambda line: line.counted)
    assert all(a.reward <= b.reward for a, b in zip(by_counted, by_counted[1:]) if a.counted < b.counted)

    assert settle(PERIOD, fund, codes, points, formula) == result
    shuffled_codes, shuffled_entries = list(codes), list(entries)
    random.shuffle(shuffled_codes)
    random.shuffle(shuffled_entries)
    shuffled_points = {h: b.points for h, b in balances(shuffled_entries, PERIOD).items()}
    again = settle(PERIOD, fund, shuffled_codes, dict(reversed(shuffled_points.items())), formula)
    assert [(x.household, x.points, x.counted, x.payout) for x in again.lines] == \
        [(x.household, x.points, x.counted, x.payout) for x in result.lines]
    assert again == result
