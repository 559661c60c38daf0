"""Reports: the 事件上报 / 随手拍 wizard, 我的上报, one report with its timeline, 核查 and 评价,
and the report's photos (read through the gateway with the viewer's own token)."""
from flask import Blueprint, Response, g, render_template, request, url_for

from web.gateway_client import GatewayProblem, answer_of
from web.views.access import signed_in
from web.views.forms import finish, key_of_form, new_key, text, upload_photos

blueprint = Blueprint("reports", __name__)

GRID_STAFF = ("grid_worker", "grid_leader")
LEADERS = ("building_leader", "unit_leader")
REPORTERS = ("grid_worker", "grid_leader", "property_staff", "resident", "volunteer", "unit_leader",
             "building_leader")


def grouped(categories: list[dict]) -> list[dict]:
    """Categories in their groups, in the order the gateway lists them."""
    groups: dict[str, dict] = {}
    for category in categories:
        group = groups.setdefault(category["group"]["code"], {**category["group"], "categories": []})
        group["categories"].append(category)
    return list(groups.values())


def photo_path(url: str) -> str:
    """A photo the gateway stores (…/api/v1/media/<id>), as this console serves it."""
    return url_for("reports.photo", media_id=url.rstrip("/").rsplit("/", 1)[-1])


@blueprint.app_template_filter("photo")
def _photo_filter(url: str) -> str:
    return photo_path(url)


@blueprint.get("/report")
@signed_in(REPORTERS)
def new():
    account = g.sign_in.account
    categories = grouped(g.api.get("/api/v1/categories")["items"])
    return render_template("report_new.html", groups=categories, key=new_key(), places=g.api.get("/api/v1/places"),
                           building=account.get("building") if g.sign_in.role in LEADERS + ("resident",) else "",
                           grid=account.get("grid") if g.sign_in.role in GRID_STAFF else "")


@blueprint.get("/report/duplicates")
@signed_in(REPORTERS)
def duplicates():
    """The wizard asks, once a category and a building are chosen: open reports of the same kind at
    the same building, each to join with "me too" before a second report is made (a partial, htmx)."""
    category, building = request.args.get("category", ""), request.args.get("building", "")
    found = g.api.get("/api/v1/reports/possible-duplicates", category=category,
                      building=building)["items"] if category and building else []
    return render_template("_duplicates.html", candidates=found, key=new_key())


@blueprint.post("/report")
@signed_in()
def create():
    key = key_of_form()
    photos = upload_photos(g.api, key)
    body = {
        # The form's key is the report's own id: sent again, even days later from the outbox, it is filed once.
        "id": key,
        "category": text("category") or "",
        "description": text("description") or "",
        "building": text("building"),
        "unit": text("unit"),
        "address": text("address"),
        # WGS-84 as the phone's geolocation gives it, stored as such (the gateway checks the numbers).
        "latitude": text("latitude"),
        "longitude": text("longitude"),
        "urgent": request.form.get("urgent") == "1",
        "photos": photos,
        # On patrol for the grid staff; the console is the web channel for everyone else.
        "channel": "patrol" if g.sign_in.role in GRID_STAFF else "web",
    }
    if g.sign_in.role in GRID_STAFF and g.sign_in.account.get("grid"):
        body["grid"] = g.sign_in.account["grid"]
    created = g.api.post("/api/v1/reports", body, idempotency_key=f"{key}:report")
    duplicates = [item["id"] for item in created.get("possible_duplicates", {}).get("items", [])]
    return finish(url_for("reports.report", report_id=created["report"]["id"], created=1,
                          duplicate=duplicates or None))


@blueprint.get("/my-reports")
@signed_in(REPORTERS)
def mine():
    page = max(request.args.get("page", 1, type=int), 1)
    found = g.api.get("/api/v1/reports", reporter=g.sign_in.account["account_id"], page=page, per_page=20)
    return render_template("my_reports.html", reports=found["items"], page=page, total=found["total"],
                           per_page=found["per_page"])


@blueprint.get("/reports/<report_id>")
@signed_in()
def report(report_id):
    found = g.api.get(f"/api/v1/reports/{report_id}")
    duplicates = []
    for duplicate_id in request.args.getlist("duplicate")[:5]:
        try:
            duplicates.append(g.api.get(f"/api/v1/reports/{duplicate_id}"))
        except GatewayProblem as problem:
            if problem.status not in (403, 404):  # one the viewer may not see is simply not listed
                raise
    role, me = g.sign_in.role, g.sign_in.account
    may_verify = found["status"] == "resolved" and role in GRID_STAFF
    may_rate = found["status"] == "closed" and not found.get("rating") and found["reporter"]["id"] == me["account_id"]
    return render_template("report.html", report=found, duplicates=duplicates,
                           created=bool(request.args.get("created")), may_verify=may_verify, may_rate=may_rate,
                           key=new_key(), reasons=g.api.get("/api/v1/reasons") if may_verify else {})


@blueprint.post("/reports/<report_id>/verification")
@signed_in()
def verify(report_id):
    key, passed = key_of_form(), request.form.get("passed") == "1"
    body = {"passed": passed, "note": text("note"), "photos": upload_photos(g.api, key)}
    if not passed and text("reason_code"):
        body["reason_code"] = text("reason_code")
    g.api.post(f"/api/v1/reports/{report_id}/verification", body, idempotency_key=key)
    return finish(url_for("reports.report", report_id=report_id))


@blueprint.post("/reports/<report_id>/me-too")
@signed_in()
def me_too(report_id):
    """附议: the same problem, joined instead of reported twice. Then the report's page, or, for one
    the person may not read (a neighbour's), a page that says it was joined."""
    joined = g.api.post(f"/api/v1/reports/{report_id}/me-too", {}, idempotency_key=key_of_form())
    try:
        g.api.get(f"/api/v1/reports/{report_id}")
    except GatewayProblem as problem:
        if problem.status not in (403, 404):
            raise
        return finish(url_for("reports.joined", report_id=report_id, supporters=joined["supporters"]))
    return finish(url_for("reports.report", report_id=report_id))


@blueprint.get("/reports/<report_id>/joined")
@signed_in(REPORTERS)
def joined(report_id):
    return render_template("joined.html", report_id=report_id, supporters=request.args.get("supporters", type=int))


@blueprint.post("/reports/<report_id>/rating")
@signed_in()
def rate(report_id):
    g.api.post(f"/api/v1/reports/{report_id}/rating", {"rating": text("rating") or "", "comment": text("comment")},
               idempotency_key=key_of_form())
    return finish(url_for("reports.report", report_id=report_id))


@blueprint.get("/media/<media_id>")
@signed_in()
def photo(media_id):
    answer = g.api.call_raw("GET", f"/api/v1/media/{media_id}")
    if answer.status_code != 200:
        answer_of(answer)  # raises the gateway's problem
    return Response(answer.content, content_type=answer.headers.get("Content-Type", "image/jpeg"),
                    headers={"Cache-Control": "private, max-age=86400"})
