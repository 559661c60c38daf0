"""The life of a report, in plain Python.

Functions here take any object with the report's attributes (the ORM row in
the service, a dataclass in the unit tests) and change it, or raise
RuleBroken with a message code. No framework imports.
"""
from datetime import timedelta
from enum import StrEnum

from shared.contracts.roles import GRID_STAFF, OFFICE
from shared.domain import RuleBroken


class Status(StrEnum):
    SUBMITTED = "submitted"  # 已上报, waiting for dispatch
    ASSIGNED = "assigned"  # 已派遣
    ACCEPTED = "accepted"  # 已签收
    RETURNED = "returned"  # 已退单, waiting for re-dispatch
    RESOLVED = "resolved"  # 已处置, waiting for the grid worker's check
    REWORK = "rework"  # 核查未通过, 返工
    CLOSED = "closed"  # 已结案
    REOPENED = "reopened"  # 不满意重办


STATUS_NAMES = {
    Status.SUBMITTED: ("已上报", "submitted"),
    Status.ASSIGNED: ("已派遣", "assigned"),
    Status.ACCEPTED: ("已签收", "accepted"),
    Status.RETURNED: ("已退单", "returned"),
    Status.RESOLVED: ("已处置待核查", "resolved, awaiting verification"),
    Status.REWORK: ("返工中", "in rework"),
    Status.CLOSED: ("已结案", "closed"),
    Status.REOPENED: ("重办中", "reopened"),
}

OPEN_STATUSES = tuple(s for s in Status if s is not Status.CLOSED)
LEVELS = ("grid", "community", "street")
DUPLICATE_WINDOW = timedelta(hours=24)

# What a task event means for the report that follows it.
TASK_EVENT_STATUS = {
    "task.assigned": Status.ASSIGNED,
    "task.accepted": Status.ACCEPTED,
    "task.resolved": Status.RESOLVED,
    "task.returned": Status.RETURNED,
}


def follow_task(report, event_type: str, task_id: str, sequence: int, version: int) -> bool:
    """Move the report with its task; True if its status changed.

    Task events can arrive out of order (several consumers, retries), so each
    carries where it stands: the task's sequence among the report's tasks (a
    return or a reopening makes the next one) and the task's version. Only news
    newer than what the report has seen moves it.
    """
    if report.status == Status.CLOSED:
        return False
    if (sequence, version) <= (report.task_sequence, report.task_version):
        return False
    report.current_task_id = task_id
    report.task_sequence, report.task_version = sequence, version
    report.status = TASK_EVENT_STATUS[event_type]
    return True


def verify(report, passed: bool) -> None:
    """The grid worker checks the work on site: pass closes, fail sends it back (返工)."""
    if report.status != Status.RESOLVED:
        raise RuleBroken("report_state", status=report.status, action="verify")
    if passed:
        report.status = Status.CLOSED
        report.rating = None  # a closure is rated afresh
    else:
        report.status = Status.REWORK
        report.rework_count += 1


def rate(report, rating: str) -> bool:
    """The reporter rates a closed report once; True when it is reopened (不满意重办)."""
    if report.status != Status.CLOSED or report.rating is not None:
        raise RuleBroken("report_state", status=report.status, action="rate")
    report.rating = rating
    if rating == "unsatisfied":
        report.status = Status.REOPENED
        report.reopen_count += 1
        return True
    return False


def support(report, account_id: str) -> None:
    """"Me too" (附议): someone else has the same problem, while it is still open."""
    if report.status == Status.CLOSED:
        raise RuleBroken("report_state", status=report.status, action="support")
    if report.reporter_id == account_id:
        raise RuleBroken("own_report")
    report.supporters += 1


def attribute_errors(definitions: list[dict], given: dict) -> list[dict]:
    """Check a report's extra attributes against its category's definitions (Open311 style)."""
    known = {a["code"]: a for a in definitions}
    errors = []
    for code in given:
        if code not in known:
            errors.append({"field": f"attributes.{code}", "code": "invalid_attribute", "params": {"value": code}})
    for code, definition in known.items():
        value = given.get(code)
        if value in (None, "", []):
            if definition.get("required"):
                errors.append({"field": f"attributes.{code}", "code": "missing_attribute", "params": {"value": code}})
            continue
        allowed = {v["key"] for v in definition.get("values", [])}
        chosen = value if isinstance(value, list) else [value]
        if allowed and not set(map(str, chosen)) <= allowed:
            errors.append({"field": f"attributes.{code}", "code": "invalid_attribute", "params": {"value": code}})
    return errors


