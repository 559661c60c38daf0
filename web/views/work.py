"""The handler's side: 待办 of the grid staff, 任务 of the property staff, one task and what can
be done with it (签收, 处置反馈, 退回, 上报, 申请延期/缓办)."""
from datetime import datetime, timezone

from flask import Blueprint, g, render_template, request, url_for
from flask_babel import gettext as _

from web.views.access import signed_in
from web.views.forms import finish, key_of_form, new_key, text, upload_photos

blueprint = Blueprint("work", __name__)

GRID_STAFF = ("grid_worker", "grid_leader")
HANDLERS = ("grid_worker", "grid_leader", "property_staff")
OPEN = ("assigned", "accepted", "rework")
MOST_TASKS = 200  # the most one answer of GET /api/v1/tasks holds
# The property staff's three tabs: which task states each shows.
TASK_TABS = {"to_accept": ("assigned",), "in_hand": ("accepted", "rework"), "done": ("resolved", "closed")}


def card(task: dict, now: datetime) -> dict:
    """The yellow/red card of an open task, always as text as well as colour, and its countdown."""
    deadline = datetime.fromisoformat(task["deadline_at"]) if task.get("deadline_at") else None
    warn_at = datetime.fromisoformat(task["warn_at"]) if task.get("warn_at") else None
    if task["status"] not in OPEN or deadline is None:
        return {"kind": "plain", "text": "", "countdown": ""}
    left = deadline - now
    if task.get("supervision") in ("red", "supervised") or left.total_seconds() < 0:
        kind, label = "red", _("红牌")
    elif task.get("supervision") == "yellow" or (warn_at is not None and now >= warn_at):
        kind, label = "yellow", _("黄牌")
    else:
        kind, label = "ok", _("正常")
    minutes = int(abs(left.total_seconds()) // 60)
    span = _("%(h)s 小时 %(m)s 分", h=minutes // 60, m=minutes % 60)
    countdown = _("已超时 %(span)s", span=span) if left.total_seconds() < 0 else _("还剩 %(span)s", span=span)
    return {"kind": kind, "text": label, "countdown": countdown}


def _with_cards(tasks: list[dict]) -> list[dict]:
    now = datetime.now(timezone.utc)
    return [{**task, "card": card(task, now)} for task in tasks]


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
