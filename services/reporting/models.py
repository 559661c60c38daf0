"""Reporting's own tables (its own database)."""
from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text
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


class Category(Base):
    """A kind of problem residents can report (an Open311 service)."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100))
    group_code: Mapped[str] = mapped_column(String(64))
    group_zh: Mapped[str] = mapped_column(String(100))
    group_en: Mapped[str] = mapped_column(String(100))
    description_zh: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    attributes: Mapped[list] = mapped_column(JSON, default=list)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Report(Base):
    """One problem, from its report to its closure and rating (案卷)."""

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_community_status", "community", "status", "created_at"),
        Index("ix_reports_duplicates", "community", "category", "building", "created_at"),
        Index("ix_reports_community_grid", "community", "grid", "created_at"),
        Index("ix_reports_community_reporter", "community", "reporter_id", "created_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    category: Mapped[str] = mapped_column(String(64), ForeignKey("categories.code"))
    description: Mapped[str] = mapped_column(Text)
    grid: Mapped[str | None] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    address: Mapped[str | None] = mapped_column(String(300))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    photos: Mapped[list] = mapped_column(JSON, default=list)
    attributes: Mapped[dict] = mapped_column(JSON, default=dict)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    channel: Mapped[str] = mapped_column(String(16))
    reporter_id: Mapped[str] = mapped_column(String(64))
    reporter_role: Mapped[str] = mapped_column(String(32))
    reporter_name: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    level: Mapped[str] = mapped_column(String(16), default="grid")  # the highest level it has reached
    current_task_id: Mapped[str | None] = mapped_column(String(36))
    task_sequence: Mapped[int] = mapped_column(Integer, default=0)
    task_version: Mapped[int] = mapped_column(Integer, default=0)
    handler_staff_code: Mapped[str | None] = mapped_column(String(64))
    handler_name: Mapped[str | None] = mapped_column(String(100))
    deadline_at = mapped_column(UTCDateTime(), nullable=True)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[str | None] = mapped_column(String(32))
    supporters: Mapped[int] = mapped_column(Integer, default=0, server_default="0")  # "me too": see Supporter
    created_at = mapped_column(UTCDateTime(), nullable=False)
    updated_at = mapped_column(UTCDateTime(), nullable=False)
    closed_at = mapped_column(UTCDateTime(), nullable=True)


class Supporter(Base):
    """Someone else who has the same problem ("me too", 附议): one row per account and report."""

    __tablename__ = "report_supporters"

    report_id: Mapped[str] = mapped_column(String(36), ForeignKey("reports.id"), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    role: Mapped[str] = mapped_column(String(32))
    at = mapped_column(UTCDateTime(), nullable=False)


class TimelineEntry(Base):
    """One step in a report's life: what happened, who did it, when."""

    __tablename__ = "timeline"
    __table_args__ = (Index("ix_timeline_report", "report_id", "at", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(36), ForeignKey("reports.id"))
    at = mapped_column(UTCDateTime(), nullable=False)
    action: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[str] = mapped_column(String(64))
    actor_role: Mapped[str] = mapped_column(String(32))
    actor_name: Mapped[str] = mapped_column(String(100))
    note: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict] = mapped_column(JSON, default=dict)


class Media(Base):
    """An uploaded photo; kept in the database so it commits with everything else."""

    __tablename__ = "media"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    community: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by: Mapped[str] = mapped_column(String(64))
    created_at = mapped_column(UTCDateTime(), nullable=False)


class Notification(Base):
    """消息: a step of a report told to whom it concerns: its reporter (``account:<id>``), its handler
    (``staff:<code>``) or its grid's staff (``grid:<community>:<grid>``)."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_recipient", "recipient", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(140))
    report_id: Mapped[str] = mapped_column(String(36), ForeignKey("reports.id"))
    action: Mapped[str] = mapped_column(String(32))
    at = mapped_column(UTCDateTime(), nullable=False)
    note: Mapped[str | None] = mapped_column(Text)


class NotificationRead(Base):
    """Who has read which message (a grid's messages are read by each of its staff on their own)."""

    __tablename__ = "notification_reads"

    account_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    notification_id: Mapped[int] = mapped_column(Integer, ForeignKey("notifications.id"), primary_key=True)
