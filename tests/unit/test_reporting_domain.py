"""A report follows its task, is verified on site, and is rated by its reporter."""
from dataclasses import dataclass

import pytest

from services.reporting.domain import (
    RuleBroken,
    Status,
    addresses_of,
    attribute_errors,
    follow_task,
    may_verify,
    rate,
    recipients,
    support,
    verify,
)


@dataclass
class Report:
    status: str = Status.SUBMITTED
    current_task_id: str | None = None
    task_sequence: int = 0
    task_version: int = 0
    rating: str | None = None
    rework_count: int = 0
    reopen_count: int = 0
    grid: str | None = "g1"
    reporter_id: str = "resident-1"
    supporters: int = 0


# following the task ------------------------------------------------------

def test_a_submitted_report_becomes_assigned_when_its_first_task_is_assigned():
    report = Report()
    assert follow_task(report, "task.assigned", "t1", 1, 1) is True
    assert (report.status, report.current_task_id, report.task_version) == (Status.ASSIGNED, "t1", 1)


@pytest.mark.parametrize(("event_type", "status"), [
    ("task.accepted", Status.ACCEPTED),
    ("task.resolved", Status.RESOLVED),
    ("task.returned", Status.RETURNED),
])
def test_a_report_takes_the_status_each_newer_task_event_means(event_type, status):
    report = Report(status=Status.ASSIGNED, current_task_id="t1", task_sequence=1, task_version=1)
    assert follow_task(report, event_type, "t1", 1, 2) is True
    assert report.status == status and report.task_version == 2


def test_older_news_of_the_same_task_is_ignored():
    report = Report()
    follow_task(report, "task.assigned", "t1", 1, 1)
    follow_task(report, "task.resolved", "t1", 1, 3)
    assert follow_task(report, "task.accepted", "t1", 1, 2) is False
    assert report.status == Status.RESOLVED and report.task_version == 3


def test_a_repeated_event_changes_nothing():
    report = Report()
    follow_task(report, "task.assigned", "t1", 1, 1)
    assert follow_task(report, "task.assigned", "t1", 1, 1) is False
    assert report.status == Status.ASSIGNED


def test_a_successor_task_takes_over_after_a_return():
    report = Report()
    follow_task(report, "task.assigned", "t1", 1, 1)
    follow_task(report, "task.returned", "t1", 1, 2)
    assert follow_task(report, "task.assigned", "t2", 2, 1) is True
    assert (report.status, report.current_task_id, report.task_version) == (Status.ASSIGNED, "t2", 1)


def test_a_return_arriving_after_its_successor_task_changes_nothing():
    report = Report()
    follow_task(report, "task.assigned", "t1", 1, 1)
    follow_task(report, "task.assigned", "t2", 2, 1)
    assert follow_task(report, "task.returned", "t1", 1, 2) is False
    assert (report.status, report.current_task_id) == (Status.ASSIGNED, "t2")


def test_a_late_assignment_of_a_returned_task_does_not_take_the_report_back_from_its_successor():
    # t1.assigned failed its first delivery and waits in the retry queue; meanwhile t1 is
    # returned (退单) and its successor t2 assigned. Then the retried t1.assigned arrives.
    report = Report()
    follow_task(report, "task.returned", "t1", 1, 2)
    follow_task(report, "task.assigned", "t2", 2, 1)
    assert follow_task(report, "task.assigned", "t1", 1, 1) is False
    assert (report.status, report.current_task_id, report.task_version) == (Status.ASSIGNED, "t2", 1)


def test_a_closed_report_no_longer_follows_its_task():
    report = Report(status=Status.CLOSED, current_task_id="t1", task_sequence=1, task_version=3)
    assert follow_task(report, "task.assigned", "t2", 2, 1) is False
    assert (report.status, report.current_task_id) == (Status.CLOSED, "t1")


