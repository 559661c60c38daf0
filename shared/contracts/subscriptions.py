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


SUBSCRIPTIONS: tuple[Subscription, ...] = (
    Subscription("dispatch", "reporting", "report.created"),
    Subscription("dispatch", "reporting", "report.verified"),
    Subscription("dispatch", "reporting", "report.reopened"),
    Subscription("reporting", "dispatch", "task.assigned"),
    Subscription("reporting", "dispatch", "task.accepted"),
    Subscription("reporting", "dispatch", "task.resolved"),
    Subscription("reporting", "dispatch", "task.returned"),
    # declared now; the mediation and scoring issues give them their work
    Subscription("mediation", "dispatch", "report.escalated"),
    Subscription("scoring", "reporting", "report.closed"),
    Subscription("scoring", "dispatch", "task.resolved"),
)


def subscribers_of(source: str) -> list[Subscription]:
    return [s for s in SUBSCRIPTIONS if s.source == source]
