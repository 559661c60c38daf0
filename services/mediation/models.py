"""Mediation's own tables: the stations' staff, cases with every step and document
on their file (parties and their consent, sessions, agreements with signatures
and obligations, consultations, referrals, supervision orders, follow-up
visits), and the residents' council's agenda, meetings and decisions.

Every record carries its community, or belongs to a case that does. Personal
data (names, phones) stays here: events and public lists carry none.
"""
from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from shared.db import UTCDateTime, new_metadata
from shared.inbox import define_inbox
from shared.outbox import define_outbox
from shared.rpc_inbox import define_rpc_inbox


class Base(DeclarativeBase):
    metadata = new_metadata()


outbox = define_outbox(Base.metadata)
inbox = define_inbox(Base.metadata)
rpc_inbox = define_rpc_inbox(Base.metadata)


class StationStaff(Base):
    """Someone who works at one of the six stations (mediators are the mediation station's)."""

    __tablename__ = "station_staff"
    __table_args__ = (Index("ix_station_staff_community_station", "community", "station"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    station: Mapped[str] = mapped_column(String(16))


class CaseCounter(Base):
    """The last case number given per community and year."""

    __tablename__ = "case_counters"

    community: Mapped[str] = mapped_column(String(32), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last: Mapped[int] = mapped_column(Integer)


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("community", "number"),
        Index("ix_cases_community_status", "community", "status", "station"),
        Index("ix_cases_community_opened", "community", "opened_at"),
        Index("ix_cases_community_resolved", "community", "resolved_at"),
        Index("ix_cases_report", "report_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    number: Mapped[str] = mapped_column(String(32))
    community: Mapped[str] = mapped_column(String(32))
    source: Mapped[str] = mapped_column(String(16))  # escalation, walk_in, phone
    station: Mapped[str] = mapped_column(String(16))  # where it stands now
    opened_station: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    outcome: Mapped[str | None] = mapped_column(String(32))  # how it was resolved
    close_outcome: Mapped[str | None] = mapped_column(String(32))
    close_reason: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(Text)  # what happened
    visitor_name: Mapped[str | None] = mapped_column(String(100))
    visitor_contact: Mapped[str | None] = mapped_column(String(32))
    visitor_account: Mapped[str | None] = mapped_column(String(64))
    grid: Mapped[str | None] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    report_id: Mapped[str | None] = mapped_column(String(64))  # the escalated report it came from
    task_id: Mapped[str | None] = mapped_column(String(64))
    handed_report_id: Mapped[str | None] = mapped_column(String(64))  # the report it was handed back to dispatch as
    opened_by: Mapped[str] = mapped_column(String(64))
    opened_at = mapped_column(UTCDateTime(), nullable=False)
    due_at = mapped_column(UTCDateTime())
    mediation_state: Mapped[str | None] = mapped_column(String(20))
    mediation_started_at = mapped_column(UTCDateTime())
    mediation_failed_at = mapped_column(UTCDateTime())
    extended_days: Mapped[int] = mapped_column(Integer, default=0)
    mediators: Mapped[list] = mapped_column(JSON, default=list)  # [{code, name}]
    mediators_chosen_by: Mapped[str | None] = mapped_column(String(16))
    rights_notice_at = mapped_column(UTCDateTime())
    rights_notice_by: Mapped[str | None] = mapped_column(String(100))
    rights_notice_note: Mapped[str | None] = mapped_column(Text)
    resolved_at = mapped_column(UTCDateTime())
    resolved_station: Mapped[str | None] = mapped_column(String(16))
    resolve_seconds: Mapped[int | None] = mapped_column(Integer)  # opened to resolved, for the average
    closed_at = mapped_column(UTCDateTime())
    follow_up_satisfied: Mapped[bool | None] = mapped_column(Boolean)

    parties: Mapped[list["Party"]] = relationship(order_by="Party.position", lazy="selectin",
                                                  cascade="all, delete-orphan")
    steps: Mapped[list["CaseStep"]] = relationship(order_by="CaseStep.id", lazy="selectin",
                                                   cascade="all, delete-orphan")
    sessions: Mapped[list["MediationSession"]] = relationship(order_by="MediationSession.held_at", lazy="selectin",
                                                              cascade="all, delete-orphan")
    agreements: Mapped[list["Agreement"]] = relationship(order_by="Agreement.drafted_at", lazy="selectin",
                                                         back_populates="case", cascade="all, delete-orphan")
    consultations: Mapped[list["Consultation"]] = relationship(order_by="Consultation.at", lazy="selectin",
                                                               cascade="all, delete-orphan")
    referrals: Mapped[list["Referral"]] = relationship(order_by="Referral.at", lazy="selectin",
                                                       cascade="all, delete-orphan")
    orders: Mapped[list["SupervisionOrder"]] = relationship(order_by="SupervisionOrder.issued_at", lazy="selectin",
                                                            cascade="all, delete-orphan")
    follow_ups: Mapped[list["FollowUp"]] = relationship(order_by="FollowUp.at", lazy="selectin",
                                                        cascade="all, delete-orphan")


class CaseStep(Base):
    """One line of the case's history: who did what, where, when."""

    __tablename__ = "case_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    at = mapped_column(UTCDateTime(), nullable=False)
    action: Mapped[str] = mapped_column(String(32))
    station: Mapped[str] = mapped_column(String(16))  # where the case stood after the step
    by: Mapped[str] = mapped_column(String(64))
    by_name: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict | None] = mapped_column(JSON)


class Party(Base):
    __tablename__ = "parties"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    role: Mapped[str] = mapped_column(String(16))  # applicant, respondent, other
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(32))
    household: Mapped[str | None] = mapped_column(String(64))
    account_id: Mapped[str | None] = mapped_column(String(64), index=True)
    consents: Mapped[bool | None] = mapped_column(Boolean)
    consent_at = mapped_column(UTCDateTime())
    consent_note: Mapped[str | None] = mapped_column(Text)
    consent_recorded_by: Mapped[str | None] = mapped_column(String(64))


class MediationSession(Base):
    __tablename__ = "mediation_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    held_at = mapped_column(UTCDateTime(), nullable=False)
    place: Mapped[str] = mapped_column(String(200))
    attendees: Mapped[list] = mapped_column(JSON)
    record: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(64))


class Agreement(Base):
    """调解协议书 (Art. 29)."""

    __tablename__ = "agreements"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    community: Mapped[str] = mapped_column(String(32))
    facts: Mapped[str] = mapped_column(Text)
    responsibilities: Mapped[str] = mapped_column(Text)
    drafted_by: Mapped[str] = mapped_column(String(64))
    drafted_at = mapped_column(UTCDateTime(), nullable=False)
    effective_on = mapped_column(Date)
    effective_at = mapped_column(UTCDateTime())
    performed_at = mapped_column(UTCDateTime())
    judicial_applied_on = mapped_column(Date)
    judicial_court: Mapped[str | None] = mapped_column(String(200))
    judicial_decision: Mapped[str | None] = mapped_column(String(16))
    judicial_decided_on = mapped_column(Date)
    judicial_note: Mapped[str | None] = mapped_column(Text)
    judicial_recorded_by: Mapped[str | None] = mapped_column(String(64))

    case: Mapped[Case] = relationship(back_populates="agreements")
    obligations: Mapped[list["Obligation"]] = relationship(order_by="Obligation.position", lazy="selectin",
                                                           cascade="all, delete-orphan")
    signatures: Mapped[list["Signature"]] = relationship(order_by="Signature.id", lazy="selectin",
                                                         cascade="all, delete-orphan")


class Obligation(Base):
    __tablename__ = "obligations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    party_id: Mapped[str] = mapped_column(String(36))
    what: Mapped[str] = mapped_column(Text)
    how: Mapped[str] = mapped_column(Text)
    due_on = mapped_column(Date, nullable=False)
    performed_on = mapped_column(Date)
    performance_note: Mapped[str | None] = mapped_column(Text)
    performance_recorded_by: Mapped[str | None] = mapped_column(String(64))


class Signature(Base):
    __tablename__ = "signatures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    agreement_id: Mapped[str] = mapped_column(ForeignKey("agreements.id"), index=True)
    party_id: Mapped[str | None] = mapped_column(String(36))
    mediator_code: Mapped[str | None] = mapped_column(String(64))
    signer_name: Mapped[str] = mapped_column(String(100))
    signed_at = mapped_column(UTCDateTime(), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64))


