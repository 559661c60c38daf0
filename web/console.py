"""The console's state, handed in by the app factory and read by the views."""
import hashlib
import hmac
from dataclasses import dataclass

from flask import current_app

from shared.web_metrics import WebMetrics
from web.gateway_client import GatewayClient
from web.sessions import SessionStore

SESSION_COOKIE = "console_session"
ANONYMOUS_COOKIE = "console_visit"  # an anonymous visitor's CSRF anchor (the sign-in form)
LANG_COOKIE = "lang"
LANGUAGES = ("zh", "en")


@dataclass
class Console:
    gateway: GatewayClient
    sessions: SessionStore
    secret: str
    demo_password: str  # empty: the sign-in page offers no demo accounts
    metrics: WebMetrics

    def csrf_token(self, anchor: str) -> str:
        """The form token of one sign-in (or one anonymous visit): a form forged on another site lacks it."""
        return hmac.new(self.secret.encode(), f"csrf:{anchor}".encode(), hashlib.sha256).hexdigest()


def console_state() -> Console:
    return current_app.extensions["console"]
