"""gunicorn settings for the gateway: threads (gthread), not eventlet.

Each worker process makes its own RPC proxies lazily after the fork.
"""
import os

bind = os.environ.get("GATEWAY_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GATEWAY_WORKERS", "2"))
threads = int(os.environ.get("GATEWAY_THREADS", "8"))
# A request never waits longer than the RPC timeout; this only catches a stuck worker.
timeout = 60
graceful_timeout = 10
accesslog = "-"
errorlog = "-"
