"""What the gateway's routes answer, as marshmallow schemas: used only to describe the answers in
the OpenAPI document (the services dump their own records; these say what those dumps look like).

Kept in step with services/*/schemas.py and the service layers by the schemathesis test, which
checks every answer of the live gateway against them. Objects accept more fields than are listed
(a new field in a service's answer breaks no client), but a listed field must have its listed type;
``allow_none=True`` marks every field that can be null.
"""
from marshmallow import EXCLUDE, Schema, fields, validate


class View(Schema):
    class Meta:
        unknown = EXCLUDE  # an answer may carry more than is listed


def _text(**kwargs):
    return fields.String(allow_none=True, **kwargs)


def _moment(**kwargs):
    """A time shown in Asia/Shanghai with its offset, e.g. 2026-11-26T08:30:00.000+08:00."""
    return fields.DateTime(allow_none=True, **kwargs)


class Names(View):
    zh = fields.String(required=True)
    en = fields.String(required=True)


class Problem(View):
    """application/problem+json (RFC 9457): every error the API answers."""

    class FieldError(View):
        field = fields.String(required=True)
        code = fields.String(required=True)
        message = fields.String(required=True)

    type = fields.String(required=True, metadata={"example": "/problems/invalid_input"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    code = fields.String(required=True)
    instance = fields.String(required=True)
    errors = fields.List(fields.Nested(FieldError))


# --- accounts -----------------------------------------------------------------
class Credentials(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, error="required"))
    password = fields.String(required=True, validate=validate.Length(min=1, error="required"))


class Account(View):
    account_id = fields.String(required=True)
    role = fields.String(required=True)
    name = fields.String(required=True)
    community = fields.String(required=True)
    grid = _text()
    building = _text()
    staff_code = _text()
    company = _text()
    station = _text()


class TokenIssued(View):
    access_token = fields.String(required=True)
    token_type = fields.String(required=True, metadata={"example": "Bearer"})
    expires_in = fields.Integer(required=True)
    refresh_token = fields.String(required=True)
    refresh_expires_in = fields.Integer(required=True)
    account = fields.Nested(Account, required=True)


class RefreshToken(Schema):
    refresh_token = fields.String(required=True, validate=validate.Length(min=1, error="required"))


class SignOut(Schema):
    refresh_token = fields.String(metadata={"description": "when signing out without the bearer token"})


class AuditQuery(Schema):
    actor = fields.String()
    action = fields.String(metadata={"example": "reports:create"})
    since = fields.DateTime()
    until = fields.DateTime()
    page = fields.Integer(validate=validate.Range(min=1))
    per_page = fields.Integer(validate=validate.Range(min=1))


class AuditPage(View):
    class Entry(View):
        class Actor(View):
            kind = fields.String(required=True)
            ref = _text()
            id = _text()
            role = _text()
            community = _text()

        id = fields.String(required=True)
        at = _moment()
        actor = fields.Nested(Actor, required=True)
        action = _text()
        method = fields.String(required=True)
        path = fields.String(required=True)
        target = _text()
        status = fields.Integer(required=True)
        replayed = fields.Boolean(allow_none=True)
        address = _text()

    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    items = fields.List(fields.Nested(Entry), required=True)


# --- catalogue and media --------------------------------------------------------
class Category(View):
    class Group(View):
        code = fields.String(required=True)
        zh = fields.String(required=True)
        en = fields.String(required=True)

    code = fields.String(required=True)
    name = fields.Nested(Names, required=True)
    group = fields.Nested(Group, required=True)
    description = fields.Nested(Names, required=True)
    attributes = fields.List(fields.Dict(), required=True)


class CategoryList(View):
    items = fields.List(fields.Nested(Category), required=True)


class StoredMedia(View):
    id = fields.String(required=True)
    url = fields.String(required=True, metadata={"example": "/api/v1/media/5f0c…"})
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class Upload(Schema):
    file = fields.Raw(required=True, metadata={"type": "string", "format": "binary"})


class Places(View):
    """The caller's community (a street platform: each of its street's communities), place by place."""

    class Community(View):
        class Grid(View):
            class Building(View):
                class Company(View):
                    code = fields.String(required=True)
                    name = _text()

                code = fields.String(required=True, metadata={"example": "47"})
                property_company = fields.Nested(Company, allow_none=True)
                units = fields.List(fields.String(), required=True)

            code = fields.String(required=True, metadata={"example": "g04"})
            name = fields.String(required=True)
            mine = fields.Boolean(required=True, metadata={"description": "the caller's own grid (listed first)"})
            buildings = fields.List(fields.Nested(Building), required=True)

        code = fields.String(required=True)
        name = fields.Nested(Names, required=True)
        grids = fields.List(fields.Nested(Grid), required=True)

    communities = fields.List(fields.Nested(Community), required=True)


class Reasons(View):
    """The standard reasons by what they are for; "other" (needs_note) needs words beside it."""

    class Reason(View):
        code = fields.String(required=True)
        name = fields.Nested(Names, required=True)
        needs_note = fields.Boolean(required=True)

    return_ = fields.List(fields.Nested(Reason), required=True, data_key="return")
    escalation = fields.List(fields.Nested(Reason), required=True)
    extension = fields.List(fields.Nested(Reason), required=True)
    deferral = fields.List(fields.Nested(Reason), required=True)
    verification_failure = fields.List(fields.Nested(Reason), required=True)


# --- reports --------------------------------------------------------------------
class Location(View):
    grid = _text()
    building = _text()
    unit = _text()
    address = _text()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)


