"""消息: what changed on my reports and tasks (assigned, deadline near, returned, closed), newest
first, with the unread count in the navigation (loaded by htmx after the page, so no page waits)."""
from flask import Blueprint, g, render_template, request, url_for

from web.views.access import signed_in
from web.views.forms import finish, key_of_form, new_key

blueprint = Blueprint("messages", __name__)


@blueprint.get("/messages")
@signed_in()
def inbox():
    page = max(request.args.get("page", 1, type=int), 1)
    found = g.api.get("/api/v1/notifications", page=page, per_page=20)
    return render_template("messages.html", found=found, page=page, key=new_key())


@blueprint.get("/messages/unread")
@signed_in()
def unread():
    """The badge's number, as a fragment for htmx."""
    count = g.api.get("/api/v1/notifications", unread="true", per_page=1)["unread"]
    return render_template("_unread.html", count=count)


@blueprint.post("/messages/read")
@signed_in()
def mark_read():
    g.api.post("/api/v1/notifications/read", {"up_to": request.form.get("up_to", type=int)},
               idempotency_key=key_of_form())
    return finish(url_for("messages.inbox"))
