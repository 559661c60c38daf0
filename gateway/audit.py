"""The audit log: who did what, app-wide.

Every state-changing request (POST, PUT, PATCH, DELETE) on any route, and every
sign-in, success or failure, leaves one row: the actor (account or API key), their
role and community, the action the route declares in the permission table, the
method and path, the target id, the status code, the time (UTC) and the
address. Never a request body, a password, a name or a phone number.

``GET /api/v1/audit``: the community office reads its own community's rows,
with account ids; district IT reads every row without personal data: the actor
as a pseudonym (``ref``, the same one the office sees next to the account id, so
the two can talk about one account) and the address cut to its network (/24, /48).
"""
import hashlib
import hmac
import ipaddress
import uuid
from datetime import datetime

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from sqlalchemy import Boolean, Integer, String, func, select
from sqlalchemy.orm import Mapped, mapped_column

from gateway import views
from gateway.accounts import Base
from gateway.guard import requires
from gateway.openapi import documented
from gateway.permissions import action_of
from gateway.plumbing import gateway_state
from gateway.problems import Problem
from shared.contracts.validation import EARLIEST, LATEST
from shared.db import UTCDateTime
from shared.times import as_utc, shown_local, utcnow

STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_PER_PAGE = 200
MAX_PAGE = 1_000_000

blueprint = Blueprint("audit", __name__)


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_kind: Mapped[str | None] = mapped_column(String(16))  # account, api_key, or None (unknown)
    actor: Mapped[str | None] = mapped_column(String(64), index=True)
    role: Mapped[str | None] = mapped_column(String(32))
    community: Mapped[str | None] = mapped_column(String(32), index=True)
    action: Mapped[str | None] = mapped_column(String(64), index=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(500))
    target: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    replayed: Mapped[bool] = mapped_column(Boolean, default=False)
    address: Mapped[str | None] = mapped_column(String(64))


def set_actor(kind: str, actor_id: str, role: str | None = None, community: str | None = None) -> None:
    """For routes that authenticate some other way (an API key): who the audit names as actor."""
    g.audit_actor = {"actor_kind": kind, "actor": actor_id, "role": role, "community": community}


def _actor() -> dict:
    if "audit_actor" in g:
        return g.audit_actor
    account = g.get("account")
    if account is not None:
        return {"actor_kind": "account", "actor": account.username, "role": account.role,
                "community": account.community}
    return {"actor_kind": None, "actor": None, "role": None, "community": None}


def _target(response: Response) -> str | None:
    """The record acted on: the route's first path parameter, or what a create points to."""
    if request.view_args:
        return str(next(iter(request.view_args.values())))[:200]
    location = response.headers.get("Location")
    return location.rstrip("/").rsplit("/", 1)[-1][:200] if location else None


def write(sessions, *, action: str | None, status: int, target: str | None = None, replayed: bool = False,
          **actor) -> None:
    entry = AuditEntry(id=str(uuid.uuid4()), at=utcnow(), action=action, method=request.method,
                       path=request.path[:500], target=target, status=status,
                       replayed=replayed, address=(request.remote_addr or "")[:64] or None,
                       **{"actor_kind": None, "actor": None, "role": None, "community": None, **actor})
    with sessions() as session:
        session.add(entry)
        session.commit()


def install(app: Flask, sessions) -> None:
    @app.after_request
    def _audit(response: Response):
        if request.method not in STATE_CHANGING:
            return response
        view = app.view_functions.get(request.endpoint) if request.endpoint else None
        action, _kind = action_of(view)
        try:
            write(sessions, **_actor(), action=action, status=response.status_code, target=_target(response),
                  replayed=response.headers.get("Idempotent-Replayed") == "true")
        except Exception:  # the answer has been decided; a lost audit row is logged, not turned into a 500
            current_app.logger.exception("audit row not written for %s %s", request.method, request.path)
        return response


def _moment(name: str) -> datetime | None:
    value = request.args.get(name)
    if not value:
        return None
    try:
        moment = as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise Problem.on_field(422, name, "wrong_type", expected="datetime", expected_zh="日期时间") from None
    except OverflowError:  # its time zone pushes it past year 1 or 9999
        moment = None
    if moment is None or not EARLIEST <= moment.date() <= LATEST:
        raise Problem.on_field(422, name, "date_out_of_range")
    return moment


def _positive(name: str, default: int, most: int | None = None) -> int:
    value = request.args.get(name, str(default))
    if not (value.isascii() and value.isdigit()) or int(value) < 1:  # "²".isdigit() is true, int("²") fails
        raise Problem.on_field(422, name, "wrong_type", expected="integer", expected_zh="整数")
    if int(value) > MAX_PAGE:
        raise Problem.on_field(422, name, "number_out_of_range", min=1, max=MAX_PAGE)
    return min(int(value), most) if most else int(value)


@blueprint.get("/api/v1/audit")
@documented(query=views.AuditQuery, returns=views.AuditPage, calls_service=False)
@requires("audit:read")
def audit_log():
    """Newest first; filters actor, action, since, until; page and per_page."""
    conditions = []
    if g.account.role != "district_it":
        conditions.append(AuditEntry.community == g.account.community)
    for name in ("actor", "action"):
        if request.args.get(name):
            conditions.append(getattr(AuditEntry, name) == request.args[name])
    since, until = _moment("since"), _moment("until")
    if since:
        conditions.append(AuditEntry.at >= since)
    if until:
        conditions.append(AuditEntry.at < until)
    page, per_page = _positive("page", 1), _positive("per_page", 50, MAX_PER_PAGE)
    with gateway_state().sessions() as session:
        total = session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions))
        rows = session.scalars(select(AuditEntry).where(*conditions).order_by(AuditEntry.at.desc(), AuditEntry.id)
                               .offset((page - 1) * per_page).limit(per_page)).all()
    personal = g.account.role != "district_it"
    secret = gateway_state().config["SECRET_KEY"]
    return jsonify(total=total, page=page, per_page=per_page, items=[_view(row, personal, secret) for row in rows])


def pseudonym(secret: str, actor: str | None) -> str | None:
    """A stable stand-in for an account or key id that does not reveal it."""
    if actor is None:
        return None
    return hmac.new(secret.encode(), f"audit-actor:{actor}".encode(), hashlib.sha256).hexdigest()[:16]


def network_of(address: str | None) -> str | None:
    """The address's network only: 203.0.113.9 -> 203.0.113.0/24; IPv6 to its /48."""
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return None
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))


def _view(row: AuditEntry, personal: bool, secret: str) -> dict:
    actor = {"kind": row.actor_kind, "ref": pseudonym(secret, row.actor), "role": row.role,
             "community": row.community}
    if personal:
        actor["id"] = row.actor
    return {"id": row.id, "at": shown_local(row.at), "actor": actor,
            "action": row.action, "method": row.method, "path": row.path, "target": row.target,
            "status": row.status, "replayed": row.replayed,
            "address": row.address if personal else network_of(row.address)}
