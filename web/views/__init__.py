"""The console's pages, one blueprint per area; the navigation each role sees.

A role sees only the screens it may use; the gateway still decides every call.
"""
from flask import Flask
from flask_babel import lazy_gettext as _l

from web.views import auth, home, probes

# (endpoint, label, roles or None for everyone): the phone's bottom bar, in order.
NAVIGATION = (
    ("home.me", _l("我的"), None),
)


def navigation(role: str) -> list[tuple[str, str]]:
    return [(endpoint, label) for endpoint, label, roles in NAVIGATION if roles is None or role in roles]


def register(app: Flask) -> None:
    for module in (probes, auth, home):
        app.register_blueprint(module.blueprint)
