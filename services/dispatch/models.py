"""Dispatch's own tables: the organisation, its routing policy, and tasks.

Every record carries its community; places are keyed within it.
"""
from sqlalchemy import JSON, Boolean, Date, Float, ForeignKeyConstraint, Index, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import UTCDateTime, new_metadata
from shared.inbox import define_inbox
from shared.outbox import define_outbox
from shared.rpc_inbox import define_rpc_inbox


class Base(DeclarativeBase):
    metadata = new_metadata()


outbox = define_outbox(Base.metadata)
inbox = define_inbox(Base.metadata)
rpc_inbox = define_rpc_inbox(Base.metadata)


class Community(Base):
    __tablename__ = "communities"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    street: Mapped[str] = mapped_column(String(100))
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))


class Grid(Base):
    __tablename__ = "grids"

    community: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class PropertyCompany(Base):
    __tablename__ = "property_companies"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))


class Building(Base):
    __tablename__ = "buildings"
    __table_args__ = (ForeignKeyConstraint(["community", "grid"], ["grids.community", "grids.code"]),)

    community: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    grid: Mapped[str] = mapped_column(String(32))
    property_company: Mapped[str | None] = mapped_column(String(32))
    # Its footprint on the community's plan (平面图): [[x, y], ...] in local metres, x east, y north.
    outline: Mapped[list | None] = mapped_column(JSON)


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (
        ForeignKeyConstraint(["community", "building"], ["buildings.community", "buildings.code"]),
    )

    community: Mapped[str] = mapped_column(String(32), primary_key=True)
    building: Mapped[str] = mapped_column(String(32), primary_key=True)
    code: Mapped[str] = mapped_column(String(32), primary_key=True)


class Staff(Base):
    """Someone who handles, leads or reports: grid workers, property staff, office staff,
    leaders; and the street platform's staff, whose ``community`` is their street's code."""

    __tablename__ = "staff"
    __table_args__ = (Index("ix_staff_community_role", "community", "role"),)

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(32))
    grid: Mapped[str | None] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    company: Mapped[str | None] = mapped_column(String(32))
    phone: Mapped[str | None] = mapped_column(String(32))


class CategoryPolicy(Base):
    """Who handles a category by default, its time limit, and the level it starts at
    (big matters go straight to the community or the street)."""

    __tablename__ = "category_policies"

    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    handler_kind: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16), default="grid")
    is_dispute: Mapped[bool] = mapped_column(Boolean, default=False)
    limit_amount: Mapped[int] = mapped_column(Integer)
    limit_unit: Mapped[str] = mapped_column(String(16))


class RoutingRule(Base):
    """category × grid → handler kind, per community ('*' for every grid)."""

    __tablename__ = "routing_rules"

    community: Mapped[str] = mapped_column(String(32), primary_key=True)
    category: Mapped[str] = mapped_column(String(64), primary_key=True)
    grid: Mapped[str] = mapped_column(String(32), primary_key=True)
    handler_kind: Mapped[str] = mapped_column(String(16))


class Task(Base):
    """One assignment of one report to one handler (派遣单)."""

    __tablename__ = "tasks"
    __table_args__ = (
        Index("ix_tasks_report", "report_id", "created_at"),
        Index("ix_tasks_handler_status", "staff_code", "status"),
        Index("ix_tasks_community_status", "community", "status", "deadline_at"),
        Index("ix_tasks_next_check", "next_check_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # The event that made this task: a redelivered event cannot make a second one.
    cause_event_id: Mapped[str] = mapped_column(String(36), unique=True)
    report_id: Mapped[str] = mapped_column(String(36))
    sequence: Mapped[int] = mapped_column(Integer)  # 1 for the report's first task, then 2, ...
    community: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64))
    grid: Mapped[str | None] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text)
    photos: Mapped[list] = mapped_column(JSON, default=list)
    urgent: Mapped[bool] = mapped_column(default=False)
    level: Mapped[str] = mapped_column(String(16))  # grid | community | street
    handler_kind: Mapped[str] = mapped_column(String(16))
    staff_code: Mapped[str] = mapped_column(String(64))
    handler_name: Mapped[str] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    limit_unit: Mapped[str] = mapped_column(String(16))
    deadline_at = mapped_column(UTCDateTime(), nullable=False)
    # Supervision: where the task's clock stands, and when it must be looked at next.
    supervision: Mapped[str] = mapped_column(String(16), default="normal")
    warn_at = mapped_column(UTCDateTime(), nullable=False)
    supervise_at = mapped_column(UTCDateTime(), nullable=False)
    escalate_at = mapped_column(UTCDateTime(), nullable=True)
    next_check_at = mapped_column(UTCDateTime(), nullable=True)
    deferred: Mapped[bool] = mapped_column(Boolean, default=False)
    extension_count: Mapped[int] = mapped_column(Integer, default=0)
    escalation_reason: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    accepted_at = mapped_column(UTCDateTime(), nullable=True)
    resolved_at = mapped_column(UTCDateTime(), nullable=True)
    resolution_note: Mapped[str | None] = mapped_column(Text)
    resolution_photos: Mapped[list] = mapped_column(JSON, default=list)
    return_reason: Mapped[str | None] = mapped_column(Text)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)


