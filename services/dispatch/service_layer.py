"""Dispatch's use cases: make tasks from reports, let handlers act on them, keep
their clocks, and climb the ladder with what a level cannot solve.

Each use case runs in one unit of work; the task change and its events commit
together (outbox), each consumed event is handled once (inbox), and a task is
locked while it changes, so several dispatch instances never change one twice.
"""
import logging
import uuid
from datetime import date, datetime
from functools import partial

from sqlalchemy import and_, func, or_, select, update

from services.dispatch import domain, supervision
from services.dispatch.calendar import TimeLimit, WorkCalendar
from services.dispatch.domain import Candidate, TaskStatus
from services.dispatch.models import (
    Building,
    CalendarChange,
    CalendarDay,
    CalendarRevision,
    CategoryPolicy,
    Community,
    Grid,
    PropertyCompany,
    ReportFacts,
    RoutingRule,
    Staff,
    Task,
    TaskRequest,
    Unit,
)
from services.dispatch.schemas import organisation_import, request_view, task_view
from services.dispatch.supervision import Supervision, SupervisionPolicy
from shared.contracts import reasons, rpc
from shared.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.contracts.events import load_payload
from shared.contracts.roles import GRID_STAFF, OFFICE
from shared.contracts.streets import is_street_code
from shared.contracts.validation import load
from shared.rules import apply_rule
from shared.times import shown_local

log = logging.getLogger(__name__)
# A broken rule of the domain is a conflict with the state of the task.
_apply = partial(apply_rule, field="task_id")

# A category the policy table does not know is sorted out by the community office.
UNKNOWN_CATEGORY_POLICY = CategoryPolicy(category="", handler_kind="community", level="grid", is_dispute=False,
                                         limit_amount=5, limit_unit="working_days")
ORGANISATION_TABLES = (
    ("communities", Community), ("grids", Grid), ("property_companies", PropertyCompany),
    ("buildings", Building), ("units", Unit), ("staff", Staff),
    ("category_policies", CategoryPolicy), ("routing_rules", RoutingRule),
)
# Who receives the supervision order (督办单) about an overdue task, by who handles it.
LEADER_ROLE = {"grid": "grid_leader", "property": "community_admin", "community": "party_secretary"}
MAX_EXTENSIONS = 1


# --- reference data -----------------------------------------------------
def import_organisation(uow, data: dict) -> dict:
    data = organisation_import.load(data)
    for n, community in enumerate(data["communities"]):
        if not is_street_code(community.get("street")):
            raise InvalidInput.one(f"communities.{n}.street", "invalid_value")
    with uow:
        for key, model in ORGANISATION_TABLES:
            for row in data[key]:
                uow.session.merge(model(**row))
        uow.commit()
    return {key: len(data[key]) for key, _model in ORGANISATION_TABLES}


def registered_streets(uow) -> list[str]:
    """Every street a registered community belongs to: each has its escalation queue on the broker."""
    with uow:
        return list(uow.session.scalars(select(Community.street).distinct().order_by(Community.street)))


def import_calendar(uow, days: list[dict]) -> int:
    """Holidays and make-up working days: [{date, kind: holiday|workday, name}]."""
    with uow:
        for day in days:
            uow.session.merge(CalendarDay(day=date.fromisoformat(str(day["date"])), kind=day["kind"],
                                          name=day.get("name", "")))
        _calendar_changed(uow)
        uow.commit()
    return len(days)


def set_calendar_day(uow, caller: dict, day: str, data: dict, now: datetime) -> dict:
    """The community office corrects one day: holiday, workday, or normal (back to the weekly pattern),
    with the day's name or the reason, which is kept with who changed it and when."""
    caller = load(rpc.Caller, caller)
    data = load(rpc.CalendarDayChange, data)
    try:
        moment = date.fromisoformat(day)
    except ValueError:
        raise InvalidInput.one("date", "invalid_value") from None
    name = data["name"].strip()
    with uow:
        existing = uow.session.get(CalendarDay, moment)
        if data["kind"] == "normal":
            if existing is not None:
                uow.session.delete(existing)
        else:
            uow.session.merge(CalendarDay(day=moment, kind=data["kind"], name=name))
        uow.session.add(CalendarChange(id=str(uuid.uuid4()), day=moment, kind=data["kind"], reason=name,
                                       changed_by=caller["account_id"], changed_at=now))
        _calendar_changed(uow)
        uow.commit()
    return {"date": day, "kind": data["kind"], "name": name}


def calendar_changes(uow, year: int) -> list[dict]:
    """The corrections made to the year's days, newest first."""
    with uow:
        rows = uow.session.scalars(
            select(CalendarChange).where(CalendarChange.day.between(date(year, 1, 1), date(year, 12, 31)))
            .order_by(CalendarChange.changed_at.desc(), CalendarChange.id)
        ).all()
        return [{"date": row.day.isoformat(), "kind": row.kind, "reason": row.reason, "by": row.changed_by,
                 "at": shown_local(row.changed_at)} for row in rows]


