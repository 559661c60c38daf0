"""How dispatch's records leave the service: plain JSON, times in Asia/Shanghai."""
from marshmallow import Schema, fields

from shared.views import local_time


class TaskView(Schema):
    id = fields.String()
    report_id = fields.String()
    community = fields.String()
    category = fields.String()
    location = fields.Function(lambda t: {"grid": t.grid, "building": t.building, "unit": t.unit, "address": t.address})
    description = fields.String()
    photos = fields.List(fields.String())
    urgent = fields.Boolean()
    handler = fields.Function(
        lambda t: {"staff_code": t.staff_code, "name": t.handler_name, "kind": t.handler_kind, "company": t.company}
    )
    level = fields.String()
    status = fields.String()
    version = fields.Integer()
    supervision = fields.String()
    deferred = fields.Boolean()
    extension_count = fields.Integer()
    warn_at = local_time("warn_at")
    deadline_at = local_time("deadline_at")
    created_at = local_time("created_at")
    accepted_at = local_time("accepted_at")
    resolved_at = local_time("resolved_at")
    resolution = fields.Function(
        lambda t: {"note": t.resolution_note, "photos": t.resolution_photos} if t.resolution_note else None
    )
    return_reason = fields.String()
    escalation_reason = fields.String()
    rework_count = fields.Integer()


class RequestView(Schema):
    id = fields.String()
    task_id = fields.String()
    kind = fields.String()
    reason = fields.String()
    until = local_time("until")
    status = fields.String()
    requested_by = fields.String()
    decided_by = fields.String()
    decision_note = fields.String()
    created_at = local_time("created_at")
    decided_at = local_time("decided_at")


class PatrolView(Schema):
    id = fields.String()
    community = fields.String()
    grid = fields.String()
    walker = fields.Function(lambda p: {"staff_code": p.staff_code, "name": p.walker_name})
    started_at = local_time("started_at")
    ended_at = local_time("ended_at")
    distance_m = fields.Integer()


class CheckInView(Schema):
    id = fields.String()
    patrol_id = fields.String()
    building = fields.String()
    unit = fields.String()
    at = local_time("at")
    latitude = fields.Float()
    longitude = fields.Float()
    photo = fields.String()
    note = fields.String()


class OrganisationImport(Schema):
    """The organisation as the demo file (or a street office's own file) gives it."""

    communities = fields.List(fields.Dict(), load_default=list)
    grids = fields.List(fields.Dict(), load_default=list)
    property_companies = fields.List(fields.Dict(), load_default=list)
    buildings = fields.List(fields.Dict(), load_default=list)
    units = fields.List(fields.Dict(), load_default=list)
    staff = fields.List(fields.Dict(), load_default=list)
    category_policies = fields.List(fields.Dict(), load_default=list)
    routing_rules = fields.List(fields.Dict(), load_default=list)


# One instance each: building a schema costs far more than using it.
task_view = TaskView()
request_view = RequestView()
patrol_view = PatrolView()
check_in_view = CheckInView()
organisation_import = OrganisationImport()
