"""gunicorn settings the gateway and web/ share: JSON logs, and Prometheus
metrics from every worker process served by the master. Only a gunicorn.conf.py
imports this module:

    from shared import gunicorn_setup
    logconfig_dict = gunicorn_setup.logconfig("gateway")
    when_ready = gunicorn_setup.serve_metrics      # the master serves /metrics on METRICS_BIND
    child_exit = gunicorn_setup.forget_worker

(the app counts its requests with shared.web_metrics.instrument). Workers are
separate processes, so each writes its samples to files in
PROMETHEUS_MULTIPROC_DIR and the master adds them up when scraped. That
variable must be set before prometheus_client is first imported, which is why
this module sets it before anything else.
"""
import os
import tempfile

# A fresh folder per start, so counters never resume from a previous run's files.
os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="grid-metrics-")

from prometheus_client import CollectorRegistry, multiprocess, start_http_server  # noqa: E402

from shared.logs import logging_config  # noqa: E402


def logconfig(service: str) -> dict:
    config = logging_config(service, os.environ.get("LOG_LEVEL", "INFO"))
    # gunicorn's own messages go through the JSON handler; access lines come from shared.web_metrics.
    config["loggers"] = {"gunicorn.error": {"propagate": True}, "gunicorn.access": {"propagate": False}}
    return config


def serve_metrics(server) -> None:
    """gunicorn's when_ready hook: the master serves every worker's samples on METRICS_BIND."""
    bind = os.environ.get("METRICS_BIND", "127.0.0.1:0")
    host, _, port = bind.rpartition(":")
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    metrics_server, _thread = start_http_server(int(port), addr=host or "0.0.0.0", registry=registry)
    server.log.info("metrics on http://%s:%s/metrics", host, metrics_server.server_port)


def forget_worker(server, worker) -> None:
    """gunicorn's child_exit hook: a dead worker's live gauges leave with it."""
    multiprocess.mark_process_dead(worker.pid)