def list_calendar(uow, year: int) -> list[dict]:
    with uow:
        rows = uow.session.scalars(
            select(CalendarDay).where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
            .order_by(CalendarDay.day)
        ).all()
        return [{"date": row.day.isoformat(), "kind": row.kind, "name": row.name} for row in rows]


def _calendar(uow) -> WorkCalendar:
    rows = uow.session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    return WorkCalendar(
        holidays=frozenset(day for day, kind in rows if kind == "holiday"),
        makeup_workdays=frozenset(day for day, kind in rows if kind == "workday"),
    )


def _calendar_changed(uow) -> None:
    """Every process's cached calendar (Calendars) is read again at its next use."""
    moved = uow.session.execute(update(CalendarRevision).where(CalendarRevision.id == 1)
                                .values(revision=CalendarRevision.revision + 1))
    if not moved.rowcount:
        uow.session.add(CalendarRevision(id=1, revision=1))


class Calendars:
    """The working calendar as one process last read it, read again only when its revision has moved:
    a report costs one primary-key read instead of every calendar day."""

    def __init__(self):
        self._cached: tuple[int, WorkCalendar] | None = None

    def current(self, uow) -> WorkCalendar:
        revision = uow.session.scalar(select(CalendarRevision.revision).where(CalendarRevision.id == 1))
        cached = self._cached
        if revision is not None and cached is not None and cached[0] == revision:
            return cached[1]
        calendar = _calendar(uow)
        if revision is not None:  # the days were read after the revision: a change between them reads them again
            self._cached = (revision, calendar)
        return calendar


# --- events from reporting ----------------------------------------------
def on_report_created(uow, event, now: datetime, supervision_policy: SupervisionPolicy,
                      calendars: Calendars) -> None:
    report = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        grid = report["grid"]
        if report["building"]:
            building = uow.session.get(Building, (report["community"], report["building"]))
            grid = building.grid if building else grid
        summary = {k: report[k] for k in ("report_id", "community", "category", "building", "unit", "address",
                                          "description", "photos", "urgent")}
        summary["grid"] = grid
        facts = ReportFacts(report_id=report["report_id"], community=report["community"], grid=grid,
                            category=report["category"], found_at=event.occurred_at, level="grid",
                            deferred=False, yellow=False, red=False, extensions=0, returns=0, reworks=0,
                            escalations_community=0, escalations_street=0, closed_on_time=False)
        uow.session.add(facts)
        policy = uow.session.get(CategoryPolicy, report["category"]) or UNKNOWN_CATEGORY_POLICY
        level = domain.starting_level(policy.level, report["urgent"])
        task = _assign(uow, event.id, summary, calendars.current(uow), supervision_policy, now, level=level,
                       new_report=facts)
        if level != "grid":
            reason = "urgent" if report["urgent"] and policy.level == "grid" else f"{level}_level_category"
            _publish_escalation(uow, task, from_level="grid", reason=reason)
        uow.commit()


def on_report_verified(uow, event, supervision_policy: SupervisionPolicy) -> None:
    result = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        task = uow.session.get(Task, result["task_id"], with_for_update=True) if result["task_id"] else None
        facts = uow.session.get(ReportFacts, result["report_id"], with_for_update=True)
        if task is not None and domain.verification_result(task, result["passed"]):
            if result["passed"]:
                task.next_check_at = None
            else:
                task.rework_count += 1
                _replan(task, _calendar(uow), supervision_policy)
        if facts is not None:
            if result["passed"]:
                facts.closed_at = event.occurred_at
                facts.closed_on_time = facts.due_at is None or event.occurred_at <= facts.due_at
                facts.closed_level = task.level if task else facts.level
            else:
                facts.reworks = result["rework_count"]
        uow.commit()


def on_report_reopened(uow, event, now: datetime, supervision_policy: SupervisionPolicy) -> None:
    """不满意重办: the report is worked again, as a new task at the level that last had it."""
    reopened = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        last = _latest_task(uow, reopened["report_id"])
        if last is None:
            raise NotFound("report_not_found", field="report_id", params={"id": reopened["report_id"]})
        facts = uow.session.get(ReportFacts, reopened["report_id"], with_for_update=True)
        if facts is not None:
            facts.closed_at, facts.closed_level, facts.closed_on_time = None, None, False
        _assign(uow, event.id, _summary_of(last), _calendar(uow), supervision_policy, now, level=last.level,
                kind=last.handler_kind)
        uow.commit()


