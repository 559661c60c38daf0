"""gunicorn's gthread worker, with its own answers to a request line or headers beyond its limits
(414, 431) in problem+json like every other answer of the gateway, instead of an HTML page.

No request was parsed, so there is no Accept-Language to read: the title is Chinese and English.
"""
import json

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers.gthread import ThreadWorker

from shared.contracts.messages import render

LIMITS = {LimitRequestLine: (414, "URI Too Long", "uri_too_long"),
          LimitRequestHeaders: (431, "Request Header Fields Too Large", "headers_too_large")}


def problem_answer(status: int, reason: str, code: str) -> bytes:
    body = json.dumps({"type": f"/problems/{code}", "title": f"{render(code, 'zh')} {render(code, 'en')}",
                       "status": status, "code": code}, ensure_ascii=False).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json; "
            f"charset=utf-8\r\nContent-Language: zh-CN\r\nContent-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


class ProblemThreadWorker(ThreadWorker):
    def handle_error(self, req, client, addr, exc):
        limit = LIMITS.get(type(exc))
        if limit is None:
            return super().handle_error(req, client, addr, exc)
        self.log.warning("Invalid request from ip=%s: %s", (addr or ("",))[0], exc)
        try:
            util.write(client, problem_answer(*limit))
        except Exception:
            self.log.debug("Failed to send error message.")
