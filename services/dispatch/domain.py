"""Tasks, routing and the escalation ladder, in plain Python.

A report becomes a task for one handler: the property company's staff or the
grid's grid worker, as the category's policy and the community's routing rules
say, falling back up the line (property → grid worker → community office) when
a handler returns it as not theirs (退单). What a grid cannot solve climbs the
ladder grid → community → street ("small matters do not leave the grid, big
matters do not leave the community"). Functions take any object with the
task's attributes and change it, or raise RuleBroken with a message code.
"""
import re
from dataclasses import dataclass
from enum import StrEnum

from shared.contracts.roles import GRID_STAFF, OFFICE
from shared.domain import RuleBroken


class TaskStatus(StrEnum):
    ASSIGNED = "assigned"  # 已派遣, waiting for the handler to accept
    ACCEPTED = "accepted"  # 已签收
    RESOLVED = "resolved"  # 已处置, waiting for verification
    REWORK = "rework"  # verification failed: back to the same handler
    CLOSED = "closed"  # verified
    RETURNED = "returned"  # 退单: not this handler's; a successor task was made
    ESCALATED = "escalated"  # 上报: handed to the next level; a successor task was made


OPEN_TASK_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.RESOLVED, TaskStatus.REWORK)
# Still in the handler's hands: the clock runs (once resolved, it waits for verification).
WORKING_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.ACCEPTED, TaskStatus.REWORK)
FALLBACK = {"property": "grid", "grid": "community", "community": None, "street": None}

LEVELS = ("grid", "community", "street")
# Above the grid, the level itself says who works the matter.
KIND_AT_LEVEL = {"community": "community", "street": "street"}


def escalation_routing_key(level: str, street: str | None, category: str) -> str:
    """report.escalated.community.<category>, or report.escalated.street.<street>.<category>: the street
    is in the key, so a street office binds (and may bind) only its own street's escalations."""
    if level == "street":
        return f"report.escalated.street.{street}.{category}"
    return f"report.escalated.{level}.{category}"


def place_order(code: str) -> tuple:
    """Buildings, units and grids in the order people count them: 9 before 41, g2 before g10."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"(\d+)", code) if part)


@dataclass(frozen=True)
class Candidate:
    staff_code: str
    name: str
    kind: str
    company: str | None = None
    open_tasks: int = 0


def handler_kind_for(category: str, grid: str | None, default_kind: str, rules: list[dict]) -> str:
    """Routing rules (category × grid) override the category's default; a grid-specific rule wins."""
    best = None
    for rule in rules:
        if rule["category"] != category or rule["grid"] not in ("*", grid):
            continue
        if best is None or rule["grid"] != "*":
            best = rule
    return best["handler_kind"] if best else default_kind


def choose_handler(kind: str | None, candidates) -> Candidate | None:
    """The least-loaded candidate of ``kind``; up the fallback line if there is none.

    ``candidates.get(kind)`` gives the candidates of a kind; it is asked only for
    the kinds the line reaches, so a caller may look them up lazily.
    """
    while kind is not None:
        of_kind = candidates.get(kind)
        if of_kind:
            return min(of_kind, key=lambda c: (c.open_tasks, c.staff_code))
        kind = FALLBACK[kind]
    return None


def _own(task, staff_code: str, action: str, *allowed: TaskStatus) -> None:
    if task.staff_code != staff_code:
        raise RuleBroken("not_your_task")
    if task.status not in allowed:
        raise RuleBroken("task_state", status=task.status, action=action)


def accept(task, staff_code: str) -> None:
    _own(task, staff_code, "accept", TaskStatus.ASSIGNED)
    task.status = TaskStatus.ACCEPTED
    task.version += 1


def resolve(task, staff_code: str) -> None:
    """Handled (处置反馈); a task in rework is resolved the same way."""
    _own(task, staff_code, "resolve", TaskStatus.ACCEPTED, TaskStatus.REWORK)
    task.status = TaskStatus.RESOLVED
    task.version += 1


def settle_by_case(task) -> bool:
    """The mediation desk settled the matter this task was for (resolved it, referred it out,
    or closed it): the task is resolved and waits for verification like any other. False when
    the task has already left its handler's hands."""
    if task.status not in WORKING_STATUSES:
        return False
    task.status = TaskStatus.RESOLVED
    task.version += 1
    return True


def give_back(task, staff_code: str) -> tuple[str, str]:
    """退单: not this handler's matter, before they have resolved it.

    Returns (level, kind) of the next task: one step up the line at the grid
    level; from the street, back down to the community office.
    """
    _own(task, staff_code, "return", TaskStatus.ASSIGNED, TaskStatus.ACCEPTED)
    if task.level == "street":
        after = ("community", "community")
    elif FALLBACK[task.handler_kind] is None:
        raise RuleBroken("no_handler")
    else:
        after = (task.level, FALLBACK[task.handler_kind])
    task.status = TaskStatus.RETURNED
    task.version += 1
    return after


def verification_result(task, passed: bool) -> bool:
    """The report was verified: close, or send back for rework (返工). False if it changed nothing."""
    if task.status != TaskStatus.RESOLVED:
        return False  # a late or repeated result
    task.status = TaskStatus.CLOSED if passed else TaskStatus.REWORK
    task.version += 1
    return True


def starting_level(category_level: str, urgent: bool) -> str:
    """Big matters start at their category's level; an urgent one skips the grid level."""
    if urgent and category_level == "grid":
        return "community"
    return category_level


def level_above(level: str) -> str | None:
    position = LEVELS.index(level)
    return LEVELS[position + 1] if position + 1 < len(LEVELS) else None


def escalate(task, reason: str) -> str:
    """上报: this level cannot solve it. Returns the level it goes to."""
    if task.status not in OPEN_TASK_STATUSES:
        raise RuleBroken("task_state", status=task.status, action="escalate")
    above = level_above(task.level)
    if above is None:
        raise RuleBroken("top_level")
    task.status = TaskStatus.ESCALATED
    task.escalation_reason = reason
    task.version += 1
    return above


def may_escalate(task, caller: dict) -> bool:
    """The handler, the grid's own staff, or the community office at its level."""
    role = caller["role"]
    return (
        task.staff_code == caller.get("staff_code")
        or (role in GRID_STAFF and task.level == "grid" and task.grid == caller.get("grid"))
        or (role in OFFICE and task.level in ("grid", "community"))
    )


def may_decide_requests(task, caller: dict) -> bool:
    """Extensions and deferrals are approved by the grid leader of the task's grid or the community office."""
    role = caller["role"]
    return role in OFFICE or (role == "grid_leader" and task.grid == caller.get("grid"))