class Person(View):
    id = _text()
    role = _text()
    name = _text()


class ReportHandler(View):
    staff_code = _text()
    name = _text()


class Report(View):
    id = fields.String(required=True)
    community = fields.String(required=True)
    category = fields.String(required=True)
    description = fields.String(required=True)
    location = fields.Nested(Location, required=True)
    photos = fields.List(fields.String(), required=True)
    attributes = fields.Dict(required=True)
    urgent = fields.Boolean(required=True)
    channel = fields.String(required=True)
    reporter = fields.Nested(Person, required=True)
    status = fields.String(required=True)
    level = fields.String(required=True)
    status_name = fields.Nested(Names, required=True)
    handler = fields.Nested(ReportHandler, allow_none=True)
    task_id = _text()
    deadline_at = _moment()
    rework_count = fields.Integer(required=True)
    reopen_count = fields.Integer(required=True)
    rating = _text()
    supporters = fields.Integer(required=True, metadata={"description": "others who said \"me too\""})
    created_at = _moment(required=True)
    updated_at = _moment(required=True)
    closed_at = _moment()


class TimelineEntry(View):
    at = _moment(required=True)
    action = fields.String(required=True)
    action_name = fields.Nested(Names, required=True)
    actor = fields.Nested(Person, required=True)
    note = _text()
    details = fields.Dict(required=True)


class ReportWithTimeline(Report):
    timeline = fields.List(fields.Nested(TimelineEntry), required=True)


class PossibleDuplicates(View):
    class Duplicate(View):
        id = fields.String(required=True)
        description = fields.String(required=True)
        status = fields.String(required=True)
        created_at = _moment(required=True)

    count = fields.Integer(required=True)
    items = fields.List(fields.Nested(Duplicate), required=True)


class ReportCreated(View):
    report = fields.Nested(Report, required=True)
    possible_duplicates = fields.Nested(PossibleDuplicates, required=True)
    created = fields.Boolean(required=True, metadata={"description": "false: filed before under the same id"})


class DuplicateCandidates(View):
    class Candidate(View):
        id = fields.String(required=True)
        status = fields.String(required=True)
        status_name = fields.Nested(Names, required=True)
        created_at = _moment(required=True)
        supporters = fields.Integer(required=True)
        description = _text(metadata={"description": "only when the caller may read the report"})
        mine = fields.Boolean(required=True, metadata={"description": "the caller reported it"})
        joined = fields.Boolean(required=True, metadata={"description": "the caller said \"me too\""})

    count = fields.Integer(required=True)
    items = fields.List(fields.Nested(Candidate), required=True)


class Support(View):
    report_id = fields.String(required=True)
    supporters = fields.Integer(required=True)
    joined_at = _moment(required=True)


