"""Deadlines run on Shanghai working time: 08:30-12:00 and 13:30-17:30, weekdays,
minus public holidays, plus make-up working days (调休)."""
from datetime import date, datetime, timedelta, timezone

import pytest

from services.dispatch.calendar import TimeLimit, WorkCalendar
from shared.times import SHANGHAI

# 2024 Labour Day: 1-5 May off; Sunday 28 April and Saturday 11 May worked instead.
LABOUR_DAY_2024 = WorkCalendar(
    holidays=frozenset(date(2024, 5, day) for day in range(1, 6)),
    makeup_workdays=frozenset({date(2024, 4, 28), date(2024, 5, 11)}),
)
PLAIN = WorkCalendar()


def shanghai(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def hours(amount: int) -> TimeLimit:
    return TimeLimit(amount, "working_hours")


def days(amount: int) -> TimeLimit:
    return TimeLimit(amount, "working_days")


# working hours -----------------------------------------------------------

def test_four_working_hours_from_friday_afternoon_run_over_the_weekend_to_monday_morning():
    # Fri 16:00-17:30 is 1.5 h; the other 2.5 h run from Mon 08:30 to 11:00.
    assert PLAIN.deadline(shanghai(2024, 3, 15, 16, 0), hours(4)) == shanghai(2024, 3, 18, 11, 0)


def test_working_hours_within_one_office_period_are_added_as_they_are():
    assert PLAIN.deadline(shanghai(2024, 3, 13, 9, 0), hours(2)) == shanghai(2024, 3, 13, 11, 0)


def test_working_hours_skip_the_lunch_break():
    # Wed 10:00-12:00 is 2 h; the third hour runs from 13:30.
    assert PLAIN.deadline(shanghai(2024, 3, 13, 10, 0), hours(3)) == shanghai(2024, 3, 13, 14, 30)


def test_a_start_during_lunch_counts_from_the_afternoon_opening():
    assert PLAIN.deadline(shanghai(2024, 3, 13, 12, 30), hours(2)) == shanghai(2024, 3, 13, 15, 30)


def test_a_start_before_office_hours_counts_from_the_morning_opening():
    assert PLAIN.deadline(shanghai(2024, 3, 13, 7, 0), hours(1)) == shanghai(2024, 3, 13, 9, 30)


def test_a_start_after_office_hours_counts_from_the_next_working_morning():
    assert PLAIN.deadline(shanghai(2024, 3, 13, 19, 0), hours(1)) == shanghai(2024, 3, 14, 9, 30)


def test_a_start_on_a_weekend_counts_from_monday_morning():
    assert PLAIN.deadline(shanghai(2024, 3, 16, 10, 0), hours(1)) == shanghai(2024, 3, 18, 9, 30)


def test_work_that_exactly_fills_a_period_is_due_at_its_close_not_at_the_next_opening():
    assert PLAIN.deadline(shanghai(2024, 3, 13, 11, 0), hours(1)) == shanghai(2024, 3, 13, 12, 0)
    assert PLAIN.deadline(shanghai(2024, 3, 13, 16, 30), hours(1)) == shanghai(2024, 3, 13, 17, 30)


def test_a_full_working_day_holds_seven_and_a_half_hours():
    # Mon 08:30 + 8 h: all 7.5 h of Monday, then half an hour on Tuesday.
    assert PLAIN.deadline(shanghai(2024, 3, 18, 8, 30), hours(8)) == shanghai(2024, 3, 19, 9, 0)


def test_working_hours_skip_a_public_holiday():
    # Tue 30 April 17:00-17:30 is 0.5 h; 1-5 May are off; the other 1.5 h run from Mon 6 May 08:30.
    start = shanghai(2024, 4, 30, 17, 0)
    assert LABOUR_DAY_2024.deadline(start, hours(2)) == shanghai(2024, 5, 6, 10, 0)
    assert PLAIN.deadline(start, hours(2)) == shanghai(2024, 5, 1, 10, 0)


def test_working_hours_run_on_a_makeup_saturday():
    # Fri 10 May 17:00-17:30 is 0.5 h; Saturday 11 May is a make-up working day.
    start = shanghai(2024, 5, 10, 17, 0)
    assert LABOUR_DAY_2024.deadline(start, hours(2)) == shanghai(2024, 5, 11, 10, 0)
    assert PLAIN.deadline(start, hours(2)) == shanghai(2024, 5, 13, 10, 0)


# working days ------------------------------------------------------------

def test_one_working_day_from_a_weekday_is_due_at_closing_the_next_working_day():
    assert PLAIN.deadline(shanghai(2024, 3, 13, 9, 0), days(1)) == shanghai(2024, 3, 14, 17, 30)


def test_working_days_are_counted_from_the_day_after_the_start_whatever_its_hour():
    early, late = shanghai(2024, 3, 13, 0, 5), shanghai(2024, 3, 13, 23, 55)
    assert PLAIN.deadline(early, days(2)) == PLAIN.deadline(late, days(2)) == shanghai(2024, 3, 15, 17, 30)


def test_working_days_skip_the_weekend():
    # From Wednesday: Thu, Fri, (weekend), Mon.
    assert PLAIN.deadline(shanghai(2024, 3, 13, 10, 0), days(3)) == shanghai(2024, 3, 18, 17, 30)


def test_one_working_day_from_a_saturday_is_monday():
    assert PLAIN.deadline(shanghai(2024, 3, 16, 10, 0), days(1)) == shanghai(2024, 3, 18, 17, 30)


def test_working_days_skip_public_holidays():
    start = shanghai(2024, 4, 30, 10, 0)
    assert LABOUR_DAY_2024.deadline(start, days(1)) == shanghai(2024, 5, 6, 17, 30)
    assert LABOUR_DAY_2024.deadline(start, days(2)) == shanghai(2024, 5, 7, 17, 30)


def test_working_days_count_a_makeup_saturday():
    assert LABOUR_DAY_2024.deadline(shanghai(2024, 5, 10, 10, 0), days(1)) == shanghai(2024, 5, 11, 17, 30)
    assert LABOUR_DAY_2024.deadline(shanghai(2024, 4, 26, 10, 0), days(1)) == shanghai(2024, 4, 28, 17, 30)


def test_the_start_day_is_the_shanghai_date_not_the_utc_date():
    # Thu 14 March 20:00 UTC is already Friday 04:00 in Shanghai: one working day later is Monday.
    start = datetime(2024, 3, 14, 20, 0, tzinfo=timezone.utc)
    assert PLAIN.deadline(start, days(1)) == shanghai(2024, 3, 18, 17, 30)


# calendar days -----------------------------------------------------------

def test_calendar_days_run_through_weekends_and_holidays_to_the_same_clock_time():
    start = shanghai(2024, 4, 30, 16, 0)
    assert LABOUR_DAY_2024.deadline(start, TimeLimit(3, "calendar_days")) == shanghai(2024, 5, 3, 16, 0)


# time zones --------------------------------------------------------------

def test_deadlines_come_back_timezone_aware_in_utc():
    for limit in (hours(4), days(2), TimeLimit(1, "calendar_days")):
        due = PLAIN.deadline(shanghai(2024, 3, 15, 16, 0), limit)
        assert due.tzinfo is not None and due.utcoffset() == timedelta(0), limit
    assert PLAIN.deadline(shanghai(2024, 3, 15, 16, 0), hours(4)) == datetime(2024, 3, 18, 3, 0, tzinfo=timezone.utc)


def test_a_start_in_another_timezone_is_read_as_the_same_instant():
    # 08:00 UTC is 16:00 in Shanghai.
    assert PLAIN.deadline(datetime(2024, 3, 15, 8, 0, tzinfo=timezone.utc), hours(4)) == shanghai(2024, 3, 18, 11, 0)


def test_a_naive_start_is_taken_as_utc():
    assert PLAIN.deadline(datetime(2024, 3, 15, 8, 0), hours(4)) == shanghai(2024, 3, 18, 11, 0)


# the calendar itself -----------------------------------------------------

def test_weekends_and_holidays_are_off_and_makeup_days_are_worked():
    assert LABOUR_DAY_2024.is_working_day(date(2024, 4, 30))  # Tuesday
    assert not LABOUR_DAY_2024.is_working_day(date(2024, 5, 1))  # holiday
    assert not LABOUR_DAY_2024.is_working_day(date(2024, 5, 12))  # Sunday
    assert LABOUR_DAY_2024.is_working_day(date(2024, 5, 11))  # make-up Saturday


@pytest.mark.parametrize(("amount", "unit"), [(0, "working_hours"), (-1, "working_days"), (2, "hours"), (1, "")])
def test_a_time_limit_must_be_a_positive_amount_of_a_known_unit(amount, unit):
    with pytest.raises(ValueError):
        TimeLimit(amount, unit)


def test_supervision_settings_from_config_replace_only_what_they_name():
    from services.dispatch.supervision import SupervisionPolicy

    policy = SupervisionPolicy.from_settings({"supervise_after_hours": 2, "escalation_grace_hours": {"grid": 15}})
    assert policy.supervise_after == timedelta(hours=2)
    assert policy.escalation_grace == {"grid": timedelta(hours=15), "community": timedelta(hours=15), "street": None}
    assert policy.yellow_fraction == 0.25 and policy.yellow_at_most == timedelta(hours=7.5)
