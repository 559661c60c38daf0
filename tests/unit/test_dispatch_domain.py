"""Routing a report to a handler, and the life of the task that handler gets."""
from dataclasses import dataclass

import pytest

from services.dispatch.domain import (
    Candidate,
    RuleBroken,
    TaskStatus,
    accept,
    choose_handler,
    escalate,
    give_back,
    handler_kind_for,
    level_above,
    may_escalate,
    place_order,
    resolve,
    starting_level,
    verification_result,
)


@dataclass
class Task:
    status: str = TaskStatus.ASSIGNED
    staff_code: str = "wy-01"
    version: int = 1
    level: str = "grid"
    handler_kind: str = "property"
    grid: str | None = "g04"
    escalation_reason: str | None = None


# routing -----------------------------------------------------------------

def rule(category: str, grid: str, kind: str) -> dict:
    return {"category": category, "grid": grid, "handler_kind": kind}


def test_without_routing_rules_the_categorys_default_handler_kind_applies():
    assert handler_kind_for("sanitation.garbage", "g1", "property", []) == "property"


def test_a_community_wide_rule_overrides_the_categorys_default():
    rules = [rule("sanitation.garbage", "*", "grid")]
    assert handler_kind_for("sanitation.garbage", "g1", "property", rules) == "grid"


@pytest.mark.parametrize("rules", [
    [rule("sanitation.garbage", "*", "grid"), rule("sanitation.garbage", "g1", "community")],
    [rule("sanitation.garbage", "g1", "community"), rule("sanitation.garbage", "*", "grid")],
], ids=["specific-last", "specific-first"])
def test_a_grid_specific_rule_wins_over_a_community_wide_one_in_any_order(rules):
    assert handler_kind_for("sanitation.garbage", "g1", "property", rules) == "community"


def test_rules_for_another_grid_or_category_do_not_apply():
    rules = [rule("sanitation.garbage", "g2", "community"), rule("safety.fire", "*", "grid")]
    assert handler_kind_for("sanitation.garbage", "g1", "property", rules) == "property"


def test_a_report_without_a_grid_follows_only_community_wide_rules():
    rules = [rule("sanitation.garbage", "g1", "community"), rule("sanitation.garbage", "*", "grid")]
    assert handler_kind_for("sanitation.garbage", None, "property", rules) == "grid"


# choosing the handler ----------------------------------------------------

def staff(code: str, kind: str, open_tasks: int = 0) -> Candidate:
    return Candidate(staff_code=code, name=code, kind=kind, open_tasks=open_tasks)


def test_the_least_loaded_candidate_of_the_kind_is_chosen():
    candidates = {"property": [staff("wy-01", "property", 3), staff("wy-02", "property", 1),
                               staff("wy-03", "property", 2)]}
    assert choose_handler("property", candidates).staff_code == "wy-02"


def test_equally_loaded_candidates_are_chosen_by_staff_code_so_the_choice_is_stable():
    candidates = {"property": [staff("wy-03", "property", 1), staff("wy-02", "property", 1)]}
    assert choose_handler("property", candidates).staff_code == "wy-02"


def test_without_property_staff_the_grid_worker_is_chosen():
    candidates = {"property": [], "grid": [staff("wg-01", "grid")], "community": [staff("sq-01", "community")]}
    assert choose_handler("property", candidates).staff_code == "wg-01"


def test_without_property_staff_or_grid_worker_the_community_office_is_chosen():
    candidates = {"community": [staff("sq-01", "community")]}
    assert choose_handler("property", candidates).staff_code == "sq-01"


def test_the_line_is_never_followed_downwards():
    candidates = {"property": [staff("wy-01", "property")], "grid": [staff("wg-01", "grid")]}
    assert choose_handler("community", candidates) is None


def test_nobody_at_all_means_no_handler():
    assert choose_handler("property", {}) is None
    assert choose_handler(None, {"property": [staff("wy-01", "property")]}) is None


@pytest.mark.parametrize(("returned", "after"), [("property", ("grid", "grid")), ("grid", ("grid", "community"))])
def test_a_returned_task_goes_one_step_up_the_line(returned, after):
    assert give_back(Task(handler_kind=returned), "wy-01") == after


def test_the_community_office_cannot_return_a_grid_task_further():
    task = Task(handler_kind="community")
    with pytest.raises(RuleBroken) as broken:
        give_back(task, "wy-01")
    assert broken.value.code == "no_handler" and task.status == TaskStatus.ASSIGNED


def test_the_street_returns_a_matter_down_to_the_community_office():
    assert give_back(Task(level="street", handler_kind="street"), "wy-01") == ("community", "community")


# the escalation ladder -----------------------------------------------------

def test_the_ladder_runs_grid_community_street_and_stops():
    assert [level_above(level) for level in ("grid", "community", "street")] == ["community", "street", None]


