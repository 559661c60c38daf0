"""Who listens to which event: the single list from which queues are declared.

A publisher declares its subscribers' queues before it sends, so an event
sent while a consumer has never run yet waits in the queue instead of being
dropped. A consumer may only subscribe to what is listed here.
"""
from typing import NamedTuple


class Subscription(NamedTuple):
    consumer: str
    source: str
    event_type: str
    binding: str | None = None  # a topic pattern when the routing key says more than the type

    @property
    def routing_pattern(self) -> str:
        return self.binding or self.event_type


# Task events whose only consumer so far is the report's timeline.
TIMELINE_TASK_EVENTS = ("task.warned", "task.overdue", "task.supervised", "task.extension_requested",
                        "task.deferral_requested", "task.request_decided", "task.resumed")

# Case events that show on the timeline of the report the case came from.
CASE_TIMELINE_EVENTS = ("case.opened", "case.routed", "agreement.signed", "case.resolved", "case.referred",
                        "case.closed", "case.reopened")

SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("dispatch", "reporting", "report.created"),
    Subscription("dispatch", "reporting", "report.verified"),
    Subscription("dispatch", "reporting", "report.reopened"),
    Subscription("dispatch", "reporting", "report.rated"),
    Subscription("reporting", "dispatch", "task.assigned"),
    Subscription("reporting", "dispatch", "task.accepted"),
    Subscription("reporting", "dispatch", "task.resolved"),
    Subscription("reporting", "dispatch", "task.returned"),
    *(Subscription("reporting", "dispatch", event_type) for event_type in TIMELINE_TASK_EVENTS),
    Subscription("reporting", "dispatch", "report.escalated", "report.escalated.#"),
    # every matter that climbs to the community opens a case at its reception (接访站)
    Subscription("mediation", "dispatch", "report.escalated", "report.escalated.community.#"),
    # the report a case came from follows the case; a settled case resolves the report's task
    *(Subscription("reporting", "mediation", event_type) for event_type in CASE_TIMELINE_EVENTS),
    Subscription("dispatch", "mediation", "case.resolved"),
    Subscription("dispatch", "mediation", "case.referred"),
    Subscription("dispatch", "mediation", "case.closed"),
    Subscription("scoring", "reporting", "report.closed"),
    Subscription("scoring", "dispatch", "task.resolved"),
    Subscription("scoring", "dispatch", "task.returned"),
    Subscription("scoring", "reporting", "report.verified"),
    Subscription("scoring", "reporting", "report.rated"),
    Subscription("scoring", "mediation", "agreement.performed"),
    Subscription("scoring", "mediation", "council.decided"),
)


def subscribers_of(source: str) -> list[Subscription]:
    return [s for s in SUBSCRIPTIONS if s.source == source]


def subscription(consumer: str, source: str, event_type: str) -> Subscription | None:
    return next((s for s in SUBSCRIPTIONS if s[:3] == (consumer, source, event_type)), None)
