"""Scoring's own tables: households and their members, the versioned rule book,
the append-only ledger with every step of each entry, fund periods and payouts.

Every record carries its community (or its household, which has one); money
is Numeric(12, 2), yuan to the fen, never a float in the code.
"""
from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata
from shared.inbox import define_inbox
from shared.outbox import define_outbox
from shared.rpc_inbox import define_rpc_inbox

MONEY = Numeric(12, 2)


class Base(DeclarativeBase):
    metadata = new_metadata()


outbox = define_outbox(Base.metadata)
inbox = define_inbox(Base.metadata)
rpc_inbox = define_rpc_inbox(Base.metadata)


class Household(Base):
    """A household (户), linked to its building and unit."""

    __tablename__ = "households"
    __table_args__ = (Index("ix_households_community", "community", "building", "unit"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))

    members: Mapped[list["Member"]] = relationship(back_populates="household_row", order_by="Member.id",
                                                   cascade="all, delete-orphan")


class Member(Base):
    """A person of a household; ``account`` is their sign-in name, if they have one."""

    __tablename__ = "members"
    __table_args__ = (Index("ix_members_account", "account"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    household: Mapped[str] = mapped_column(ForeignKey("households.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    account: Mapped[str | None] = mapped_column(String(64))
    phone: Mapped[str | None] = mapped_column(String(32))

    household_row: Mapped[Household] = relationship(back_populates="members")


class Rule(Base):
    """One version of one item of the village rules (村规民约)."""

    __tablename__ = "rules"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    area: Mapped[str] = mapped_column(String(32))
    description_zh: Mapped[str] = mapped_column(Text)
    description_en: Mapped[str] = mapped_column(Text)
    points: Mapped[int] = mapped_column(Integer)
    cap_per_period: Mapped[int | None] = mapped_column(Integer)
    needs_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence_required: Mapped[bool] = mapped_column(Boolean, default=False)
    valid_from = mapped_column(Date, nullable=False)
    valid_to = mapped_column(Date, nullable=True)  # last day in force
    decision: Mapped[str | None] = mapped_column(String(200))  # the residents' council decision that adopted it


class LedgerEntry(Base):
    """One line of a household's ledger. Its points never change; only its publication moves on."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_entries_community_period", "community", "period", "state"),
        Index("ix_ledger_entries_household_period", "household", "period", "rule_code"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    household: Mapped[str] = mapped_column(ForeignKey("households.code"))
    period: Mapped[str] = mapped_column(String(32))
    rule_code: Mapped[str] = mapped_column(String(64))
    rule_version: Mapped[int] = mapped_column(Integer)
    points: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text)
    evidence_kind: Mapped[str | None] = mapped_column(String(16))
    evidence_ref: Mapped[str | None] = mapped_column(String(200))
    proposed_by: Mapped[str] = mapped_column(String(64))
    proposed_at = mapped_column(UTCDateTime(), nullable=False)
    needs_verification: Mapped[bool] = mapped_column(Boolean, default=False)
    reverses: Mapped[str | None] = mapped_column(String(36))
    state: Mapped[str] = mapped_column(String(16))
    verified_by: Mapped[str | None] = mapped_column(String(64))
    verified_at = mapped_column(UTCDateTime(), nullable=True)
    published_at = mapped_column(UTCDateTime(), nullable=True)
    window_ends = mapped_column(UTCDateTime(), nullable=True)
    objection: Mapped[str | None] = mapped_column(Text)
    objected_by: Mapped[str | None] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    effective_at = mapped_column(UTCDateTime(), nullable=True)

    steps: Mapped[list["LedgerStep"]] = relationship(order_by="LedgerStep.id", cascade="all, delete-orphan",
                                                     lazy="selectin")


class LedgerStep(Base):
    """What happened to an entry, when and by whom: the trail behind every figure."""

    __tablename__ = "ledger_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    entry_id: Mapped[str] = mapped_column(ForeignKey("ledger_entries.id"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    at = mapped_column(UTCDateTime(), nullable=False)
    by: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)


class FundPeriod(Base):
    """A period of the civility reward fund (文明奖惩基金): opened with its fund, settled once."""

    __tablename__ = "fund_periods"

    community: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)  # e.g. 2026-Q4
    starts_on = mapped_column(Date, nullable=False)
    ends_on = mapped_column(Date, nullable=False)  # last day of the period
    fund = mapped_column(MONEY, nullable=False)
    base = mapped_column(MONEY, nullable=False)  # 基础份额 per household
    threshold: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16))  # open | settled
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at = mapped_column(UTCDateTime(), nullable=False)
    settled_by: Mapped[str | None] = mapped_column(String(64))
    settled_at = mapped_column(UTCDateTime(), nullable=True)
    pool = mapped_column(MONEY, nullable=True)  # fund − base × households, once settled
    counted_total: Mapped[int | None] = mapped_column(Integer)
    shared_equally: Mapped[bool | None] = mapped_column(Boolean)


class Payout(Base):
    """One household's line of a settled period: base + reward = payout."""

    __tablename__ = "payouts"

    community: Mapped[str] = mapped_column(String(32), primary_key=True)
    period: Mapped[str] = mapped_column(String(32), primary_key=True)
    household: Mapped[str] = mapped_column(String(64), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    counted: Mapped[int] = mapped_column(Integer)
    base = mapped_column(MONEY, nullable=False)
    reward = mapped_column(MONEY, nullable=False)
    payout = mapped_column(MONEY, nullable=False)


class StaffRecord(Base):
    """What one grid worker's or property staff member's tasks came to in a period, counted from events."""

    __tablename__ = "staff_records"

    staff: Mapped[str] = mapped_column(String(64), primary_key=True)
    period: Mapped[str] = mapped_column(String(16), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    overdue: Mapped[int] = mapped_column(Integer, default=0)
    rework: Mapped[int] = mapped_column(Integer, default=0)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    basically_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    unsatisfied: Mapped[int] = mapped_column(Integer, default=0)
