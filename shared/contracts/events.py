"""Payload schemas of every event on the bus, by type.

Publishers dump through these (plain JSON types, validated); consumers load
through them and ignore fields they do not know. A payload change that is not
backwards compatible gets a new version number.
"""
from functools import cache

from marshmallow import EXCLUDE, Schema, fields


class Payload(Schema):
    class Meta:
        unknown = EXCLUDE
        ordered = True


# reporting -------------------------------------------------------------
class ReportCreated(Payload):
    report_id = fields.String(required=True)
    community = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    grid = fields.String(allow_none=True, load_default=None)
    building = fields.String(allow_none=True, load_default=None)
    unit = fields.String(allow_none=True, load_default=None)
    address = fields.String(allow_none=True, load_default=None)
    latitude = fields.Float(allow_none=True, load_default=None)
    longitude = fields.Float(allow_none=True, load_default=None)
    photos = fields.List(fields.String(), load_default=list)
    urgent = fields.Boolean(load_default=False)
    reporter_id = fields.String(required=True)
    reporter_role = fields.String(required=True)
    channel = fields.String(required=True)


class ReportVerified(Payload):
    report_id = fields.String(required=True)
    community = fields.String(required=True)
    task_id = fields.String(allow_none=True, load_default=None)
    passed = fields.Boolean(required=True)
    note = fields.String(allow_none=True, load_default=None)
    reason_code = fields.String(allow_none=True, load_default=None)  # a failure's standard reason
    verifier_id = fields.String(required=True)
    rework_count = fields.Integer(required=True)
    handler = fields.String(allow_none=True, load_default=None)  # staff code of whoever did the work


class ReportClosed(Payload):
    report_id = fields.String(required=True)
    community = fields.String(required=True)
    category = fields.String(required=True)
    reporter_id = fields.String(required=True)
    reporter_role = fields.String(required=True)
    rework_count = fields.Integer(required=True)
    # When the verifier found a household responsible and named the village rule it broke.
    responsible_household = fields.String(allow_none=True, load_default=None)
    rule = fields.String(allow_none=True, load_default=None)


class ReportRated(Payload):
    report_id = fields.String(required=True)
    community = fields.String(required=True)
    rating = fields.String(required=True)
    comment = fields.String(allow_none=True, load_default=None)
    handler = fields.String(allow_none=True, load_default=None)  # staff code of whoever did the work


class ReportReopened(Payload):
    report_id = fields.String(required=True)
    community = fields.String(required=True)
    reason = fields.String(required=True)


# dispatch --------------------------------------------------------------
class TaskEvent(Payload):
    task_id = fields.String(required=True)
    report_id = fields.String(required=True)
    community = fields.String(required=True)
    sequence = fields.Integer(required=True)  # the task's place among its report's tasks: 1, 2, ...
    version = fields.Integer(required=True)  # grows with every change of the task
    staff_code = fields.String(required=True)
    handler_name = fields.String(required=True)
    deadline_at = fields.AwareDateTime(required=True)


class TaskAssigned(TaskEvent):
    grid = fields.String(allow_none=True, load_default=None)
    level = fields.String(load_default="grid")
    handler_kind = fields.String(required=True)
    company = fields.String(allow_none=True, load_default=None)
    category = fields.String(required=True)


class TaskAccepted(TaskEvent):
    pass


class TaskResolved(TaskEvent):
    note = fields.String(required=True)
    photos = fields.List(fields.String(), load_default=list)


class TaskReturned(TaskEvent):
    reason = fields.String(required=True)
    reason_code = fields.String(allow_none=True, load_default=None)  # shared.contracts.reasons


class TaskSupervised(TaskEvent):
    """督办: an order to the handler's leader about an overdue task."""

    leader_code = fields.String(allow_none=True, load_default=None)
    leader_name = fields.String(allow_none=True, load_default=None)


class TaskEscalated(TaskEvent):
    level = fields.String(required=True)
    to_level = fields.String(required=True)
    reason = fields.String(required=True)
    reason_code = fields.String(allow_none=True, load_default=None)


class TaskChangeRequested(TaskEvent):
    """task.extension_requested (延期) and task.deferral_requested (挂账)."""

    request_id = fields.String(required=True)
    reason = fields.String(required=True)
    reason_code = fields.String(allow_none=True, load_default=None)
    until = fields.AwareDateTime(allow_none=True, load_default=None)


