"""Civility points and the reward fund (文明积分, 文明奖惩基金), in plain Python.

The village rules (村规民约) become a versioned rule book; a household's points
are an append-only ledger whose entries are proposed, verified where needed,
published (公示) for an objection window and only then count. Corrections are
reversing entries, never edits. A fund period is settled from effective points:
a base entitlement no deduction can touch, plus a reward pool shared in
proportion to points above a threshold, exact to the fen.

Functions take the domain's dataclasses (or any object with their attributes)
and change them or raise RuleBroken with a message code. No framework imports.
"""
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from shared.domain import RuleBroken

AREAS = ("social_stability", "civility_integrity", "environmental_sanitation", "law_abiding")
AREA_NAMES = {
    "social_stability": ("社会稳定", "social stability"),
    "civility_integrity": ("文明诚信", "civility and integrity"),
    "environmental_sanitation": ("环境卫生", "environmental sanitation"),
    "law_abiding": ("遵纪守法", "law-abiding"),
}
EVIDENCE_KINDS = ("report", "case", "document")
PUBLICATION_WINDOW = timedelta(days=7)  # 公示期

# Petitioning (信访) is a lawful right: no rule may reward or punish it. Words are
# matched after NFKC folding, lower-casing and removing spaces, so "信 访" and
# full-width "ＰＥＴＩＴＩＯＮ" are caught too. "访" alone is not a marker (走访 is a visit).
PETITIONING_WORDS = ("信访", "上访", "访民", "缠访", "闹访", "越级访", "集体访", "进京访", "petition")


# the rule book -----------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    """One version of one item of the village rules."""
    code: str
    version: int
    area: str
    description_zh: str
    description_en: str
    points: int  # per occurrence: + earns, − deducts
    valid_from: date
    valid_to: date | None = None  # last day in force; None until a newer version is adopted
    cap_per_period: int | None = None  # most points (in absolute value) per household per period
    needs_verification: bool = False  # deductions must say True
    evidence_required: bool = False
    concerns_petitioning: bool = False
    decision: str | None = None  # the residents' council decision that adopted it

    @property
    def is_deduction(self) -> bool:
        return self.points < 0

    def in_force(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


def _folded(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text or "").lower().split())


def scores_petitioning(rule: Rule) -> bool:
    text = _folded(rule.description_zh) + " " + _folded(rule.description_en)
    return rule.concerns_petitioning or any(word in text for word in PETITIONING_WORDS)


def check_rule(rule: Rule) -> None:
    """The guardrails every rule version passes before it is adopted or scored under."""
    if scores_petitioning(rule):
        raise RuleBroken("rule_scores_petitioning", rule=rule.code)
    if rule.area not in AREAS:
        raise RuleBroken("unknown_area", value=rule.area)
    if not isinstance(rule.points, int) or rule.points == 0:
        raise RuleBroken("rule_without_points", rule=rule.code)
    if rule.version < 1:
        raise RuleBroken("invalid_version", rule=rule.code, version=rule.version)
    if rule.cap_per_period is not None and rule.cap_per_period <= 0:
        raise RuleBroken("invalid_cap", rule=rule.code)
    if rule.is_deduction and not rule.needs_verification:
        # Said in the rule book itself, so a reader of the rules sees it too.
        raise RuleBroken("deduction_unverified", rule=rule.code)
    if rule.valid_to is not None and rule.valid_to < rule.valid_from:
        raise RuleBroken("period_backwards")


def rule_in_force(book: Iterable[Rule], code: str, day: date) -> Rule:
    """The version of ``code`` in force on ``day`` (the day of the conduct, not of the scoring)."""
    candidates = [r for r in book if r.code == code and r.in_force(day)]
    if not candidates:
        raise RuleBroken("no_rule_in_force", rule=code, day=day.isoformat())
    return max(candidates, key=lambda r: r.version)