def on_report_rated(uow, event) -> None:
    rated = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        facts = uow.session.get(ReportFacts, rated["report_id"], with_for_update=True)
        if facts is not None:
            facts.rating = rated["rating"]
        uow.commit()


# --- events from mediation -----------------------------------------------
# What the task's resolution note says when the desk settles the case its report became.
CASE_SETTLED_NOTES = {
    "case.resolved": "社区调解结案({case_number}):{summary}",
    "case.referred": "已转介{body_name}({case_number}):{reason}",
    "case.closed": "社区案件办结({case_number}):{reason}",
}


def on_case_settled(uow, event, now: datetime) -> None:
    """A case that came from a report's task was resolved, referred out or closed: the task is
    resolved with what the desk did, and the report's loop (verification, rating) goes on."""
    case = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event) or not case["task_id"]:
            return
        task = uow.session.get(Task, case["task_id"], with_for_update=True)
        if task is None or not domain.settle_by_case(task):
            uow.commit()  # already settled by an earlier step of the same case, or moved on
            return
        body_name = case.get("body_name") or case.get("body")
        note = CASE_SETTLED_NOTES[event.type].format_map({**case, "body_name": body_name})
        task.resolved_at = now
        task.next_check_at = None
        task.resolution_note, task.resolution_photos = note, []
        uow.record("task.resolved", {**_task_event(task), "note": note, "photos": []}, correlation_id=task.report_id)
        uow.commit()