class Consultation(Base):
    """法律咨询: the question, the advice given and by whom."""

    __tablename__ = "consultations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    question: Mapped[str] = mapped_column(Text)
    advice: Mapped[str] = mapped_column(Text)
    advisor: Mapped[str] = mapped_column(String(100))
    at = mapped_column(UTCDateTime(), nullable=False)
    recorded_by: Mapped[str] = mapped_column(String(64))


class Referral(Base):
    __tablename__ = "referrals"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    body: Mapped[str] = mapped_column(String(32))
    body_name: Mapped[str | None] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    routes_explained: Mapped[list] = mapped_column(JSON, default=list)
    at = mapped_column(UTCDateTime(), nullable=False)
    by: Mapped[str] = mapped_column(String(64))


class SupervisionOrder(Base):
    """督办单: who must do what by when."""

    __tablename__ = "supervision_orders"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    to: Mapped[str] = mapped_column(String(100))
    instruction: Mapped[str] = mapped_column(Text)
    due_on = mapped_column(Date, nullable=False)
    issued_by: Mapped[str] = mapped_column(String(64))
    issued_by_name: Mapped[str | None] = mapped_column(String(100))
    issued_at = mapped_column(UTCDateTime(), nullable=False)


class FollowUp(Base):
    """回访 after the case was resolved."""

    __tablename__ = "follow_ups"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id"), index=True)
    satisfied: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(Text)
    visited_on = mapped_column(Date, nullable=False)
    at = mapped_column(UTCDateTime(), nullable=False)
    by: Mapped[str] = mapped_column(String(64))