class TaskRequestDecided(TaskEvent):
    request_id = fields.String(required=True)
    kind = fields.String(required=True)
    approved = fields.Boolean(required=True)
    note = fields.String(allow_none=True, load_default=None)


class ReportEscalated(Payload):
    """A matter climbed to the community or the street (routing key report.escalated.<level>.<category>)."""

    report_id = fields.String(required=True)
    community = fields.String(required=True)
    street = fields.String(allow_none=True, load_default=None)
    category = fields.String(required=True)
    dispute = fields.Boolean(load_default=False)
    from_level = fields.String(required=True)
    level = fields.String(required=True)
    reason = fields.String(required=True)
    reason_code = fields.String(allow_none=True, load_default=None)  # a person's standard reason, if one was chosen
    task_id = fields.String(required=True)
    deadline_at = fields.AwareDateTime(required=True)
    urgent = fields.Boolean(load_default=False)
    grid = fields.String(allow_none=True, load_default=None)
    building = fields.String(allow_none=True, load_default=None)
    description = fields.String(required=True)


class PatrolEnded(Payload):
    """A walk through the community ended (巡查): who, in which grid, when, and the buildings checked in at."""

    patrol_id = fields.String(required=True)
    community = fields.String(required=True)
    grid = fields.String(allow_none=True, load_default=None)
    staff_code = fields.String(required=True)
    started_at = fields.AwareDateTime(required=True)
    ended_at = fields.AwareDateTime(required=True)
    buildings = fields.List(fields.String(), load_default=list)
    check_ins = fields.Integer(required=True)
    distance_m = fields.Integer(allow_none=True, load_default=None)


# scoring ---------------------------------------------------------------
class FundSettled(Payload):
    """A fund period of the civility reward fund was settled; each household's line is on its publication list."""

    community = fields.String(required=True)
    period = fields.String(required=True)
    starts_on = fields.String(required=True)  # ISO dates
    ends_on = fields.String(required=True)
    fund = fields.String(required=True)  # yuan, "1000.00"
    base = fields.String(required=True)
    threshold = fields.Integer(required=True)
    pool = fields.String(required=True)
    households = fields.Integer(required=True)
    counted_total = fields.Integer(required=True)
    shared_equally = fields.Boolean(required=True)
    settled_at = fields.AwareDateTime(required=True)


# mediation ---------------------------------------------------------------
class CaseEvent(Payload):
    """A step of a mediation case (one case, one file). ``report_id`` and ``task_id`` are set
    when the case came from an escalated report, so the report's loop can follow it."""

    case_id = fields.String(required=True)
    case_number = fields.String(required=True)  # printed on every document, e.g. YTL-2026-0007
    community = fields.String(required=True)
    station = fields.String(required=True)  # where the case stands after this step
    report_id = fields.String(allow_none=True, load_default=None)
    task_id = fields.String(allow_none=True, load_default=None)


class CaseOpened(CaseEvent):
    source = fields.String(required=True)  # escalation, walk_in, phone
    category = fields.String(allow_none=True, load_default=None)
    summary = fields.String(required=True)


class DispatchRequest(Payload):
    """What reporting needs to file the ordinary report a case is handed back as."""

    report_id = fields.String(required=True)  # chosen by mediation, so the case links it at once
    category = fields.String(required=True)
    description = fields.String(required=True)
    grid = fields.String(allow_none=True, load_default=None)
    building = fields.String(allow_none=True, load_default=None)
    unit = fields.String(allow_none=True, load_default=None)
    reporter_id = fields.String(required=True)  # the station staff member who routed it
    reporter_role = fields.String(required=True)


class CaseRouted(CaseEvent):
    """事务分流: triage sent the case to a station, back to dispatch, or outside."""

    from_station = fields.String(required=True)
    to = fields.String(required=True)  # mediation, legal, council, dispatch, outside
    note = fields.String(allow_none=True, load_default=None)
    dispatch = fields.Nested(DispatchRequest, allow_none=True, load_default=None)


class CaseResolved(CaseEvent):
    outcome = fields.String(required=True)  # agreement_performed, advice_given, council_decided, ...
    summary = fields.String(required=True)


