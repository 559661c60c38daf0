"""``@requires(action)``: the bearer token must be valid, its sign-in not revoked,
and the account's role allowed ``action`` by the permission table. Only then is
the request's Idempotency-Key claimed (a kept answer is replayed to no one else).

Sets ``g.account`` and ``g.caller`` (what the services are told about who asks)
and marks the view with its action, which the app checks at start-up and the
audit log records.
"""
from functools import wraps

from flask import g, request

from gateway import accounts, idempotency
from gateway.permissions import allowed, declare
from gateway.plumbing import gateway_state
from gateway.problems import Problem
from gateway.tokens import TokenRefused, check_session

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="api"'}


def unauthorized(code: str = "unauthorized") -> Problem:
    return Problem(401, code, headers=CHALLENGE)


def signed_in_account():
    """The account behind the request's bearer token, or a 401 problem saying why not."""
    gateway = gateway_state()
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise unauthorized()
    try:
        claims = gateway.tokens.claims(header[7:].strip())
        with gateway.sessions() as session:
            check_session(session, claims["sid"])
            account = accounts.find(session, claims["sub"])
    except TokenRefused as refused:
        raise unauthorized(refused.code) from None
    if account is None:
        raise unauthorized()
    return account


def requires(action: str):
    """Authenticate the bearer token and check the caller's role for ``action``."""

    def decorate(view):
        @wraps(view)
        def guarded(*args, **kwargs):
            account = signed_in_account()
            if not allowed(action, account.role):
                raise Problem(403, "forbidden_role", params={"role": account.role})
            g.account = account
            g.caller = account.as_caller()
            kept = idempotency.claim(f"account:{account.username}")
            if kept is not None:
                return kept
            return view(*args, **kwargs)

        return declare(guarded, action, "role")

    return decorate