def rule_version(book: Iterable[Rule], code: str, version: int) -> Rule:
    """The version an entry was scored under: entries keep theirs whatever is adopted later."""
    for rule in book:
        if rule.code == code and rule.version == version:
            return rule
    raise RuleBroken("unknown_rule", rule=code, version=version)


def adopt_version(book: Iterable[Rule], rule: Rule) -> tuple[Rule, ...]:
    """The rule book with ``rule`` in force from its valid_from; earlier versions end the day before.

    Nothing already in the ledger changes: entries name the version they were scored under.
    """
    check_rule(rule)
    book = tuple(book)
    same = [r for r in book if r.code == rule.code]
    if any(r.version >= rule.version for r in same):
        raise RuleBroken("version_not_newer", rule=rule.code, version=rule.version,
                         latest=max(r.version for r in same))
    if any(r.valid_from >= rule.valid_from for r in same):
        raise RuleBroken("version_overlaps", rule=rule.code, day=rule.valid_from.isoformat())
    day_before = rule.valid_from - timedelta(days=1)
    return tuple(
        replace(r, valid_to=day_before) if r.code == rule.code and (r.valid_to is None or r.valid_to > day_before)
        else r
        for r in book
    ) + (rule,)


# the ledger --------------------------------------------------------------

class EntryState(StrEnum):
    PROPOSED = "proposed"  # 已提出
    VERIFIED = "verified"  # 已核实
    REJECTED = "rejected"  # 核实未通过: never counts
    PUBLISHED = "published"  # 公示中
    OBJECTED = "objected"  # 有异议, waiting for the review group
    UPHELD = "upheld"  # 异议不成立, 维持: counts
    WITHDRAWN = "withdrawn"  # 异议成立, 撤销: never counts
    EFFECTIVE = "effective"  # 公示期满无异议: counts


ENTRY_STATE_NAMES = {
    EntryState.PROPOSED: ("已提出", "proposed"),
    EntryState.VERIFIED: ("已核实", "verified"),
    EntryState.REJECTED: ("核实未通过", "rejected at verification"),
    EntryState.PUBLISHED: ("公示中", "published, objection window open"),
    EntryState.OBJECTED: ("有异议,待评议", "objected, awaiting the review group"),
    EntryState.UPHELD: ("异议不成立,维持", "objection dismissed, entry upheld"),
    EntryState.WITHDRAWN: ("异议成立,撤销", "objection accepted, entry withdrawn"),
    EntryState.EFFECTIVE: ("已生效", "effective"),
}
COUNTING = (EntryState.EFFECTIVE, EntryState.UPHELD)
DEAD = (EntryState.REJECTED, EntryState.WITHDRAWN)


@dataclass(frozen=True)
class Evidence:
    kind: str  # report / case / document
    ref: str

    def __post_init__(self):
        if self.kind not in EVIDENCE_KINDS:
            raise RuleBroken("unknown_evidence_kind", value=self.kind)


@dataclass(frozen=True)
class Step:
    """What happened to an entry: the trail behind every figure."""
    entry_id: str
    action: str  # proposed, verified, rejected, published, objected, upheld, withdrawn, effective
    at: datetime
    by: str | None = None
    reason: str | None = None
    note: str | None = None


@dataclass(slots=True)
class LedgerEntry:
    """One line of a household's ledger. Its points never change; only its publication moves on."""
    id: str
    household: str
    period: str  # the fund period it counts in
    rule_code: str
    rule_version: int
    points: int
    reason: str
    proposed_by: str
    proposed_at: datetime
    evidence: Evidence | None = None
    needs_verification: bool = False
    reverses: str | None = None  # the entry this one corrects
    state: EntryState = EntryState.PROPOSED
    verified_by: str | None = None
    verified_at: datetime | None = None
    published_at: datetime | None = None
    window_ends: datetime | None = None
    objection: str | None = None
    objected_by: str | None = None
    decided_by: str | None = None
    effective_at: datetime | None = None
    steps: list[Step] = field(default_factory=list)