class CaseReferred(CaseEvent):
    """The case left the desk for a court, arbitration, the police, a department or legal aid."""

    body = fields.String(required=True)
    body_name = fields.String(allow_none=True, load_default=None)
    reason = fields.String(required=True)
    routes_explained = fields.List(fields.String(), load_default=list)  # Art. 26: told to the parties


class CaseClosed(CaseEvent):
    outcome = fields.String(required=True)  # resolved, refused, referred, handed_to_dispatch
    reason = fields.String(required=True)
    follow_up_satisfied = fields.Boolean(allow_none=True, load_default=None)


class CaseReopened(CaseEvent):
    """An unsatisfied follow-up visit (回访) reopened a resolved case at the station that resolved it."""

    reason = fields.String(required=True)


class AgreementSigned(CaseEvent):
    """调解协议书 took effect: every party and the mediator signed."""

    agreement_id = fields.String(required=True)
    households = fields.List(fields.String(), load_default=list)
    obligations = fields.Integer(required=True)
    judicial_confirmation_by = fields.String(required=True)  # ISO date: the 30-day window for 司法确认


class AgreementPerformed(Payload):
    """A mediation agreement (调解协议) was performed: the parties' households, by code."""

    case_id = fields.String(required=True)
    agreement_id = fields.String(required=True)
    community = fields.String(required=True)
    households = fields.List(fields.String(), required=True)


class CouncilDecided(Payload):
    """The residents' council (居民议事会) decided; it may adopt a version of a village rule."""

    decision_id = fields.String(required=True)
    community = fields.String(required=True)
    title = fields.String(required=True)
    adopts_rule = fields.Dict(allow_none=True, load_default=None)  # a rule version, as scoring imports them


PAYLOADS: dict[str, type[Payload]] = {
    "report.created": ReportCreated,
    "report.verified": ReportVerified,
    "report.closed": ReportClosed,
    "report.rated": ReportRated,
    "report.reopened": ReportReopened,
    "task.assigned": TaskAssigned,
    "task.accepted": TaskAccepted,
    "task.resolved": TaskResolved,
    "task.returned": TaskReturned,
    "task.warned": TaskEvent,  # 黄牌: the deadline is near
    "task.overdue": TaskEvent,  # 红牌: the deadline has passed
    "task.supervised": TaskSupervised,
    "task.escalated": TaskEscalated,
    "task.extension_requested": TaskChangeRequested,
    "task.deferral_requested": TaskChangeRequested,
    "task.request_decided": TaskRequestDecided,
    "task.resumed": TaskEvent,  # a deferred matter (挂账) is worked again
    "report.escalated": ReportEscalated,
    "patrol.ended": PatrolEnded,
    "case.opened": CaseOpened,
    "case.routed": CaseRouted,
    "case.resolved": CaseResolved,
    "case.referred": CaseReferred,
    "case.closed": CaseClosed,
    "case.reopened": CaseReopened,
    "agreement.signed": AgreementSigned,
    "agreement.performed": AgreementPerformed,
    "council.decided": CouncilDecided,
    "fund.settled": FundSettled,
}


REPORTING_EVENTS = ("report.created", "report.verified", "report.closed", "report.rated", "report.reopened")
SCORING_EVENTS = ("fund.settled",)


MEDIATION_EVENTS = ("case.opened", "case.routed", "case.resolved", "case.referred", "case.closed", "case.reopened",
                    "agreement.signed", "agreement.performed", "council.decided")


def source_of(event_type: str) -> str:
    """The service that publishes ``event_type``: reporting the report's own steps, scoring the fund's,
    mediation its cases', dispatch the rest."""
    if event_type in REPORTING_EVENTS:
        return "reporting"
    if event_type in MEDIATION_EVENTS:
        return "mediation"
    return "scoring" if event_type in SCORING_EVENTS else "dispatch"


@cache
def _schema(event_type: str) -> Payload:
    return PAYLOADS[event_type]()


def dump_payload(event_type: str, data: dict) -> dict:
    """Validate and turn into plain JSON types; raises on a payload that breaks its schema."""
    schema = _schema(event_type)
    dumped = schema.dump(data)
    errors = schema.validate(dumped)
    if errors:
        raise ValueError(f"{event_type} payload breaks its schema: {errors}")
    return dumped


def load_payload(event_type: str, payload: dict) -> dict:
    return _schema(event_type).load(payload)
