"""Fail fast and keep failures apart, per service and per gateway worker.

A bulkhead bounds the calls to one service in flight at once, so a service that
hangs holds a few of the worker's threads, never all of them: what does not
depend on it goes on. A breaker opens after a run of failures that say the
service is away (timeouts, no consumer, no broker), answers at once while open,
and after a while lets one call through to probe it: its success closes the
breaker, its failure opens it again. A refusal from the service (a 4xx) is an
answer, not a failure.
"""
import threading
import time
from collections.abc import Callable


class Breaker:
    def __init__(self, failures_to_open: int, open_s: float, clock: Callable[[], float] = time.monotonic):
        self.failures_to_open = failures_to_open
        self.open_s = open_s
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._open_until = 0.0
        self._probing = False

    def admit(self) -> float | None:
        """None: go ahead. Otherwise the seconds until the service may be tried again."""
        with self._lock:
            if self._failures < self.failures_to_open:
                return None
            wait = self._open_until - self._clock()
            if wait > 0:
                return wait
            if self._probing:  # one probe at a time; the others are answered at once
                return self.open_s
            self._probing = True
            return None

    def succeeded(self) -> None:
        with self._lock:
            self._failures, self._probing = 0, False

    def failed(self) -> None:
        with self._lock:
            self._failures += 1
            self._probing = False
            if self._failures >= self.failures_to_open:
                self._open_until = self._clock() + self.open_s


class Bulkhead:
    def __init__(self, size: int, wait_s: float):
        self._slots = threading.BoundedSemaphore(size)
        self.wait_s = wait_s

    def enter(self) -> bool:
        """False when every slot stayed taken for ``wait_s``."""
        return self._slots.acquire(timeout=self.wait_s)

    def leave(self) -> None:
        self._slots.release()
