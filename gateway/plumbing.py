"""What every route of the gateway does, whatever its blueprint: read its input
(checked with the shared contracts), call a service, and ask the services how
they are. The blueprints import this; it imports no blueprint."""
from flask import current_app, g, request

from gateway.problems import Problem, from_exception
from shared.config import SERVICE_NAMES
from shared.contracts.errors import InvalidInput, PlatformError
from shared.contracts.validation import load


def gateway_state():
    """The app's Gateway (gateway.app): RPC pool, sessions, tokens, throttle, config."""
    return current_app.extensions["gateway"]


def call(service: str, method: str, *args):
    """One RPC; whatever goes wrong comes back as a Problem naming the service."""
    g.service = service
    failure = None
    try:
        with gateway_state().rpc.cluster() as cluster:
            return getattr(getattr(cluster, service), method)(*args)
    except Problem:
        raise
    except Exception as exc:
        failure = None if isinstance(exc, PlatformError) else exc  # a refusal is the service's answer
        raise from_exception(exc, service) from exc
    finally:
        gateway_state().metrics.rpc_called(service, method, failure)


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
