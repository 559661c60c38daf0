"""How dispatch's records leave the service: plain JSON, times in Asia/Shanghai."""
from marshmallow import Schema, fields

from shared.times import shown_local


def _local(attribute: str):
    return fields.Function(lambda obj: shown_local(getattr(obj, attribute)))


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
    status = fields.String()
    version = fields.Integer()
    deadline_at = _local("deadline_at")
    created_at = _local("created_at")
    accepted_at = _local("accepted_at")
    resolved_at = _local("resolved_at")
    resolution = fields.Function(
        lambda t: {"note": t.resolution_note, "photos": t.resolution_photos} if t.resolution_note else None
    )
    return_reason = fields.String()
    rework_count = fields.Integer()


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
organisation_import = OrganisationImport()
