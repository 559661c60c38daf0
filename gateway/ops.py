"""Operations for district IT: services' health, parked events, replay.

No personal data: only service states, queue names and counts. The parked
queues and their replay are shared.bus's (the same as ``python -m shared.bus
parked|replay``). The gateway's own probes for its orchestrator: /livez (the
process answers) and /readyz (its database and the broker answer); a service
being down makes neither fail, since the gateway still serves the others.
"""
from flask import Blueprint, g, jsonify
from kombu import Connection
from sqlalchemy import text

from gateway import views
from gateway.guard import requires
from gateway.openapi import documented
from gateway.permissions import public
from gateway.plumbing import gateway_state, services_health
from gateway.problems import Problem, from_exception
from shared import bus
from shared.contracts.subscriptions import SUBSCRIPTIONS

blueprint = Blueprint("ops", __name__)

BROKER_CHECK_TIMEOUT_S = 2
PROBE_DOWN = {503: {"description": "Not ready: the checks say which dependency does not answer",
                    "content": {"application/json": {"schema": views.Probe}}}}


def _amqp_uri() -> str:
    return gateway_state().config["AMQP_URI"]


def _broker(operation, *args):
    g.service = "rabbitmq"
    try:
        return operation(_amqp_uri(), *args)
    except Exception as exc:
        raise from_exception(exc, "rabbitmq") from exc


@blueprint.get("/livez")
@documented(returns=views.Probe, calls_service=False, summary="The gateway process answers")
@public("probe:read")
def livez():
    return jsonify(status="ok")


@blueprint.get("/readyz")
@documented(returns=views.Probe, calls_service=False, summary="The gateway's database and the broker answer",
            extra_responses=PROBE_DOWN)
@public("probe:read")
def readyz():
    checks = {"database": _check(_database_answers), "broker": _check(_broker_answers)}
    ready = all(state == "ok" for state in checks.values())
    return jsonify(status="ok" if ready else "not_ready", checks=checks), 200 if ready else 503


def _check(probe) -> str:
    try:
        probe()
        return "ok"
    except Exception as exc:
        return f"down: {type(exc).__name__}"


def _database_answers() -> None:
    with gateway_state().sessions() as session:
        session.execute(text("SELECT 1"))


def _broker_answers() -> None:
    connection = Connection(_amqp_uri(), connect_timeout=BROKER_CHECK_TIMEOUT_S)
    try:
        connection.ensure_connection(max_retries=1)
    finally:
        connection.release()


@blueprint.get("/api/v1/ops/health")
@documented(returns=views.OpsHealth, extra_responses={
    503: {"description": "A service or the broker is down: the same answer, status degraded",
          "content": {"application/json": {"schema": views.OpsHealth}}}})
@requires("ops:health")
def health():
    """Each service's own answer, whether the broker answers, and how many events are parked; 503 when
    anything is down."""
    services = services_health()
    try:
        parked = sum(_broker(bus.parked_counts).values())
        broker = {"status": "ok", "parked": parked}
    except Problem as problem:
        broker = {"status": "down", "reason": problem.code}
    healthy = all(s["status"] == "ok" for s in (*services.values(), broker))
    return jsonify(status="ok" if healthy else "degraded", services=services, broker=broker), 200 if healthy else 503


@blueprint.get("/api/v1/ops/parked")
@documented(returns=views.ParkedQueues, calls_service=False)
@requires("ops:parked")
def parked():
    """Every subscription's queue and how many of its events wait in the parked queue."""
    counts = _broker(bus.parked_counts)
    items = [{"queue": bus.queue_name(sub), "parked_queue": bus.parked_queue(sub).name, "consumer": sub.consumer,
              "source": sub.source, "event_type": sub.event_type,
              "parked": counts.get(bus.parked_queue(sub).name, 0)} for sub in SUBSCRIPTIONS]
    return jsonify(total=sum(item["parked"] for item in items), items=items)


@blueprint.post("/api/v1/ops/parked/<queue>/replay")
@documented(returns=views.Replayed, calls_service=False)
@requires("ops:replay")
def replay(queue):
    """Send a queue's parked events back to its work queue (name the work queue or its parked queue)."""
    sub = next((s for s in SUBSCRIPTIONS if queue in (bus.queue_name(s), bus.parked_queue(s).name)), None)
    if sub is None:
        raise Problem.on_field(404, "queue", "queue_not_found", queue=queue)
    moved = _broker(bus.replay_parked, sub)
    return jsonify(queue=bus.queue_name(sub), replayed=moved)