def _record(entry, action: str, at: datetime, by=None, reason=None, note=None) -> Step:
    step = Step(entry.id, action, at, by, reason, note)
    entry.steps.append(step)
    return step


def _require_reason(reason: str | None) -> None:
    if not reason or not reason.strip():
        raise RuleBroken("reason_required")


def _in_state(entry, action: str, *allowed: EntryState) -> None:
    if entry.state not in allowed:
        raise RuleBroken("entry_state", status=entry.state, action=action)


def is_effective(entry, at: datetime | None = None) -> bool:
    """Whether the entry counts; with ``at``, as of that moment.

    A published entry whose window has ended without objection counts from the
    window's end even before take_effect records it: the time decides, not a timer.
    """
    if entry.state in COUNTING:
        return at is None or entry.effective_at <= at
    return entry.state == EntryState.PUBLISHED and at is not None and at >= entry.window_ends


def points_within_cap(rule: Rule, household: str, period: str, existing: Iterable, at: datetime | None = None) -> int:
    """The points a new entry under ``rule`` may still carry this period: clipped to the cap, maybe to 0.

    All live entries of the same rule code count against the cap (any version,
    pending or effective, so two pending entries cannot both slip under it);
    a reversal frees room only once it is effective.
    """
    if rule.cap_per_period is None:
        return rule.points
    sign = 1 if rule.points > 0 else -1
    used = 0
    for e in existing:
        if e.household != household or e.period != period or e.rule_code != rule.code or e.state in DEAD:
            continue
        if e.reverses is not None and not is_effective(e, at):
            continue
        used += e.points
    room = max(0, rule.cap_per_period - max(0, sign * used))
    return sign * min(abs(rule.points), room)


def propose(entry_id: str, household: str, rule: Rule, period: str, reason: str, proposed_by: str,
            at: datetime, *, evidence: Evidence | None = None, existing: Iterable = (),
            on: date | None = None) -> LedgerEntry:
    """A new entry under ``rule`` for conduct on ``on`` (default: the day of ``at``), clipped to the cap."""
    check_rule(rule)  # a rule stored before the guardrails still cannot score
    day = on or at.date()
    if not rule.in_force(day):
        raise RuleBroken("rule_not_in_force", rule=rule.code, version=rule.version, day=day.isoformat())
    _require_reason(reason)
    if rule.evidence_required and evidence is None:
        raise RuleBroken("evidence_required", rule=rule.code)
    points = points_within_cap(rule, household, period, existing, at)
    if points == 0:
        raise RuleBroken("cap_reached", rule=rule.code, cap=rule.cap_per_period)
    entry = LedgerEntry(
        id=entry_id, household=household, period=period, rule_code=rule.code, rule_version=rule.version,
        points=points, reason=reason, proposed_by=proposed_by, proposed_at=at, evidence=evidence,
        needs_verification=rule.needs_verification or points < 0,
    )
    note = None
    if points != rule.points:
        note = f"capped from {rule.points} to {points} (cap {rule.cap_per_period} per period)"
    _record(entry, "proposed", at, proposed_by, reason, note)
    return entry


def verify(entry, verified_by: str, at: datetime) -> Step:
    """The review group confirms the facts. Nobody verifies their own proposal."""
    _in_state(entry, "verify", EntryState.PROPOSED)
    if verified_by == entry.proposed_by:
        raise RuleBroken("verifier_is_proposer")
    entry.state = EntryState.VERIFIED
    entry.verified_by, entry.verified_at = verified_by, at
    return _record(entry, "verified", at, verified_by)


def reject(entry, verified_by: str, reason: str, at: datetime) -> Step:
    """The facts do not hold: the entry never counts."""
    _in_state(entry, "reject", EntryState.PROPOSED)
    _require_reason(reason)
    if verified_by == entry.proposed_by:
        raise RuleBroken("verifier_is_proposer")
    entry.state = EntryState.REJECTED
    entry.verified_by, entry.verified_at = verified_by, at
    return _record(entry, "rejected", at, verified_by, reason)


