"""gunicorn settings for the console: threads (gthread), like the gateway; every page waits on
the gateway over HTTP, so threads keep a worker busy with many slow phones at once."""
import os

from shared import gunicorn_setup

bind = os.environ.get("WEB_BIND", "127.0.0.1:8100")
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "2"))
threads = int(os.environ.get("WEB_THREADS", "8"))
# A page waits at most WEB_GATEWAY_TIMEOUT_S for each gateway call; this only catches a stuck worker.
timeout = 60
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT_S", "30"))
errorlog = "-"
logconfig_dict = gunicorn_setup.logconfig("web")
when_ready = gunicorn_setup.serve_metrics
child_exit = gunicorn_setup.forget_worker
