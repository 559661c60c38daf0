"""What the community office and the street platform read to decide: the extension and
deferral requests waiting for them (审批), and the matters that climbed to their level with
every reason given on the way up (the street's queue)."""
from sqlalchemy import select

from services.dispatch.domain import WORKING_STATUSES
from services.dispatch.models import Community, Task, TaskRequest
from services.dispatch.schemas import request_view, task_view
from shared.contracts import rpc
from shared.contracts.roles import OFFICE
from shared.contracts.validation import load

LIST_LIMIT = 200
# Which level's queue a caller works: the street platform the street's, the office the community's.
LEVEL_OF_ROLE = {"street_platform": "street", "community_admin": "community", "party_secretary": "community"}


def list_requests(uow, caller: dict, filters: dict) -> list[dict]:
    """Requests the caller may decide (domain.may_decide_requests: the office its community's, a grid
    leader their grid's), oldest first, each with its task and the task's earlier requests (history)."""
    caller = load(rpc.Caller, caller)
    filters = load(rpc.RequestFilter, filters or {})
    conditions = [TaskRequest.status == filters["status"], Task.community == caller["community"]]
    if caller["role"] not in OFFICE:
        conditions.append(Task.grid == caller["grid"])
    if filters["kind"]:
        conditions.append(TaskRequest.kind == filters["kind"])
    with uow:
        rows = uow.session.execute(
            select(TaskRequest, Task).join(Task, Task.id == TaskRequest.task_id).where(*conditions)
            .order_by(TaskRequest.created_at, TaskRequest.id).limit(LIST_LIMIT)
        ).all()
        tasks = {task.id for _request, task in rows}
        history: dict[str, list] = {}
        for earlier in uow.session.scalars(select(TaskRequest).where(TaskRequest.task_id.in_(tasks))
                                           .order_by(TaskRequest.created_at, TaskRequest.id)):
            history.setdefault(earlier.task_id, []).append(earlier)
        return [{**request_view.dump(request), "task": task_view.dump(task),
                 "history": request_view.dump([r for r in history[task.id] if r.id != request.id], many=True)}
                for request, task in rows]


def escalated_queue(uow, caller: dict) -> list[dict]:
    """The open tasks at the caller's level (the street: its communities'), soonest deadline first,
    each with its community and the ladder it climbed: every earlier task's level, handler and
    the reason it went up (or came back)."""
    caller = load(rpc.Caller, caller)
    level = LEVEL_OF_ROLE.get(caller["role"])
    if level == "street":
        communities = select(Community.code).where(Community.street == caller["community"])
    else:
        communities = select(Community.code).where(Community.code == caller["community"])
    with uow:
        tasks = uow.session.scalars(
            select(Task).where(Task.community.in_(communities), Task.level == level,
                               Task.status.in_(WORKING_STATUSES))
            .order_by(Task.deadline_at, Task.id).limit(LIST_LIMIT)
        ).all()
        communities = uow.session.scalars(select(Community).where(Community.code.in_({t.community for t in tasks})))
        names = {c.code: {"zh": c.name_zh, "en": c.name_en} for c in communities}
        ladders: dict[str, list[Task]] = {}
        for step in uow.session.scalars(select(Task).where(Task.report_id.in_({t.report_id for t in tasks}))
                                        .order_by(Task.sequence)):
            ladders.setdefault(step.report_id, []).append(step)
        return [{**task_view.dump(task), "community_name": names.get(task.community),
                 "ladder": [_rung(step) for step in ladders[task.report_id] if step.sequence < task.sequence]}
                for task in tasks]


def _rung(task: Task) -> dict:
    """One earlier step of the matter: who had it at which level, and why it left them."""
    return {"task_id": task.id, "level": task.level, "handler": task.handler_name, "status": task.status,
            "assigned_at": task_view.dump(task)["created_at"], "escalation_reason": task.escalation_reason,
            "return_reason": task.return_reason}
