"""Idempotency-Key on a POST: the same request again gets the same answer, and changes nothing.

A client that may retry (a phone on a bad network) sends ``Idempotency-Key: <its
own unique value>`` with a POST. The key is claimed once the caller is
authenticated and authorised (``claim(caller)``, called by gateway.guard and by
Open311's submission after its key check), never before: a kept answer is
replayed only to the account that asked, while it still may. The first request
runs; its answer (status, body, content type, Location) is kept for
``IDEMPOTENCY_TTL_S`` (24 h). A retry with the same key, by the same caller, to
the same method and path gets that answer again with ``Idempotent-Replayed:
true``. The same key with a different body is refused (422, naming the header).

While the first request runs, the key is leased for ``IDEMPOTENCY_LEASE_S`` (a
little over the RPC timeout): a retry meanwhile gets 409, and once the lease
ends (the worker died with the request in hand) the retry runs. Answers that
say nothing final (401, 429, 5xx: a service timed out or was away) are not kept:
the retry runs again. Running again is safe because every command the request
makes carries a request id derived from the key (gateway.plumbing), which the
service records with its change: it answers the first outcome instead of
acting twice, however long ago that was.

Keys are optional: a POST without one works as always (its commands get
request ids of their own, which still make a redelivered RPC harmless).
Sign-in and refresh ignore them: their answers are fresh credentials, never stored.
"""
import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import Flask, Response, current_app, g, request
from sqlalchemy import Integer, LargeBinary, String, delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column

from gateway.accounts import Base
from gateway.problems import Problem
from shared.db import UTCDateTime
from shared.times import utcnow

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
NOT_KEPT = frozenset({401, 408, 429})  # and every 5xx


class IdempotentRequest(Base):
    __tablename__ = "idempotent_requests"

    scope_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # caller, method, path and key
    fingerprint: Mapped[str] = mapped_column(String(64))  # of the body
    state: Mapped[str] = mapped_column(String(16))  # in_flight (until its lease ends), done
    status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    location: Mapped[str | None] = mapped_column(String(1000))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)  # the lease's end, or the answer's


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
    """The pure rule for a key that was seen before (or not); an in-flight key whose lease ended is free."""
    if existing is None or existing.expires_at <= now:
        return Decision("run")
    if existing.fingerprint != fingerprint:
        return Decision("refuse", problem=Problem.on_field(422, HEADER, "idempotency_key_reused"))
    if existing.state != "done":
        return Decision("refuse", problem=Problem(409, "idempotency_in_flight"))
    return Decision("replay", existing)


def kept(status: int) -> bool:
    return status < 500 and status not in NOT_KEPT


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


@dataclass(frozen=True)
class Settings:
    sessions: object
    ttl_s: int
    lease_s: int


def install(app: Flask, sessions, ttl_s: int, lease_s: int) -> None:
    """Keep or release the claimed key when the request ends, whatever blueprint served it."""
    app.extensions["idempotency"] = Settings(sessions, ttl_s, lease_s)

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
                    record.expires_at = utcnow() + timedelta(seconds=ttl_s)
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


def claim(caller: str) -> Response | None:
    """For an authenticated, authorised ``caller``: claim the request's Idempotency-Key, if it has one.
    Returns the kept answer to replay, or None to run the request (raises 409/422 problems)."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or key is None:
        return None
    if not valid_key(key):
        raise Problem.on_field(422, HEADER, "idempotency_key_invalid", max=MAX_KEY_LENGTH)
    settings: Settings = current_app.extensions["idempotency"]
    scope = _sha(caller, request.method, request.path, key)
    fingerprint = body_fingerprint()
    for _attempt in range(3):
        now = utcnow()
        with settings.sessions() as session:
            existing = session.get(IdempotentRequest, scope, with_for_update=True)
            decision = decide(existing, fingerprint, now)
            if decision.action == "refuse":
                raise decision.problem
            if decision.action == "replay":
                return _replay(decision.record)
            if existing is not None:
                session.delete(existing)  # expired, or its lease ended: the key may be used afresh
                session.flush()
            session.execute(delete(IdempotentRequest).where(IdempotentRequest.expires_at <= now))
            session.add(IdempotentRequest(scope_hash=scope, fingerprint=fingerprint, state="in_flight",
                                          created_at=now, expires_at=now + timedelta(seconds=settings.lease_s)))
            try:
                session.commit()
            except IntegrityError:  # the same request, at the same moment, in another worker: decide again
                session.rollback()
                continue
        g.idempotency_scope = scope
        return None
    raise Problem(409, "idempotency_in_flight")


def request_key() -> str | None:
    """The claimed key's scope (caller, method, path and key hashed): the base of the request ids of the
    commands this request makes, the same on every retry."""
    return g.get("idempotency_scope")


def _replay(record: IdempotentRequest) -> Response:
    response = Response(record.body, status=record.status, content_type=record.content_type)
    if record.location:
        response.headers["Location"] = record.location
    response.headers["Idempotent-Replayed"] = "true"
    return response
