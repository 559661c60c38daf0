"""Times are stored in UTC and shown in Asia/Shanghai."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def as_utc(moment: datetime) -> datetime:
    """Naive datetimes are taken as UTC (that is how they are stored)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def shown_local(moment: datetime | None) -> str | None:
    """ISO 8601 in Shanghai time, with its +08:00 offset, for people and APIs."""
    if moment is None:
        return None
    return as_utc(moment).astimezone(SHANGHAI).isoformat(timespec="milliseconds")


def local_day(moment: datetime) -> date:
    """The calendar day in Shanghai that ``moment`` falls on."""
    return as_utc(moment).astimezone(SHANGHAI).date()