def publish(entry, at: datetime, window: timedelta = PUBLICATION_WINDOW) -> Step:
    """公示: the entry is shown for ``window``; it counts only if no objection comes in that time."""
    if entry.state == EntryState.PROPOSED and entry.needs_verification:
        raise RuleBroken("verification_required")
    _in_state(entry, "publish", EntryState.PROPOSED, EntryState.VERIFIED)
    if window <= timedelta(0):
        raise RuleBroken("invalid_window")
    entry.state = EntryState.PUBLISHED
    entry.published_at, entry.window_ends = at, at + window
    return _record(entry, "published", at, note=f"window ends {entry.window_ends.isoformat()}")


def object_to(entry, objected_by: str, reason: str, at: datetime) -> Step:
    """An objection (异议) with a reason, inside the window; after it, only a correction can change a figure."""
    if entry.state == EntryState.EFFECTIVE or (entry.state == EntryState.PUBLISHED and at >= entry.window_ends):
        raise RuleBroken("objection_window_closed", ends=entry.window_ends.isoformat())
    _in_state(entry, "object", EntryState.PUBLISHED)
    _require_reason(reason)
    entry.state = EntryState.OBJECTED
    entry.objection, entry.objected_by = reason, objected_by
    return _record(entry, "objected", at, objected_by, reason)


def uphold(entry, decided_by: str, reason: str, at: datetime) -> Step:
    """The review group dismisses the objection: the entry counts from now."""
    _in_state(entry, "uphold", EntryState.OBJECTED)
    _require_reason(reason)
    entry.state = EntryState.UPHELD
    entry.decided_by, entry.effective_at = decided_by, at
    return _record(entry, "upheld", at, decided_by, reason)


def withdraw(entry, decided_by: str, reason: str, at: datetime) -> Step:
    """The review group accepts the objection: the entry never counts."""
    _in_state(entry, "withdraw", EntryState.OBJECTED)
    _require_reason(reason)
    entry.state = EntryState.WITHDRAWN
    entry.decided_by = decided_by
    return _record(entry, "withdrawn", at, decided_by, reason)


def take_effect(entry, at: datetime) -> Step:
    """Record that the window ended with no objection; the entry counts from the window's end."""
    _in_state(entry, "take_effect", EntryState.PUBLISHED)
    if at < entry.window_ends:
        raise RuleBroken("window_open", ends=entry.window_ends.isoformat())
    entry.state = EntryState.EFFECTIVE
    entry.effective_at = entry.window_ends
    return _record(entry, "effective", entry.window_ends)


def reverse(original, entry_id: str, proposed_by: str, reason: str, at: datetime, *,
            reversals: Iterable = (), period: str | None = None, evidence: Evidence | None = None) -> LedgerEntry:
    """A correction: a new entry of the opposite points, never an edit of the original.

    Only a counting entry is reversed (a pending one is rejected or withdrawn
    instead), and only once. The reversal goes through verification and
    publication like any entry, so the household sees and may object to it.
    ``period`` defaults to the original's; give the open one if that is settled.
    """
    if not is_effective(original, at):
        raise RuleBroken("entry_state", status=original.state, action="reverse")
    _require_reason(reason)
    if any(r.reverses == original.id and r.state not in DEAD for r in reversals):
        raise RuleBroken("already_reversed", id=original.id)
    entry = LedgerEntry(
        id=entry_id, household=original.household, period=period or original.period,
        rule_code=original.rule_code, rule_version=original.rule_version, points=-original.points,
        reason=reason, proposed_by=proposed_by, proposed_at=at, evidence=evidence,
        needs_verification=True, reverses=original.id,
    )
    _record(entry, "proposed", at, proposed_by, reason, note=f"reverses {original.id}")
    return entry


# balances ----------------------------------------------------------------

