"""What every route of the gateway does, whatever its blueprint: read its input
(checked with the shared contracts), call a service, and ask the services how
they are. The blueprints import this; it imports no blueprint.

Every call made for a request that may change something (any method but GET and
HEAD) carries a request id, ``command_id``: commands need one (shared.entrypoints)
and record it with their change; queries ignore it. It is derived from the
request's Idempotency-Key when it has one (so a retry sends the same ids and the
service answers what it did the first time), else made for this request; the
n-th call of a method in a request gets its own.
"""
import uuid

from flask import current_app, g, request

from gateway.idempotency import request_key
from gateway.problems import Problem, from_exception
from shared.config import SERVICE_NAMES
from shared.contracts.errors import InvalidInput, PlatformError
from shared.contracts.validation import load

READS = frozenset({"GET", "HEAD"})


def gateway_state():
    """The app's Gateway (gateway.app): RPC pool, sessions, tokens, throttle, config."""
    return current_app.extensions["gateway"]


def call(service: str, method: str, *args):
    """One RPC; whatever goes wrong comes back as a Problem naming the service."""
    g.service = service
    failure = None
    extra = {} if request.method in READS else {"command_id": command_id(service, method)}
    try:
        with gateway_state().rpc.cluster() as cluster:
            return getattr(getattr(cluster, service), method)(*args, **extra)
    except Problem:
        raise
    except Exception as exc:
        failure = None if isinstance(exc, PlatformError) else exc  # a refusal is the service's answer
        raise from_exception(exc, service) from exc
    finally:
        gateway_state().metrics.rpc_called(service, method, failure)


def command_id(service: str, method: str) -> str:
    base = request_key() or g.setdefault("command_base", uuid.uuid4().hex)
    calls = g.setdefault("command_calls", {})
    name = f"{service}.{method}"
    calls[name] = calls.get(name, 0) + 1
    return f"{base}:{name}:{calls[name]}"


def json_body(schema=None) -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise Problem(400, "not_json")
    if schema is None:
        return data
    try:
        load(schema, data)  # fail fast here; the service checks again
    except InvalidInput as exc:
        raise Problem(422, "invalid_input", exc.errors) from None
    return data


def query_args(schema) -> dict:
    """The query string, checked like a body; passed on as given (strings) for the service to load."""
    args = request.args.to_dict()
    args.pop("lang", None)
    try:
        load(schema, args)
    except InvalidInput as exc:
        raise Problem(422, "invalid_input", exc.errors) from None
    return args


def services_health() -> dict:
    """Each service's own health answer, or why it gave none."""
    services = {}
    for name in SERVICE_NAMES:
        try:
            services[name] = {"status": "ok", **call(name, "health")}
        except Problem as problem:
            services[name] = {"status": "down", "reason": problem.code}
    return services
