"""Sign in through the gateway, sign out; the demo accounts when the demo is loaded."""
from urllib.parse import urlparse

from flask import Blueprint, g, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from web.console import ANONYMOUS_COOKIE, SESSION_COOKIE, console_state
from web.gateway_client import GatewayProblem

blueprint = Blueprint("auth", __name__)

# The demo street's people, one of each kind, for the sign-in page's two-click buttons.
DEMO_ACCOUNTS = (
    ("zhangyan", _l("张燕 · 网格员（4 网格）")),
    ("wuli", _l("吴丽 · 物业")),
    ("ytl-44-1-01", _l("居民 · 44 号楼 1 单元")),
    ("ytl-bl-44", _l("楼长 · 44 号楼")),
    ("ytl-gl-04", _l("网格长 · 4 网格")),
    ("ytl-admin", _l("社区办公室")),
    ("lanshan-street", _l("街道平台")),
    ("ytl-reception", _l("接访站")),
    ("ytl-review-01", _l("评议小组")),
    ("district-it", _l("区信息中心")),
)


def _safe_next(target: str | None) -> str | None:
    """Only a path of this site: a sign-in link must not send people elsewhere."""
    if not target:
        return None
    parsed = urlparse(target)
    return target if not parsed.scheme and not parsed.netloc and target.startswith("/") else None


@blueprint.get("/signin")
def sign_in_page():
    if g.sign_in is not None:
        return redirect(url_for("home.start"))
    console = console_state()
    return render_template("signin.html", demo=DEMO_ACCOUNTS if console.demo_password else (),
                           next=_safe_next(request.args.get("next")))


@blueprint.post("/signin")
def sign_in():
    console = console_state()
    demo_user = request.form.get("demo")
    if demo_user and console.demo_password and demo_user in dict(DEMO_ACCOUNTS):
        username, password = demo_user, console.demo_password
    else:
        username, password = request.form.get("username", "").strip(), request.form.get("password", "")
    try:
        issued = console.gateway.sign_in(username, password, g.lang)
    except GatewayProblem as problem:
        return render_template("signin.html", problem=problem, username=username,
                               demo=DEMO_ACCOUNTS if console.demo_password else (),
                               next=_safe_next(request.form.get("next")))
    sign_in = console.sessions.open(issued["account"], issued["access_token"], issued["refresh_token"])
    response = make_response(redirect(_safe_next(request.form.get("next")) or url_for("home.start")))
    response.set_cookie(SESSION_COOKIE, sign_in.id, httponly=True, samesite="Lax", secure=request.is_secure)
    response.delete_cookie(ANONYMOUS_COOKIE)
    return response


@blueprint.post("/signout")
def sign_out():
    console = console_state()
    if g.sign_in is not None:
        console.gateway.sign_out(g.sign_in.refresh_token, g.lang)
        console.sessions.close(g.sign_in.id)
    response = make_response(redirect(url_for("auth.sign_in_page")))
    response.delete_cookie(SESSION_COOKIE)
    return response