def test_a_reopened_report_follows_its_new_task():
    report = Report(status=Status.REOPENED, current_task_id="t1", task_sequence=1, task_version=4)
    assert follow_task(report, "task.assigned", "t2", 2, 1) is True
    assert report.status == Status.ASSIGNED


# verification (核查) ------------------------------------------------------

def test_passing_verification_closes_a_resolved_report():
    report = Report(status=Status.RESOLVED)
    verify(report, passed=True)
    assert report.status == Status.CLOSED and report.rework_count == 0


def test_failing_verification_sends_the_report_to_rework_and_counts_it():
    report = Report(status=Status.RESOLVED, rework_count=1)
    verify(report, passed=False)
    assert report.status == Status.REWORK and report.rework_count == 2


def test_after_rework_a_report_is_resolved_again_by_its_task_and_can_then_pass():
    report = Report(status=Status.RESOLVED, current_task_id="t1", task_version=3)
    verify(report, passed=False)
    assert follow_task(report, "task.resolved", "t1", 1, 5) is True
    verify(report, passed=True)
    assert report.status == Status.CLOSED


@pytest.mark.parametrize("status", [s for s in Status if s is not Status.RESOLVED])
def test_only_a_resolved_report_can_be_verified(status):
    report = Report(status=status)
    with pytest.raises(RuleBroken) as broken:
        verify(report, passed=True)
    assert broken.value.code == "report_state"
    assert broken.value.params == {"status": status, "action": "verify"}
    assert report.status == status


# rating ------------------------------------------------------------------

def test_a_satisfied_rating_keeps_the_report_closed():
    report = Report(status=Status.CLOSED)
    assert rate(report, "satisfied") is False
    assert report.status == Status.CLOSED and report.rating == "satisfied" and report.reopen_count == 0


def test_an_unsatisfied_rating_reopens_the_report_and_counts_it():
    report = Report(status=Status.CLOSED)
    assert rate(report, "unsatisfied") is True
    assert report.status == Status.REOPENED and report.reopen_count == 1


def test_a_closed_report_is_rated_only_once():
    report = Report(status=Status.CLOSED)
    rate(report, "basically_satisfied")
    with pytest.raises(RuleBroken) as broken:
        rate(report, "unsatisfied")
    assert broken.value.code == "report_state"
    assert report.rating == "basically_satisfied" and report.status == Status.CLOSED


def test_an_open_report_cannot_be_rated():
    report = Report(status=Status.RESOLVED)
    with pytest.raises(RuleBroken) as broken:
        rate(report, "satisfied")
    assert broken.value.params == {"status": Status.RESOLVED, "action": "rate"}


def test_a_reopened_report_that_is_closed_again_can_be_rated_afresh():
    report = Report(status=Status.CLOSED)
    rate(report, "unsatisfied")
    report.status = Status.RESOLVED  # the new task was resolved
    verify(report, passed=True)
    assert report.rating is None
    assert rate(report, "satisfied") is False
    assert report.rating == "satisfied" and report.reopen_count == 1


# category attributes -----------------------------------------------------

DEFINITIONS = [
    {"code": "volume", "required": True, "values": [{"key": "small"}, {"key": "large"}]},
    {"code": "floors", "values": [{"key": "1"}, {"key": "2"}, {"key": "3"}]},
    {"code": "remark"},
]


def codes(errors):
    return {(e["field"], e["code"]) for e in errors}


def test_attributes_that_match_their_definitions_have_no_errors():
    assert attribute_errors(DEFINITIONS, {"volume": "large", "floors": ["1", "3"], "remark": "anything"}) == []


def test_a_number_matches_its_key_written_as_text():
    assert attribute_errors(DEFINITIONS, {"volume": "small", "floors": 2}) == []


def test_an_attribute_the_category_does_not_define_is_invalid():
    errors = attribute_errors(DEFINITIONS, {"volume": "small", "colour": "red"})
    assert errors == [{"field": "attributes.colour", "code": "invalid_attribute", "params": {"value": "colour"}}]


