"""A small thread-safe pool of standalone nameko RPC proxies for gthread workers.

One proxy shared between threads hangs, and one proxy per request opens a
connection per request; so each thread borrows a proxy for one call and gives it
back. Proxies are made lazily, inside the worker process after gunicorn forks.
A proxy that timed out or lost its connection is thrown away, not reused.
"""
import queue
import threading
from contextlib import contextmanager

from nameko.exceptions import RpcTimeout
from nameko.rpc import ServiceProxy
from nameko.standalone.rpc import ClusterRpcProxy

from shared.config import SERVICE_NAMES
from shared.contracts.errors import PlatformError


class RpcPool:
    def __init__(self, amqp_uri: str, timeout_s: float, size: int):
        self._config = {"AMQP_URI": amqp_uri}
        self._timeout_s = timeout_s
        self._idle: queue.LifoQueue = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(size)

    @contextmanager
    def cluster(self):
        """``with pool.cluster() as rpc: rpc.reporting.get_report(...)``"""
        if not self._slots.acquire(timeout=self._timeout_s):
            raise RpcTimeout(self._timeout_s)  # every proxy busy for a whole timeout: answer 503, not a hang
        try:
            try:
                standalone, proxy = self._idle.get_nowait()
            except queue.Empty:
                standalone, proxy = self._new_proxy()
            try:
                yield proxy
            except PlatformError:
                self._idle.put((standalone, proxy))  # an answer from the service: the proxy is fine
                raise
            except Exception:
                _stop_quietly(standalone)
                raise
            else:
                self._idle.put((standalone, proxy))
        finally:
            self._slots.release()

    def _new_proxy(self):
        standalone = ClusterRpcProxy(self._config, timeout=self._timeout_s)
        proxy = standalone.start()
        # A request still queued when the caller gives up must never run later: the caller was
        # told 503 and may try again. So each request expires with the timeout. (nameko's cluster
        # proxy has no option for this; its service proxies do.)
        for name in SERVICE_NAMES:
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
