"""Dispatch's use cases: make tasks from reports, let handlers act on them.

Each use case runs in one unit of work; the task change and its event commit
together (outbox), and each consumed event is handled once (inbox).
"""
import uuid

from sqlalchemy import func, select

from services.dispatch import domain
from services.dispatch.calendar import TimeLimit, WorkCalendar
from services.dispatch.domain import Candidate, TaskStatus
from services.dispatch.models import (
    Building,
    CategoryPolicy,
    Community,
    Grid,
    PropertyCompany,
    RoutingRule,
    Staff,
    Task,
    Unit,
)
from services.dispatch.schemas import organisation_import, task_view
from shared.contracts import rpc
from shared.contracts.errors import Conflict, Forbidden, NotFound
from shared.contracts.events import load_payload
from shared.times import utcnow

CONSUMER = "dispatch"
# A category the policy table does not know is sorted out by the community office.
UNKNOWN_CATEGORY_POLICY = CategoryPolicy(category="", handler_kind="community", limit_amount=5,
                                         limit_unit="working_days")
ORGANISATION_TABLES = (
    ("communities", Community), ("grids", Grid), ("property_companies", PropertyCompany),
    ("buildings", Building), ("units", Unit), ("staff", Staff),
    ("category_policies", CategoryPolicy), ("routing_rules", RoutingRule),
)
HANDLER_ROLES = {"property": "property_staff", "grid": "grid_worker", "community": "community_admin"}
COMMUNITY_WIDE_ROLES = {"community_admin", "party_secretary"}
GRID_ROLES = {"grid_worker", "grid_leader"}


def import_organisation(uow, data: dict) -> dict:
    data = organisation_import.load(data)
    with uow:
        for key, model in ORGANISATION_TABLES:
            for row in data[key]:
                uow.session.merge(model(**row))
        uow.commit()
    return {key: len(data[key]) for key, _model in ORGANISATION_TABLES}


# --- events -------------------------------------------------------------
def on_report_created(uow, event, calendar: WorkCalendar) -> None:
    report = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(f"{CONSUMER}:{event.type}", event):
            return
        grid = report["grid"]
        if report["building"]:
            building = uow.session.get(Building, (report["community"], report["building"]))
            grid = building.grid if building else grid
        summary = {k: report[k] for k in ("report_id", "community", "category", "building", "unit", "address",
                                          "description", "photos", "urgent")}
        _assign(uow, event.id, {**summary, "grid": grid}, calendar)
        uow.commit()


def on_report_verified(uow, event) -> None:
    result = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(f"{CONSUMER}:{event.type}", event):
            return
        task = uow.session.get(Task, result["task_id"]) if result["task_id"] else None
        if task is not None:
            domain.verification_result(task, result["passed"])
            if not result["passed"]:
                task.rework_count += 1
        uow.commit()


def on_report_reopened(uow, event, calendar: WorkCalendar) -> None:
    """不满意重办: the report is worked again, as a new task."""
    reopened = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(f"{CONSUMER}:{event.type}", event):
            return
        last = _latest_task(uow, reopened["report_id"])
        if last is None:
            raise NotFound("report_not_found", field="report_id", params={"id": reopened["report_id"]})
        _assign(uow, event.id, _summary_of(last), calendar, kind=last.handler_kind)
        uow.commit()


# --- handlers' commands -------------------------------------------------
def accept_task(uow, caller: dict, task_id: str) -> dict:
    caller = rpc.load(rpc.Caller, caller)
    with uow:
        task = _task_for(uow, caller, task_id)
        _apply(domain.accept, task, caller["staff_code"])
        task.accepted_at = utcnow()
        uow.record("task.accepted", _task_event(task), correlation_id=task.report_id)
        uow.commit()
        return task_view.dump(task)


def resolve_task(uow, caller: dict, task_id: str, resolution: dict) -> dict:
    caller = rpc.load(rpc.Caller, caller)
    resolution = rpc.load(rpc.Resolution, resolution)
    with uow:
        task = _task_for(uow, caller, task_id)
        _apply(domain.resolve, task, caller["staff_code"])
        task.resolved_at = utcnow()
        task.resolution_note, task.resolution_photos = resolution["note"], resolution["photos"]
        uow.record("task.resolved", {**_task_event(task), **resolution}, correlation_id=task.report_id)
        uow.commit()
        return task_view.dump(task)


def return_task(uow, caller: dict, task_id: str, data: dict, calendar: WorkCalendar) -> dict:
    """退单: the task goes back and is re-routed to the next handler in line."""
    caller = rpc.load(rpc.Caller, caller)
    data = rpc.load(rpc.TaskReturn, data)
    with uow:
        task = _task_for(uow, caller, task_id)
        _apply(domain.give_back, task, caller["staff_code"])
        task.return_reason = data["reason"]
        returned = uow.record("task.returned", {**_task_event(task), "reason": data["reason"]},
                              correlation_id=task.report_id)
        next_kind = domain.kind_after_return(task.handler_kind)
        if next_kind is None:
            raise Conflict("no_handler", field="task_id")
        successor = _assign(uow, returned.id, _summary_of(task), calendar, kind=next_kind)
        uow.commit()
        return {**task_view.dump(task), "successor": task_view.dump(successor)}


def get_task(uow, caller: dict, task_id: str) -> dict:
    caller = rpc.load(rpc.Caller, caller)
    with uow:
        return task_view.dump(_visible_task(uow, caller, task_id))


