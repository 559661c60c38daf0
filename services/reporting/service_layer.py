"""Reporting's use cases: each opens a unit of work, applies the domain, records
what happened on the timeline and as events, and commits once."""
import base64
import uuid
from datetime import datetime

from sqlalchemy import String, cast, func, or_, select, true

from services.reporting import domain
from services.reporting.domain import Status
from services.reporting.models import (
    Category,
    Media,
    Notification,
    NotificationRead,
    Report,
    Supporter,
    TimelineEntry,
)
from services.reporting.schemas import PRIVATE_GROUPS, category_view, public_report_view, report_view, timeline_view
from shared.contracts import reasons, rpc
from shared.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.contracts.events import load_payload
from shared.contracts.roles import GRID_STAFF, OFFICE
from shared.contracts.validation import load
from shared.rules import apply_rule
from shared.times import shown_local

SYSTEM = {"account_id": "system", "role": "system", "name": "系统"}
MAX_MEDIA_BYTES = 5 * 1024 * 1024
MEDIA_TYPES = {"image/jpeg", "image/png", "image/webp"}


def import_categories(uow, categories: list[dict]) -> int:
    with uow:
        for item in categories:
            uow.session.merge(Category(**item))
        uow.commit()
    return len(categories)


def list_categories(uow) -> list[dict]:
    with uow:
        rows = uow.session.scalars(select(Category).where(Category.active).order_by(Category.code)).all()
        return category_view.dump(rows, many=True)


