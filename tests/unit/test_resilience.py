"""The gateway's breaker and bulkhead, on a clock the test moves."""
from gateway.resilience import Breaker, Bulkhead


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_breaker_opens_after_failures_in_a_row_and_one_probe_closes_it():
    clock = Clock()
    breaker = Breaker(3, 10, clock)
    breaker.failed()
    breaker.failed()
    breaker.succeeded()  # an answer in between: the run starts again
    breaker.failed()
    breaker.failed()
    assert breaker.admit() is None
    breaker.failed()
    assert breaker.admit() == 10  # open: answered at once, with when to try again
    clock.now += 4
    assert breaker.admit() == 6
    clock.now += 6
    assert breaker.admit() is None  # the probe goes through
    assert breaker.admit() == 10  # and only the probe
    breaker.succeeded()
    assert breaker.admit() is None and breaker.admit() is None


def test_a_failed_probe_opens_the_breaker_again():
    clock = Clock()
    breaker = Breaker(1, 5, clock)
    breaker.failed()
    clock.now += 5
    assert breaker.admit() is None
    breaker.failed()
    assert breaker.admit() == 5


def test_a_bulkhead_lets_so_many_in_and_answers_the_next_after_its_wait():
    bulkhead = Bulkhead(2, 0.05)
    assert bulkhead.enter() and bulkhead.enter()
    assert not bulkhead.enter()
    bulkhead.leave()
    assert bulkhead.enter()
