"""指挥大屏 the command wall (a fixed 1920×1080 stage scaled to the screen) and district IT's screens
(service health, parked messages with replay, the audit log).

The wall is drawn here, on the server: figures, the community's plan as SVG (buildings coloured by
grid, open events as points shaped and coloured by their state, open counts as the heat layer), the
督办 list and the latest events. The category mix, the grid ranking and the 30-day trend are tables
here (for screen readers) and charts in the browser (ECharts, vendored), drawn by wall.js from the
page's own JSON block. It shows ids, categories, buildings and times only: never a name, a phone or a
household. It asks the gateway again every minute (htmx) and says when.
"""
import time as clock
from datetime import date, datetime, time, timedelta

from flask import Blueprint, g, redirect, render_template, request, url_for

from shared.times import SHANGHAI
from web.gateway_client import GatewayProblem, answer_of
from web.office import period_of, period_query
from web.plan import drawn
from web.views.access import signed_in

blueprint = Blueprint("wall", __name__, template_folder="templates")

WALL_ROLES = ("community_admin", "party_secretary", "street_platform")
OPEN = "assigned,accepted,rework"
TREND_DAYS = 30
PAST_DAY_CACHE_S = 600  # a finished day's count changes little: asked again every ten minutes
_past_days: dict[tuple[str, date], tuple[float, int]] = {}


def _day_query(first: date, days: int = 1) -> dict:
    return {"period_from": datetime.combine(first, time(), SHANGHAI).isoformat(),
            "period_to": datetime.combine(first + timedelta(days=days), time(), SHANGHAI).isoformat()}


def _found_on(day: date, today: date) -> int:
    key = (g.sign_in.account["account_id"], day)
    cached = _past_days.get(key)
    if day < today and cached and clock.monotonic() - cached[0] < PAST_DAY_CACHE_S:
        return cached[1]
    rows = g.api.get("/api/v1/figures", **_day_query(day))["rows"]
    found = rows[0]["found"] if rows else 0
    _past_days[key] = (clock.monotonic(), found)
    return found


def _event_kind(task: dict) -> str:
    """新 / 处理中 / 黄牌 / 红牌: the kind of an open event's marker on the plan."""
    if task.get("supervision") in ("red", "supervised"):
        return "red"
    if task.get("supervision") == "yellow":
        return "yellow"
    return "new" if task["status"] == "assigned" else "working"


@blueprint.get("/wall")
@signed_in(WALL_ROLES)
def wall():
    now = datetime.now(SHANGHAI)
    today = now.date()
    month = period_query(*period_of({}))  # this month, as 工作台 shows it by default
    whole = (g.api.get("/api/v1/figures", **month)["rows"] or [{}])[0]
    today_found = (g.api.get("/api/v1/figures", **_day_query(today))["rows"] or [{"found": 0}])[0]["found"]
    by_category = g.api.get("/api/v1/figures", **month, group_by="category")["rows"]
    ranking = sorted(g.api.get("/api/v1/figures", **month, group_by="grid")["rows"],
                     key=lambda r: (-(r["completion_rate"] or 0), -(r["on_time_rate"] or 0), r["key"] or ""))
    trend = [(day, _found_on(day, today)) for day in (today - timedelta(days=n) for n in range(TREND_DAYS - 1, -1, -1))]
    categories = {c["code"]: c["name"] for c in g.api.get("/api/v1/categories")["items"]}
    community = g.sign_in.account["community"]
    open_tasks, plan = [], {}
    if g.sign_in.role != "street_platform":
        open_tasks = [t for t in g.api.get("/api/v1/tasks", status=OPEN, sort="deadline", per_page=200)["items"]
                      if t["status"] in OPEN.split(",")]
        plan = g.api.get(f"/api/v1/communities/{community}/plan")
    latest = g.api.get("/api/v1/reports", per_page=12)["items"] if g.sign_in.role != "street_platform" else []
    order = {"red": 0, "yellow": 1}
    supervised = sorted((t for t in open_tasks if _event_kind(t) in order),
                        key=lambda t: (order[_event_kind(t)], t["deadline_at"] or ""))
    charts = wall_charts(sorted(by_category, key=lambda r: -r["found"])[:8], ranking[:8], trend, categories)
    return render_template("wall/wall.html", now=now, whole=whole, today_found=today_found, categories=categories,
                           charts=charts,
                           plan=drawn(plan, open_tasks, _event_kind), supervised=supervised[:8], latest=latest,
                           name=plan.get("name"))


def wall_charts(by_category: list[dict], ranking: list[dict], trend: list[tuple[date, int]],
                categories: dict) -> dict:
    """What wall.js hands to ECharts, as the page's JSON block: the same rows the page's tables show, so
    a chart never holds a number the tables (and /figures) don't."""
    def category_name(code):
        names = categories.get(code)
        return (names["en"] if g.lang == "en" else names["zh"]) if names else code

    return {"categories": [{"label": category_name(r["key"]), "value": r["found"]} for r in by_category],
            "ranking": [{"label": r["key"], "value": r["completion_rate"]} for r in ranking],
            "trend": [{"label": day.strftime("%m-%d"), "value": n} for day, n in trend]}


# --- 区信息中心 -----------------------------------------------------------------------
@blueprint.get("/ops")
@signed_in(("district_it",))
def ops(problem: GatewayProblem | None = None):
    """Health (the page asks again every 15 s), parked messages per queue, the audit log: no personal data."""
    health = _health()
    parked = g.api.get("/api/v1/ops/parked")
    audit = g.api.get("/api/v1/audit", page=request.args.get("page", 1, type=int), per_page=20)
    replayed = {"queue": request.args["queue"], "replayed": request.args.get("replayed")} \
        if "queue" in request.args else None
    return render_template("wall/ops.html", health=health, parked=parked, audit=audit, problem=problem,
                           replayed=replayed, checked=datetime.now(SHANGHAI))


def _health() -> dict:
    """The gateway answers 503 with the same body when anything is down: that answer is the news here."""
    response = g.api.client.request("GET", "/api/v1/ops/health", g.lang, g.sign_in.access_token)
    if response.status_code == 503 and response.headers.get("Content-Type", "").startswith("application/json"):
        body = response.json()
        if "services" in body:
            return body
    return answer_of(response)


@blueprint.post("/ops/parked/<queue>/replay")
@signed_in(("district_it",))
def replay(queue):
    try:
        replayed = g.api.post(f"/api/v1/ops/parked/{queue}/replay", {})
    except GatewayProblem as refused:
        return ops(refused)
    return redirect(url_for("wall.ops", replayed=replayed["replayed"], queue=replayed["queue"]))
