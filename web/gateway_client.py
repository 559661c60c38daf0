"""The one place the console calls the gateway's /api/v1.

Every call goes with the caller's own access token, so the gateway's permission
table stays the only authority. An expired access token is refreshed once (the
gateway spends the refresh token and gives a new pair, kept on the server side).
A problem+json answer becomes a ``GatewayProblem`` carrying the gateway's title
in the caller's language, the fields at fault and what to do next; no answer at
all becomes ``GatewayDown``.
"""
import logging
from dataclasses import dataclass, field

import requests
from flask_babel import gettext as _

log = logging.getLogger(__name__)


class GatewayDown(Exception):
    """The gateway did not answer, or answered that the platform behind it is down."""


@dataclass
class GatewayProblem(Exception):
    status: int
    code: str
    title: str
    errors: list[dict] = field(default_factory=list)  # [{"field", "code", "message"}]

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.title}"

    @property
    def field_messages(self) -> dict[str, str]:
        return {e["field"]: e["message"] for e in self.errors if e.get("field")}

    @property
    def next_step(self) -> str:
        """What the person can do about it, in their language."""
        return next_step(self.status, self.code)


def next_step(status: int, code: str = "") -> str:
    if status in (400, 422):
        return _("请按提示改正标出的内容，再提交一次。")
    if status == 401:
        return _("登录已过期，请重新登录；您填写的内容仍在本页。")
    if status == 403:
        return _("您的账号没有这项权限。如确需办理，请联系社区办公室。")
    if status == 404:
        return _("没有找到这条记录，它可能不在您负责的范围内。请返回列表刷新后再试。")
    if status == 409:
        return _("这条记录刚刚被别人办理过，状态已经变了。请刷新页面查看最新状态。")
    if status == 413:
        return _("文件太大。请换一张照片或降低照片尺寸后再试。")
    if status == 429:
        return _("尝试次数太多，请按提示的时间稍后再试。")
    return _("平台暂时没有响应，您填写的内容没有丢失。请稍后再试；一直这样请联系区信息中心。")


class GatewayClient:
    """HTTP to the gateway, shared by every request of a worker (one connection pool)."""

    def __init__(self, base_url: str, timeout_s: float, http: requests.Session | None = None):
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self.http = http or requests.Session()

    def request(self, method: str, path: str, lang: str, token: str | None = None, **kwargs) -> requests.Response:
        headers = {"Accept-Language": "en" if lang == "en" else "zh-CN", **kwargs.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        timeout = kwargs.pop("timeout", self.timeout_s)  # an export waits longer for its first byte
        try:
            return self.http.request(method, self.base_url + path, headers=headers, timeout=timeout, **kwargs)
        except requests.RequestException as exc:
            log.warning("gateway unreachable on %s %s: %s", method, path, exc)
            raise GatewayDown(str(exc)) from None

    def sign_in(self, username: str, password: str, lang: str) -> dict:
        return answer_of(self.request("POST", "/api/v1/auth/token", lang,
                                      json={"username": username, "password": password}))

    def refresh(self, refresh_token: str, lang: str) -> dict:
        return answer_of(self.request("POST", "/api/v1/auth/refresh", lang, json={"refresh_token": refresh_token}))

    def sign_out(self, refresh_token: str, lang: str) -> None:
        # The sign-in ends on the gateway too; if that fails, the console's own sign-in still ends.
        try:
            self.request("POST", "/api/v1/auth/logout", lang, json={"refresh_token": refresh_token})
        except GatewayDown:
            pass


def answer_of(response: requests.Response):
    """The JSON of a 2xx answer (None for 204); otherwise the problem it describes."""
    if response.status_code < 300:
        return response.json() if response.content else None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "title" not in body:
        # A proxy's or a crashed gateway's page, not a problem+json: the platform is not answering.
        raise GatewayDown(f"{response.status_code} without a problem body")
    raise GatewayProblem(response.status_code, str(body.get("code", "")), str(body["title"]),
                         [e for e in body.get("errors", []) if isinstance(e, dict)])


class Api:
    """The gateway as one signed-in person sees it, for the length of one request."""

    def __init__(self, client: GatewayClient, store, sign_in, lang: str):
        self.client, self.store, self.sign_in, self.lang = client, store, sign_in, lang

    def call_raw(self, method: str, path: str, **kwargs) -> requests.Response:
        """The gateway's answer as it came (a photo's bytes), after one refresh if the token had expired."""
        token = self.sign_in.access_token if self.sign_in else None
        response = self.client.request(method, path, self.lang, token, **kwargs)
        if response.status_code == 401 and self.sign_in is not None:
            if self.store.refresh(self.sign_in, lambda refresh_token: self.client.refresh(refresh_token, self.lang)):
                for upload in kwargs.get("files", {}).values():
                    upload[1].seek(0)  # the first attempt read the photo
                response = self.client.request(method, path, self.lang, self.sign_in.access_token, **kwargs)
        return response

    def call(self, method: str, path: str, **kwargs):
        return answer_of(self.call_raw(method, path, **kwargs))

    def get(self, path: str, **params):
        return self.call("GET", path, params={k: v for k, v in params.items() if v not in (None, "")})

    def post(self, path: str, body: dict | None = None, idempotency_key: str | None = None, **kwargs):
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        if body is not None:
            kwargs["json"] = body
        return self.call("POST", path, headers=headers, **kwargs)
