"""The gateway's Flask application; gunicorn serves ``gateway.wsgi:app``."""
import logging
import os
from dataclasses import dataclass

from flask import Flask, g, request
from sqlalchemy.orm import sessionmaker
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from gateway import api, audit, auth, desk, idempotency, input_checks, open311, openapi, ops, permissions
from gateway.problems import Problem, from_exception, problem_response
from gateway.rpc import RpcPool
from gateway.throttle import LoginThrottle
from gateway.tokens import Tokens
from shared.config import check_secret_key, component_config
from shared.db import create_db_engine, session_factory
from shared.web_metrics import WebMetrics, instrument

log = logging.getLogger(__name__)

HTTP_PROBLEMS = {404: "route_not_found", 405: "method_not_allowed", 413: "payload_too_large"}


@dataclass
class Gateway:
    rpc: RpcPool
    health_rpc: RpcPool
    sessions: sessionmaker
    tokens: Tokens
    throttle: LoginThrottle
    config: dict
    metrics: WebMetrics


def create_app(config: dict | None = None) -> Flask:
    config = config or component_config("gateway")
    bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
    check_secret_key(config["SECRET_KEY"], bind)
    app = Flask(__name__, static_folder=None)  # no static files: every route is in the OpenAPI document
    app.config["MAX_CONTENT_LENGTH"] = int(config["MAX_REQUEST_BYTES"])
    app.json.ensure_ascii = False
    proxy_hops = int(config["TRUSTED_PROXY_HOPS"])
    if proxy_hops:
        # Behind that many reverse proxies, the client's address is what they put in X-Forwarded-For.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxy_hops, x_proto=proxy_hops)
    sessions = session_factory(create_db_engine(config["DATABASE_URL"]))
    tokens = Tokens(config["SECRET_KEY"], int(config["ACCESS_TOKEN_TTL_S"]), int(config["REFRESH_TOKEN_TTL_S"]))
    app.extensions["gateway"] = Gateway(
        rpc=RpcPool(config["AMQP_URI"], float(config["RPC_TIMEOUT_S"]), int(config["RPC_CALLS_PER_SERVICE"]),
                    float(config["RPC_SLOT_WAIT_S"]), int(config["BREAKER_FAILURES"]), float(config["BREAKER_OPEN_S"])),
        # Health questions on their own proxies, breakers and short timeout: never queued behind real calls.
        health_rpc=RpcPool(config["AMQP_URI"], float(config["HEALTH_TIMEOUT_S"]), 1, 0,
                           int(config["BREAKER_FAILURES"]), float(config["BREAKER_OPEN_S"])),
        sessions=sessions,
        tokens=tokens,
        throttle=LoginThrottle(sessions, int(config["LOGIN_MAX_FAILURES"]), int(config["LOGIN_LOCK_S"]),
                               int(config["LOGIN_ADDRESS_LIMIT"]), int(config["LOGIN_ADDRESS_WINDOW_S"])),
        config=config,
        metrics=WebMetrics("gateway"),
    )
    # App-wide, so they cover every blueprint, including those registered below later.
    input_checks.install(app)  # first: no other hook reads input that could not be stored
    idempotency.install(app, sessions, int(config["IDEMPOTENCY_TTL_S"]), int(config["IDEMPOTENCY_LEASE_S"]))
    audit.install(app, sessions)

    app.register_blueprint(auth.blueprint)
    app.register_blueprint(api.blueprint)
    app.register_blueprint(desk.blueprint)
    app.register_blueprint(audit.blueprint)
    app.register_blueprint(ops.blueprint)
    app.register_blueprint(open311.blueprint)
    app.register_blueprint(openapi.blueprint)

    @app.errorhandler(Problem)
    def _problem(problem: Problem):
        return problem_response(problem)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        code = HTTP_PROBLEMS.get(error.code, "invalid_value")
        params = {"max": f"{app.config['MAX_CONTENT_LENGTH'] // (1024 * 1024)} MB"} if error.code == 413 else {}
        return problem_response(Problem(error.code, code, params=params))

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        try:
            return problem_response(from_exception(error, g.get("service", "gateway")))
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            return problem_response(Problem(500, "internal_error"))

    instrument(app, app.extensions["gateway"].metrics)  # after the hooks above: it logs their request id
    # Last: every route registered above must have declared its action in the permission table.
    permissions.check_routes(app)
    return app