class AgendaItem(Base):
    """A matter for the residents' council (议题), from a case or raised by a resident or staff."""

    __tablename__ = "agenda_items"
    __table_args__ = (Index("ix_agenda_items_community_status", "community", "status"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"))
    raised_by: Mapped[str] = mapped_column(String(64))
    raised_role: Mapped[str] = mapped_column(String(32))
    raised_at = mapped_column(UTCDateTime(), nullable=False)
    status: Mapped[str] = mapped_column(String(16))  # open, scheduled, decided
    meeting_id: Mapped[str | None] = mapped_column(ForeignKey("council_meetings.id"))


class CouncilMeeting(Base):
    __tablename__ = "council_meetings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community: Mapped[str] = mapped_column(String(32), index=True)
    held_at = mapped_column(UTCDateTime(), nullable=False)
    place: Mapped[str] = mapped_column(String(200))
    attendance: Mapped[int] = mapped_column(Integer)
    attendees: Mapped[list | None] = mapped_column(JSON)  # names, when the list was given
    recorded_by: Mapped[str] = mapped_column(String(64))


class CouncilDecision(Base):
    __tablename__ = "council_decisions"
    __table_args__ = (Index("ix_council_decisions_community", "community", "decided_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(ForeignKey("agenda_items.id"), unique=True)
    meeting_id: Mapped[str] = mapped_column(ForeignKey("council_meetings.id"))
    title: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(Text)
    votes_for: Mapped[int] = mapped_column(Integer)
    votes_against: Mapped[int] = mapped_column(Integer)
    abstentions: Mapped[int] = mapped_column(Integer)
    adopted: Mapped[bool] = mapped_column(Boolean)
    adopts_rule: Mapped[dict | None] = mapped_column(JSON)
    decided_at = mapped_column(UTCDateTime(), nullable=False)
    decided_by: Mapped[str] = mapped_column(String(64))
