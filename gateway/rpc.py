"""A small thread-safe pool of standalone nameko RPC proxies for gthread workers,
with a bulkhead and a breaker per service (gateway.resilience).

One proxy shared between threads hangs, and one proxy per request opens a
connection per request; so each thread borrows a proxy for one call and gives it
back. Proxies are made lazily, inside the worker process after gunicorn forks.
A proxy that timed out or lost its connection is thrown away, not reused.
"""
import queue
from contextlib import contextmanager

from kombu.exceptions import OperationalError
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterRpcProxy

from gateway.resilience import Breaker, Bulkhead
from shared.config import SERVICE_NAMES
from shared.contracts.errors import PlatformError

# What says the service (or the broker) is away, as opposed to an answer from it.
AWAY = (RpcTimeout, UnknownService, OperationalError, OSError)


class ServiceUnavailable(Exception):
    """Answered without calling: the service's breaker is open, or its bulkhead full."""

    def __init__(self, service: str, code: str, retry_after_s: float):
        super().__init__(f"{service}: {code}")
        self.service, self.code, self.retry_after_s = service, code, retry_after_s


class RpcPool:
    def __init__(self, amqp_uri: str, timeout_s: float, per_service: int, slot_wait_s: float,
                 failures_to_open: int, open_s: float, services: tuple[str, ...] = SERVICE_NAMES):
        self._config = {"AMQP_URI": amqp_uri}
        self._timeout_s = timeout_s
        self._services = services
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._bulkheads = {name: Bulkhead(per_service, slot_wait_s) for name in services}
        self._breakers = {name: Breaker(failures_to_open, open_s) for name in services}

    @contextmanager
    def cluster(self, service: str):
        """``with pool.cluster("reporting") as rpc: rpc.reporting.get_report(...)``; raises ServiceUnavailable
        at once while ``service`` is known to be down or has all its calls in flight."""
        breaker, bulkhead = self._breakers[service], self._bulkheads[service]
        wait = breaker.admit()
        if wait is not None:
            raise ServiceUnavailable(service, "circuit_open", wait)
        if not bulkhead.enter():
            raise ServiceUnavailable(service, "service_busy", 1)
        try:
            try:
                standalone, proxy = self._idle.get_nowait()
            except queue.Empty:
                try:
                    standalone, proxy = self._new_proxy()
                except AWAY:
                    breaker.failed()  # no broker: the call cannot even start
                    raise
            try:
                yield proxy
            except PlatformError:
                breaker.succeeded()
                self._idle.put((standalone, proxy))  # an answer from the service: the proxy is fine
                raise
            except Exception as exc:
                if isinstance(exc, AWAY):
                    breaker.failed()
                else:
                    breaker.succeeded()  # it answered, with an error of its own
                _stop_quietly(standalone)
                raise
            else:
                breaker.succeeded()
                self._idle.put((standalone, proxy))
        finally:
            bulkhead.leave()

    def _new_proxy(self):
        standalone = ClusterRpcProxy(self._config, timeout=self._timeout_s)
        proxy = standalone.start()
        # A request still queued when the caller gives up must never run later: the caller was
        # told 503 and may try again. So each request expires with the timeout. (nameko's cluster
        # proxy has no option for this; its service proxies do.)
        for name in self._services:
            proxy._proxies[name] = ServiceProxy(proxy._worker_ctx, name, proxy._reply_listener,
                                                expiration=self._timeout_s)
        return standalone, proxy

    def close(self) -> None:
        while True:
            try:
                standalone, _proxy = self._idle.get_nowait()
            except queue.Empty:
                return
            _stop_quietly(standalone)


def _stop_quietly(standalone) -> None:
    try:
        standalone.stop()
    except Exception:  # already broken; nothing more to release
        pass
