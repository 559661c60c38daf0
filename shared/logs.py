"""JSON log lines for every process: one object per line on stdout.

    {"time": "…Z", "level": "INFO", "logger": "…", "message": "…", "service": "dispatch",
     "instance": "dispatch-7c9f…:1", "request_id": "…", "event_id": "…", "correlation_id": "…"}

What a line carries beyond the record comes from LOG_CONTEXT, which a nameko
worker (shared.observability) or a web request (shared.gunicorn_setup) sets
once; ``extra={"fields": {...}}`` adds a line's own fields (an access line's
route and status). Never a body, a name or a phone number.
"""
import json
import logging
import os
import socket
import traceback
from contextvars import ContextVar
from datetime import UTC, datetime

# What the current worker or request is about. A context variable, so each green
# thread (nameko) and each thread (gunicorn gthread) has its own.
LOG_CONTEXT: ContextVar[dict | None] = ContextVar("grid_log_context", default=None)


def instance_name() -> str:
    """The pod (or host) and the process: which replica wrote a line."""
    return f"{os.environ.get('HOSTNAME') or socket.gethostname()}:{os.getpid()}"


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str = "", **kwargs):
        super().__init__(**kwargs)
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "service": self.service,
            # Read per line: gunicorn forks its workers after the formatter is made.
            "instance": instance_name(),
            **(LOG_CONTEXT.get() or {}),
            **{key: value for key, value in getattr(record, "fields", {}).items() if value is not None},
        }
        if record.exc_info:
            entry["error"] = "".join(traceback.format_exception(*record.exc_info)).strip()
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_config(service: str, level: str = "INFO") -> dict:
    """For logging.config.dictConfig: JSON lines on stdout (nameko's config.yml says the same in YAML)."""
    return {
        "version": 1,
        # Loggers that exist before this is applied must keep writing.
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter, "service": service}},
        "handlers": {"stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}},
        "root": {"level": level, "handlers": ["stdout"]},
    }