class TaskRequest(Base):
    """A handler's request about their task: more time (延期) or long-term deferral (挂账)."""

    __tablename__ = "task_requests"
    __table_args__ = (Index("ix_task_requests_task", "task_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    task_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(16))  # extension | deferral
    reason: Mapped[str] = mapped_column(Text)
    until = mapped_column(UTCDateTime(), nullable=True)  # the new deadline asked for (extension)
    status: Mapped[str] = mapped_column(String(16))  # pending | approved | denied
    requested_by: Mapped[str] = mapped_column(String(64))
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decision_note: Mapped[str | None] = mapped_column(Text)
    created_at = mapped_column(UTCDateTime(), nullable=False)
    decided_at = mapped_column(UTCDateTime(), nullable=True)


class CalendarDay(Base):
    """A day that breaks the weekly pattern: a public holiday, or a make-up working day (调休)."""

    __tablename__ = "calendar_days"

    day = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | workday
    name: Mapped[str] = mapped_column(String(64))


class CalendarChange(Base):
    """Who changed which day of the calendar to what, when, and why: the calendar decides every deadline,
    so each correction the office makes is kept with its reason, a removal's too."""

    __tablename__ = "calendar_changes"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day = mapped_column(Date, nullable=False, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # holiday | workday | normal (back to the weekly pattern)
    reason: Mapped[str] = mapped_column(String(64))
    changed_by: Mapped[str] = mapped_column(String(64))
    changed_at = mapped_column(UTCDateTime(), nullable=False)


class CalendarRevision(Base):
    """One row, moved on with every change to the calendar days: a process reads the calendar again only
    when this has moved since it last did (it changes a few times a year; every report needs it)."""

    __tablename__ = "calendar_revision"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # always 1
    revision: Mapped[int] = mapped_column(Integer)


class ReportFacts(Base):
    """One row per report with what the figures count, kept as the report moves,
    so a month's figures are one indexed GROUP BY, not a walk over every task."""

    __tablename__ = "report_facts"
    __table_args__ = (Index("ix_report_facts_period", "community", "found_at"),)

    report_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    grid: Mapped[str | None] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64))
    handler: Mapped[str | None] = mapped_column(String(64))  # the staff code of the latest task
    found_at = mapped_column(UTCDateTime(), nullable=False)
    due_at = mapped_column(UTCDateTime(), nullable=True)
    closed_at = mapped_column(UTCDateTime(), nullable=True)
    closed_on_time: Mapped[bool] = mapped_column(Boolean, default=False)
    level: Mapped[str] = mapped_column(String(16), default="grid")  # the highest it climbed
    closed_level: Mapped[str | None] = mapped_column(String(16))
    deferred: Mapped[bool] = mapped_column(Boolean, default=False)
    yellow: Mapped[bool] = mapped_column(Boolean, default=False)
    red: Mapped[bool] = mapped_column(Boolean, default=False)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    returns: Mapped[int] = mapped_column(Integer, default=0)
    reworks: Mapped[int] = mapped_column(Integer, default=0)
    escalations_community: Mapped[int] = mapped_column(Integer, default=0)
    escalations_street: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str | None] = mapped_column(String(32))


class Patrol(Base):
    """A walk of a grid worker (or a secretary's morning inspection) through the community (巡查)."""

    __tablename__ = "patrols"
    __table_args__ = (
        Index("ix_patrols_walker", "staff_code", "started_at"),
        Index("ix_patrols_community_started", "community", "started_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the phone may choose it
    community: Mapped[str] = mapped_column(String(32))
    grid: Mapped[str | None] = mapped_column(String(32))  # the walker's grid, if she has one
    staff_code: Mapped[str] = mapped_column(String(64))
    walker_name: Mapped[str] = mapped_column(String(100))
    started_at = mapped_column(UTCDateTime(), nullable=False)
    ended_at = mapped_column(UTCDateTime(), nullable=True)
    distance_m: Mapped[int | None] = mapped_column(Integer)


class PatrolCheckIn(Base):
    """打卡: the walker was at a building (a unit, optionally), when the phone says."""

    __tablename__ = "patrol_check_ins"
    __table_args__ = (Index("ix_patrol_check_ins_patrol", "patrol_id", "at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    patrol_id: Mapped[str] = mapped_column(String(36))
    building: Mapped[str] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    at = mapped_column(UTCDateTime(), nullable=False)
    latitude = mapped_column(Float, nullable=True)  # WGS-84, as the phone gives it
    longitude = mapped_column(Float, nullable=True)
    photo: Mapped[str | None] = mapped_column(String(1000))
    note: Mapped[str | None] = mapped_column(Text)


class PatrolPoint(Base):
    """One sample of the walker's track; a point sent again is the same point."""

    __tablename__ = "patrol_points"

    patrol_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at = mapped_column(UTCDateTime(), primary_key=True)
    latitude = mapped_column(Float, nullable=False)
    longitude = mapped_column(Float, nullable=False)
