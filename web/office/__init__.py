"""The community office's desk screens (1366×768): 工作台 figures, 事件管理, 导出, 审批, 督办 and a
task's page; and the street platform's queue and figures. Every number and list comes from the
gateway with the signed-in person's own token; the gateway decides what each may see and do."""
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, g, redirect, render_template, request, stream_with_context, url_for
from flask_babel import lazy_gettext as _l

from shared.times import SHANGHAI
from web.gateway_client import GatewayProblem, answer_of
from web.plan import drawn
from web.views.access import signed_in

blueprint = Blueprint("office", __name__, template_folder="templates")

OFFICE = ("community_admin", "party_secretary")
FIGURE_READERS = (*OFFICE, "grid_leader", "street_platform")
DECIDERS = (*OFFICE, "grid_leader")
STREET = ("street_platform",)
LEDGER_READERS = ("review_group", "community_admin")  # the points ledger and its reversals
AUDIT_READERS = ("community_admin", "district_it")
GROUPS = {"none": _l("合计"), "community": _l("社区"), "grid": _l("网格"), "handler": _l("处置人"),
          "category": _l("类别")}
# The KPI cards of 工作台, in order: (label, the figure's key, how it is shown).
KPIS = (
    (_l("上报"), "found", "count"), (_l("办结率"), "completion_rate", "rate"),
    (_l("按期结案率"), "on_time_rate", "rate"), (_l("小事不出网格"), "grid_resolution_rate", "rate"),
    (_l("大事不出社区"), "community_resolution_rate", "rate"), (_l("满意率"), "satisfaction_rate", "rate"),
    (_l("超期"), "overdue", "count"), (_l("黄牌"), "yellow", "count"), (_l("红牌"), "red", "count"),
)
# The filters of 事件管理, as the gateway's list routes name them; kept in the URL.
REPORT_FILTERS = ("status", "category", "grid", "building", "level", "handler", "due_before", "created_from",
                  "created_to", "sort")
TASK_FILTERS = (*REPORT_FILTERS, "card")
EXPORTS = {"reports": "/api/v1/exports/reports", "tasks": "/api/v1/exports/tasks", "figures": "/api/v1/exports/figures",
           "staff-performance": "/api/v1/exports/staff-performance"}
PER_PAGE = 20
# The plan view draws the events of one answer: the most each list gives at once, newest or nearest first.
PLAN_MOST = {"reports": 100, "tasks": 200}
# A workbook's first byte comes once the gateway has written its last row: minutes for 100,000 rows.
EXPORT_TIMEOUT_S = 900
DESK = ("station_staff", *OFFICE)
# The desk screens' side menu: (endpoint, label, roles that use it), in order.
DESK_MENU = (
    ("office.dashboard", _l("工作台"), FIGURE_READERS),
    ("office.events", _l("事件管理"), (*OFFICE, "grid_leader")),
    ("office.approvals", _l("审批"), DECIDERS),
    ("office.supervision", _l("督办"), DECIDERS),
    ("office.staff", _l("人员绩效"), OFFICE),
    ("office.patrols", _l("巡查覆盖"), (*OFFICE, "grid_leader")),
    ("records.calendar", _l("工作日历"), OFFICE),
    ("records.ledger", _l("积分台账"), LEDGER_READERS),
    ("records.audit", _l("审计日志"), AUDIT_READERS),
    ("office.street_queue", _l("街道待办"), STREET),
    ("desk.cases", _l("六站案件"), DESK),
    ("desk.council", _l("居民议事"), DESK),
    ("desk.review", _l("积分审核"), ("review_group", "community_admin")),
    ("wall.ops", _l("服务健康"), ("district_it",)),
    ("wall.wall", _l("指挥大屏"), (*OFFICE, "street_platform")),
    ("home.me", _l("我的"), (*FIGURE_READERS, *DESK, "review_group", "district_it")),
)


@blueprint.app_context_processor
def _desk_menu():
    def desk_menu():
        role = g.sign_in.role if g.get("sign_in") else None
        return [(endpoint, label) for endpoint, label, roles in DESK_MENU if role in roles]
    return {"desk_menu": desk_menu}


# --- 工作台 ---------------------------------------------------------------------
def period_of(args) -> tuple[date, date]:
    """The period picker's days (from and to, both included); this month by default."""
    today = datetime.now(SHANGHAI).date()
    try:
        first = date.fromisoformat(args.get("from", ""))
    except ValueError:
        first = today.replace(day=1)
    try:
        last = date.fromisoformat(args.get("to", ""))
    except ValueError:
        last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, max(first, last)


def period_query(first: date, last: date) -> dict:
    """The gateway's period: from the first day's midnight to the midnight after the last, Shanghai time."""
    return {"period_from": datetime.combine(first, time(), SHANGHAI).isoformat(),
            "period_to": datetime.combine(last + timedelta(days=1), time(), SHANGHAI).isoformat()}