@pytest.mark.parametrize(("category_level", "urgent", "start"), [
    ("grid", False, "grid"), ("grid", True, "community"), ("community", False, "community"),
    ("community", True, "community"), ("street", True, "street"),
])
def test_big_matters_start_high_and_urgent_ones_skip_the_grid(category_level, urgent, start):
    assert starting_level(category_level, urgent) == start


def test_escalating_closes_the_task_at_its_level_and_names_the_next():
    task = Task(status=TaskStatus.ACCEPTED)
    assert escalate(task, "需社区协调") == "community"
    assert (task.status, task.version, task.escalation_reason) == (TaskStatus.ESCALATED, 2, "需社区协调")


def test_nothing_climbs_above_the_street():
    task = Task(level="street")
    with pytest.raises(RuleBroken) as broken:
        escalate(task, "x")
    assert broken.value.code == "top_level" and task.status == TaskStatus.ASSIGNED


def test_a_finished_task_does_not_escalate():
    with pytest.raises(RuleBroken):
        escalate(Task(status=TaskStatus.CLOSED), "x")


@pytest.mark.parametrize(("caller", "allowed"), [
    ({"role": "property_staff", "staff_code": "wy-01"}, True),  # the handler
    ({"role": "property_staff", "staff_code": "wy-02"}, False),  # a colleague
    ({"role": "grid_worker", "staff_code": "gw-04", "grid": "g04"}, True),  # the grid's worker
    ({"role": "grid_worker", "staff_code": "gw-05", "grid": "g05"}, False),  # another grid's
    ({"role": "community_admin", "staff_code": "office-01"}, True),
])
def test_who_may_say_a_grid_task_cannot_be_solved_here(caller, allowed):
    assert may_escalate(Task(), caller) is allowed


# the task's life ---------------------------------------------------------

def test_the_handler_accepts_an_assigned_task():
    task = Task()
    accept(task, "wy-01")
    assert task.status == TaskStatus.ACCEPTED and task.version == 2


def test_an_accepted_task_is_resolved():
    task = Task(status=TaskStatus.ACCEPTED, version=2)
    resolve(task, "wy-01")
    assert task.status == TaskStatus.RESOLVED and task.version == 3


def test_a_task_in_rework_is_resolved_the_same_way():
    task = Task(status=TaskStatus.REWORK, version=4)
    resolve(task, "wy-01")
    assert task.status == TaskStatus.RESOLVED and task.version == 5


@pytest.mark.parametrize("status", [TaskStatus.ASSIGNED, TaskStatus.ACCEPTED])
def test_a_task_can_be_given_back_before_it_is_resolved(status):
    task = Task(status=status, version=2)
    give_back(task, "wy-01")
    assert task.status == TaskStatus.RETURNED and task.version == 3


@pytest.mark.parametrize("act", [accept, resolve, give_back], ids=["accept", "resolve", "return"])
def test_only_the_assigned_handler_may_act_on_a_task(act):
    task = Task(status=TaskStatus.ACCEPTED if act is resolve else TaskStatus.ASSIGNED)
    before = (task.status, task.version)
    with pytest.raises(RuleBroken) as broken:
        act(task, "wy-02")
    assert broken.value.code == "not_your_task"
    assert (task.status, task.version) == before


@pytest.mark.parametrize(("act", "action", "status"), [
    (accept, "accept", TaskStatus.ACCEPTED),
    (accept, "accept", TaskStatus.RETURNED),
    (resolve, "resolve", TaskStatus.ASSIGNED),
    (resolve, "resolve", TaskStatus.CLOSED),
    (give_back, "return", TaskStatus.RESOLVED),
    (give_back, "return", TaskStatus.REWORK),
    (give_back, "return", TaskStatus.CLOSED),
], ids=lambda v: getattr(v, "__name__", str(v)))
def test_a_task_refuses_an_action_its_status_does_not_allow(act, action, status):
    task = Task(status=status, version=3)
    with pytest.raises(RuleBroken) as broken:
        act(task, "wy-01")
    assert broken.value.code == "task_state"
    assert broken.value.params == {"status": status, "action": action}
    assert (task.status, task.version) == (status, 3)


@pytest.mark.parametrize(("passed", "status"), [(True, TaskStatus.CLOSED), (False, TaskStatus.REWORK)])
def test_a_verification_result_closes_a_resolved_task_or_sends_it_to_rework(passed, status):
    task = Task(status=TaskStatus.RESOLVED, version=3)
    verification_result(task, passed)
    assert task.status == status and task.version == 4


@pytest.mark.parametrize("status", [s for s in TaskStatus if s is not TaskStatus.RESOLVED])
def test_a_late_or_repeated_verification_result_changes_nothing(status):
    task = Task(status=status, version=5)
    verification_result(task, False)
    assert (task.status, task.version) == (status, 5)


def test_places_are_listed_in_the_order_people_count_them():
    assert sorted(["48", "9", "41", "g10", "g2", "A"], key=place_order) == ["9", "41", "48", "A", "g2", "g10"]
