"""The web console's Flask application; gunicorn serves ``web.wsgi:app``.

Pages are rendered here and every piece of data comes from the gateway with
the signed-in person's own token (web.gateway_client). The browser holds an
HttpOnly cookie naming a server-side sign-in (web.sessions), a language cookie,
and nothing else.
"""
import hmac
import logging
import os
import secrets
from datetime import datetime

from flask import Flask, abort, g, jsonify, redirect, render_template, request, url_for
from flask_babel import Babel
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from shared.config import check_secret_key, component_config
from shared.db import create_db_engine, session_factory
from shared.times import SHANGHAI
from shared.web_metrics import WebMetrics, instrument
from web import views
from web.console import ANONYMOUS_COOKIE, LANG_COOKIE, LANGUAGES, SESSION_COOKIE, Console
from web.gateway_client import Api, GatewayClient, GatewayDown, GatewayProblem, next_step
from web.sessions import SessionStore
from web.views.forms import wants_json

log = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


def create_app(config: dict | None = None) -> Flask:
    config = config or component_config("web")
    bind = os.environ.get("WEB_BIND", "127.0.0.1:8100")
    check_secret_key(config["SECRET_KEY"], bind, "WEB_SECRET_KEY", "the console", "every form's CSRF token")
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = int(config["MAX_REQUEST_BYTES"])
    app.config["BABEL_DEFAULT_LOCALE"] = "zh"
    app.config["BABEL_DEFAULT_TIMEZONE"] = "Asia/Shanghai"
    proxy_hops = int(config["TRUSTED_PROXY_HOPS"])
    if proxy_hops:
        # Behind TLS-terminating proxies: their X-Forwarded-Proto makes the cookies Secure.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops)
    console = Console(
        gateway=GatewayClient(config["GATEWAY_URL"], float(config["GATEWAY_TIMEOUT_S"])),
        sessions=SessionStore(session_factory(create_db_engine(config["DATABASE_URL"])),
                              int(config["SESSION_IDLE_S"])),
        secret=config["SECRET_KEY"],
        demo_password=str(config.get("DEMO_PASSWORD") or ""),
        metrics=WebMetrics("web"),
    )
    app.extensions["console"] = console
    Babel(app, locale_selector=lambda: g.get("lang", "zh"), timezone_selector=lambda: "Asia/Shanghai")

    @app.before_request
    def _who_and_which_language():
        g.request_id = request.headers.get("X-Request-Id") or secrets.token_hex(8)
        wanted = request.args.get("lang") or request.cookies.get(LANG_COOKIE) or ""
        g.lang = wanted if wanted in LANGUAGES else "zh"
        g.sign_in = console.sessions.find(request.cookies.get(SESSION_COOKIE))
        g.visit = request.cookies.get(ANONYMOUS_COOKIE) or secrets.token_urlsafe(16)
        g.api = Api(console.gateway, console.sessions, g.sign_in, g.lang)
        if request.method not in SAFE_METHODS:
            sent = request.form.get("csrf_token") or request.headers.get("X-CSRF-Token", "")
            if not hmac.compare_digest(sent, csrf_token()):
                abort(400, "csrf")

    @app.after_request
    def _cookies_and_headers(response):
        secure = request.is_secure
        if request.args.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, request.args["lang"], max_age=365 * 86400, samesite="Lax",
                                secure=secure)
        sets_visit = any(h.startswith(f"{ANONYMOUS_COOKIE}=") for h in response.headers.getlist("Set-Cookie"))
        if g.get("sign_in") is None and ANONYMOUS_COOKIE not in request.cookies and "visit" in g and not sets_visit:
            response.set_cookie(ANONYMOUS_COOKIE, g.visit, httponly=True, samesite="Lax", secure=secure)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        # Everything the pages load comes from here: no other origin is reached by a page.
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'")
        return response

    def csrf_token() -> str:
        return console.csrf_token(g.sign_in.id if g.get("sign_in") else g.get("visit", ""))

    @app.context_processor
    def _page_context():
        return {"csrf_token": csrf_token, "lang": g.get("lang", "zh"), "me": g.sign_in.account if g.get("sign_in")
                else None, "nav": views.navigation(g.sign_in.role) if g.get("sign_in") else []}

    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.filters["local_date"] = lambda value: local_time(value, "%Y-%m-%d")

    @app.errorhandler(GatewayDown)
    def _gateway_down(error):
        title = _("平台暂时连接不上")
        if wants_json():  # the outbox keeps the item and sends it again later
            return jsonify(title=title, next_step=next_step(503), errors=[]), 503
        return render_template("error.html", status=503, title=title, next_step=next_step(503)), 503

    @app.errorhandler(GatewayProblem)
    def _problem(problem: GatewayProblem):
        # A resend that arrives while the first is still running: the outbox tries again later.
        status = 503 if problem.code == "idempotency_in_flight" else problem.status
        if wants_json():
            return jsonify(title=problem.title, next_step=problem.next_step, errors=problem.errors,
                           code=problem.code), status
        if status == 401:
            return redirect(url_for("auth.sign_in_page", next=request.full_path if request.method == "GET" else None))
        return render_template("error.html", status=status, title=problem.title, errors=problem.errors,
                               next_step=problem.next_step), status

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        if error.code == 400 and error.description == "csrf":
            title, step = _("页面已过期"), _("请返回上一页，刷新后再提交一次。")
        elif error.code == 403:
            title, step = _("您的账号不能使用这个页面"), next_step(403)
        elif error.code == 404:
            title, step = _("没有这个页面"), _("请从首页重新进入。")
        elif error.code == 413:
            title, step = _("提交的内容太大"), next_step(413)
        else:
            # Anything else (500 included: an unexpected failure is logged by Flask) in the person's words.
            title, step = _("这一步没有成功（%(code)s）", code=error.code), next_step(error.code or 500)
        if wants_json():
            return jsonify(title=title, next_step=step, errors=[]), error.code
        return render_template("error.html", status=error.code, title=title, next_step=step), error.code

    views.register(app)
    instrument(app, console.metrics)
    return app


def local_time(value, pattern: str = "%m-%d %H:%M") -> str:
    """An ISO 8601 time from the gateway, as a clock in Shanghai shows it."""
    if not value:
        return ""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return moment.astimezone(SHANGHAI).strftime(pattern)