def list_tasks(uow, caller: dict, status: str | None = None) -> list[dict]:
    caller = rpc.load(rpc.Caller, caller)
    conditions = [Task.community == caller["community"], _visibility(caller)]
    if status:
        conditions.append(Task.status == status)
    with uow:
        rows = uow.session.scalars(select(Task).where(*conditions).order_by(Task.deadline_at).limit(200)).all()
        return task_view.dump(rows, many=True)


def tasks_of_report(uow, report_id: str) -> list[dict]:
    with uow:
        rows = uow.session.scalars(select(Task).where(Task.report_id == report_id).order_by(Task.created_at)).all()
        return task_view.dump(rows, many=True)


# --- inside -------------------------------------------------------------
def _assign(uow, cause_event_id: str, report: dict, calendar: WorkCalendar, kind: str | None = None) -> Task:
    """A new task for the report: to ``kind`` if given, else as policy and routing rules say."""
    session = uow.session
    policy = session.get(CategoryPolicy, report["category"]) or UNKNOWN_CATEGORY_POLICY
    if kind is None:
        rules = session.execute(
            select(RoutingRule.category, RoutingRule.grid, RoutingRule.handler_kind)
            .where(RoutingRule.community == report["community"], RoutingRule.category == report["category"])
        ).mappings().all()
        kind = domain.handler_kind_for(report["category"], report["grid"], policy.handler_kind, rules)
    chosen = domain.choose_handler(kind, _candidates(uow, report))
    if chosen is None:
        raise Conflict("no_handler", params={"community": report["community"]})
    now = utcnow()
    earlier = session.scalar(select(func.count()).select_from(Task).where(Task.report_id == report["report_id"]))
    task = Task(
        id=str(uuid.uuid4()), cause_event_id=cause_event_id, sequence=earlier + 1,
        status=TaskStatus.ASSIGNED, version=1,
        handler_kind=chosen.kind, staff_code=chosen.staff_code, handler_name=chosen.name, company=chosen.company,
        deadline_at=calendar.deadline(now, TimeLimit(policy.limit_amount, policy.limit_unit)),
        created_at=now, rework_count=0, resolution_photos=[], **report,
    )
    session.add(task)
    uow.record("task.assigned", {**_task_event(task), "grid": task.grid, "handler_kind": task.handler_kind,
                                 "company": task.company,
                                 "category": task.category, "deadline_at": task.deadline_at},
               correlation_id=task.report_id)
    return task


def _candidates(uow, report: dict) -> dict[str, list[Candidate]]:
    """Who could take this report, by kind, with how many open tasks each has."""
    community = report["community"]
    company = None
    if report["building"]:
        building = uow.session.get(Building, (community, report["building"]))
        company = building.property_company if building else None
    wanted = {
        "property": (Staff.role == "property_staff") & (Staff.company == company) if company else None,
        "grid": (Staff.role == "grid_worker") & (Staff.grid == report["grid"]) if report["grid"] else None,
        "community": Staff.role == "community_admin",
    }
    candidates: dict[str, list[Candidate]] = {}
    for kind, condition in wanted.items():
        if condition is None:
            continue
        staff = uow.session.scalars(select(Staff).where(Staff.community == community, condition)).all()
        load = dict(uow.session.execute(
            select(Task.staff_code, func.count()).where(
                Task.staff_code.in_([s.code for s in staff]), Task.status.in_(domain.OPEN_TASK_STATUSES)
            ).group_by(Task.staff_code)
        ).all())
        candidates[kind] = [Candidate(s.code, s.name, kind, s.company, load.get(s.code, 0)) for s in staff]
    return candidates


def _summary_of(task: Task) -> dict:
    return {k: getattr(task, k) for k in ("report_id", "community", "category", "grid", "building", "unit",
                                           "address", "description", "photos", "urgent")}


def _latest_task(uow, report_id: str) -> Task | None:
    return uow.session.scalars(
        select(Task).where(Task.report_id == report_id).order_by(Task.created_at.desc()).limit(1)
    ).first()


def _task_event(task: Task) -> dict:
    return {"task_id": task.id, "report_id": task.report_id, "community": task.community,
            "sequence": task.sequence, "version": task.version, "staff_code": task.staff_code,
            "handler_name": task.handler_name}


def _visibility(caller: dict):
    if caller["role"] in COMMUNITY_WIDE_ROLES:
        return True
    if caller["role"] in GRID_ROLES and caller["grid"]:
        return (Task.grid == caller["grid"]) | (Task.staff_code == caller["staff_code"])
    return Task.staff_code == caller["staff_code"]


def _visible_task(uow, caller: dict, task_id: str) -> Task:
    task = uow.session.scalars(
        select(Task).where(Task.id == task_id, Task.community == caller["community"], _visibility(caller))
    ).first()
    if task is None:
        raise NotFound("task_not_found", field="task_id", params={"id": task_id})
    return task


def _task_for(uow, caller: dict, task_id: str) -> Task:
    """A task someone wants to act on: it must exist in their community, and be theirs."""
    task = uow.session.scalars(
        select(Task).where(Task.id == task_id, Task.community == caller["community"])
    ).first()
    if task is None:
        raise NotFound("task_not_found", field="task_id", params={"id": task_id})
    if task.staff_code != caller["staff_code"]:
        raise Forbidden("not_your_task", field="task_id")
    return task


def _apply(rule, task, *args):
    try:
        return rule(task, *args)
    except domain.RuleBroken as broken:
        raise Conflict(broken.code, params=broken.params) from None
