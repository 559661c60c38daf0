"""Sign in, refresh, sign out: ``/api/v1/auth/*``.

Sign-in is throttled per account and per address (gateway.throttle) and audited,
success or failure; tokens are described in gateway.tokens.
"""
from flask import Blueprint, jsonify, request

from gateway import accounts, audit, views
from gateway.guard import unauthorized
from gateway.openapi import documented
from gateway.permissions import public
from gateway.plumbing import gateway_state, json_body
from gateway.problems import Problem
from gateway.throttle import Refusal
from gateway.tokens import Issued, SignInSession, TokenRefused, revoke
from shared.times import SHANGHAI, utcnow

blueprint = Blueprint("auth", __name__)


def _too_many(refusal: Refusal, now, username: str) -> Problem:
    until = refusal.until.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    return Problem(429, refusal.code, params={"until": until, "count": refusal.failures, "username": username},
                   headers={"Retry-After": str(refusal.retry_after_s(now))})


def _tokens_answer(issued: Issued, account) -> dict:
    tokens = gateway_state().tokens
    return {"access_token": issued.access_token, "token_type": "Bearer", "expires_in": tokens.ttl_s,
            "refresh_token": issued.refresh_token, "refresh_expires_in": tokens.refresh_ttl_s,
            "account": account.as_caller()}


@blueprint.post("/api/v1/auth/token")
@documented(body=views.Credentials, returns=views.TokenIssued, calls_service=False, problems=(401, 429))
@public("auth:sign_in")
def sign_in():
    data = json_body(views.Credentials)
    username, password = data["username"], data["password"]
    gateway, now = gateway_state(), utcnow()
    with gateway.reads() as session:
        account = accounts.find(session, username)
    if account is not None:  # the audit names the account when it exists, never the name typed when it does not
        audit.set_actor("account", account.username, account.role, account.community)
    refusal, matches = gateway.throttle.before_attempt(username, request.remote_addr or "", now), False
    if refusal is None:
        matches = accounts.password_matches(password, account.password_hash if account else None)
        refusal = gateway.throttle.after_attempt(username, matches, now)
    if refusal is not None:
        raise _too_many(refusal, now, username)
    if not matches or account is None:
        raise Problem(401, "bad_credentials")
    with gateway.sessions() as session:
        issued = gateway.tokens.open_session(session, username, now)
        session.commit()
    return jsonify(_tokens_answer(issued, account))


@blueprint.post("/api/v1/auth/refresh")
@documented(body=views.RefreshToken, returns=views.TokenIssued, calls_service=False, problems=(401,))
@public("auth:refresh")
def refresh():
    """A new access token and a new refresh token for a refresh token, which is spent."""
    refresh_token = json_body(views.RefreshToken)["refresh_token"]
    gateway = gateway_state()
    with gateway.sessions() as session:
        try:
            issued = gateway.tokens.refresh(session, refresh_token, utcnow())
        except TokenRefused as refused:
            session.commit()  # a reused token has just revoked its session: keep that
            raise unauthorized(refused.code) from None
        account = accounts.find(session, issued.username)
        if account is None:
            raise unauthorized()
        session.commit()
    audit.set_actor("account", account.username, account.role, account.community)
    return jsonify(_tokens_answer(issued, account))


@blueprint.post("/api/v1/auth/logout")
@documented(body=views.SignOut, status=204, calls_service=False, problems=(401,),
            extra_responses={204: {"description": "Signed out: every token of that sign-in stops working"}})
@public("auth:sign_out")
def logout():
    """Ends the sign-in named by the bearer token or by ``refresh_token`` in the body: every
    access and refresh token of it stops working at once."""
    gateway = gateway_state()
    header = request.headers.get("Authorization", "")
    data = request.get_json(silent=True)
    refresh_token = data.get("refresh_token") if isinstance(data, dict) else None
    with gateway.sessions() as session:
        session_id = None
        if header.startswith("Bearer "):
            try:
                session_id = gateway.tokens.claims(header[7:].strip())["sid"]
            except TokenRefused as refused:
                raise unauthorized(refused.code) from None
        elif isinstance(refresh_token, str):
            session_id = gateway.tokens.session_of_refresh(session, refresh_token)
        if session_id is None:
            raise unauthorized()
        family = session.get(SignInSession, session_id)
        if family is None or not revoke(session, session_id, "sign_out", utcnow()):
            raise unauthorized("token_revoked")
        account = accounts.find(session, family.username)
        session.commit()
    if account is not None:
        audit.set_actor("account", account.username, account.role, account.community)
    return "", 204