class ReportPage(View):
    items = fields.List(fields.Nested(Report), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True, metadata={"description": "how many match, counted up to 1,000"})
    total_capped = fields.Boolean(required=True, metadata={"description": "true when more than `total` match"})


# --- tasks ----------------------------------------------------------------------
class TaskLocation(View):
    grid = _text()
    building = _text()
    unit = _text()
    address = _text()


class TaskHandler(View):
    staff_code = _text()
    name = _text()
    kind = _text()
    company = _text()


class TaskResolution(View):
    note = _text()
    photos = fields.List(fields.String(), allow_none=True)


class Countdown(View):
    """An open task's clock when it was read, on the working calendar (office hours, holidays, 调休)."""

    overdue = fields.Boolean(required=True)
    working_minutes = fields.Integer(required=True, metadata={
        "description": "office time left until the deadline; once overdue, office time since it"})
    working_days = fields.Integer(required=True, metadata={"description": "whole working days of working_minutes"})
    hours = fields.Integer(required=True, metadata={"description": "hours beyond the whole working days"})
    minutes = fields.Integer(required=True, metadata={"description": "minutes beyond the hours"})
    card = fields.String(required=True, validate=validate.OneOf(("normal", "yellow", "red")),
                         metadata={"description": "正常, 黄牌 (near the deadline) or 红牌 (overdue)"})


class Task(View):
    id = fields.String(required=True)
    report_id = fields.String(required=True)
    community = fields.String(required=True)
    category = fields.String(required=True)
    location = fields.Nested(TaskLocation, required=True)
    description = _text()
    photos = fields.List(fields.String(), allow_none=True)
    urgent = fields.Boolean(allow_none=True)
    handler = fields.Nested(TaskHandler, required=True)
    level = fields.String(required=True)
    status = fields.String(required=True)
    version = fields.Integer(required=True)
    supervision = _text()
    deferred = fields.Boolean(allow_none=True)
    extension_count = fields.Integer(allow_none=True)
    warn_at = _moment()
    deadline_at = _moment()
    created_at = _moment()
    accepted_at = _moment()
    resolved_at = _moment()
    resolution = fields.Nested(TaskResolution, allow_none=True)
    return_reason = _text()
    escalation_reason = _text()
    rework_count = fields.Integer(allow_none=True)
    countdown = fields.Nested(Countdown, allow_none=True, metadata={
        "description": "in lists and single reads: the open task's working time left (null once resolved, "
                       "closed or deferred)"})


class TaskPage(View):
    items = fields.List(fields.Nested(Task), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True,
                         metadata={"description": "tasks per status under the other filters (tab badges)"})


class ChangeRequest(View):
    """延期 (extension) or 挂账 (deferral) asked of the community office."""

    id = fields.String(required=True)
    task_id = fields.String(required=True)
    kind = fields.String(required=True)
    reason = _text()
    until = _moment()
    status = fields.String(required=True)
    requested_by = _text()
    decided_by = _text()
    decision_note = _text()
    created_at = _moment()
    decided_at = _moment()


class TaskDetail(Task):
    requests = fields.List(fields.Nested(ChangeRequest), required=True)


class PendingRequests(View):
    """审批: each request with its task and the task's earlier requests."""

    class Pending(ChangeRequest):
        task = fields.Nested(Task, required=True)
        history = fields.List(fields.Nested(ChangeRequest), required=True)

    items = fields.List(fields.Nested(Pending), required=True)


class EscalatedQueue(View):
    """The matters at the caller's level, each with the ladder it climbed."""

    class Escalated(Task):
        class Rung(View):
            task_id = fields.String(required=True)
            level = fields.String(required=True)
            handler = _text()
            status = fields.String(required=True)
            assigned_at = _moment()
            escalation_reason = _text(metadata={"description": "why it went up: free text, or overdue / urgent"})
            return_reason = _text()

        community_name = fields.Nested(Names, allow_none=True)
        ladder = fields.List(fields.Nested(Rung), required=True)

    items = fields.List(fields.Nested(Escalated), required=True)


