"""What the community office and the street platform read to decide: the extension and
deferral requests waiting for them (审批), the matters that climbed to their level with
every reason given on the way up (the street's queue), and the community's plan (平面图)."""
from sqlalchemy import select

from services.dispatch.domain import WORKING_STATUSES
from services.dispatch.models import Building, Community, Grid, Task, TaskRequest
from services.dispatch.schemas import request_view, task_view
from shared.contracts import rpc
from shared.contracts.errors import NotFound
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


def community_plan(uow, caller: dict, community: str) -> dict:
    """The plan as GeoJSON in local metres: one polygon per building with an outline, with its grid.
    Places only, never a person. The caller's own community; the street platform: its street's."""
    caller = load(rpc.Caller, caller)
    with uow:
        found = uow.session.get(Community, community)
        mine = caller["community"] in (community, found.street if found else None)
        if found is None or not (mine if caller["role"] == "street_platform" else caller["community"] == community):
            raise NotFound("community_not_found", field="community", params={"id": community})
        grids = {g.code: g.name for g in uow.session.scalars(select(Grid).where(Grid.community == community))}
        buildings = uow.session.scalars(select(Building).where(Building.community == community,
                                                               Building.outline.is_not(None))).all()
        return {"type": "FeatureCollection", "community": community,
                "name": {"zh": found.name_zh, "en": found.name_en}, "units": "m",
                "features": [{"type": "Feature", "id": b.code,
                              "geometry": {"type": "Polygon", "coordinates": [[*b.outline, b.outline[0]]]},
                              "properties": {"building": b.code, "grid": b.grid, "grid_name": grids.get(b.grid)}}
                             for b in sorted(buildings, key=lambda b: (len(b.code), b.code))]}
