"""Supervision of open tasks (督办), in plain Python.

Every open task carries a clock: normal → yellow card near the deadline → red
card when overdue → a supervision order to the handler's leader → escalation
to the next level when it is still open past its level's grace. Each step
happens once, at its time; a deferred task (挂账) stands still.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from services.dispatch.calendar import WORKING_DAY, WorkCalendar


class Supervision(StrEnum):
    NORMAL = "normal"
    YELLOW = "yellow"  # 黄牌: near the deadline
    RED = "red"  # 红牌: overdue
    SUPERVISED = "supervised"  # 督办单 issued to the handler's leader


# The steps, in the order they come; "escalate" hands the task to the next level.
STEPS = ("yellow", "red", "supervise", "escalate")
REACHED = {Supervision.NORMAL: 0, Supervision.YELLOW: 1, Supervision.RED: 2, Supervision.SUPERVISED: 3}


@dataclass(frozen=True)
class SupervisionPolicy:
    """How near is near, and how long overdue work waits before it is supervised or escalated."""

    yellow_fraction: float = 0.25
    yellow_at_most: timedelta = WORKING_DAY
    supervise_after: timedelta = timedelta(hours=4)  # office time past the deadline
    escalation_grace: dict[str, timedelta | None] = field(default_factory=lambda: {
        "grid": WORKING_DAY, "community": 2 * WORKING_DAY, "street": None,
    })

    @classmethod
    def from_settings(cls, settings: dict) -> "SupervisionPolicy":
        """From config.yml's SUPERVISION (hours of office time); what is not given keeps its default."""
        default = cls()
        grace = {level: timedelta(hours=hours) if hours is not None else None
                 for level, hours in (settings.get("escalation_grace_hours") or {}).items()}
        return cls(
            yellow_fraction=float(settings.get("yellow_fraction", default.yellow_fraction)),
            yellow_at_most=_hours(settings.get("yellow_at_most_hours"), default.yellow_at_most),
            supervise_after=_hours(settings.get("supervise_after_hours"), default.supervise_after),
            escalation_grace={**default.escalation_grace, **grace},
        )


def _hours(given, default: timedelta) -> timedelta:
    return default if given is None else timedelta(hours=float(given))


@dataclass(frozen=True)
class Clockwork:
    warn_at: datetime
    deadline_at: datetime
    supervise_at: datetime
    escalate_at: datetime | None

    def time_of(self, step: str) -> datetime | None:
        return {"yellow": self.warn_at, "red": self.deadline_at, "supervise": self.supervise_at,
                "escalate": self.escalate_at}[step]


def plan(calendar: WorkCalendar, policy: SupervisionPolicy, start: datetime, deadline: datetime,
         limit_unit: str, level: str) -> Clockwork:
    """When each step of a task's supervision falls due."""
    if limit_unit == "calendar_days":
        window = min(policy.yellow_at_most, (deadline - start) * policy.yellow_fraction)
        warn_at = deadline - window
    else:
        total = calendar.working_time_between(start, deadline)
        window = min(policy.yellow_at_most, total * policy.yellow_fraction)
        warn_at = calendar.add_working_time(start, total - window)
    grace = policy.escalation_grace.get(level)
    return Clockwork(
        warn_at=min(warn_at, deadline),
        deadline_at=deadline,
        supervise_at=calendar.add_working_time(deadline, policy.supervise_after),
        escalate_at=calendar.add_working_time(deadline, grace) if grace is not None else None,
    )


def next_step(supervision: str, clockwork: Clockwork) -> tuple[str, datetime] | None:
    """The next step a task's supervision has not yet taken, and when it falls due."""
    reached = REACHED[Supervision(supervision)]
    step = STEPS[reached] if reached < len(STEPS) else None
    at = clockwork.time_of(step) if step else None
    return (step, at) if at is not None else None


def due_step(supervision: str, clockwork: Clockwork, now: datetime) -> str | None:
    """The next step if its time has come."""
    upcoming = next_step(supervision, clockwork)
    return upcoming[0] if upcoming and now >= upcoming[1] else None


def countdown(calendar: WorkCalendar, deadline: datetime, warn_at: datetime | None, supervision: str,
              now: datetime) -> dict:
    """An open task's clock as its handler reads it at ``now``: the office time left until the deadline
    (or, once overdue, past it), as whole working days, hours and minutes, and its card. The card
    shows at once what the deadline check will record within its interval."""
    overdue = now >= deadline
    span = calendar.working_time_between(deadline, now) if overdue else calendar.working_time_between(now, deadline)
    minutes, day = int(span.total_seconds() // 60), int(calendar.working_day.total_seconds() // 60)
    if overdue or supervision in (Supervision.RED, Supervision.SUPERVISED):
        card = "red"
    elif supervision == Supervision.YELLOW or (warn_at is not None and now >= warn_at):
        card = "yellow"
    else:
        card = "normal"
    beyond_days = minutes % day  # a working day is 7.5 h: what is left of it, in hours and minutes
    return {"overdue": overdue, "working_minutes": minutes, "working_days": minutes // day,
            "hours": beyond_days // 60, "minutes": beyond_days % 60, "card": card}