class TaskWithSuccessor(Task):
    successor = fields.Nested(Task, required=True)


class DecidedRequest(ChangeRequest):
    task = fields.Nested(Task, required=True)


class CommunityPlan(View):
    """平面图: GeoJSON in local metres (x east, y north), one polygon per building."""

    class Feature(View):
        class Geometry(View):
            type = fields.String(required=True, metadata={"example": "Polygon"})
            coordinates = fields.List(fields.List(fields.List(fields.Float())), required=True)

        class Properties(View):
            building = fields.String(required=True)
            grid = fields.String(required=True)
            grid_name = _text()

        type = fields.String(required=True, metadata={"example": "Feature"})
        id = fields.String(required=True)
        geometry = fields.Nested(Geometry, required=True)
        properties = fields.Nested(Properties, required=True)

    type = fields.String(required=True, metadata={"example": "FeatureCollection"})
    community = fields.String(required=True)
    name = fields.Nested(Names, required=True)
    units = fields.String(required=True, metadata={"example": "m"})
    features = fields.List(fields.Nested(Feature), required=True)


# --- patrols (巡查) ----------------------------------------------------------------
class Patrol(View):
    class Walker(View):
        staff_code = fields.String(required=True)
        name = _text()

    id = fields.String(required=True)
    community = fields.String(required=True)
    grid = _text()
    walker = fields.Nested(Walker, required=True)
    started_at = _moment(required=True)
    ended_at = _moment()
    distance_m = fields.Integer(allow_none=True, metadata={"description": "along the sampled track, once ended"})
    buildings = fields.List(fields.String(), required=True, metadata={"description": "checked in at"})
    track_points = fields.Integer(required=True)


class PatrolStarted(Patrol):
    created = fields.Boolean(required=True, metadata={"description": "false: started before under the same id"})


class PatrolCheckIn(View):
    id = fields.String(required=True)
    patrol_id = fields.String(required=True)
    building = fields.String(required=True)
    unit = _text()
    at = _moment(required=True)
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)
    photo = _text()
    note = _text()


class PatrolDetail(Patrol):
    class Point(View):
        at = _moment(required=True)
        latitude = fields.Float(required=True)
        longitude = fields.Float(required=True)

    check_ins = fields.List(fields.Nested(PatrolCheckIn), required=True)
    track = fields.List(fields.Nested(Point), required=True)


