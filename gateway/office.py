"""Routes the community office and the street platform work from at their desks: requests waiting
for approval (审批), the escalated queue with every reason on the way up, the community's plan, and
the exports (导出) of the filtered report and task lists, the figures and staff performance as CSV or an Excel
workbook."""
from flask import Blueprint, Response, g, jsonify, request, stream_with_context

from gateway import exports, views
from gateway.exports import Column, Table, local, percent
from gateway.guard import requires
from gateway.openapi import documented
from gateway.plumbing import call, query_args
from gateway.problems import Problem
from shared.contracts import rpc

blueprint = Blueprint("office", __name__)

EXPORT_SLICE = 1000  # reports fetched per RPC while an export streams
LEVELS = {"grid": "网格", "community": "社区", "street": "街道"}
RATINGS = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
CHANNELS = {"app": "手机", "web": "网页", "phone": "电话", "patrol": "巡查", "open311": "Open311",
            "mediation": "调解转办"}
TASK_STATUSES = {"assigned": "待签收", "accepted": "处理中", "resolved": "已处置,待核查", "rework": "返工中",
                 "closed": "已结案", "returned": "已退回", "escalated": "已上报"}
CARDS = {"normal": "正常", "yellow": "黄牌", "red": "红牌", "supervised": "督办"}
HANDLER_KINDS = {"property": "物业", "grid": "网格", "community": "社区", "street": "街道"}
GROUPS = {"none": "全部", "community": "社区", "grid": "网格", "handler": "处置人", "category": "类别"}
STAFF_COUNTS = {"on_time": "按期", "overdue": "超期", "rework": "返工", "returns": "退单", "satisfied": "满意",
                "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
EXPORT_ANSWER = {"media_type": tuple(exports.FORMATS.values())}


@blueprint.get("/api/v1/requests")
@documented(query=rpc.RequestFilter, returns=views.PendingRequests)
@requires("tasks:decide")
def list_requests():
    """审批: extension and deferral requests the caller may decide, with reason, new deadline and history."""
    return jsonify(items=call("dispatch", "list_requests", g.caller, query_args(rpc.RequestFilter)))


@blueprint.get("/api/v1/escalations")
@documented(returns=views.EscalatedQueue)
@requires("tasks:escalated")
def escalated_queue():
    """The open matters at the caller's level (the street: from each of its communities), with
    every earlier level's handler and reason for passing it up."""
    return jsonify(items=call("dispatch", "escalated_queue", g.caller))


@blueprint.get("/api/v1/communities/<community>/plan")
@documented(returns=views.CommunityPlan)
@requires("plan:read")
def community_plan(community):
    """The community's plan (平面图): each building's outline in local metres and its grid, as GeoJSON."""
    return jsonify(call("dispatch", "community_plan", g.caller, community))


# --- exports (导出) -------------------------------------------------------------
@blueprint.get("/api/v1/exports/reports.<fmt>")
@documented(query=rpc.ReportFilter, **EXPORT_ANSWER)
@requires("reports:export")
def export_reports(fmt):
    """The report list with the same filters as GET /reports (paging aside), newest first; CSV or xlsx."""
    rows = _sliced("reporting", "export_reports", g.caller, _whole_list(rpc.ReportFilter, fmt))
    return _send(fmt, Table("事件台账", _report_columns(_category_names()), rows))


@blueprint.get("/api/v1/exports/tasks.<fmt>")
@documented(query=rpc.TaskFilter, **EXPORT_ANSWER)
@requires("tasks:export")
def export_tasks(fmt):
    """The task list with the same filters and order as GET /tasks (paging aside); CSV or xlsx."""
    rows = _sliced("dispatch", "export_tasks", g.caller, _whole_list(rpc.TaskFilter, fmt))
    return _send(fmt, Table("任务台账", _task_columns(_category_names()), rows))


@blueprint.get("/api/v1/exports/figures.<fmt>")
@documented(query=rpc.FiguresQuery, **EXPORT_ANSWER)
@requires("figures:read")
def export_figures(fmt):
    """The figures of GET /figures for the same query, one row per group."""
    query = _export_filters(rpc.FiguresQuery, fmt)
    answer = call("dispatch", "figures", g.caller, query)
    group = GROUPS[answer["group_by"]]
    return _send(fmt, Table(f"统计-{group}", _figure_columns(group), answer["rows"]))


@blueprint.get("/api/v1/exports/staff-performance.<fmt>")
@documented(query=views.PeriodQuery, **EXPORT_ANSWER)
@requires("staff:read")
def export_staff_performance(fmt):
    """GET /staff-performance for the period as a table, best first."""
    _export_filters(views.PeriodQuery, fmt)
    period = request.args.get("period", "")
    if not period:
        raise Problem.on_field(422, "period", "required")
    rows = call("scoring", "staff_performance", g.caller, period)
    columns = (Column("人员", lambda r: r["staff"]), Column("考核期", lambda r: r["period"]),
               Column("得分", lambda r: r["score"]), Column("及时", lambda r: r["timeliness"]),
               Column("质量", lambda r: r["quality"]), Column("满意", lambda r: r["satisfaction"]),
               *(Column(header, lambda r, k=key: r["counts"].get(k, 0)) for key, header in STAFF_COUNTS.items()))
    return _send(fmt, Table(f"人员绩效-{period}", columns, rows))


def _whole_list(schema, fmt: str) -> dict:
    """A list export's filters: the list's own, paging aside (an export is the whole list)."""
    filters = _export_filters(schema, fmt)
    filters.pop("page", None)
    filters.pop("per_page", None)
    return filters


def _category_names() -> dict[str, str]:
    return {c["code"]: c["name"]["zh"] for c in call("reporting", "list_categories")}


def _export_filters(schema, fmt: str) -> dict:
    if fmt not in exports.FORMATS:
        raise Problem.on_field(404, "format", "invalid_value")
    return query_args(schema)


def _send(fmt: str, table: Table) -> Response:
    """The table, streamed; the rows are fetched while it streams (inside the request's context)."""
    return Response(stream_with_context(exports.write(table, fmt)), content_type=exports.FORMATS[fmt],
                    headers={"Content-Disposition": exports.file_name(table.title, fmt),
                             "Cache-Control": "private, no-store", "X-Accel-Buffering": "no"})


def _sliced(service: str, method: str, caller: dict, filters: dict):
    """Every row the filters select, a slice per call; the first slice is asked for before the
    answer starts, so a refusal still comes back as a problem rather than a broken file."""
    first = call(service, method, caller, filters, None, EXPORT_SLICE)

    def slices():
        page = first
        yield from page["items"]
        while page["after"] is not None:
            page = call(service, method, caller, filters, page["after"], EXPORT_SLICE)
            yield from page["items"]

    return slices()


def _report_columns(categories: dict) -> tuple[Column, ...]:
    return (
        Column("编号", lambda r: r["id"]),
        Column("上报时间", lambda r: local(r["created_at"])),
        Column("类别", lambda r: categories.get(r["category"], r["category"])),
        Column("状态", lambda r: r["status_name"]["zh"]),
        Column("层级", lambda r: LEVELS.get(r["level"], r["level"])),
        Column("网格", _place("grid")),
        Column("楼栋", _place("building")),
        Column("单元", _place("unit")),
        Column("地址", _place("address")),
        Column("描述", lambda r: r["description"]),
        Column("紧急", lambda r: r["urgent"]),
        Column("渠道", lambda r: CHANNELS.get(r["channel"], r["channel"])),
        Column("上报人", lambda r: r["reporter"].get("name")),
        Column("处置人", lambda r: (r.get("handler") or {}).get("name")),
        Column("办结期限", lambda r: local(r.get("deadline_at"))),
        Column("返工次数", lambda r: r["rework_count"]),
        Column("重办次数", lambda r: r["reopen_count"]),
        Column("评价", lambda r: RATINGS.get(r.get("rating"))),
        Column("结案时间", lambda r: local(r.get("closed_at"))),
        Column("更新时间", lambda r: local(r["updated_at"])),
    )


def _task_columns(categories: dict) -> tuple[Column, ...]:
    return (
        Column("编号", lambda t: t["id"]),
        Column("案卷编号", lambda t: t["report_id"]),
        Column("派遣时间", lambda t: local(t["created_at"])),
        Column("类别", lambda t: categories.get(t["category"], t["category"])),
        Column("状态", lambda t: TASK_STATUSES.get(t["status"], t["status"])),
        Column("层级", lambda t: LEVELS.get(t["level"], t["level"])),
        Column("督办", lambda t: CARDS.get(t["supervision"], t["supervision"])),
        Column("网格", _place("grid")),
        Column("楼栋", _place("building")),
        Column("单元", _place("unit")),
        Column("地址", _place("address")),
        Column("描述", lambda t: t["description"]),
        Column("紧急", lambda t: t["urgent"]),
        Column("处置方", lambda t: HANDLER_KINDS.get(t["handler"]["kind"], t["handler"]["kind"])),
        Column("处置人", lambda t: t["handler"]["name"]),
        Column("办结期限", lambda t: local(t["deadline_at"])),
        Column("签收时间", lambda t: local(t.get("accepted_at"))),
        Column("处置时间", lambda t: local(t.get("resolved_at"))),
        Column("缓办", lambda t: t["deferred"]),
        Column("延期次数", lambda t: t["extension_count"]),
        Column("返工次数", lambda t: t["rework_count"]),
    )


def _place(key: str):
    return lambda report: report["location"].get(key)


def _figure_columns(group: str) -> tuple[Column, ...]:
    counts = (("上报", "found"), ("办结", "closed"), ("按期办结", "closed_on_time"), ("应办结", "due"),
              ("超期", "overdue"), ("黄牌", "yellow"), ("红牌", "red"), ("延期", "extensions"),
              ("退单", "returns"), ("返工", "reworks"), ("上报社区", "escalated_community"),
              ("上报街道", "escalated_street"), ("网格内办结", "closed_at_grid"),
              ("社区内办结", "closed_in_community"), ("评价", "rated"), ("满意", "satisfied"))
    rates = (("办结率", "completion_rate"), ("按期结案率", "on_time_rate"), ("小事不出网格", "grid_resolution_rate"),
             ("大事不出社区", "community_resolution_rate"), ("满意率", "satisfaction_rate"))
    return (Column(group, lambda r: r.get("key") or "合计"),
            *(Column(header, lambda r, k=key: r.get(k, 0)) for header, key in counts),
            *(Column(header, lambda r, k=key: percent(r.get(k))) for header, key in rates))
