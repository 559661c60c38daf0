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
import math
import time
import uuid
from concurrent.futures import ThreadPoolExecutor, wait

from flask import current_app, g, request

from gateway.idempotency import request_key
from gateway.problems import Problem, from_exception
from gateway.rpc import ServiceUnavailable
from shared.config import SERVICE_NAMES
from shared.contracts.errors import InvalidInput, PlatformError
from shared.contracts.validation import load

READS = frozenset({"GET", "HEAD"})
ORGANISATION_TTL_S = 300
HEALTH_GRACE_S = 0.2  # beyond HEALTH_TIMEOUT_S: a proxy's own set-up


def gateway_state():
    """The app's Gateway (gateway.app): RPC pool, sessions, tokens, throttle, config."""
    return current_app.extensions["gateway"]


def call(service: str, method: str, *args):
    """One RPC; whatever goes wrong comes back as a Problem naming the service."""
    g.service = service
    failure = None
    extra = {} if request.method in READS else {"command_id": command_id(service, method)}
    try:
        with gateway_state().rpc.cluster(service) as cluster:
            return getattr(getattr(cluster, service), method)(*args, **extra)
    except Problem:
        raise
    except ServiceUnavailable as unavailable:
        failure = unavailable
        raise Problem(503, unavailable.code, params={"service": service},
                      headers={"Retry-After": str(math.ceil(unavailable.retry_after_s))}) from None
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


_organisations: dict[str, tuple[float, dict]] = {}


def organisation(community: str) -> dict:
    """dispatch.public_organisation, kept a few minutes per worker (names change rarely)."""
    now = time.monotonic()
    cached = _organisations.get(community)
    if cached and now - cached[0] < ORGANISATION_TTL_S:
        return cached[1]
    found = call("dispatch", "public_organisation", community)
    if found.get("community") is not None:  # only real communities: the key comes from the caller
        _organisations[community] = (now, found)
    return found


def known_building(community: str, building: str | None) -> None:
    """Refuse a building the community does not have (as Open311 does). Only while dispatch, which
    keeps the buildings, answers: a report must not wait on it."""
    if building is None:
        return
    try:
        buildings = organisation(community)["buildings"]
    except Problem as problem:
        if problem.status == 503:
            return
        raise
    if building not in buildings:
        raise Problem.on_field(422, "building", "unknown_building", value=building)


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
    """Each service's own health answer, or why it gave none: asked all at once, each given
    HEALTH_TIMEOUT_S, so the answer comes within about that whatever is down."""
    gateway = gateway_state()
    timeout_s = float(gateway.config["HEALTH_TIMEOUT_S"])
    asking = ThreadPoolExecutor(len(SERVICE_NAMES))
    try:
        futures = {name: asking.submit(_service_health, gateway, name) for name in SERVICE_NAMES}
        wait(futures.values(), timeout=timeout_s + HEALTH_GRACE_S)
        return {name: future.result() if future.done() else {"status": "down", "reason": "timeout"}
                for name, future in futures.items()}
    finally:
        asking.shutdown(wait=False)  # one still connecting to an absent broker ends on its own


def _service_health(gateway, name: str) -> dict:
    failure = None
    try:
        with gateway.health_rpc.cluster(name) as cluster:
            return {"status": "ok", **getattr(cluster, name).health()}
    except ServiceUnavailable as unavailable:
        failure = unavailable
        return {"status": "down", "reason": unavailable.code}
    except Exception as exc:
        failure = exc
        try:
            return {"status": "down", "reason": from_exception(exc, name).code}
        except Exception:
            return {"status": "down", "reason": "internal_error"}
    finally:
        gateway.metrics.rpc_called(name, "health", failure)
