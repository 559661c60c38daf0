"""Operations for district IT: services' health, parked events, replay.

No personal data: only service states, queue names and counts. The parked
queues and their replay are shared.bus's (the same as ``python -m shared.bus
parked|replay``).
"""
from flask import Blueprint, g, jsonify

from gateway import views
from gateway.guard import requires
from gateway.openapi import documented
from gateway.plumbing import gateway_state, services_health
from gateway.problems import Problem, from_exception
from shared import bus
from shared.contracts.subscriptions import SUBSCRIPTIONS

blueprint = Blueprint("ops", __name__)


def _amqp_uri() -> str:
    return gateway_state().config["AMQP_URI"]


def _broker(operation, *args):
    g.service = "rabbitmq"
    try:
        return operation(_amqp_uri(), *args)
    except Exception as exc:
        raise from_exception(exc, "rabbitmq") from exc


@blueprint.get("/api/v1/ops/health")
@documented(returns=views.OpsHealth)
@requires("ops:health")
def health():
    """Each service's own answer, whether the broker answers, and how many events are parked."""
    services = services_health()
    try:
        parked = sum(_broker(bus.parked_counts).values())
        broker = {"status": "ok", "parked": parked}
    except Problem as problem:
        broker = {"status": "down", "reason": problem.code}
    healthy = all(s["status"] == "ok" for s in (*services.values(), broker))
    return jsonify(status="ok" if healthy else "degraded", services=services, broker=broker)


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
