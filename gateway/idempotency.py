"""Idempotency-Key on every POST, app-wide (any blueprint, present or future).

A client that may retry (a phone on a bad network) sends ``Idempotency-Key: <its
own unique value>`` with a POST. The first request runs; its answer (status,
body, content type, Location) is kept for ``IDEMPOTENCY_TTL_S`` (24 h). A retry
with the same key, by the same caller, to the same method and path gets that
answer again with ``Idempotent-Replayed: true`` and changes nothing. The same
key with a different body is refused (422, naming the header); a retry that
arrives while the first is still running gets 409. Answers that say nothing
final (401, 429, 5xx) are not kept: the retry runs again.

The caller is the bearer token's subject, else an Open311 ``api_key`` (form
field or query argument, kept only as a hash), else the client's address.
Keys are optional: a POST without one works as always. Sign-in and refresh
ignore them: their answers are fresh credentials, which are never stored.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Integer, LargeBinary, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from gateway.accounts import Base
from gateway.permissions import action_of
from gateway.problems import Problem
from shared.db import UTCDateTime
from shared.times import utcnow

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
NOT_KEPT = frozenset({401, 408, 429})  # and every 5xx
# Routes whose answers are credentials: not kept (a retry simply signs in again).
CREDENTIAL_ACTIONS = frozenset({"auth:sign_in", "auth:refresh"})


class IdempotentRequest(Base):
    __tablename__ = "idempotent_requests"

    scope_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # caller, method, path and key
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the body
    state: Mapped[str] = mapped_column(String(16))  # in_flight, done
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(1000))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


@dataclass(frozen=True)
class Decision:
    """What to do with a keyed request: run it, replay a kept answer, or refuse it."""

    action: str  # run, replay, refuse
    record: IdempotentRequest | None = None
    problem: Problem | None = None


def _sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part if isinstance(part, bytes) else part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def valid_key(key: str) -> bool:
    return 0 < len(key) <= MAX_KEY_LENGTH and all(33 <= ord(c) <= 126 for c in key)


def decide(existing: IdempotentRequest | None, fingerprint: str, now: datetime) -> Decision:
    """The pure rule for a key that was seen before (or not)."""
    if existing is None or existing.expires_at <= now:
        return Decision("run")
    if existing.fingerprint != fingerprint:
        return Decision("refuse", problem=Problem.on_field(422, HEADER, "idempotency_key_reused"))
    if existing.state != "done":
        return Decision("refuse", problem=Problem(409, "idempotency_in_flight"))
    return Decision("replay", existing)


def kept(status: int) -> bool:
    return status < 500 and status not in NOT_KEPT


def caller_identity(tokens) -> str:
    header = request.headers.get("Authorization", "")
    subject = tokens.subject(header[7:]) if header.startswith("Bearer ") else None
    if subject:
        return f"account:{subject}"
    api_key = request.args.get("api_key") or (request.form.get("api_key") if _is_form() else None)
    if api_key:
        return f"api_key:{_sha(api_key)}"
    return f"address:{request.remote_addr}"


def _is_form() -> bool:
    return request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data")


def body_fingerprint() -> str:
    """A hash of what was sent; form bodies by their fields and files (the raw stream is parsed only once)."""
    if _is_form():
        parts = [f"{k}={v}" for k, v in sorted(request.form.items(multi=True))]
        for name, upload in sorted(request.files.items(multi=True), key=lambda item: item[0]):
            content = upload.stream.read()
            upload.stream.seek(0)
            parts.append(f"{name}:{upload.filename}:{_sha(content)}")
        return _sha(request.mimetype, *parts)
    return _sha(request.mimetype or "", request.get_data(cache=True))


def install(app: Flask, sessions, tokens, ttl_s: int) -> None:
    @app.before_request
    def _claim_key():
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None:
            return None
        if action_of(app.view_functions.get(request.endpoint))[0] in CREDENTIAL_ACTIONS:
            return None
        if not valid_key(key):
            raise Problem.on_field(422, HEADER, "idempotency_key_invalid", max=MAX_KEY_LENGTH)
        scope = _sha(caller_identity(tokens), request.method, request.path, key)
        fingerprint = body_fingerprint()
        for _attempt in range(3):
            now = utcnow()
            with sessions() as session:
                existing = session.get(IdempotentRequest, scope, with_for_update=True)
                decision = decide(existing, fingerprint, now)
                if decision.action == "refuse":
                    raise decision.problem
                if decision.action == "replay":
                    return _replay(decision.record)
                if existing is not None:
                    session.delete(existing)  # expired: the key may be used afresh
                    session.flush()
                session.execute(delete(IdempotentRequest).where(IdempotentRequest.expires_at <= now))
                session.add(IdempotentRequest(scope_hash=scope, fingerprint=fingerprint, state="in_flight",
                                              created_at=now, expires_at=now + timedelta(seconds=ttl_s)))
                try:
                    session.commit()
                except IntegrityError:  # the same request, at the same moment, in another worker: decide again
                    session.rollback()
                    continue
            g.idempotency_scope = scope
            return None
        raise Problem(409, "idempotency_in_flight")

    @app.after_request
    def _keep_answer(response: Response):
        scope = g.pop("idempotency_scope", None)
        if scope is None:
            return response
        with sessions() as session:
            record = session.get(IdempotentRequest, scope)
            if record is not None:
                if kept(response.status_code) and not response.is_streamed:
                    record.state, record.status = "done", response.status_code
                    record.content_type, record.body = response.content_type, response.get_data()
                    record.location = response.headers.get("Location")
                else:
                    session.delete(record)
            session.commit()
        return response

    @app.teardown_request
    def _release_key(_error):
        scope = g.pop("idempotency_scope", None)
        if scope is None:
            return
        try:  # the request ended without an answer to keep: let the retry run
            with sessions() as session:
                session.execute(delete(IdempotentRequest).where(IdempotentRequest.scope_hash == scope,
                                                                IdempotentRequest.state == "in_flight"))
                session.commit()
        except Exception:
            current_app.logger.exception("could not release idempotency key")


def _replay(record: IdempotentRequest) -> Response:
    response = Response(record.body, status=record.status, content_type=record.content_type)
    if record.location:
        response.headers["Location"] = record.location
    response.headers["Idempotent-Replayed"] = "true"
    return response
