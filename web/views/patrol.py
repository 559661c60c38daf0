"""巡查: start a patrol, 打卡 at buildings with an optional photo, end it. Each step carries the
moment the phone took it (the outbox may send it later) and the form's key as the patrol's or
check-in's own id, so a resend is the same step."""
import json
from datetime import datetime, timezone

from flask import Blueprint, g, render_template, request, url_for

from web.views.access import signed_in
from web.views.forms import finish, key_of_form, new_key, text, upload_photos

blueprint = Blueprint("patrol", __name__)

WALKERS = ("grid_worker", "grid_leader")
# Where the page puts the id of a patrol started offline (its start's key), known only in the phone.
QUEUED_PATROL = "queued-patrol"


def _moment() -> str:
    """When the person acted: the phone's clock from the form, else now."""
    return text("at") or datetime.now(timezone.utc).isoformat()


@blueprint.get("/patrol")
@signed_in(WALKERS)
def current():
    mine = g.api.get("/api/v1/patrols", walker=g.sign_in.account["staff_code"], per_page=5)["items"]
    walking = next((p for p in mine if not p.get("ended_at")), None)
    detail = g.api.get(f"/api/v1/patrols/{walking['id']}") if walking else None
    # Each form's key is a plain UUID: the platform takes it as the patrol's or the check-in's id.
    # The places are there even before a start: a patrol started offline checks in from this page.
    return render_template("patrol.html", walking=detail, recent=[p for p in mine if p.get("ended_at")],
                           places=g.api.get("/api/v1/places"), start_key=new_key(), check_in_key=new_key(),
                           end_key=new_key(), queued_id=QUEUED_PATROL)


@blueprint.post("/patrol")
@signed_in()
def start():
    g.api.post("/api/v1/patrols", {"id": key_of_form(), "started_at": _moment()})
    return finish(url_for("patrol.current"))


@blueprint.post("/patrol/<patrol_id>/check-ins")
@signed_in()
def check_in(patrol_id):
    key = key_of_form()
    photos = upload_photos(g.api, key)
    body = {"id": key, "building": text("building") or "", "unit": text("unit"), "at": _moment(),
            "note": text("note"), "photo": photos[0] if photos else None,
            "latitude": text("latitude"), "longitude": text("longitude")}
    g.api.post(f"/api/v1/patrols/{patrol_id}/check-ins", body)
    return finish(url_for("patrol.current"))


@blueprint.post("/patrol/<patrol_id>/end")
@signed_in()
def end(patrol_id):
    g.api.post(f"/api/v1/patrols/{patrol_id}/end", {"ended_at": _moment()}, idempotency_key=key_of_form())
    return finish(url_for("patrol.current"))


@blueprint.post("/patrol/<patrol_id>/track")
@signed_in()
def track(patrol_id):
    """Points the open page sampled (static/js/console.js), kept in the outbox like every step and sent
    on in one go; the same points twice are one track (the platform keys a point by its moment)."""
    try:
        points = json.loads(request.form.get("points") or "null")
    except ValueError:
        points = None  # the gateway names the field
    g.api.post(f"/api/v1/patrols/{patrol_id}/track", {"points": points})
    return finish(url_for("patrol.current"))