@dataclass(frozen=True)
class Balance:
    household: str
    period: str
    points: int
    entry_ids: tuple[str, ...]  # every entry the figure comes from, reversals included


def balances(entries: Iterable, period: str, at: datetime | None = None) -> dict[str, Balance]:
    """Effective points of every household with entries in ``period``, in one pass over the ledger."""
    points: dict[str, int] = defaultdict(int)
    ids: dict[str, list[str]] = defaultdict(list)
    for e in entries:
        if e.period == period and is_effective(e, at):
            points[e.household] += e.points
            ids[e.household].append(e.id)
    return {h: Balance(h, period, points[h], tuple(ids[h])) for h in sorted(points)}


def balance(entries: Iterable, household: str, period: str, at: datetime | None = None) -> Balance:
    return balances((e for e in entries if e.household == household), period, at).get(
        household, Balance(household, period, 0, ()))


# settlement --------------------------------------------------------------


def _fen(amount, what: str) -> int:
    """Yuan as a whole number of fen; money never passes through a float."""
    if isinstance(amount, (float, bool)) or not isinstance(amount, (Decimal, int)):
        raise TypeError(f"{what} must be a Decimal or an int of yuan, not {type(amount).__name__}")
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise RuleBroken("invalid_amount", what=what, value=str(amount))
    fen = value.scaleb(2)
    if fen != fen.to_integral_value():
        raise RuleBroken("amount_below_fen", what=what, value=str(amount))
    return int(fen)