# --- handlers' commands -------------------------------------------------
def accept_task(uow, caller: dict, task_id: str, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    with uow:
        task = _task_for(uow, caller, task_id)
        _apply(domain.accept, task, caller["staff_code"])
        task.accepted_at = now
        uow.record("task.accepted", _task_event(task), correlation_id=task.report_id)
        uow.commit()
        return task_view.dump(task)


def resolve_task(uow, caller: dict, task_id: str, resolution: dict, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    resolution = load(rpc.Resolution, resolution)
    with uow:
        task = _task_for(uow, caller, task_id)
        _apply(domain.resolve, task, caller["staff_code"])
        task.resolved_at = now
        task.next_check_at = None  # handled: the clock waits for verification
        task.resolution_note, task.resolution_photos = resolution["note"], resolution["photos"]
        uow.record("task.resolved", {**_task_event(task), **resolution}, correlation_id=task.report_id)
        uow.commit()
        return task_view.dump(task)


def return_task(uow, caller: dict, task_id: str, data: dict, now: datetime,
                supervision_policy: SupervisionPolicy) -> dict:
    """退单: the task goes back and is re-routed: up the line, or from the street back to the community."""
    caller = load(rpc.Caller, caller)
    data = load(rpc.TaskReturn, data)
    with uow:
        task = _task_for(uow, caller, task_id)
        level, kind = _apply(domain.give_back, task, caller["staff_code"])
        task.return_reason = reasons.stated("return", data["reason_code"], data["reason"])
        task.next_check_at = None
        returned = uow.record("task.returned", {**_task_event(task), "reason": task.return_reason,
                                                "reason_code": data["reason_code"]}, correlation_id=task.report_id)
        _facts(uow, task.report_id).returns += 1
        successor = _assign(uow, returned.id, _summary_of(task), _calendar(uow), supervision_policy, now,
                            level=level, kind=kind)
        uow.commit()
        return {**task_view.dump(task), "successor": task_view.dump(successor)}


def escalate_task(uow, caller: dict, task_id: str, data: dict, now: datetime,
                  supervision_policy: SupervisionPolicy) -> dict:
    """上报: the handler or the grid's staff say this level cannot solve it."""
    caller = load(rpc.Caller, caller)
    data = load(rpc.Escalation, data)
    with uow:
        task = _task_in_scope(uow, caller, task_id, lock=True)
        if not domain.may_escalate(task, caller):
            raise Forbidden("not_your_task", field="task_id")
        successor = _escalate(uow, task, reasons.stated("escalation", data["reason_code"], data["reason"]),
                              _calendar(uow), supervision_policy, now, reason_code=data["reason_code"])
        uow.commit()
        return {**task_view.dump(task), "successor": task_view.dump(successor)}


def request_change(uow, caller: dict, task_id: str, kind: str, data: dict, now: datetime) -> dict:
    """The handler asks for more time (延期) or for long-term deferral (挂账)."""
    caller = load(rpc.Caller, caller)
    data = load(rpc.ExtensionRequest if kind == "extension" else rpc.DeferralRequest, data)
    with uow:
        task = _task_for(uow, caller, task_id)
        if task.status not in domain.WORKING_STATUSES:
            raise Conflict("task_state", field="task_id", params={"status": task.status, "action": kind})
        if kind == "extension" and task.extension_count >= MAX_EXTENSIONS:
            raise Conflict("extension_used", field="task_id", params={"max": MAX_EXTENSIONS})
        if kind == "extension" and data["until"] <= task.deadline_at:
            raise InvalidInput.one("until", "not_later", deadline=task.deadline_at.isoformat())
        if uow.session.scalar(select(func.count()).select_from(TaskRequest).where(
                TaskRequest.task_id == task.id, TaskRequest.status == "pending")):
            raise Conflict("request_pending", field="task_id")
        reason = reasons.stated(kind, data["reason_code"], data["reason"])
        request = TaskRequest(id=str(uuid.uuid4()), task_id=task.id, kind=kind, reason=reason,
                              until=data.get("until"), status="pending", requested_by=caller["staff_code"],
                              created_at=now)
        uow.session.add(request)
        uow.record(f"task.{kind}_requested", {**_task_event(task), "request_id": request.id,
                                                "reason": request.reason, "reason_code": data["reason_code"],
                                                "until": request.until},
                   correlation_id=task.report_id)
        uow.commit()
        return request_view.dump(request)


def decide_request(uow, caller: dict, request_id: str, data: dict, now: datetime,
                   supervision_policy: SupervisionPolicy) -> dict:
    """The grid leader or the community office approves or denies an extension or a deferral."""
    caller = load(rpc.Caller, caller)
    data = load(rpc.Decision, data)
    with uow:
        request = uow.session.get(TaskRequest, request_id, with_for_update=True)
        task = _task_in_scope(uow, caller, request.task_id, lock=True) if request else None
        if request is None or task is None:
            raise NotFound("request_not_found", field="request_id", params={"id": request_id})
        if not domain.may_decide_requests(task, caller):
            raise Forbidden("forbidden_role", field="request_id", params={"role": caller["role"]})
        if request.status != "pending":
            raise Conflict("request_decided", field="request_id", params={"status": request.status})
        request.status = "approved" if data["approve"] else "denied"
        request.decided_by, request.decision_note, request.decided_at = caller["account_id"], data["note"], now
        facts = _facts(uow, task.report_id)
        if data["approve"] and request.kind == "extension":
            task.deadline_at = request.until
            task.extension_count += 1
            task.supervision = Supervision.NORMAL
            _replan(task, _calendar(uow), supervision_policy)
            facts.extensions += 1
            facts.due_at = task.deadline_at
        elif data["approve"]:
            task.deferred = True
            task.next_check_at = None
            facts.deferred = True
        task.version += 1
        uow.record("task.request_decided", {**_task_event(task), "request_id": request.id, "kind": request.kind,
                                             "approved": data["approve"], "note": data["note"]},
                   correlation_id=task.report_id)
        uow.commit()
        return {**request_view.dump(request), "task": task_view.dump(task)}


def resume_task(uow, caller: dict, task_id: str, now: datetime, supervision_policy: SupervisionPolicy) -> dict:
    """A deferred matter (挂账) comes back to life with a fresh time limit from today."""
    caller = load(rpc.Caller, caller)
    with uow:
        task = _task_in_scope(uow, caller, task_id, lock=True)
        if not domain.may_decide_requests(task, caller):
            raise Forbidden("forbidden_role", field="task_id", params={"role": caller["role"]})
        if not task.deferred:
            raise Conflict("task_state", field="task_id", params={"status": task.status, "action": "resume"})
        policy = uow.session.get(CategoryPolicy, task.category) or UNKNOWN_CATEGORY_POLICY
        calendar = _calendar(uow)
        task.deferred = False
        task.supervision = Supervision.NORMAL
        task.deadline_at = calendar.deadline(now, TimeLimit(policy.limit_amount, policy.limit_unit))
        _replan(task, calendar, supervision_policy)
        task.version += 1
        facts = _facts(uow, task.report_id)
        facts.deferred, facts.due_at = False, task.deadline_at
        uow.record("task.resumed", _task_event(task), correlation_id=task.report_id)
        uow.commit()
        return task_view.dump(task)


# --- the clock ------------------------------------------------------------
def check_deadlines(uow, now: datetime, supervision_policy: SupervisionPolicy, batch_size: int = 200) -> int:
    """Move every task whose next supervision step is due; returns how many steps were taken.

    Runs in every dispatch instance: due tasks are locked (SKIP LOCKED on
    PostgreSQL, the database lock on SQLite) and their next check moves on
    with the step, so a step is never taken twice.
    """
    steps = 0
    with uow:
        due = uow.session.scalars(
            select(Task).where(Task.next_check_at <= now, Task.status.in_(domain.WORKING_STATUSES),
                               Task.deferred.is_(False))
            .order_by(Task.next_check_at).limit(batch_size).with_for_update(skip_locked=True)
        ).all()
        calendar = _calendar(uow) if due else None
        for task in due:
            steps += _advance(uow, task, calendar, supervision_policy, now)
        uow.commit()
    return steps


def _advance(uow, task: Task, calendar: WorkCalendar, supervision_policy: SupervisionPolicy, now: datetime) -> int:
    taken = 0
    while task.status in domain.WORKING_STATUSES and (step := supervision.due_step(task.supervision,
                                                                                   _clockwork(task), now)):
        taken += 1
        if step == "escalate":
            try:
                with uow.session.begin_nested():
                    _escalate(uow, task, "overdue", calendar, supervision_policy, now)
            except Conflict as refused:  # nobody at the next level: stay supervised, keep the others moving
                log.error("task %s is overdue but cannot climb: %s", task.id, refused.code)
                task.next_check_at = None
            break
        task.supervision = {"yellow": Supervision.YELLOW, "red": Supervision.RED,
                            "supervise": Supervision.SUPERVISED}[step]
        task.version += 1
        facts = _facts(uow, task.report_id)
        if step == "yellow":
            facts.yellow = True
            uow.record("task.warned", _task_event(task), correlation_id=task.report_id)
        elif step == "red":
            facts.red = True
            uow.record("task.overdue", _task_event(task), correlation_id=task.report_id)
        else:
            leader = _leader_of(uow, task)
            uow.record("task.supervised", {**_task_event(task), "leader_code": leader.code if leader else None,
                                            "leader_name": leader.name if leader else None},
                       correlation_id=task.report_id)
    if task.status in domain.WORKING_STATUSES:
        upcoming = supervision.next_step(task.supervision, _clockwork(task))
        task.next_check_at = upcoming[1] if upcoming else None
    return taken


def _leader_of(uow, task: Task) -> Staff | None:
    role = LEADER_ROLE.get(task.handler_kind)
    if role is None:
        return None
    condition = Staff.grid == task.grid if role == "grid_leader" else True
    return uow.session.scalars(
        select(Staff).where(Staff.community == task.community, Staff.role == role, condition).order_by(Staff.code)
    ).first()


# --- queries --------------------------------------------------------------
def get_task(uow, caller: dict, task_id: str, now: datetime, calendars: Calendars) -> dict:
    caller = load(rpc.Caller, caller)
    with uow:
        task = _task_in_scope(uow, caller, task_id)
        requests = uow.session.scalars(
            select(TaskRequest).where(TaskRequest.task_id == task.id).order_by(TaskRequest.created_at)
        ).all()
        return {**_with_countdown(task, calendars.current(uow), now),
                "requests": request_view.dump(requests, many=True)}


def _with_countdown(task: Task, calendar: WorkCalendar, now: datetime) -> dict:
    """A task as read by people: an open one with the working time it has left (supervision.countdown),
    so that no reader does calendar arithmetic of its own."""
    running = task.status in domain.WORKING_STATUSES and not task.deferred
    return {**task_view.dump(task), "countdown": supervision.countdown(
        calendar, task.deadline_at, task.warn_at, task.supervision, now) if running else None}


# How a task list may be ordered: by deadline (overdue work first), or newest first.
TASK_ORDER = {"deadline": (Task.deadline_at, Task.id), "-deadline": (Task.deadline_at.desc(), Task.id),
              "-created": (Task.created_at.desc(), Task.id)}


# The column each order runs on first (and whether downwards); the id breaks ties, upwards, in every order.
TASK_KEYS = {"deadline": (Task.deadline_at, False), "-deadline": (Task.deadline_at, True),
             "-created": (Task.created_at, True)}


def list_tasks(uow, caller: dict, filters: dict, now: datetime, calendars: Calendars) -> dict:
    """One page of the tasks the caller may see, with the total, and how many of them are in each
    status whatever the ``status`` filter says (the phone's tab badges)."""
    caller = load(rpc.Caller, caller)
    filters = load(rpc.TaskFilter, filters)
    conditions = _task_conditions(caller, filters)
    in_status = [Task.status.in_(filters["status"])] if filters["status"] else []
    page, per_page = filters["page"], filters["per_page"]
    with uow:
        counts = dict(uow.session.execute(
            select(Task.status, func.count()).where(*conditions).group_by(Task.status)).all())
        total = sum(n for status, n in counts.items() if not filters["status"] or status in filters["status"])
        rows = uow.session.scalars(
            select(Task).where(*conditions, *in_status).order_by(*TASK_ORDER[filters["sort"]])
            .offset((page - 1) * per_page).limit(per_page)
        ).all()
        calendar = calendars.current(uow)
        return {"items": [_with_countdown(task, calendar, now) for task in rows], "page": page,
                "per_page": per_page, "total": total,
                "counts": {status: counts.get(status, 0) for status in rpc.TASK_STATUSES}}


def export_tasks(uow, caller: dict, filters: dict, after: list | None, limit: int) -> dict:
    """The filtered task list in the list's own order, one slice at a time for an export (导出): ``after``
    is the last slice's cursor (its order's value and id), so each slice is one query however far it has got."""
    caller = load(rpc.Caller, caller)
    filters = load(rpc.TaskFilter, filters)
    conditions = _task_conditions(caller, filters)
    if filters["status"]:
        conditions.append(Task.status.in_(filters["status"]))
    column, downwards = TASK_KEYS[filters["sort"]]
    if after:
        value, task_id = datetime.fromisoformat(after[0]), after[1]
        conditions.append(or_(column < value if downwards else column > value,
                              and_(column == value, Task.id > task_id)))
    with uow:
        rows = uow.session.scalars(
            select(Task).where(*conditions).order_by(*TASK_ORDER[filters["sort"]]).limit(limit)).all()
        cursor = [getattr(rows[-1], column.key).isoformat(), rows[-1].id] if len(rows) == limit else None
        return {"items": task_view.dump(rows, many=True), "after": cursor}


def _task_conditions(caller: dict, filters: dict) -> list:
    """A task list's conditions: what the caller may see, then every filter but ``status``."""
    conditions = [_scope(caller)]
    for name in ("category", "grid", "building", "level", "report_id"):
        if filters[name]:
            conditions.append(getattr(Task, name) == filters[name])
    if filters["handler"]:
        conditions.append(Task.staff_code == filters["handler"])
    if filters["card"]:
        conditions.append(Task.supervision.in_(filters["card"]))
    if filters["due_before"]:
        conditions.append(Task.deadline_at < filters["due_before"])
    if filters["created_from"]:
        conditions.append(Task.created_at >= filters["created_from"])
    if filters["created_to"]:
        conditions.append(Task.created_at < filters["created_to"])
    return conditions


def public_organisation(uow, community: str) -> dict:
    """What anyone may know of a community's organisation, for public answers (Open311): the names of
    the organisations that handle its work (the community, its grids, its property companies, its
    street's platform) and its building codes. Organisations and places only, never a person."""
    with uow:
        found = uow.session.get(Community, community)
        if found is None:
            return {"community": None, "street": None, "grids": {}, "companies": {}, "buildings": []}
        grids = uow.session.scalars(select(Grid).where(Grid.community == community)).all()
        companies = uow.session.scalars(select(PropertyCompany).where(PropertyCompany.community == community)).all()
        buildings = uow.session.scalars(select(Building.code).where(Building.community == community)
                                        .order_by(Building.code)).all()
        platform = uow.session.scalars(select(Staff).where(Staff.community == found.street,
                                                           Staff.role == "street_platform")
                                       .order_by(Staff.code)).first()
        return {"community": {"zh": found.name_zh, "en": found.name_en},
                "street": platform.name if platform else found.street,
                "grids": {g.code: g.name for g in grids}, "companies": {c.code: c.name for c in companies},
                "buildings": list(buildings)}


def places(uow, caller: dict) -> dict:
    """The caller's community (a street platform: its street's communities) as grids, buildings and
    units, for the building → unit picker; the caller's own grid first. Places only, never a person."""
    caller = load(rpc.Caller, caller)
    with uow:
        session = uow.session
        if caller["role"] == "street_platform":
            communities = session.scalars(select(Community).where(Community.street == caller["community"])
                                          .order_by(Community.code)).all()
        else:
            communities = [c for c in [session.get(Community, caller["community"])] if c is not None]
        codes = [c.code for c in communities]
        units_of: dict[tuple, list[str]] = {}
        for community, building, code in session.execute(select(Unit.community, Unit.building, Unit.code)
                                                          .where(Unit.community.in_(codes))):
            units_of.setdefault((community, building), []).append(code)
        companies = dict(session.execute(select(PropertyCompany.code, PropertyCompany.name)
                                         .where(PropertyCompany.community.in_(codes))).all())
        buildings_of: dict[tuple, list[dict]] = {}
        for b in sorted(session.scalars(select(Building).where(Building.community.in_(codes))),
                        key=lambda b: domain.place_order(b.code)):
            company = {"code": b.property_company, "name": companies.get(b.property_company)} \
                if b.property_company else None
            buildings_of.setdefault((b.community, b.grid), []).append(
                {"code": b.code, "property_company": company,
                 "units": sorted(units_of.get((b.community, b.code), []), key=domain.place_order)})
        grids = session.scalars(select(Grid).where(Grid.community.in_(codes))).all()
        own = (caller["community"], caller["grid"])
        return {"communities": [
            {"code": c.code, "name": {"zh": c.name_zh, "en": c.name_en}, "grids": [
                {"code": g.code, "name": g.name, "mine": (g.community, g.code) == own,
                 "buildings": buildings_of.get((g.community, g.code), [])}
                for g in sorted((g for g in grids if g.community == c.code),
                                key=lambda g: ((g.community, g.code) != own, domain.place_order(g.code)))]}
            for c in communities]}


def tasks_of_report(uow, report_id: str) -> list[dict]:
    with uow:
        rows = uow.session.scalars(select(Task).where(Task.report_id == report_id).order_by(Task.sequence)).all()
        return task_view.dump(rows, many=True)


# --- inside -------------------------------------------------------------
def _assign(uow, cause_event_id: str, report: dict, calendar: WorkCalendar, supervision_policy: SupervisionPolicy,
            now: datetime, level: str = "grid", kind: str | None = None,
            new_report: ReportFacts | None = None) -> Task:
    """A new task for the report at ``level``: to ``kind`` if given, else as the level, policy and rules say.
    ``new_report``: the facts of a report just added in this unit of work, whose first task this is (no task
    to count, no facts to read back)."""
    session = uow.session
    policy = session.get(CategoryPolicy, report["category"]) or UNKNOWN_CATEGORY_POLICY
    if kind is None:
        kind = domain.KIND_AT_LEVEL.get(level)
    if kind is None:
        rules = session.execute(
            select(RoutingRule.category, RoutingRule.grid, RoutingRule.handler_kind)
            .where(RoutingRule.community == report["community"], RoutingRule.category == report["category"])
        ).mappings().all()
        kind = domain.handler_kind_for(report["category"], report["grid"], policy.handler_kind, rules)
    chosen = domain.choose_handler(kind, _Candidates(uow, report))
    if chosen is None:
        raise Conflict("no_handler", params={"community": report["community"], "kind": kind})
    earlier = 0 if new_report is not None else session.scalar(
        select(func.count()).select_from(Task).where(Task.report_id == report["report_id"]))
    limit = TimeLimit(policy.limit_amount, policy.limit_unit)
    task = Task(
        id=str(uuid.uuid4()), cause_event_id=cause_event_id, sequence=earlier + 1, level=level,
        status=TaskStatus.ASSIGNED, version=1, supervision=Supervision.NORMAL, deferred=False, extension_count=0,
        handler_kind=chosen.kind, staff_code=chosen.staff_code, handler_name=chosen.name, company=chosen.company,
        limit_unit=limit.unit, deadline_at=calendar.deadline(now, limit),
        created_at=now, rework_count=0, resolution_photos=[], **report,
    )
    _replan(task, calendar, supervision_policy)
    session.add(task)
    facts = new_report if new_report is not None else _facts(uow, task.report_id)
    facts.handler, facts.due_at = task.staff_code, task.deadline_at
    facts.level = max(facts.level, level, key=domain.LEVELS.index)
    uow.record("task.assigned", {**_task_event(task), "grid": task.grid, "level": task.level,
                                 "handler_kind": task.handler_kind, "company": task.company,
                                 "category": task.category},
               correlation_id=task.report_id)
    return task


def _replan(task: Task, calendar: WorkCalendar, supervision_policy: SupervisionPolicy) -> None:
    """Set the task's supervision clock from its start and its (possibly extended) deadline."""
    clockwork = supervision.plan(calendar, supervision_policy, task.created_at, task.deadline_at, task.limit_unit,
                                 task.level)
    task.warn_at, task.supervise_at, task.escalate_at = clockwork.warn_at, clockwork.supervise_at, clockwork.escalate_at
    upcoming = supervision.next_step(task.supervision, clockwork)
    task.next_check_at = upcoming[1] if upcoming else None


def _clockwork(task: Task) -> supervision.Clockwork:
    return supervision.Clockwork(task.warn_at, task.deadline_at, task.supervise_at, task.escalate_at)


def _escalate(uow, task: Task, reason: str, calendar: WorkCalendar, supervision_policy: SupervisionPolicy,
              now: datetime, reason_code: str | None = None) -> Task:
    from_level = task.level
    to_level = _apply(domain.escalate, task, reason)
    task.next_check_at = None
    escalated = uow.record("task.escalated", {**_task_event(task), "level": from_level, "to_level": to_level,
                                              "reason": reason, "reason_code": reason_code},
                           correlation_id=task.report_id)
    successor = _assign(uow, escalated.id, _summary_of(task), calendar, supervision_policy, now, level=to_level)
    facts = _facts(uow, task.report_id)
    if to_level == "community":
        facts.escalations_community += 1
    else:
        facts.escalations_street += 1
    _publish_escalation(uow, successor, from_level=from_level, reason=reason, reason_code=reason_code)
    return successor


def _publish_escalation(uow, task: Task, from_level: str, reason: str, reason_code: str | None = None) -> None:
    """The fact the street platform (and, for the community, the mediation desk) subscribes to."""
    policy = uow.session.get(CategoryPolicy, task.category) or UNKNOWN_CATEGORY_POLICY
    community = uow.session.get(Community, task.community)
    street = community.street if community else None
    uow.record("report.escalated", {
        "report_id": task.report_id, "community": task.community, "street": street,
        "category": task.category, "dispute": policy.is_dispute, "from_level": from_level, "level": task.level,
        "reason": reason, "reason_code": reason_code, "task_id": task.id, "deadline_at": task.deadline_at,
        "urgent": task.urgent,
        "grid": task.grid, "building": task.building, "description": task.description,
    }, correlation_id=task.report_id, routing_key=domain.escalation_routing_key(task.level, street, task.category))


class _Candidates:
    """Who could take this report, looked up per kind only when the fallback line reaches it."""

    def __init__(self, uow, report: dict):
        self.uow, self.report = uow, report

    def get(self, kind: str) -> list[Candidate]:
        session, report = self.uow.session, self.report
        community = report["community"]
        if kind == "property":
            building = session.get(Building, (community, report["building"])) if report["building"] else None
            if building is None or building.property_company is None:
                return []
            condition = (Staff.community == community) & (Staff.role == "property_staff") & (
                Staff.company == building.property_company)
        elif kind == "grid":
            if not report["grid"]:
                return []
            condition = (Staff.community == community) & (Staff.role == "grid_worker") & (Staff.grid == report["grid"])
        elif kind == "community":
            condition = (Staff.community == community) & (Staff.role == "community_admin")
        else:
            street = session.scalar(select(Community.street).where(Community.code == community))
            condition = (Staff.community == street) & (Staff.role == "street_platform")
        staff = session.scalars(select(Staff).where(condition)).all()
        open_tasks = dict(session.execute(
            select(Task.staff_code, func.count()).where(
                Task.staff_code.in_([s.code for s in staff]), Task.status.in_(domain.OPEN_TASK_STATUSES)
            ).group_by(Task.staff_code)
        ).all())
        return [Candidate(s.code, s.name, kind, s.company, open_tasks.get(s.code, 0)) for s in staff]


def _facts(uow, report_id: str) -> ReportFacts:
    return uow.session.get(ReportFacts, report_id, with_for_update=True)


def _summary_of(task: Task) -> dict:
    return {k: getattr(task, k) for k in ("report_id", "community", "category", "grid", "building", "unit",
                                           "address", "description", "photos", "urgent")}


def _latest_task(uow, report_id: str) -> Task | None:
    return uow.session.scalars(
        select(Task).where(Task.report_id == report_id).order_by(Task.sequence.desc()).limit(1)
    ).first()


def _task_event(task: Task) -> dict:
    return {"task_id": task.id, "report_id": task.report_id, "community": task.community,
            "sequence": task.sequence, "version": task.version, "staff_code": task.staff_code,
            "handler_name": task.handler_name, "deadline_at": task.deadline_at}


def _scope(caller: dict):
    """Which tasks a caller may see, as SQL."""
    role = caller["role"]
    if role == "street_platform":
        communities = select(Community.code).where(Community.street == caller["community"])
        return Task.community.in_(communities) & (Task.level == "street")
    in_community = Task.community == caller["community"]
    if role in OFFICE:
        return in_community
    if role in GRID_STAFF and caller["grid"]:
        return in_community & ((Task.grid == caller["grid"]) | (Task.staff_code == caller["staff_code"]))
    if role == "property_staff" and caller["company"]:  # a company's clerks see its work; each acts on their own
        return in_community & ((Task.company == caller["company"]) | (Task.staff_code == caller["staff_code"]))
    return in_community & (Task.staff_code == caller["staff_code"])


def _task_in_scope(uow, caller: dict, task_id: str, lock: bool = False) -> Task:
    query = select(Task).where(Task.id == task_id, _scope(caller))
    task = uow.session.scalars(query.with_for_update() if lock else query).first()
    if task is None:
        raise NotFound("task_not_found", field="task_id", params={"id": task_id})
    return task


def _task_for(uow, caller: dict, task_id: str) -> Task:
    """A task its handler wants to act on: it must exist where they work, and be theirs. Locked."""
    communities = [caller["community"]]
    if caller["role"] == "street_platform":
        communities = select(Community.code).where(Community.street == caller["community"])
    task = uow.session.scalars(
        select(Task).where(Task.id == task_id, Task.community.in_(communities)).with_for_update()
    ).first()
    if task is None:
        raise NotFound("task_not_found", field="task_id", params={"id": task_id})
    if task.staff_code != caller["staff_code"]:
        raise Forbidden("not_your_task", field="task_id")
    return task
