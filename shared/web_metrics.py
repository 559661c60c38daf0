"""Request metrics and access lines of a Flask app (the gateway, web/).

    metrics = WebMetrics("gateway")
    instrument(app, metrics)        # in the app factory, after the hook that sets g.request_id
    metrics.rpc_called("reporting", "get_report", error)

Under gunicorn the samples go to PROMETHEUS_MULTIPROC_DIR (shared.gunicorn_setup)
and the master serves them; elsewhere (tests) they stay in the process.
"""
import logging
import time

from flask import g, request
from prometheus_client import Counter, Histogram

from shared.logs import LOG_CONTEXT

access_log = logging.getLogger("grid.access")

# Seconds, from a cached read to a call that waited for a slow service (the RPC timeout is 10 s).
REQUEST_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class WebMetrics:
    """HTTP requests by route and status with their time, and RPC calls by service, method and outcome."""

    def __init__(self, service: str):
        self.service = service
        # registry=None: in multiprocess mode the master's collector reads every worker's files.
        self.requests = Counter("grid_http_requests", "HTTP requests answered, by route template and status",
                                ["service", "route", "method", "status"], registry=None)
        self.seconds = Histogram("grid_http_request_seconds", "Time to answer an HTTP request",
                                 ["service", "route", "method"], buckets=REQUEST_BUCKETS_S, registry=None)
        self.rpc_calls = Counter("grid_rpc_calls", "RPC calls made, by service and method",
                                 ["service", "target", "method"], registry=None)
        self.rpc_errors = Counter("grid_rpc_errors", "RPC calls that did not answer (timeout, service error), "
                                  "by service, method and error", ["service", "target", "method", "error"],
                                  registry=None)

    def rpc_called(self, target: str, method: str, error: Exception | None = None) -> None:
        self.rpc_calls.labels(self.service, target, method).inc()
        if error is not None:
            self.rpc_errors.labels(self.service, target, method, type(error).__name__).inc()


def instrument(app, metrics: WebMetrics) -> None:
    """Count and time every request of ``app``, log one access line each, and give lines written
    while a request runs its request id (``g.request_id``)."""
    service = metrics.service

    @app.before_request
    def _start():
        g.metrics_started = time.perf_counter()
        request_id = g.get("request_id")
        g.log_context = LOG_CONTEXT.set({"request_id": request_id} if request_id else {})

    @app.after_request
    def _count(response):
        started = g.pop("metrics_started", None)
        if started is None:  # a request refused before the hooks ran
            return response
        seconds = time.perf_counter() - started
        route = request.url_rule.rule if request.url_rule else "unmatched"
        metrics.requests.labels(service, route, request.method, str(response.status_code)).inc()
        metrics.seconds.labels(service, route, request.method).observe(seconds)
        # The path without its query string: a query may carry what a log must not.
        access_log.info("%s %s %s", request.method, request.path, response.status_code, extra={"fields": {
            "method": request.method, "route": route, "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1), "request_id": g.get("request_id")}})
        return response

    @app.teardown_request
    def _forget(_error=None):
        token = g.pop("log_context", None)
        if token is not None:
            LOG_CONTEXT.reset(token)