def _yuan(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


@dataclass(frozen=True)
class Formula:
    """How a fund period is paid out (the residents' council sets it)."""
    base: Decimal  # 基础份额 per household; no deduction touches it
    threshold: int = 0  # points up to here earn no share of the reward pool


@dataclass(frozen=True)
class SettlementLine:
    """One household's line of the published list: base + reward = payout."""
    household: str
    points: int  # effective points in the period
    counted: int  # points above the threshold that share the pool (0 if at or below it)
    base: Decimal
    reward: Decimal
    payout: Decimal


@dataclass(frozen=True)
class Settlement:
    period: str
    fund: Decimal
    base: Decimal
    threshold: int
    pool: Decimal  # fund − base × households
    counted_total: int  # the pool is shared in proportion to counted / counted_total
    shared_equally: bool  # nobody was above the threshold, so the pool went equally to all
    lines: tuple[SettlementLine, ...]  # ordered by household code


def settle(period: str, fund: Decimal, households: Iterable[str], points: Mapping[str, int],
           formula: Formula) -> Settlement:
    """Share the fund: every household its base, the rest in proportion to points above the threshold.

    Worked in whole fen with integers. Each household's exact share of the
    pool is pool × counted / counted_total; each gets the fen below it, and the
    fen left over go one each to the largest remainders, ties to the smaller
    household code. So the payouts sum exactly to the fund and the same inputs
    give the same lines whatever order they come in. If nobody is above the
    threshold, the pool is shared equally (same rounding): the fund is for the
    community this period, and holding it back would need a rule it does not have.
    """
    fund_fen, base_fen = _fen(fund, "fund"), _fen(formula.base, "base")
    if not isinstance(formula.threshold, int) or formula.threshold < 0:
        raise RuleBroken("invalid_threshold", value=formula.threshold)
    codes = sorted(households)
    twice = [a for a, b in zip(codes, codes[1:]) if a == b]
    if twice:
        raise RuleBroken("duplicate_household", household=twice[0])
    if not codes:
        raise RuleBroken("no_households")
    strangers = sorted(set(points) - set(codes))
    if strangers:
        raise RuleBroken("unknown_household", household=strangers[0])
    if fund_fen < base_fen * len(codes):
        raise RuleBroken("fund_below_base", fund=str(_yuan(fund_fen)), bases=str(_yuan(base_fen * len(codes))))

    pool = fund_fen - base_fen * len(codes)
    held = [points.get(code, 0) for code in codes]
    counted = [max(0, p - formula.threshold) for p in held]
    total = sum(counted)
    shared_equally = total == 0
    weights = [1] * len(codes) if shared_equally else counted
    denominator = sum(weights)
    rewards, remainders = [], []
    for weight in weights:
        share, remainder = divmod(pool * weight, denominator)
        rewards.append(share)
        remainders.append(remainder)
    left = pool - sum(rewards)  # fewer than the households with a remainder
    for i in sorted(range(len(codes)), key=lambda i: (-remainders[i], codes[i]))[:left]:
        rewards[i] += 1

    lines = tuple(
        SettlementLine(code, p, c, _yuan(base_fen), _yuan(r), _yuan(base_fen + r))
        for code, p, c, r in zip(codes, held, counted, rewards)
    )
    return Settlement(period, _yuan(fund_fen), _yuan(base_fen), formula.threshold, _yuan(pool), total,
                      shared_equally, lines)


# staff performance -------------------------------------------------------

@dataclass(frozen=True)
class StaffCounts:
    """What a grid worker or property staff member's tasks came to in a period."""
    staff: str
    period: str
    on_time: int = 0  # tasks closed by their deadline
    overdue: int = 0  # tasks closed late, or still open past it
    rework: int = 0  # verifications failed (返工)
    returns: int = 0  # tasks given back as not theirs (退单)
    satisfied: int = 0
    basically_satisfied: int = 0  # 基本满意 counts as satisfied, as in the usual 满意率
    unsatisfied: int = 0


# Weights of the three rates; a rate with nothing to measure is left out and the rest re-weighted.
STAFF_WEIGHTS = {"timeliness": 50, "quality": 20, "satisfaction": 30}
ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class StaffScore:
    staff: str
    period: str
    score: Decimal | None  # 0–100, one decimal; None when there was nothing to score
    timeliness: Decimal | None  # on_time / (on_time + overdue), in %
    quality: Decimal | None  # 1 − (rework + returns) / (on_time + overdue + returns), floored at 0, in %
    satisfaction: Decimal | None  # (satisfied + basically) / all ratings, in %
    counts: StaffCounts


def _percent(rate: Fraction | None) -> Decimal | None:
    if rate is None:
        return None
    return (Decimal(rate.numerator) * 100 / Decimal(rate.denominator)).quantize(ONE_DECIMAL, ROUND_HALF_UP)


def staff_score(counts: StaffCounts, weights: Mapping[str, int] = STAFF_WEIGHTS) -> StaffScore:
    """score = 100 × Σ weight × rate / Σ weight, over the rates that have something to measure.

    Rates rather than raw counts, so a grid with many tasks is not favoured
    over a quiet one; exact fractions, rounded half up once at the end.
    """
    numbers = (counts.on_time, counts.overdue, counts.rework, counts.returns,
               counts.satisfied, counts.basically_satisfied, counts.unsatisfied)
    if any(not isinstance(n, int) or n < 0 for n in numbers):
        raise RuleBroken("invalid_count", staff=counts.staff)
    handled = counts.on_time + counts.overdue
    rated = counts.satisfied + counts.basically_satisfied + counts.unsatisfied
    rates = {
        "timeliness": Fraction(counts.on_time, handled) if handled else None,
        "quality": (max(Fraction(0), 1 - Fraction(counts.rework + counts.returns, handled + counts.returns))
                    if handled + counts.returns else None),
        "satisfaction": Fraction(counts.satisfied + counts.basically_satisfied, rated) if rated else None,
    }
    measured = {name: rate for name, rate in rates.items() if rate is not None}
    score = None
    if measured:
        weight = sum(weights[name] for name in measured)
        score = _percent(sum(weights[name] * rate for name, rate in measured.items()) / weight)
    return StaffScore(counts.staff, counts.period, score, _percent(rates["timeliness"]), _percent(rates["quality"]),
                      _percent(rates["satisfaction"]), counts)
