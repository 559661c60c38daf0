"""Routes under /api/v1. Each names its action from the permission table
(``@requires(action)`` or ``@public(action)``; see gateway/permissions.py),
validates its input with the shared contracts, and calls one service."""
import base64

from flask import Blueprint, Response, g, jsonify, request

from gateway import views
from gateway.guard import requires
from gateway.openapi import documented
from gateway.permissions import public
from gateway.plumbing import call, json_body, known_building, query_args, services_health
from gateway.problems import Problem
from shared.contracts import reasons, rpc, scoring
from shared.contracts.validation import EARLIEST, LATEST

blueprint = Blueprint("api", __name__)

MAX_PHOTO_BYTES = 5 * 1024 * 1024
IMAGE_SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


# --- accounts (sign-in, refresh and sign-out: gateway.auth) ---------------
@blueprint.get("/api/v1/me")
@documented(returns=views.Account, calls_service=False)
@requires("account:read")
def me():
    return jsonify(g.caller)


# --- catalogue and media ----------------------------------------------------
@blueprint.get("/api/v1/categories")
@documented(returns=views.CategoryList)
@requires("categories:read")
def categories():
    return jsonify(items=call("reporting", "list_categories"))


@blueprint.get("/api/v1/places")
@documented(returns=views.Places)
@requires("places:read")
def places():
    """Grids, buildings and units for the building → unit picker, the caller's own grid first."""
    return jsonify(call("dispatch", "places", g.caller))


@blueprint.get("/api/v1/reasons")
@documented(returns=views.Reasons, calls_service=False)
@requires("reasons:read")
def standard_reasons():
    """标准理由: each POST that takes a reason takes one of these codes as reason_code, beside or instead of words."""
    return jsonify(reasons.listed())


@blueprint.post("/api/v1/media")
@documented(body=views.Upload, body_type="multipart/form-data", returns=views.StoredMedia, status=201,
            problems=(415,))
@requires("media:upload")
def upload_media():
    upload = request.files.get("file")
    if upload is None:
        raise Problem(422, "invalid_input", [{"field": "file", "code": "required", "params": {}}])
    content = upload.read(MAX_PHOTO_BYTES + 1)
    if len(content) > MAX_PHOTO_BYTES:
        raise Problem.on_field(413, "file", "photo_too_large", max="5 MB")
    content_type = _image_type(content)
    if content_type is None:
        raise Problem.on_field(415, "file", "unsupported_media_type")
    stored = call("reporting", "upload_media", g.caller, content_type, base64.b64encode(content).decode())
    return jsonify(stored), 201


def _image_type(content: bytes) -> str | None:
    """Judge by the bytes, not by what the client claims."""
    for signature, content_type in IMAGE_SIGNATURES:
        if content.startswith(signature):
            return content_type
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    return None


@blueprint.get("/api/v1/media/<media_id>")
@documented(media_type=("image/jpeg", "image/png", "image/webp"))
@requires("media:read")
def get_media(media_id):
    media = call("reporting", "get_media", g.caller, media_id)
    return Response(base64.b64decode(media["content_b64"]), content_type=media["content_type"],
                    headers={"Cache-Control": "private, max-age=86400"})


# --- reports --------------------------------------------------------------
@blueprint.post("/api/v1/reports")
@documented(body=rpc.NewReport, returns=views.ReportCreated, status=201, problems=(409,),
            extra_responses={200: {"description": "Filed before under the client's id: the first filing",
                                   "content": {"application/json": {"schema": views.ReportCreated}}}})
@requires("reports:create")
def create_report():
    report = json_body(rpc.NewReport)
    known_building(g.caller["community"], report.get("building"))
    created = call("reporting", "create_report", g.caller, report)
    # 200 when the client's own id was filed before: the outbox sent it again.
    return jsonify(created), 201 if created["created"] else 200, {
        "Location": f"/api/v1/reports/{created['report']['id']}"}


@blueprint.get("/api/v1/reports")
@documented(query=rpc.ReportFilter, returns=views.ReportPage)
@requires("reports:read")
def list_reports():
    return jsonify(call("reporting", "list_reports", g.caller, query_args(rpc.ReportFilter)))


@blueprint.get("/api/v1/reports/possible-duplicates")
@documented(query=rpc.DuplicateQuery, returns=views.DuplicateCandidates)
@requires("reports:support")
def possible_duplicates():
    """Before reporting: open reports of the same category at the same building (24 h), to join with "me too";
    their words only where the caller may read the report."""
    return jsonify(call("reporting", "possible_duplicates", g.caller, query_args(rpc.DuplicateQuery)))


