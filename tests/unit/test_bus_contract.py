"""The bus's pure rules: retry counting from any header, the street in the routing key, queue declarations."""
import pytest

from services.dispatch.domain import escalation_routing_key
from shared.bus import ATTEMPT_HEADER, _attempts_so_far, platform_queues, street_queue, work_queue
from shared.contracts.streets import is_street_code
from shared.contracts.subscriptions import SUBSCRIPTIONS


@pytest.mark.parametrize("value, attempts", [
    (None, 0), (2, 2), ("3", 3), (b"1", 1), ("many", 0), (-5, 0), (2.7, 2), ([1], 0), ({"a": 1}, 0), ("1e999", 0),
    (10**30, 10**30),
])
def test_attempts_are_counted_from_our_header_whatever_it_holds(value, attempts):
    headers = {} if value is None else {ATTEMPT_HEADER: value}
    assert _attempts_so_far(headers) == attempts


def test_the_street_is_in_an_escalations_routing_key_and_only_a_plain_code_may_be_a_street():
    assert escalation_routing_key("street", "lanshan", "safety.major_hazard") == \
        "report.escalated.street.lanshan.safety.major_hazard"
    assert escalation_routing_key("community", "lanshan", "dispute.neighbour") == \
        "report.escalated.community.dispute.neighbour"
    assert street_queue("lanshan").routing_key == "report.escalated.street.lanshan.#"
    assert all(is_street_code(code) for code in ("lanshan", "he-dong", "s1"))
    assert not any(is_street_code(code) for code in ("lan.shan", "#", "*", "", "Lanshan", None, "a" * 64))


def test_every_platform_queue_is_a_quorum_queue_and_work_queues_park_what_exceeds_the_delivery_limit():
    queues = platform_queues(["lanshan"])
    assert all(q.queue_arguments["x-queue-type"] == "quorum" for q in queues)
    for sub in SUBSCRIPTIONS:
        arguments = work_queue(sub).queue_arguments
        assert arguments["x-dead-letter-routing-key"] == f"{work_queue(sub).name}.parked"
        assert arguments["x-delivery-limit"] > 0
