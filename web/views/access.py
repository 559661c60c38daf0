"""Pages for signed-in people only, and pages a role has no use for."""
from functools import wraps

from flask import abort, g, redirect, request, url_for


def signed_in(roles: tuple[str, ...] | None = None):
    """The page needs a sign-in (and, with ``roles``, one of those roles: the others get a 403 page;
    the gateway would refuse their calls anyway). Actions (POST) take no ``roles``: whoever may
    not act gets the gateway's own refusal, so the permission table stays the one authority."""
    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            if g.sign_in is None:
                return redirect(url_for("auth.sign_in_page", next=request.full_path.rstrip("?")))
            if roles is not None and g.sign_in.role not in roles:
                abort(403)
            return view(*args, **kwargs)
        return guarded
    return decorate