@blueprint.get("/api/v1/reports/<report_id>")
@documented(returns=views.ReportWithTimeline)
@requires("reports:read")
def get_report(report_id):
    return jsonify(call("reporting", "get_report", g.caller, report_id))


@blueprint.post("/api/v1/reports/<report_id>/me-too")
@documented(returns=views.Support, problems=(409,))
@requires("reports:support")
def support_report(report_id):
    """附议 "me too": I have the same problem. Once per account; asking again answers the same."""
    return jsonify(call("reporting", "support_report", g.caller, report_id))


@blueprint.post("/api/v1/reports/<report_id>/verification")
@documented(body=rpc.Verification, returns=views.ReportWithTimeline, problems=(409,))
@requires("reports:verify")
def verify_report(report_id):
    return jsonify(call("reporting", "verify_report", g.caller, report_id, json_body(rpc.Verification)))


@blueprint.post("/api/v1/reports/<report_id>/rating")
@documented(body=rpc.Rating, returns=views.ReportWithTimeline, problems=(409,))
@requires("reports:rate")
def rate_report(report_id):
    return jsonify(call("reporting", "rate_report", g.caller, report_id, json_body(rpc.Rating)))


# --- tasks ----------------------------------------------------------------
@blueprint.get("/api/v1/tasks")
@documented(query=rpc.TaskFilter, returns=views.TaskPage)
@requires("tasks:read")
def list_tasks():
    """Filtered and paged, by deadline (overdue first) unless sorted otherwise; ``counts`` per status for tabs."""
    return jsonify(call("dispatch", "list_tasks", g.caller, query_args(rpc.TaskFilter)))


@blueprint.get("/api/v1/tasks/<task_id>")
@documented(returns=views.TaskDetail)
@requires("tasks:read")
def get_task(task_id):
    return jsonify(call("dispatch", "get_task", g.caller, task_id))


@blueprint.post("/api/v1/tasks/<task_id>/accept")
@documented(returns=views.Task, problems=(409,))
@requires("tasks:act")
def accept_task(task_id):
    return jsonify(call("dispatch", "accept_task", g.caller, task_id))


@blueprint.post("/api/v1/tasks/<task_id>/resolve")
@documented(body=rpc.Resolution, returns=views.Task, problems=(409,))
@requires("tasks:act")
def resolve_task(task_id):
    return jsonify(call("dispatch", "resolve_task", g.caller, task_id, json_body(rpc.Resolution)))


@blueprint.post("/api/v1/tasks/<task_id>/return")
@documented(body=rpc.TaskReturn, returns=views.TaskWithSuccessor, problems=(409,))
@requires("tasks:act")
def return_task(task_id):
    return jsonify(call("dispatch", "return_task", g.caller, task_id, json_body(rpc.TaskReturn)))


@blueprint.post("/api/v1/tasks/<task_id>/escalation")
@documented(body=rpc.Escalation, returns=views.TaskWithSuccessor, problems=(409,))
@requires("tasks:escalate")
def escalate_task(task_id):
    """上报: this level cannot solve it."""
    return jsonify(call("dispatch", "escalate_task", g.caller, task_id, json_body(rpc.Escalation)))


@blueprint.post("/api/v1/tasks/<task_id>/extension-requests")
@documented(body=rpc.ExtensionRequest, returns=views.ChangeRequest, status=201, problems=(409,))
@requires("tasks:act")
def request_extension(task_id):
    return jsonify(call("dispatch", "request_extension", g.caller, task_id, json_body(rpc.ExtensionRequest))), 201


@blueprint.post("/api/v1/tasks/<task_id>/deferral-requests")
@documented(body=rpc.DeferralRequest, returns=views.ChangeRequest, status=201, problems=(409,))
@requires("tasks:act")
def request_deferral(task_id):
    return jsonify(call("dispatch", "request_deferral", g.caller, task_id, json_body(rpc.DeferralRequest))), 201


@blueprint.post("/api/v1/requests/<request_id>/decision")
@documented(body=rpc.Decision, returns=views.DecidedRequest, problems=(409,))
@requires("tasks:decide")
def decide_request(request_id):
    return jsonify(call("dispatch", "decide_request", g.caller, request_id, json_body(rpc.Decision)))


@blueprint.post("/api/v1/tasks/<task_id>/resume")
@documented(returns=views.Task, problems=(409,))
@requires("tasks:decide")
def resume_task(task_id):
    return jsonify(call("dispatch", "resume_task", g.caller, task_id))


# --- patrols (巡查) ------------------------------------------------------------
@blueprint.post("/api/v1/patrols")
@documented(body=rpc.PatrolStart, returns=views.PatrolStarted, status=201, problems=(409,),
            extra_responses={200: {"description": "Started before under the phone's id: that patrol",
                                   "content": {"application/json": {"schema": views.PatrolStarted}}}})
@requires("patrols:walk")
def start_patrol():
    """Start a patrol at the moment the phone says (it may be sent from the outbox later)."""
    started = call("dispatch", "start_patrol", g.caller, json_body(rpc.PatrolStart))
    return jsonify(started), 201 if started["created"] else 200, {"Location": f"/api/v1/patrols/{started['id']}"}


@blueprint.get("/api/v1/patrols")
@documented(query=rpc.PatrolFilter, returns=views.PatrolPage)
@requires("patrols:read")
def list_patrols():
    """My patrols, newest first (a grid leader: her grid's; the office: the community's)."""
    return jsonify(call("dispatch", "list_patrols", g.caller, query_args(rpc.PatrolFilter)))


@blueprint.get("/api/v1/patrols/<patrol_id>")
@documented(returns=views.PatrolDetail)
@requires("patrols:read")
def get_patrol(patrol_id):
    return jsonify(call("dispatch", "get_patrol", g.caller, patrol_id))


@blueprint.post("/api/v1/patrols/<patrol_id>/check-ins")
@documented(body=rpc.CheckIn, returns=views.PatrolCheckIn, status=201, problems=(409,))
@requires("patrols:walk")
def check_in(patrol_id):
    """打卡 at a building of the community (a unit, a photo and the position optional)."""
    return jsonify(call("dispatch", "check_in", g.caller, patrol_id, json_body(rpc.CheckIn))), 201


@blueprint.post("/api/v1/patrols/<patrol_id>/track")
@documented(body=rpc.Track, returns=views.Patrol, problems=(409,))
@requires("patrols:walk")
def add_track(patrol_id):
    """Points sampled while the page was open; a point sent again is stored once."""
    return jsonify(call("dispatch", "add_track", g.caller, patrol_id, json_body(rpc.Track)))


@blueprint.post("/api/v1/patrols/<patrol_id>/end")
@documented(body=rpc.PatrolEnd, returns=views.Patrol, problems=(409,))
@requires("patrols:walk")
def end_patrol(patrol_id):
    """End the patrol (patrol.ended is published); ending it again answers the same."""
    return jsonify(call("dispatch", "end_patrol", g.caller, patrol_id, json_body(rpc.PatrolEnd)))


@blueprint.get("/api/v1/patrol-coverage")
@documented(query=rpc.CoverageQuery, returns=views.PatrolCoverage)
@requires("patrols:coverage")
def patrol_coverage():
    """巡查覆盖: per day and grid, who patrolled and which of the grid's buildings they checked in at."""
    return jsonify(call("dispatch", "patrol_coverage", g.caller, query_args(rpc.CoverageQuery)))


# --- messages (消息) --------------------------------------------------------------
@blueprint.get("/api/v1/notifications")
@documented(query=rpc.NotificationQuery, returns=views.Notifications)
@requires("notifications:own")
def notifications():
    """What happened to my reports and tasks (and my grid's work to check), newest first, with the unread count."""
    return jsonify(call("reporting", "notifications", g.caller, query_args(rpc.NotificationQuery)))


@blueprint.post("/api/v1/notifications/read")
@documented(body=rpc.NotificationsRead, returns=views.Unread)
@requires("notifications:own")
def mark_notifications_read():
    return jsonify(call("reporting", "mark_read", g.caller, json_body(rpc.NotificationsRead)))


# --- calendar and figures ---------------------------------------------------
@blueprint.get("/api/v1/calendar")
@documented(query=views.CalendarQuery, returns=views.Calendar)
@requires("calendar:read")
def calendar():
    year = request.args.get("year", "")
    if not (year.isascii() and year.isdigit()):  # "²".isdigit() is true, int("²") fails
        raise Problem.on_field(422, "year", "required")
    if not EARLIEST.year <= int(year) <= LATEST.year:
        raise Problem.on_field(422, "year", "number_out_of_range", min=EARLIEST.year, max=LATEST.year)
    return jsonify(year=int(year), days=call("dispatch", "list_calendar", int(year)))


@blueprint.put("/api/v1/calendar/days/<day>")
@documented(body=rpc.CalendarDayChange, returns=views.CalendarDay)
@requires("calendar:edit")
def set_calendar_day(day):
    return jsonify(call("dispatch", "set_calendar_day", g.caller, day, json_body(rpc.CalendarDayChange)))


