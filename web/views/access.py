"""Pages for signed-in people only, and pages a role has no use for."""
from functools import wraps

from flask import abort, g, jsonify, redirect, request, url_for
from flask_babel import gettext as _

from web.gateway_client import next_step
from web.views.forms import wants_json


def signed_in(roles: tuple[str, ...] | None = None):
    """The page needs a sign-in (and, with ``roles``, one of those roles: the others get a 403 page;
    the gateway would refuse their calls anyway). Actions (POST) take no ``roles``: whoever may
    not act gets the gateway's own refusal, so the permission table stays the one authority."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if g.sign_in is None:
                if wants_json():  # the outbox keeps the item until the person has signed in again
                    return jsonify(title=_("请先登录"), next_step=next_step(401), errors=[]), 401
                return redirect(url_for("auth.sign_in_page", next=request.full_path.rstrip("?")))
            if roles is not None and g.sign_in.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate
