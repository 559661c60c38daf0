"""Errors as application/problem+json (RFC 9457), in the caller's language.

Every problem has a code (also its type), a title people can read, the HTTP
status, and for bad input a list of the fields at fault, each with its message.
Remote errors from the services are mapped here, in one place.
"""
import logging
import socket

from amqp.exceptions import ConnectionError as AmqpConnectionError
from flask import Response, json, request
from kombu.exceptions import OperationalError
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService

from shared.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound, PlatformError
from shared.contracts.messages import render

log = logging.getLogger(__name__)

STATUS_OF = {InvalidInput: 422, NotFound: 404, Forbidden: 403, Conflict: 409}
RETRY_AFTER_S = 2
BROKER_DOWN = (OSError, socket.timeout, AmqpConnectionError, OperationalError)


class Problem(Exception):
    """Raised inside the gateway to answer with a problem."""

    def __init__(self, status: int, code: str, errors: list[dict] | None = None, params: dict | None = None,
                 headers: dict | None = None):
        super().__init__(code)
        self.status, self.code, self.errors, self.params = status, code, errors or [], params or {}
        self.headers = headers or {}  # e.g. Retry-After on a 429, WWW-Authenticate on a 401

    @classmethod
    def on_field(cls, status: int, field: str, code: str, **params) -> "Problem":
        """A problem that is about one field."""
        return cls(status, code, [{"field": field, "code": code, "params": params}], params)


def language() -> str:
    wanted = request.args.get("lang") or request.headers.get("Accept-Language", "")
    return "en" if wanted.lower().startswith("en") else "zh"


def problem_response(problem: Problem) -> Response:
    lang = language()
    body = {
        "type": f"/problems/{problem.code}",
        "title": render(problem.code, lang, **problem.params),
        "status": problem.status,
        "code": problem.code,
        "instance": request.path,
    }
    if problem.errors:
        body["errors"] = [
            {"field": e["field"], "code": e["code"], "message": render(e["code"], lang, **field_params(e, lang))}
            for e in problem.errors
        ]
    return Response(json.dumps(body, ensure_ascii=False), status=problem.status,
                    content_type="application/problem+json; charset=utf-8",
                    headers={"Content-Language": "en" if lang == "en" else "zh-CN", **retry_after(problem),
                             **problem.headers})


def retry_after(problem: Problem) -> dict:
    """Every 503 says when to try again (a breaker's own wait, when it has one, comes in problem.headers)."""
    return {"Retry-After": str(RETRY_AFTER_S)} if problem.status == 503 else {}


def field_params(error: dict, lang: str) -> dict:
    """An error's message parameters in ``lang`` (a type's Chinese name for zh)."""
    params = dict(error.get("params") or {})
    if lang == "zh" and "expected_zh" in params:
        params["expected"] = params["expected_zh"]
    return params


def from_exception(exc: Exception, service: str) -> Problem:
    """What a failed RPC call means for the person who made the request."""
    if isinstance(exc, InvalidInput):
        return Problem(422, "invalid_input", exc.errors)
    if isinstance(exc, PlatformError):
        errors = [{"field": exc.field, "code": exc.code, "params": exc.params}] if exc.field else None
        return Problem(STATUS_OF.get(type(exc), 400), exc.code, errors, exc.params)
    if isinstance(exc, RpcTimeout):
        return Problem(503, "timeout", params={"service": service})
    if isinstance(exc, (UnknownService, *BROKER_DOWN)):
        return Problem(503, "service_unavailable", params={"service": service})
    if isinstance(exc, RemoteError):
        log.error("%s failed: %s", service, exc)
        return Problem(500, "internal_error")
    raise exc