class PatrolPage(View):
    items = fields.List(fields.Nested(Patrol), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class PatrolCoverage(View):
    class Row(View):
        day = fields.Date(required=True)
        grid = _text()
        walkers = fields.List(fields.String(), required=True)
        buildings_visited = fields.List(fields.String(), required=True)
        buildings_total = fields.Integer(required=True)
        coverage = fields.Float(allow_none=True, metadata={"description": "share of the grid's buildings, 0–1"})

    community = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    rows = fields.List(fields.Nested(Row), required=True)


# --- messages (消息) ----------------------------------------------------------------
class Notifications(View):
    class Notification(View):
        id = fields.Integer(required=True)
        report_id = fields.String(required=True)
        action = fields.String(required=True)
        action_name = fields.Nested(Names, required=True)
        at = _moment(required=True)
        note = _text()
        category = fields.String(required=True)
        building = _text()
        report_status = fields.String(required=True)
        read = fields.Boolean(required=True)

    items = fields.List(fields.Nested(Notification), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    unread = fields.Integer(required=True)


class Unread(View):
    unread = fields.Integer(required=True)


# --- calendar and figures ---------------------------------------------------------
class CalendarQuery(Schema):
    year = fields.Integer(required=True, validate=validate.Range(min=1, max=9999), metadata={"example": 2026})


class CalendarDay(View):
    date = fields.String(required=True, metadata={"example": "2026-10-01"})
    kind = fields.String(required=True)
    name = _text()


class Calendar(View):
    year = fields.Integer(required=True)
    days = fields.List(fields.Nested(CalendarDay), required=True)


class CalendarChange(View):
    date = fields.String(required=True, metadata={"example": "2026-10-08"})
    kind = fields.String(required=True, metadata={"description": "holiday, workday, or normal (removed)"})
    reason = fields.String(required=True)
    by = fields.String(required=True, metadata={"description": "the account that made the change"})
    at = _moment()


class CalendarChanges(View):
    year = fields.Integer(required=True)
    items = fields.List(fields.Nested(CalendarChange), required=True)


class FigureRow(View):
    key = _text(metadata={"description": "the community, grid, handler or category (absent without group_by)"})
    found = fields.Integer(required=True)
    closed = fields.Integer(required=True)
    closed_on_time = fields.Integer()
    due = fields.Integer()
    overdue = fields.Integer()
    yellow = fields.Integer()
    red = fields.Integer()
    extensions = fields.Integer()
    returns = fields.Integer()
    reworks = fields.Integer()
    escalated_community = fields.Integer()
    escalated_street = fields.Integer()
    closed_at_grid = fields.Integer()
    closed_in_community = fields.Integer()
    rated = fields.Integer()
    satisfied = fields.Integer()
    completion_rate = fields.Float(allow_none=True)
    on_time_rate = fields.Float(allow_none=True)
    grid_resolution_rate = fields.Float(allow_none=True)
    community_resolution_rate = fields.Float(allow_none=True)
    satisfaction_rate = fields.Float(allow_none=True)


class Figures(View):
    community = fields.String(required=True)
    period_from = fields.String(required=True)
    period_to = fields.String(required=True)
    group_by = fields.String(required=True)
    rows = fields.List(fields.Nested(FigureRow), required=True)


# --- civility points ----------------------------------------------------------------
class PeriodQuery(Schema):
    period = fields.String(required=True, metadata={"example": "2026-Q4"})


class Evidence(View):
    kind = _text()
    ref = _text()


class EntryStep(View):
    action = fields.String(required=True)
    at = _moment()
    by = _text()
    reason = _text()
    note = _text()


class LedgerEntry(View):
    id = fields.String(required=True)
    community = fields.String(required=True)
    household = fields.String(required=True)
    period = fields.String(required=True)
    rule_code = fields.String(required=True)
    rule_version = fields.Integer(required=True)
    points = fields.Integer(required=True)
    reason = _text()
    evidence = fields.Nested(Evidence, allow_none=True)
    proposed_by = _text()
    proposed_at = _moment()
    needs_verification = fields.Boolean(allow_none=True)
    reverses = _text()
    reversed_by = _text(metadata={"description": "in the ledger's list: the live entry that reverses this one"})
    state = fields.String(required=True)
    state_name = fields.Nested(Names, required=True)
    verified_by = _text()
    verified_at = _moment()
    published_at = _moment()
    window_ends = _moment()
    objection = _text()
    objected_by = _text()
    decided_by = _text()
    effective_at = _moment()
    steps = fields.List(fields.Nested(EntryStep), allow_none=True)
    counts = fields.Boolean(required=True)


class Ledger(View):
    items = fields.List(fields.Nested(LedgerEntry), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)


class Household(View):
    household = fields.String(required=True)
    community = fields.String(required=True)
    building = _text()
    unit = _text()
    period = _text()
    balance = fields.Integer(required=True)
    entries = fields.List(fields.Nested(LedgerEntry), required=True)


def _money(**kwargs):
    return fields.String(allow_none=True, metadata={"example": "123.45", "description": "yuan, to the fen"}, **kwargs)


class FundPeriod(View):
    community = fields.String(required=True)
    code = fields.String(required=True)
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(required=True)
    fund = _money()
    base = _money()
    threshold = fields.Integer(allow_none=True)
    state = fields.String(required=True)
    opened_by = _text()
    opened_at = _moment()
    settled_by = _text()
    settled_at = _moment()
    pool = _money()
    counted_total = fields.Integer(allow_none=True)
    shared_equally = fields.Boolean(allow_none=True)


class PayoutLine(View):
    """One household code and its figures: never a person."""

    household = fields.String(required=True)
    points = fields.Integer(required=True)
    counted = fields.Integer(allow_none=True)
    base = _money()
    reward = _money()
    payout = _money()


class Settlement(FundPeriod):
    lines = fields.List(fields.Nested(PayoutLine), required=True)


class Publication(View):
    community = fields.String(required=True)
    period = fields.String(required=True)
    state = fields.String(required=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    fund = _money()
    base = _money()
    threshold = fields.Integer(allow_none=True)
    settled_at = _moment()
    lines = fields.List(fields.Nested(PayoutLine), required=True)


class StaffScore(View):
    staff = fields.String(required=True)
    period = fields.String(required=True)
    score = _text()
    timeliness = _text()
    quality = _text()
    satisfaction = _text()
    counts = fields.Dict(keys=fields.String(), values=fields.Integer(), required=True)


class StaffPerformance(View):
    items = fields.List(fields.Nested(StaffScore), required=True)


# --- operations -------------------------------------------------------------------
class Health(View):
    class ServiceHealth(View):
        status = fields.String(required=True, metadata={"example": "ok"})
        reason = _text()

    status = fields.String(required=True, metadata={"example": "ok"})
    services = fields.Dict(keys=fields.String(), values=fields.Nested(ServiceHealth), required=True)


# --- the mediation desk (六站) ------------------------------------------------------
def _date(**kwargs):
    return fields.Date(allow_none=True, **kwargs)


class CaseLocation(View):
    grid = _text()
    building = _text()
    unit = _text()


class CaseSummary(View):
    """Where a case stands and its clock (phones masked for whoever does not handle it)."""

    class Clock(View):
        state = fields.String(required=True, validate=validate.OneOf(("normal", "near_deadline", "overdue")))
        days_left = fields.Integer(allow_none=True)

    class Mediation(View):
        state = fields.String(required=True)
        started_at = _moment()
        extended_days = fields.Integer(allow_none=True)

    class Visitor(View):
        name = _text()
        contact = _text()
        account_id = _text()

    id = fields.String(required=True)
    number = fields.String(required=True, metadata={"example": "YTL-2026-0001"})
    community = fields.String(required=True)
    source = fields.String(required=True, validate=validate.OneOf(("escalation", "walk_in", "phone")))
    station = fields.String(required=True)
    station_name = fields.Nested(Names, allow_none=True)
    status = fields.String(required=True)
    outcome = _text()
    close_outcome = _text()
    category = _text()
    summary = _text()
    visitor = fields.Nested(Visitor, allow_none=True)
    location = fields.Nested(CaseLocation, required=True)
    report_id = _text()
    task_id = _text()
    handed_report_id = _text()
    opened_at = _moment()
    due_at = _moment()
    mediation = fields.Nested(Mediation, allow_none=True)
    resolved_at = _moment()
    closed_at = _moment()
    close_reason = _text()
    follow_up_satisfied = fields.Boolean(allow_none=True)
    clock = fields.Nested(Clock, allow_none=True)


class CaseList(View):
    items = fields.List(fields.Nested(CaseSummary), required=True)


class Agreement(View):
    """调解协议书: in force once every party and a mediator signed."""

    class Obligation(View):
        id = fields.String(required=True)
        party_id = fields.String(required=True)
        what = fields.String(required=True)
        how = fields.String(required=True)
        due_on = _date()
        performed_on = _date()

    class Signatory(View):
        id = fields.String(required=True)
        role = fields.String(required=True)
        name = _text()
        household = _text()
        signed = fields.Boolean(required=True)

    id = fields.String(required=True)
    case_id = fields.String(required=True)
    case_number = fields.String(required=True)
    facts = fields.String(required=True)
    responsibilities = fields.String(required=True)
    parties = fields.List(fields.Nested(Signatory), required=True)
    obligations = fields.List(fields.Nested(Obligation), required=True)
    mediator_signed = fields.Boolean(required=True)
    effective = fields.Boolean(required=True)
    effective_on = _date()
    judicial_confirmation_by = _date()
    performed = fields.Boolean(required=True)
    performed_at = _moment()


class CaseFile(CaseSummary):
    """一案一档: the whole file, every party, document and step."""

    class Party(View):
        id = fields.String(required=True)
        role = fields.String(required=True)
        name = _text()
        phone = _text()
        household = _text()

    class Step(View):
        at = _moment()
        action = fields.String(required=True)
        station = _text()
        by = _text()
        note = _text()

    parties = fields.List(fields.Nested(Party), required=True)
    sessions = fields.List(fields.Dict(), required=True)
    agreements = fields.List(fields.Nested(Agreement), required=True)
    consultations = fields.List(fields.Dict(), required=True)
    referrals = fields.List(fields.Dict(), required=True)
    orders = fields.List(fields.Dict(), required=True)
    follow_ups = fields.List(fields.Dict(), required=True)
    history = fields.List(fields.Nested(Step), required=True)


class SupervisionLists(View):
    near_deadline = fields.List(fields.Nested(CaseSummary), required=True)
    overdue = fields.List(fields.Nested(CaseSummary), required=True)


class CouncilItem(View):
    id = fields.String(required=True)
    community = fields.String(required=True)
    title = fields.String(required=True)
    description = _text()
    case_id = _text()
    raised_at = _moment()
    status = fields.String(required=True)
    meeting_id = _text()


class Meeting(View):
    id = fields.String(required=True)
    community = fields.String(required=True)
    held_at = _moment()
    place = fields.String(required=True)
    attendance = fields.Integer(allow_none=True)
    items = fields.List(fields.Nested(CouncilItem), required=True)


class PublishedDecision(View):
    """A decision as published (公示): what was decided and the votes, never a person."""

    id = fields.String(required=True)
    item_id = fields.String(required=True)
    meeting_id = fields.String(required=True)
    title = fields.String(required=True)
    decision = fields.String(required=True)
    votes_for = fields.Integer(required=True)
    votes_against = fields.Integer(required=True)
    abstentions = fields.Integer(required=True)
    adopted = fields.Boolean(required=True)
    adopts_rule = fields.Dict(allow_none=True)
    decided_at = _moment()


class CouncilItems(View):
    items = fields.List(fields.Nested(CouncilItem), required=True)


class Meetings(View):
    class HeldMeeting(Meeting):
        decisions = fields.List(fields.Nested(PublishedDecision), required=True)

    items = fields.List(fields.Nested(HeldMeeting), required=True)


class PublishedDecisions(View):
    community = fields.String(required=True)
    items = fields.List(fields.Nested(PublishedDecision), required=True)


class DeskFigures(View):
    class StationRow(View):
        station = _text()
        station_name = fields.Nested(Names, allow_none=True)
        received = fields.Integer(required=True)
        visitors = fields.Integer(required=True)
        escalations = fields.Integer(required=True)
        resolved = fields.Integer(required=True)
        difficult_solved = fields.Integer(required=True)
        mediated = fields.Integer(required=True)
        mediation_succeeded = fields.Integer(required=True)
        mediation_failed = fields.Integer(required=True)
        success_rate = fields.Float(allow_none=True)
        average_days_to_resolve = fields.Float(allow_none=True)
        overdue = fields.Integer(required=True)

    community = fields.String(required=True)
    from_ = fields.Date(required=True, data_key="from")
    to = fields.Date(required=True)
    stations = fields.List(fields.Nested(StationRow), required=True)
    total = fields.Nested(StationRow, required=True)


class Probe(View):
    status = fields.String(required=True, metadata={"example": "ok"})
    checks = fields.Dict(keys=fields.String(), values=fields.String(),
                         metadata={"example": {"database": "ok", "broker": "ok"}})


class OpsHealth(View):
    class Broker(View):
        status = fields.String(required=True)
        parked = fields.Integer()
        reason = _text()

    status = fields.String(required=True)
    services = fields.Dict(keys=fields.String(), values=fields.Dict(), required=True)
    broker = fields.Nested(Broker, required=True)


class ParkedQueues(View):
    class Queue(View):
        queue = fields.String(required=True)
        parked_queue = fields.String(required=True)
        consumer = fields.String(required=True)
        source = fields.String(required=True)
        event_type = fields.String(required=True)
        parked = fields.Integer(required=True)

    total = fields.Integer(required=True)
    items = fields.List(fields.Nested(Queue), required=True)


class Replayed(View):
    queue = fields.String(required=True)
    replayed = fields.Integer(required=True)