@blueprint.get("/api/v1/calendar/changes")
@documented(query=rpc.CalendarChangesQuery, returns=views.CalendarChanges)
@requires("calendar:history")
def calendar_changes():
    """The corrections made to the year's days, newest first: each with its reason, who and when."""
    year = int(query_args(rpc.CalendarChangesQuery)["year"])
    return jsonify(year=year, items=call("dispatch", "calendar_changes", year))


@blueprint.get("/api/v1/figures")
@documented(query=rpc.FiguresQuery, returns=views.Figures)
@requires("figures:read")
def figures():
    query = query_args(rpc.FiguresQuery)
    return jsonify(call("dispatch", "figures", g.caller, query))


# --- civility points (积分) and the reward fund -----------------------------
@blueprint.get("/api/v1/households/me")
@documented(returns=views.Household, problems=(404,))
@requires("points:own")
def my_household():
    return jsonify(call("scoring", "my_household", g.caller))


@blueprint.get("/api/v1/ledger")
@documented(query=scoring.LedgerFilter, returns=views.Ledger)
@requires("points:review")
def ledger():
    """The community's ledger, newest first, a page at a time."""
    return jsonify(call("scoring", "ledger", g.caller, query_args(scoring.LedgerFilter)))


@blueprint.post("/api/v1/ledger")
@documented(body=scoring.ProposeEntry, returns=views.LedgerEntry, status=201, problems=(409,))
@requires("points:propose")
def propose_entry():
    return jsonify(call("scoring", "propose_entry", g.caller, json_body(scoring.ProposeEntry))), 201


@blueprint.post("/api/v1/ledger/<entry_id>/verification")
@documented(body=scoring.EntryVerification, returns=views.LedgerEntry, problems=(409,))
@requires("points:decide")
def verify_entry(entry_id):
    return jsonify(call("scoring", "verify_entry", g.caller, entry_id, json_body(scoring.EntryVerification)))


@blueprint.post("/api/v1/ledger/<entry_id>/objection")
@documented(body=scoring.Objection, returns=views.LedgerEntry, problems=(409,))
@requires("points:object")
def object_to_entry(entry_id):
    return jsonify(call("scoring", "object_to_entry", g.caller, entry_id, json_body(scoring.Objection)))


@blueprint.post("/api/v1/ledger/<entry_id>/decision")
@documented(body=scoring.ObjectionDecision, returns=views.LedgerEntry, problems=(409,))
@requires("points:decide")
def decide_objection(entry_id):
    return jsonify(call("scoring", "decide_objection", g.caller, entry_id, json_body(scoring.ObjectionDecision)))


@blueprint.post("/api/v1/ledger/<entry_id>/reversal")
@documented(body=scoring.Correction, returns=views.LedgerEntry, status=201, problems=(409,))
@requires("points:review")
def reverse_entry(entry_id):
    """A correction or a late appeal: a reversing entry, never an edit."""
    return jsonify(call("scoring", "reverse_entry", g.caller, entry_id, json_body(scoring.Correction))), 201


@blueprint.post("/api/v1/fund-periods")
@documented(body=scoring.FundPeriodOpen, returns=views.FundPeriod, status=201, problems=(409,))
@requires("fund:settle")
def open_period():
    return jsonify(call("scoring", "open_period", g.caller, json_body(scoring.FundPeriodOpen))), 201


@blueprint.post("/api/v1/fund-periods/<code>/settlement")
@documented(returns=views.Settlement, problems=(409,))
@requires("fund:settle")
def settle_period(code):
    return jsonify(call("scoring", "settle_period", g.caller, code))


@blueprint.get("/api/v1/staff-performance")
@documented(query=views.PeriodQuery, returns=views.StaffPerformance)
@requires("staff:read")
def staff_performance():
    period = request.args.get("period", "")
    if not period:
        raise Problem.on_field(422, "period", "required")
    return jsonify(items=call("scoring", "staff_performance", g.caller, period))


@blueprint.get("/api/v1/public/<community>/publication/<period>")
@documented(returns=views.Publication)
@public("publication:read")
def publication(community, period):
    """公示: household codes and points (and payouts once settled), never a name. No sign-in needed."""
    return jsonify(call("scoring", "publication", community, period))


# --- operations -----------------------------------------------------------
@blueprint.get("/healthz")
@documented(returns=views.Health, summary="Each service's health (503 when any is down)", calls_service=False,
            extra_responses={503: {"description": "Some service is down: the same answer, status degraded",
                                   "content": {"application/json": {"schema": views.Health}}}})
@public("health:read")
def healthz():
    """Each service's own answer; 503 when any is down. No personal data."""
    services = services_health()
    healthy = all(s["status"] == "ok" for s in services.values())
    return jsonify(status="ok" if healthy else "degraded", services=services), 200 if healthy else 503
