"""Working time in Asia/Shanghai: the clock that deadlines run on.

Pure Python. Working hours are the office day (08:30-12:00, 13:30-17:30);
weekends are off unless the year's calendar makes them make-up working days
(调休), and public holidays are off.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from shared.times import SHANGHAI, as_utc

OFFICE_PERIODS = ((time(8, 30), time(12, 0)), (time(13, 30), time(17, 30)))
WORKING_DAY = timedelta(hours=7, minutes=30)  # the length of OFFICE_PERIODS


@dataclass(frozen=True)
class TimeLimit:
    amount: int
    unit: str  # working_hours | working_days | calendar_days

    UNITS = ("working_hours", "working_days", "calendar_days")

    def __post_init__(self):
        if self.unit not in self.UNITS or self.amount <= 0:
            raise ValueError(f"bad time limit {self.amount} {self.unit}")


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[date] = field(default_factory=frozenset)
    makeup_workdays: frozenset[date] = field(default_factory=frozenset)
    periods: tuple[tuple[time, time], ...] = OFFICE_PERIODS

    @property
    def working_day(self) -> timedelta:
        """The office time of one working day."""
        return sum((datetime.combine(date.min, closes) - datetime.combine(date.min, opens)
                    for opens, closes in self.periods), timedelta())

    def is_working_day(self, day: date) -> bool:
        if day in self.makeup_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def deadline(self, start: datetime, limit: TimeLimit) -> datetime:
        """When work started at ``start`` (any timezone) is due, in UTC."""
        local = as_utc(start).astimezone(SHANGHAI)
        if limit.unit == "calendar_days":
            due = local + timedelta(days=limit.amount)
        elif limit.unit == "working_days":
            due = self._end_of_nth_working_day(local.date(), limit.amount)
        else:
            due = self._add_working_time(local, timedelta(hours=limit.amount))
        return as_utc(due)

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """``duration`` of office time after ``start``, in UTC."""
        return as_utc(self._add_working_time(as_utc(start).astimezone(SHANGHAI), duration))

    def working_time_between(self, start: datetime, end: datetime) -> timedelta:
        """How much office time lies between two moments (zero if ``end`` is not later)."""
        begin, finish = as_utc(start).astimezone(SHANGHAI), as_utc(end).astimezone(SHANGHAI)
        total = timedelta()
        day = begin.date()
        while day <= finish.date():
            if self.is_working_day(day):
                for opens, closes in self.periods:
                    low = max(begin, datetime.combine(day, opens, SHANGHAI))
                    high = min(finish, datetime.combine(day, closes, SHANGHAI))
                    if high > low:
                        total += high - low
            day += timedelta(days=1)
        return total

    def _end_of_nth_working_day(self, start_day: date, n: int) -> datetime:
        """N working days counted from the day after ``start_day``, due at close of office."""
        day = start_day
        while n:
            day += timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return datetime.combine(day, self.periods[-1][1], SHANGHAI)

    def _add_working_time(self, moment: datetime, remaining: timedelta) -> datetime:
        day = moment.date()
        while True:
            if self.is_working_day(day):
                for opens, closes in self.periods:
                    period_start = datetime.combine(day, opens, SHANGHAI)
                    period_end = datetime.combine(day, closes, SHANGHAI)
                    begin = max(moment, period_start)
                    if begin >= period_end:
                        continue
                    available = period_end - begin
                    if remaining <= available:
                        return begin + remaining
                    remaining -= available
            day += timedelta(days=1)
            moment = datetime.combine(day, time(0), SHANGHAI)