def create_report(uow, caller: dict, data: dict, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    data = load(rpc.NewReport, data)
    report_id = data.pop("id") or str(uuid.uuid4())
    with uow:
        filed = uow.session.get(Report, report_id)
        if filed is not None:  # sent again, maybe long after: the first filing stands
            if filed.reporter_id != caller["account_id"] or filed.community != caller["community"]:
                raise Conflict("report_id_taken", field="id", params={"id": report_id})
            return {"report": report_view.dump(filed), "possible_duplicates": _possible_duplicates(uow, filed, caller),
                    "created": False}
        category = uow.session.get(Category, data["category"])
        if category is None or not category.active:
            raise InvalidInput.one("category", "unknown_category", value=data["category"])
        errors = domain.attribute_errors(category.attributes, data["attributes"])
        if errors:
            raise InvalidInput(errors)
        if data["grid"] is None and caller["role"] in GRID_STAFF and not data["building"]:
            data["grid"] = caller["grid"]  # a grid worker on patrol reports in their own grid
        report = _file(uow, report_id, caller, data, now)
        duplicates = _possible_duplicates(uow, report, caller)
        uow.commit()
        return {"report": report_view.dump(report), "possible_duplicates": duplicates, "created": True}


def _file(uow, report_id: str, reporter: dict, data: dict, now, details: dict | None = None) -> Report:
    """A new report, submitted: its row, its first timeline entry and report.created, in ``uow``."""
    report = Report(id=report_id, community=reporter["community"], reporter_id=reporter["account_id"],
                    reporter_role=reporter["role"], reporter_name=reporter["name"], status=Status.SUBMITTED,
                    level="grid", task_sequence=0, task_version=0, rework_count=0, reopen_count=0, created_at=now,
                    updated_at=now, **data)
    uow.session.add(report)
    _add_timeline(uow, report, "reported", reporter, note=data["description"], at=now, details=details)
    uow.record("report.created", {**data, "report_id": report.id, "community": report.community,
                                  "reporter_id": report.reporter_id, "reporter_role": report.reporter_role},
               correlation_id=report.id)
    return report


def _possible_duplicates(uow, report: Report, caller: dict) -> dict:
    """Open reports of the same category at the same building in the last 24 hours: how many,
    and those the reporter may see (others' reports are counted, never shown)."""
    if not report.building:
        return {"count": 0, "items": []}
    same = [*_same_problem(report.community, report.category, report.building, report.created_at),
            Report.id != report.id]
    count = uow.session.scalar(select(func.count()).select_from(Report).where(*same))
    rows = uow.session.scalars(
        select(Report).where(*same, _visibility(caller)).order_by(Report.created_at.desc()).limit(10)
    ).all() if count else []
    return {"count": count, "items": [{"id": r.id, "description": r.description, "status": r.status,
                                       "created_at": shown_local(r.created_at)} for r in rows]}


def _same_problem(community: str, category: str, building: str, at: datetime) -> list:
    """Open reports of ``category`` at ``building`` made in the duplicate window before ``at``, as SQL."""
    return [Report.community == community, Report.category == category, Report.building == building,
            Report.created_at >= at - domain.DUPLICATE_WINDOW, Report.status.in_(domain.OPEN_STATUSES)]


def possible_duplicates(uow, caller: dict, query: dict, now: datetime) -> dict:
    """Before reporting: open reports of the same kind at the same building, to join ("me too") rather
    than report again. Ids, states and times are shown for all (as Open311 shows them); the words
    only of those the caller may see."""
    caller = load(rpc.Caller, caller)
    query = load(rpc.DuplicateQuery, query)
    same = _same_problem(caller["community"], query["category"], query["building"], now)
    visible = _visibility(caller)
    joined = select(Supporter.report_id).where(Supporter.account_id == caller["account_id"])
    with uow:
        rows = uow.session.execute(
            select(Report, visible if visible is not True else true(), Report.id.in_(joined))
            .where(*same).order_by(Report.created_at.desc(), Report.id).limit(20)).all()
        return {"count": len(rows), "items": [
            {"id": r.id, "status": r.status, "status_name": dict(zip(("zh", "en"), domain.STATUS_NAMES[r.status])),
             "created_at": shown_local(r.created_at), "supporters": r.supporters,
             "description": r.description if seen else None,
             "mine": r.reporter_id == caller["account_id"], "joined": bool(was_joined)}
            for r, seen, was_joined in rows]}


def support_report(uow, caller: dict, report_id: str, now: datetime) -> dict:
    """"Me too" (附议): the caller has the same problem. Counted once per account; asking again
    answers the same. Anyone of the community may join an open report by its id (ids are public,
    as in Open311), so the answer says nothing of the report but its count."""
    caller = load(rpc.Caller, caller)
    with uow:
        report = uow.session.scalars(select(Report).where(Report.id == report_id,
                                                          Report.community == caller["community"])
                                     .with_for_update()).first()
        if report is None:
            raise NotFound("report_not_found", field="report_id", params={"id": report_id})
        joined = uow.session.get(Supporter, (report.id, caller["account_id"]))
        if joined is None:
            apply_rule(domain.support, report, caller["account_id"], field="report_id")
            joined = Supporter(report_id=report.id, account_id=caller["account_id"], role=caller["role"], at=now)
            uow.session.add(joined)
        answer = {"report_id": report.id, "supporters": report.supporters, "joined_at": shown_local(joined.at)}
        uow.commit()
        return answer


def get_report(uow, caller: dict, report_id: str) -> dict:
    caller = load(rpc.Caller, caller)
    with uow:
        report = _visible_report(uow, caller, report_id)
        return _with_timeline(uow, report)


# Newest first, or by the current task's deadline (the nearest first; none last).
REPORT_ORDER = {"-created": (Report.created_at.desc(), Report.id),
                "deadline": (Report.deadline_at.is_(None), Report.deadline_at, Report.id)}


def list_reports(uow, caller: dict, filters: dict) -> dict:
    caller = load(rpc.Caller, caller)
    filters = load(rpc.ReportFilter, filters)
    conditions = [Report.community == caller["community"], _visibility(caller)]
    for name in ("category", "grid", "building", "level"):
        if filters[name]:
            conditions.append(getattr(Report, name) == filters[name])
    if filters["status"]:
        conditions.append(Report.status.in_(filters["status"]))
    if filters["reporter"]:
        conditions.append(Report.reporter_id == filters["reporter"])
    if filters["handler"]:
        conditions.append(Report.handler_staff_code == filters["handler"])
    if filters["due_before"]:
        conditions.append(Report.deadline_at < filters["due_before"])
    if filters["created_from"]:
        conditions.append(Report.created_at >= filters["created_from"])
    if filters["created_to"]:
        conditions.append(Report.created_at < filters["created_to"])
    page, per_page = filters["page"], filters["per_page"]
    with uow:
        total = uow.session.scalar(select(func.count()).select_from(Report).where(*conditions))
        rows = uow.session.scalars(
            select(Report).where(*conditions).order_by(*REPORT_ORDER[filters["sort"]])
            .offset((page - 1) * per_page).limit(per_page)
        ).all()
        return {"items": report_view.dump(rows, many=True), "page": page, "per_page": per_page, "total": total}


# Timeline steps the public sees: every step but the report itself and its rating (the reporter's).
PUBLIC_ACTIONS = tuple(a for a in domain.ACTIONS if a not in ("reported", "rated"))
# Steps whose note is about the work (handling feedback, verification, returns, escalations, deadlines)
# and is shown with them; any other step (a reopening's comment, a mediation case's summary, steps
# added later) is shown without its note until someone decides its note is public.
PUBLIC_NOTES = frozenset({"resolved", "verified", "verification_failed", "returned", "escalated",
                          "extension_requested", "deferral_requested", "request_approved", "request_denied"})


def public_reports(uow, community: str, filters: dict) -> list[dict]:
    """A community's reports as anyone may see them (Open311 GET requests), newest first: each with
    its public steps (action, time, note; never who) and the kind of organisation handling it."""
    filters = load(rpc.PublicReportFilter, filters)
    conditions = [Report.community == community]
    if filters["ids"] is not None:
        conditions.append(Report.id.in_(filters["ids"]))
    if filters["category"]:
        conditions.append(Report.category == filters["category"])
    if filters["status"] == "closed":
        conditions.append(Report.status == Status.CLOSED)
    elif filters["status"] == "open":
        conditions.append(Report.status != Status.CLOSED)
    if filters["created_from"]:
        conditions.append(Report.created_at >= filters["created_from"])
    if filters["created_to"]:
        conditions.append(Report.created_at < filters["created_to"])
    with uow:
        rows = uow.session.execute(
            select(Report, Category.group_code).join(Category, Category.code == Report.category).where(*conditions)
            .order_by(Report.created_at.desc(), Report.id).limit(filters["limit"])
        ).all()
        if not rows:
            return []
        steps: dict[str, list] = {}
        for entry in uow.session.scalars(
            select(TimelineEntry).where(TimelineEntry.report_id.in_([r.id for r, _g in rows]),
                                        TimelineEntry.action.in_(PUBLIC_ACTIONS))
            .order_by(TimelineEntry.at, TimelineEntry.id)
        ):
            steps.setdefault(entry.report_id, []).append(entry)
        out = []
        for report, group in rows:
            report.category_group = group
            private = group in PRIVATE_GROUPS
            entries = steps.get(report.id, [])
            out.append({
                **public_report_view.dump(report),
                "steps": [{"at": shown_local(e.at), "action": e.action,
                           "action_name": dict(zip(("zh", "en"), domain.ACTIONS[e.action])),
                           "note": e.note if e.action in PUBLIC_NOTES and not private else None}
                          for e in entries],
                "agency": _agency(report, entries),
            })
        return out


def _agency(report: Report, entries: list) -> dict | None:
    """Who handles it, as an organisation (a company, a grid, the community, the street), from the
    latest dispatch: never the person."""
    dispatched = [e for e in entries if e.action == "dispatched"]
    if not dispatched:
        return None
    details = dispatched[-1].details or {}
    return {"kind": details.get("handler_kind"), "level": details.get("level") or report.level,
            "company": details.get("company"), "grid": report.grid}


def _visibility(caller: dict):
    """Who sees which reports, as SQL: lists are scoped in the query, not after it."""
    role = caller["role"]
    if role in OFFICE:
        return True
    allowed = [Report.reporter_id == caller["account_id"]]
    if role in GRID_STAFF and caller["grid"]:
        allowed.append(Report.grid == caller["grid"])
    if role == "building_leader" and caller["building"]:
        allowed.append(Report.building == caller["building"])
    if caller["staff_code"]:  # whoever handles it now
        allowed.append(Report.handler_staff_code == caller["staff_code"])
    return or_(*allowed)


def verify_report(uow, caller: dict, report_id: str, data: dict, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    data = load(rpc.Verification, data)
    with uow:
        report = _visible_report(uow, caller, report_id, lock=True)
        if not domain.may_verify(report, caller):
            raise Forbidden("not_grid_worker", field="report_id")
        note = data["note"] if data["passed"] else reasons.stated("verification_failure", data["reason_code"],
                                                                   data["note"])
        _verify(uow, report, caller, data["passed"], note, now, responsible_household=data["responsible_household"],
                rule=data["rule"], reason_code=data["reason_code"],
                details={"photos": data["photos"]} if data["photos"] else None)
        uow.commit()
        return _with_timeline(uow, report)


def _verify(uow, report: Report, verifier: dict, passed: bool, note, at, responsible_household=None, rule=None,
            details: dict | None = None, reason_code: str | None = None) -> None:
    """核查: passed closes the report, failed sends the work back; the timeline and the events say so."""
    task_id = report.current_task_id
    apply_rule(domain.verify, report, passed)
    if passed:
        report.closed_at = at
        _add_timeline(uow, report, "verified", verifier, note=note, at=at, details=details)
        _add_timeline(uow, report, "closed", verifier, at=at)
    else:
        _add_timeline(uow, report, "verification_failed", verifier, note=note, at=at,
                      details={**(details or {}), "rework_count": report.rework_count, "reason_code": reason_code})
    uow.record("report.verified", {"report_id": report.id, "community": report.community, "task_id": task_id,
                                   "passed": passed, "note": note, "reason_code": reason_code,
                                   "verifier_id": verifier["account_id"],
                                   "rework_count": report.rework_count, "handler": report.handler_staff_code},
               correlation_id=report.id)
    if passed:
        uow.record("report.closed", {"report_id": report.id, "community": report.community,
                                     "category": report.category, "reporter_id": report.reporter_id,
                                     "reporter_role": report.reporter_role, "rework_count": report.rework_count,
                                     "responsible_household": responsible_household, "rule": rule},
                   correlation_id=report.id)


def rate_report(uow, caller: dict, report_id: str, data: dict, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    data = load(rpc.Rating, data)
    with uow:
        report = _visible_report(uow, caller, report_id, lock=True)
        if report.reporter_id != caller["account_id"]:
            raise Forbidden("not_reporter", field="report_id")
        reopened = apply_rule(domain.rate, report, data["rating"])
        _add_timeline(uow, report, "rated", caller, note=data["comment"], at=now, details={"rating": data["rating"]})
        uow.record("report.rated", {"report_id": report.id, "community": report.community,
                                    "handler": report.handler_staff_code, **data}, correlation_id=report.id)
        if reopened:
            report.closed_at = None
            _add_timeline(uow, report, "reopened", caller, note=data["comment"], at=now)
            uow.record("report.reopened", {"report_id": report.id, "community": report.community,
                                           "reason": data["comment"] or "不满意"}, correlation_id=report.id)
        uow.commit()
        return _with_timeline(uow, report)


def follow_task(uow, event) -> None:
    """A task event from dispatch: the timeline gets the step, the report follows the task."""
    payload = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        report = _report_for_event(uow, payload)
        if event.type in domain.TASK_EVENT_STATUS:
            domain.follow_task(report, event.type, payload["task_id"], payload["sequence"], payload["version"])
        handler = {"account_id": payload["staff_code"], "role": "handler", "name": payload["handler_name"]}
        action, actor, note, details = _timeline_of(event.type, payload, handler)
        _add_timeline(uow, report, action, actor, note=note, details=details, at=event.occurred_at,
                      handler=payload["staff_code"])
        if event.type == "task.assigned":
            report.grid = payload["grid"] or report.grid  # dispatch knows which grid a building is in
        if payload["task_id"] == report.current_task_id:
            # Any event of the current task says who has it and until when, whatever order they arrive in.
            report.handler_staff_code, report.handler_name = payload["staff_code"], payload["handler_name"]
            report.deadline_at = payload["deadline_at"]
        uow.commit()


def follow_escalation(uow, event) -> None:
    """The matter climbed to the community or the street."""
    payload = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event):
            return
        report = _report_for_event(uow, payload)
        report.level = max(report.level, payload["level"], key=domain.LEVELS.index)
        _add_timeline(uow, report, "escalated", SYSTEM, note=payload["reason"], at=event.occurred_at,
                      details={"from_level": payload["from_level"], "level": payload["level"],
                               "reason_code": payload["reason_code"]})
        uow.commit()


# The station staff who did it speak for the desk on the report's timeline.
MEDIATION_DESK = {"account_id": "mediation", "role": "station_staff", "name": "社区矛盾纠纷调解中心"}


def follow_case(uow, event) -> None:
    """A step of the mediation case a report became: the report's timeline shows it, and a
    satisfied follow-up visit (回访) after the case was resolved is the report's verification."""
    case = load_payload(event.type, event.payload)
    with uow:
        if not uow.first_delivery(event) or not case["report_id"]:
            return
        report = _report_for_event(uow, case)
        note = case.get("summary") or case.get("reason") or case.get("note")
        details = {key: case[key] for key in ("case_number", "station", "to", "outcome", "body", "body_name",
                                               "routes_explained", "judicial_confirmation_by") if case.get(key)}
        _add_timeline(uow, report, domain.CASE_ACTIONS[event.type], MEDIATION_DESK, note=note, details=details,
                      at=event.occurred_at)
        if event.type == "case.closed" and case["follow_up_satisfied"] and report.status != Status.CLOSED:
            # Dispatch resolves the task when the case resolves; until that news is here the report is
            # not resolved, verification refuses (Conflict), and the subscriber retries with backoff.
            _verify(uow, report, MEDIATION_DESK, True, case["reason"], event.occurred_at,
                    details={"case_number": case["case_number"], "follow_up_satisfied": True})
        uow.commit()


def file_handed_over_case(uow, event, now: datetime) -> None:
    """Triage sent a case back to dispatch as an ordinary task: it is filed as a report with the
    id the case already links, so it enters the same flow as any other."""
    routed = load_payload(event.type, event.payload)
    handover = routed["dispatch"]
    if routed["to"] != "dispatch" or handover is None:
        return
    with uow:
        if not uow.first_delivery(event, handler="handover"):
            return
        reporter = {"account_id": handover["reporter_id"], "role": handover["reporter_role"],
                    "name": MEDIATION_DESK["name"], "community": routed["community"]}
        data = {"category": handover["category"], "grid": handover["grid"], "building": handover["building"],
                "unit": handover["unit"], "address": None, "latitude": None, "longitude": None, "photos": [],
                "attributes": {}, "urgent": False, "channel": "mediation",
                "description": f"{handover['description']}(由社区案件{routed['case_number']}转派)"}
        _file(uow, handover["report_id"], reporter, data, now, details={"case_number": routed["case_number"]})
        uow.commit()


def _report_for_event(uow, payload: dict) -> Report:
    report = uow.session.get(Report, payload["report_id"], with_for_update=True)
    if report is None:
        raise NotFound("report_not_found", field="report_id", params={"id": payload["report_id"]})
    return report


def _timeline_of(event_type: str, p: dict, handler: dict) -> tuple[str, dict, str | None, dict]:
    """(action, who, note, details) of a task event on the report's timeline."""
    if event_type == "task.assigned":
        return "dispatched", SYSTEM, None, {"task_id": p["task_id"], "handler": p["handler_name"],
                                            "handler_kind": p["handler_kind"], "level": p["level"],
                                            "company": p.get("company"),
                                            "deadline_at": shown_local(p["deadline_at"])}
    if event_type == "task.accepted":
        return "accepted", handler, None, {}
    if event_type == "task.resolved":
        return "resolved", handler, p["note"], {"photos": p["photos"]}
    if event_type == "task.returned":
        return "returned", handler, p["reason"], {"reason_code": p["reason_code"]}
    if event_type in ("task.warned", "task.overdue", "task.resumed"):
        return event_type.split(".")[1], SYSTEM, None, {"deadline_at": shown_local(p["deadline_at"])}
    if event_type == "task.supervised":
        return "supervised", SYSTEM, None, {"leader": p["leader_name"], "deadline_at": shown_local(p["deadline_at"])}
    if event_type in ("task.extension_requested", "task.deferral_requested"):
        return event_type.split(".")[1], handler, p["reason"], {"until": shown_local(p["until"]),
                                                                 "reason_code": p["reason_code"]}
    if event_type == "task.request_decided":
        return ("request_approved" if p["approved"] else "request_denied"), SYSTEM, p["note"], {
            "kind": p["kind"], "deadline_at": shown_local(p["deadline_at"])}
    raise ValueError(f"no timeline entry for {event_type}")


def notifications(uow, caller: dict, query: dict) -> dict:
    """消息: what happened to the caller's reports and tasks (and her grid's), newest first."""
    caller = load(rpc.Caller, caller)
    query = load(rpc.NotificationQuery, query)
    read = select(NotificationRead.notification_id).where(NotificationRead.account_id == caller["account_id"])
    mine = _messages_of(caller)
    unread = [*mine, Notification.id.not_in(read)]
    page, per_page = query["page"], query["per_page"]
    counted = select(func.count()).select_from(Notification).join(Report, Report.id == Notification.report_id)
    with uow:
        unread_count = uow.session.scalar(counted.where(*unread))
        listed = unread if query["unread"] else mine
        total = unread_count if query["unread"] else uow.session.scalar(counted.where(*mine))
        rows = uow.session.execute(
            select(Notification, Report.category, Report.building, Report.status, Notification.id.in_(read))
            .join(Report, Report.id == Notification.report_id).where(*listed)
            .order_by(Notification.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
        items = [{"id": n.id, "report_id": n.report_id, "action": n.action,
                  "action_name": dict(zip(("zh", "en"), domain.ACTIONS[n.action])), "at": shown_local(n.at),
                  "note": n.note, "category": category, "building": building, "report_status": status,
                  "read": bool(is_read)}
                 for n, category, building, status, is_read in rows]
        return {"items": items, "page": page, "per_page": per_page, "total": total, "unread": unread_count}


def mark_read(uow, caller: dict, data: dict) -> dict:
    """Mark the caller's messages read: those named, or every one up to an id. Marking again changes nothing."""
    caller = load(rpc.Caller, caller)
    data = load(rpc.NotificationsRead, data)
    with uow:
        condition = Notification.id.in_(data["ids"]) if data["ids"] else Notification.id <= data["up_to"]
        read = select(NotificationRead.notification_id).where(NotificationRead.account_id == caller["account_id"])
        mine = select(Notification.id).join(Report, Report.id == Notification.report_id).where(
            *_messages_of(caller), Notification.id.not_in(read))
        for notification_id in uow.session.scalars(mine.where(condition)).all():
            uow.session.add(NotificationRead(account_id=caller["account_id"], notification_id=notification_id))
        uow.commit()
        return {"unread": uow.session.scalar(select(func.count()).select_from(mine.subquery()))}


def _messages_of(caller: dict) -> list:
    """The caller's messages, as SQL over notifications joined with their reports."""
    addresses = domain.addresses_of(caller)
    told_twice = (Notification.recipient.startswith("grid:") & (Report.reporter_id == caller["account_id"])
                  & Notification.action.in_(domain.TOLD_TWICE))
    return [Notification.recipient.in_(addresses), ~told_twice]


def upload_media(uow, caller: dict, content_type: str, content_b64: str, now: datetime) -> dict:
    caller = load(rpc.Caller, caller)
    if content_type not in MEDIA_TYPES:
        raise InvalidInput.one("file", "unsupported_media_type")
    data = base64.b64decode(content_b64)
    if len(data) > MAX_MEDIA_BYTES:
        raise InvalidInput.one("file", "photo_too_large", max="5 MB")
    media = Media(id=str(uuid.uuid4()), community=caller["community"], content_type=content_type, size=len(data),
                  data=data, uploaded_by=caller["account_id"], created_at=now)
    with uow:
        uow.session.add(media)
        uow.commit()
    return {"id": media.id, "url": f"/api/v1/media/{media.id}", "content_type": content_type, "size": media.size}


def get_media(uow, caller: dict, media_id: str) -> dict:
    with uow:
        media = uow.session.get(Media, media_id)
        if media is None or media.community != caller["community"] or not _may_see_media(uow, caller, media):
            raise NotFound("media_not_found", field="media_id", params={"id": media_id})
        return {"content_type": media.content_type, "content_b64": base64.b64encode(media.data).decode()}


def _may_see_media(uow, caller: dict, media: Media) -> bool:
    """A photo is seen by whoever uploaded it and by those who may see a report it belongs to."""
    if media.uploaded_by == caller["account_id"]:
        return True
    of_a_visible_report = select(Report.id).where(
        Report.community == caller["community"], _visibility(caller),
        cast(Report.photos, String).contains(media.id, autoescape=True)).limit(1)
    return uow.session.scalars(of_a_visible_report).first() is not None


def _visible_report(uow, caller: dict, report_id: str, lock: bool = False) -> Report:
    """The report if the caller may see it; locked when they are about to change it."""
    query = select(Report).where(Report.id == report_id, Report.community == caller["community"], _visibility(caller))
    report = uow.session.scalars(query.with_for_update() if lock else query).first()
    # Someone who may not see a report is told it does not exist.
    if report is None:
        raise NotFound("report_not_found", field="report_id", params={"id": report_id})
    return report


def _add_timeline(uow, report: Report, action: str, actor: dict, at, note=None, details=None,
                  handler: str | None = None) -> None:
    """A step on the report's timeline, and a message to each it concerns (``handler``: the staff code
    of the task the step is about, when it may not be the report's current one)."""
    report.updated_at = max(report.updated_at, at)
    uow.session.add(TimelineEntry(report_id=report.id, at=at, action=action, actor_id=actor["account_id"],
                                  actor_role=actor["role"], actor_name=actor["name"], note=note,
                                  details=details or {}))
    for recipient in domain.recipients(action, report.reporter_id, handler or report.handler_staff_code,
                                       report.community, report.grid, actor["account_id"]):
        uow.session.add(Notification(recipient=recipient, report_id=report.id, action=action, at=at, note=note))


def _with_timeline(uow, report: Report) -> dict:
    entries = uow.session.scalars(
        select(TimelineEntry).where(TimelineEntry.report_id == report.id).order_by(TimelineEntry.at, TimelineEntry.id)
    ).all()
    return {**report_view.dump(report), "timeline": timeline_view.dump(entries, many=True)}