# Timeline actions, as people read them.
ACTIONS = {
    "reported": ("上报", "reported"),
    "dispatched": ("派遣", "dispatched"),
    "accepted": ("签收", "accepted"),
    "returned": ("退单", "returned"),
    "resolved": ("处置反馈", "resolved"),
    "verified": ("核查通过", "verified"),
    "verification_failed": ("核查未通过,返工", "verification failed, rework"),
    "closed": ("结案", "closed"),
    "rated": ("评价", "rated"),
    "reopened": ("不满意重办", "reopened"),
    "warned": ("黄牌预警:临近期限", "yellow card: deadline near"),
    "overdue": ("红牌:已超期", "red card: overdue"),
    "supervised": ("督办", "supervision order issued"),
    "escalated": ("上报上级", "escalated"),
    "extension_requested": ("申请延期", "extension requested"),
    "deferral_requested": ("申请挂账", "deferral requested"),
    "request_approved": ("申请获批", "request approved"),
    "request_denied": ("申请被驳回", "request denied"),
    "resumed": ("恢复办理", "resumed"),
    # the community's mediation desk, for a report that became a case
    "case_opened": ("社区接访站受理立案", "case opened at the community's reception"),
    "case_routed": ("事务分流", "case routed by triage"),
    "agreement_signed": ("调解协议生效", "mediation agreement signed"),
    "case_resolved": ("调解结案", "case resolved"),
    "case_referred": ("转介", "case referred out"),
    "case_closed": ("案件办结", "case closed"),
    "case_reopened": ("回访不满意,案件重办", "case reopened after an unsatisfied follow-up"),
}
# Case events and the timeline entry each makes on its report.
CASE_ACTIONS = {"case.opened": "case_opened", "case.routed": "case_routed", "agreement.signed": "agreement_signed",
                "case.resolved": "case_resolved", "case.referred": "case_referred", "case.closed": "case_closed",
                "case.reopened": "case_reopened"}


# Who is told of a step (消息): the reporter, the handler it concerns, or the grid's staff (who check the work).
AUDIENCES = {
    "dispatched": ("handler",),
    "accepted": ("reporter",),
    "resolved": ("reporter", "grid"),  # the grid's staff: waiting for their check (待核查)
    "returned": ("grid",),
    "verification_failed": ("handler",),
    "closed": ("reporter", "handler"),
    "reopened": ("handler",),
    "escalated": ("reporter",),
    "warned": ("handler",),
    "overdue": ("handler",),
    "supervised": ("handler",),
    "request_approved": ("handler",),
    "request_denied": ("handler",),
    "case_resolved": ("reporter",),
    "case_closed": ("reporter",),
}


def recipients(action: str, reporter_id: str, handler: str | None, community: str, grid: str | None,
               actor_id: str) -> list[str]:
    """Whom a step of a report is told to, never the one who took it."""
    addresses = {"reporter": f"account:{reporter_id}", "handler": handler and f"staff:{handler}",
                 "grid": grid and f"grid:{community}:{grid}"}
    return [addresses[who] for who in AUDIENCES.get(action, ())
            if addresses[who] and addresses[who] not in (f"account:{actor_id}", f"staff:{actor_id}")]


# Steps told both to the reporter and to the grid: a grid's own staff who reported it read them once.
TOLD_TWICE = tuple(action for action, who in AUDIENCES.items() if {"reporter", "grid"} <= set(who))


def addresses_of(caller: dict) -> list[str]:
    """Every address a caller's messages come to."""
    own = [f"account:{caller['account_id']}"]
    if caller.get("staff_code"):
        own.append(f"staff:{caller['staff_code']}")
    if caller["role"] in GRID_STAFF and caller.get("grid"):
        own.append(f"grid:{caller['community']}:{caller['grid']}")
    return own


def may_verify(report, caller: dict) -> bool:
    """On-site verification (核查) is the report's own grid's job; the community office
    verifies what belongs to no grid (a report given only by address)."""
    if report.grid is None:
        return caller["role"] in OFFICE
    return caller["role"] in GRID_STAFF and report.grid == caller.get("grid")
