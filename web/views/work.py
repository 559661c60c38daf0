"""The handler's side: 待办 of the grid staff, 任务 of the property staff, one task and what can
be done with it (签收, 处置反馈, 退回, 上报, 申请延期/缓办)."""
from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from web.views.access import signed_in
from web.views.forms import finish, key_of_form, new_key, text, upload_photos

blueprint = Blueprint("work", __name__)

GRID_STAFF = ("grid_worker", "grid_leader")
HANDLERS = ("grid_worker", "grid_leader", "property_staff")
OPEN = ("assigned", "accepted", "rework")
MOST_TASKS = 200  # the most one answer of GET /api/v1/tasks holds
# The property staff's three tabs: which task states each shows.
TASK_TABS = {"to_accept": ("assigned",), "in_hand": ("accepted", "rework"), "done": ("resolved", "closed")}


CARDS = {"normal": ("ok", _l("正常")), "yellow": ("yellow", _l("黄牌")), "red": ("red", _l("红牌"))}


def card(task: dict) -> dict:
    """The yellow/red card of an open task, always as text as well as colour, and its countdown in
    working time as the platform counted it on the working calendar (the task's ``countdown``)."""
    clock = task.get("countdown")
    if not clock:
        return {"kind": "plain", "text": "", "countdown": ""}
    kind, label = CARDS[clock["card"]]
    span = working_span(clock)
    if clock["overdue"]:
        countdown = _("已超期 %(span)s", span=span) if span else _("已超期")
    else:
        countdown = _("剩余 %(span)s", span=span) if span else _("即将到期")
    return {"kind": kind, "text": str(label), "countdown": countdown}


def working_span(clock: dict) -> str:
    """1 个工作日 3 小时 5 分钟: the parts that are not zero (a working day is the office's 7.5 hours)."""
    parts = []
    if clock["working_days"]:
        parts.append(ngettext("%(num)s 个工作日", "%(num)s 个工作日", clock["working_days"]))
    if clock["hours"]:
        parts.append(ngettext("%(num)s 小时", "%(num)s 小时", clock["hours"]))
    if clock["minutes"]:
        parts.append(ngettext("%(num)s 分钟", "%(num)s 分钟", clock["minutes"]))
    return " ".join(parts)


def _with_cards(tasks: list[dict]) -> list[dict]:
    return [{**task, "card": card(task)} for task in tasks]


def _reason() -> dict:
    """A standard reason's code and the note that goes with it (the gateway says which one is missing)."""
    return {key: value for key, value in (("reason_code", text("reason_code")), ("reason", text("reason")))
            if value}


def _tasks_in(*statuses: str) -> list[dict]:
    """Tasks in these states, by deadline: one question a state, so that closed history never
    crowds open work out of an answer of limited length."""
    found = []
    for status in statuses:
        found += g.api.get("/api/v1/tasks", status=status, per_page=MOST_TASKS)["items"]
    return _with_cards(sorted(found, key=lambda t: t.get("deadline_at") or ""))


def _overdue_first(tasks: list[dict]) -> list[dict]:
    # The API sorts by deadline; red cards first keeps that order among them.
    return sorted(tasks, key=lambda t: t["card"]["kind"] != "red")


@blueprint.get("/todo")
@signed_in(GRID_STAFF)
def todo():
    """待核查: resolved work in my grid waiting for my check; 我的任务: tasks I handle. By deadline."""
    tab = request.args.get("tab", "verify")
    me = g.sign_in.account["staff_code"]
    mine = [t for t in _tasks_in(*OPEN) if t["handler"]["staff_code"] == me]
    return render_template("todo.html", tab=tab, to_verify=_tasks_in("resolved"), mine=_overdue_first(mine))


@blueprint.get("/tasks")
@signed_in(HANDLERS)
def tasks():
    tab = request.args.get("tab", "to_accept")
    if tab not in TASK_TABS:
        tab = "to_accept"
    by_tab = {name: _tasks_in(*states) for name, states in TASK_TABS.items()}
    counts = {name: len(found) for name, found in by_tab.items()}
    return render_template("tasks.html", tab=tab, tasks=_overdue_first(by_tab[tab]), counts=counts)


@blueprint.get("/tasks/<task_id>")
@signed_in(HANDLERS)
def task(task_id):
    found = _with_cards([g.api.get(f"/api/v1/tasks/{task_id}")])[0]
    mine = found["handler"]["staff_code"] == g.sign_in.account["staff_code"]
    return render_template("task.html", task=found, mine=mine, key=new_key(), reasons=g.api.get("/api/v1/reasons"))


@blueprint.post("/tasks/<task_id>/accept")
@signed_in()
def accept(task_id):
    g.api.post(f"/api/v1/tasks/{task_id}/accept", {}, idempotency_key=key_of_form())
    return finish(url_for("work.task", task_id=task_id))


@blueprint.post("/tasks/<task_id>/resolve")
@signed_in()
def resolve(task_id):
    key = key_of_form()
    photos = upload_photos(g.api, key)
    g.api.post(f"/api/v1/tasks/{task_id}/resolve", {"note": text("note") or "", "photos": photos},
               idempotency_key=key)
    return finish(url_for("work.task", task_id=task_id))


@blueprint.post("/tasks/<task_id>/return")
@signed_in()
def give_back(task_id):
    g.api.post(f"/api/v1/tasks/{task_id}/return", _reason(), idempotency_key=key_of_form())
    return finish(url_for("work.tasks"))


@blueprint.post("/tasks/<task_id>/escalation")
@signed_in()
def escalate(task_id):
    g.api.post(f"/api/v1/tasks/{task_id}/escalation", _reason(),
               idempotency_key=key_of_form())
    return finish(url_for("home.start"))


@blueprint.post("/tasks/<task_id>/extension-requests")
@signed_in()
def ask_extension(task_id):
    # The picker's local date and time are Shanghai's.
    until = f"{text('until')}:00+08:00" if text("until") else ""
    g.api.post(f"/api/v1/tasks/{task_id}/extension-requests", {**_reason(), "until": until},
               idempotency_key=key_of_form())
    return finish(url_for("work.task", task_id=task_id))


@blueprint.post("/tasks/<task_id>/deferral-requests")
@signed_in()
def ask_deferral(task_id):
    g.api.post(f"/api/v1/tasks/{task_id}/deferral-requests", _reason(),
               idempotency_key=key_of_form())
    return finish(url_for("work.task", task_id=task_id))
