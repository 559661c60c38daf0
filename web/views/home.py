"""Where each role lands, and 我的 (account, language, sign-out, the outbox)."""
from flask import Blueprint, current_app, g, redirect, render_template, send_from_directory, url_for

from web.views.access import signed_in

blueprint = Blueprint("home", __name__)

# The first screen of each role; roles without one here land on 我的.
HOMES = {
    "grid_worker": "work.todo", "grid_leader": "work.todo",
    "property_staff": "work.tasks",
    "resident": "reports.mine", "volunteer": "reports.mine", "unit_leader": "reports.mine",
    "building_leader": "reports.mine",
    # the desk screens
    "community_admin": "office.dashboard", "party_secretary": "office.dashboard",
    "street_platform": "office.street_queue", "station_staff": "desk.cases", "review_group": "desk.review",
    "district_it": "wall.ops",
}


@blueprint.get("/")
def start():
    if g.sign_in is None:
        return redirect(url_for("auth.sign_in_page"))
    return redirect(url_for(HOMES.get(g.sign_in.role, "home.me")))


@blueprint.get("/me")
@signed_in()
def me():
    return render_template("me.html")


@blueprint.get("/outbox")
@signed_in()
def outbox():
    return render_template("outbox.html")


@blueprint.get("/sw.js")
def service_worker():
    """From the site's root, so it may look after every page; never cached, so a new one takes over."""
    answer = send_from_directory(current_app.static_folder, "js/sw.js", mimetype="text/javascript", max_age=0)
    answer.headers["Cache-Control"] = "no-cache"
    return answer
