"""gunicorn settings for the gateway: threads (gthread, gateway.workers), not eventlet.

Each worker process makes its own RPC proxies lazily after the fork. Logs are
JSON lines; the master serves every worker's metrics on METRICS_BIND.
"""
import os

from shared import gunicorn_setup

bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
worker_class = "gateway.workers.ProblemThreadWorker"  # gthread, limits answered in problem+json
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
# A request never waits longer than the RPC timeout; this only catches a stuck worker.
timeout = 60
# On SIGTERM a worker finishes the requests it has (each at most RPC_TIMEOUT_S of waiting) before it exits.
graceful_timeout = int(os.environ.get("GATEWAY_GRACEFUL_TIMEOUT_S", "30"))
errorlog = "-"
logconfig_dict = gunicorn_setup.logconfig("gateway")
when_ready = gunicorn_setup.serve_metrics
child_exit = gunicorn_setup.forget_worker