@pytest.mark.parametrize("given", [{}, {"volume": None}, {"volume": ""}, {"volume": []}])
def test_a_required_attribute_left_out_or_empty_is_missing(given):
    assert codes(attribute_errors(DEFINITIONS, given)) == {("attributes.volume", "missing_attribute")}


def test_an_optional_attribute_may_be_left_out():
    assert attribute_errors(DEFINITIONS, {"volume": "small", "floors": None}) == []


@pytest.mark.parametrize("given", [{"volume": "enormous"}, {"volume": ["small", "enormous"]}])
def test_a_value_outside_the_allowed_keys_is_invalid(given):
    assert codes(attribute_errors(DEFINITIONS, given)) == {("attributes.volume", "invalid_attribute")}


def test_every_bad_attribute_is_named_at_once():
    errors = attribute_errors(DEFINITIONS, {"floors": "9", "colour": "red"})
    assert codes(errors) == {
        ("attributes.colour", "invalid_attribute"),
        ("attributes.volume", "missing_attribute"),
        ("attributes.floors", "invalid_attribute"),
    }


# who may verify ----------------------------------------------------------

@pytest.mark.parametrize(("caller", "allowed"), [
    ({"role": "grid_worker", "grid": "g1"}, True),
    ({"role": "grid_leader", "grid": "g1"}, True),
    ({"role": "grid_worker", "grid": "g2"}, False),
    ({"role": "community_admin", "grid": "g1"}, False),
    ({"role": "resident", "grid": "g1"}, False),
], ids=["own-grid-worker", "own-grid-leader", "other-grid", "admin", "resident"])
def test_only_the_reports_own_grid_may_verify_it(caller, allowed):
    assert may_verify(Report(grid="g1"), caller) is allowed


def test_a_report_without_a_grid_cannot_be_verified_by_a_grid_worker_without_one():
    assert may_verify(Report(grid=None), {"role": "grid_worker", "grid": None}) is False


def test_the_community_office_verifies_what_belongs_to_no_grid():
    assert may_verify(Report(grid=None), {"role": "community_admin", "grid": None}) is True


# "me too" ------------------------------------------------------------------

def test_someone_else_may_join_an_open_report_but_not_its_reporter_nor_a_closed_one():
    report = Report(status=Status.ACCEPTED)
    support(report, "resident-2")
    assert report.supporters == 1
    with pytest.raises(RuleBroken) as own:
        support(report, "resident-1")
    assert own.value.code == "own_report"
    with pytest.raises(RuleBroken) as closed:
        support(Report(status=Status.CLOSED), "resident-2")
    assert closed.value.code == "report_state"


# messages (消息) -----------------------------------------------------------

def test_a_step_is_told_to_whom_it_concerns_but_not_to_who_took_it():
    assert recipients("dispatched", "resident-1", "ytl-wy-01", "ytl", "g04", "system") == ["staff:ytl-wy-01"]
    assert recipients("resolved", "resident-1", "ytl-wy-01", "ytl", "g04", "ytl-wy-01") == [
        "account:resident-1", "grid:ytl:g04"]
    assert recipients("closed", "ytl-gw-04", "ytl-gw-04", "ytl", "g04", "ytl-gw-04") == []
    assert recipients("resolved", "resident-1", "ytl-wy-01", "ytl", None, "ytl-wy-01") == ["account:resident-1"]
    assert recipients("reported", "resident-1", None, "ytl", "g04", "resident-1") == []


def test_a_grid_worker_reads_her_own_her_tasks_and_her_grids_messages():
    caller = {"account_id": "a-7", "staff_code": "ytl-gw-04", "role": "grid_worker", "community": "ytl", "grid": "g04"}
    assert addresses_of(caller) == ["account:a-7", "staff:ytl-gw-04", "grid:ytl:g04"]
    resident = {"account_id": "a-9", "staff_code": None, "role": "resident", "community": "ytl", "grid": "g04"}
    assert addresses_of(resident) == ["account:a-9"]