@blueprint.get("/office")
@signed_in(FIGURE_READERS)
def dashboard():
    first, last = period_of(request.args)
    street = g.sign_in.role == "street_platform"
    group_by = request.args.get("group_by") or ("community" if street else "grid")
    if group_by not in GROUPS or (group_by == "community") != street and group_by != "none":
        group_by = "community" if street else "grid"
    query = period_query(first, last)
    whole = g.api.get("/api/v1/figures", **query)["rows"]
    grouped = g.api.get("/api/v1/figures", **query, group_by=group_by)["rows"] if group_by != "none" else []
    lists = {"created_from": first.isoformat(), "created_to": last.isoformat()}
    return render_template("office/dashboard.html", first=first, last=last, group_by=group_by, groups=GROUPS,
                           whole=whole[0] if whole else {}, rows=grouped, kpis=KPIS, lists=lists, street=street,
                           figures_query={**query, "group_by": group_by})


# --- 事件管理 --------------------------------------------------------------------
@blueprint.get("/office/events")
@signed_in((*OFFICE, "grid_leader"))
def events():
    """The filtered list a page at a time, or (view=plan) the same filters' events on the community's plan."""
    kind = "tasks" if request.args.get("kind") == "tasks" else "reports"
    view = "plan" if request.args.get("view") == "plan" else "list"
    names = TASK_FILTERS if kind == "tasks" else REPORT_FILTERS
    filters = {name: request.args.get(name, "") for name in names}
    page = max(1, request.args.get("page", 1, type=int))
    paging = {"per_page": PLAN_MOST[kind]} if view == "plan" else {"page": page, "per_page": PER_PAGE}
    try:
        answer = g.api.get(f"/api/v1/{kind}", **api_filters(filters), **paging)
        problem = None
    except GatewayProblem as refused:
        if refused.status != 422:
            raise
        answer, problem = {"items": [], "total": 0}, refused
    total = answer.get("total", len(answer["items"]))
    kept = {k: v for k, v in filters.items() if v}
    categories = g.api.get("/api/v1/categories")["items"]
    plan = None
    if view == "plan":
        plan = drawn(g.api.get(f"/api/v1/communities/{g.sign_in.account['community']}/plan"), answer["items"],
                     lambda item: item["status"])
    return render_template("office/events.html", kind=kind, view=view, filters=filters, kept=kept, page=page,
                           items=answer["items"], total=total, pages=max(1, -(-total // PER_PAGE)),
                           categories=categories, category_names={c["code"]: c["name"] for c in categories},
                           problem=problem, plan=plan,
                           link=lambda **more: url_for("office.events", **{"kind": kind, **kept, **more}))


# Days picked in the filter form, as the moments the gateway filters by (both days included).
DAY_FILTERS = {"created_from": 0, "created_to": 1, "due_before": 1}


def api_filters(filters: dict) -> dict:
    """The URL's filters as the gateway takes them: a picked day becomes its Shanghai midnight
    (the day after, for the end of a range), so the URL stays readable and a link can be sent."""
    converted = dict(filters)
    for name, days_after in DAY_FILTERS.items():
        if filters.get(name):
            converted[name] = midnight_of(filters[name], days_after)
    return converted


def midnight_of(day: str, days_after: int = 0) -> str:
    """A picked day (YYYY-MM-DD) as the Shanghai midnight that starts it (or the one ``days_after`` it);
    anything else goes as typed, for the gateway to name the field."""
    try:
        picked = date.fromisoformat(day)
    except ValueError:
        return day
    return datetime.combine(picked + timedelta(days=days_after), time(), SHANGHAI).isoformat()


# --- 导出 -------------------------------------------------------------------------
@blueprint.get("/office/export/<what>.<fmt>")
@signed_in((*FIGURE_READERS,))
def export(what, fmt):
    """The gateway's export, passed through as it streams (never held here whole)."""
    if what not in EXPORTS or fmt not in ("csv", "xlsx"):
        abort(404)
    params = api_filters({k: v for k, v in request.args.items() if v and k not in ("lang", "kind", "page")})
    response = g.api.client.request("GET", f"{EXPORTS[what]}.{fmt}?{urlencode(params)}", g.lang,
                                    g.sign_in.access_token, stream=True, timeout=EXPORT_TIMEOUT_S)
    if response.status_code >= 300:
        answer_of(response)  # the gateway's problem, shown as the error page
    headers = {k: response.headers[k] for k in ("Content-Type", "Content-Disposition") if k in response.headers}
    return Response(stream_with_context(response.iter_content(64 * 1024)), headers=headers)


# --- 审批 -------------------------------------------------------------------------
@blueprint.get("/office/approvals")
@signed_in(DECIDERS)
def approvals(problem: GatewayProblem | None = None):
    pending = g.api.get("/api/v1/requests")["items"]
    deferred = [r for r in g.api.get("/api/v1/requests", status="approved", kind="deferral")["items"]
                if r["task"]["deferred"]]
    return render_template("office/approvals.html", pending=pending, deferred=deferred, problem=problem)


@blueprint.post("/office/approvals/<request_id>")
@signed_in(DECIDERS)
def decide(request_id):
    approve = request.form.get("decision") == "approve"
    try:
        g.api.post(f"/api/v1/requests/{request_id}/decision",
                   {"approve": approve, "note": request.form.get("note") or None})
    except GatewayProblem as refused:
        return approvals(refused)
    return redirect(url_for("office.approvals"))


@blueprint.post("/office/tasks/<task_id>/resume")
@signed_in(DECIDERS)
def resume(task_id):
    g.api.post(f"/api/v1/tasks/{task_id}/resume", {})
    return redirect(url_for("office.task", task_id=task_id))


@blueprint.get("/office/tasks/<task_id>")
@signed_in((*DECIDERS, "street_platform"))
def task(task_id):
    return render_template("office/task.html", task=g.api.get(f"/api/v1/tasks/{task_id}"))


# --- 督办 -------------------------------------------------------------------------
CARD_ORDER = {"supervised": 0, "red": 1, "yellow": 2}


@blueprint.get("/office/supervision")
@signed_in(DECIDERS)
def supervision():
    """Yellow- and red-card work, red first, with counts by grid and by handler."""
    listed = g.api.get("/api/v1/tasks", card="supervised,red,yellow", status="assigned,accepted,rework",
                       sort="deadline", per_page=200)["items"]
    carded = sorted((t for t in listed if t.get("supervision") in CARD_ORDER),
                    key=lambda t: (CARD_ORDER[t["supervision"]], t["deadline_at"] or ""))
    by_grid, by_handler = _count(carded, lambda t: t["location"].get("grid") or "—"), \
        _count(carded, lambda t: t["handler"].get("name") or "—")
    return render_template("office/supervision.html", tasks=carded, by_grid=by_grid, by_handler=by_handler)


def _count(tasks: list[dict], key) -> list[tuple[str, int, int]]:
    """(name, red, yellow) per key, most red first."""
    counts: dict[str, list[int]] = {}
    for item in tasks:
        pair = counts.setdefault(key(item), [0, 0])
        pair[0 if item["supervision"] in ("red", "supervised") else 1] += 1
    return sorted(((name, red, yellow) for name, (red, yellow) in counts.items()), key=lambda c: (-c[1], -c[2]))


# --- 人员绩效 and 巡查覆盖 ------------------------------------------------------------
def quarter_of(day: date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


@blueprint.get("/office/staff")
@signed_in(OFFICE)
def staff():
    """人员绩效 for a scoring period (this quarter by default), sortable by any rate."""
    period = request.args.get("period") or quarter_of(datetime.now(SHANGHAI).date())
    sort = request.args.get("sort", "score")
    rows = g.api.get("/api/v1/staff-performance", period=period)["items"]
    if sort in ("score", "timeliness", "quality", "satisfaction"):
        rows.sort(key=lambda r: (r[sort] is None, -float(r[sort] or 0)))
    return render_template("office/staff.html", period=period, rows=rows, sort=sort)


@blueprint.get("/office/patrols")
@signed_in((*OFFICE, "grid_leader"))
def patrols():
    """巡查覆盖: per day and grid, who patrolled and how many of the grid's buildings they reached."""
    first, last = period_of(request.args)
    coverage = g.api.get("/api/v1/patrol-coverage", **{"from": first.isoformat(), "to": last.isoformat()})
    return render_template("office/patrols.html", first=first, last=last, rows=coverage["rows"])


# --- 街道平台 ---------------------------------------------------------------------
@blueprint.get("/street")
@signed_in(STREET)
def street_queue(problem: GatewayProblem | None = None):
    return render_template("office/street.html", tasks=g.api.get("/api/v1/escalations")["items"],
                           problem=problem)


@blueprint.post("/street/tasks/<task_id>/<step>")
@signed_in(STREET)
def street_step(task_id, step):
    bodies = {"accept": lambda: {}, "resolve": lambda: {"note": request.form.get("note", "")},
              "return": lambda: {"reason": request.form.get("reason", "")}}
    if step not in bodies:
        abort(404)
    try:
        g.api.post(f"/api/v1/tasks/{task_id}/{step}", bodies[step]())
    except GatewayProblem as refused:
        return street_queue(refused)
    return redirect(url_for("office.street_queue"))
