"""How reporting's records leave the service: plain JSON, times in Asia/Shanghai."""
from marshmallow import Schema, fields

from services.reporting.domain import ACTIONS, STATUS_NAMES, Status
from shared.views import local_time


class CategoryView(Schema):
    code = fields.String()
    name = fields.Function(lambda c: {"zh": c.name_zh, "en": c.name_en})
    group = fields.Function(lambda c: {"code": c.group_code, "zh": c.group_zh, "en": c.group_en})
    description = fields.Function(lambda c: {"zh": c.description_zh, "en": c.description_en})
    attributes = fields.List(fields.Dict())


class TimelineView(Schema):
    at = local_time("at")
    action = fields.String()
    action_name = fields.Function(lambda e: dict(zip(("zh", "en"), ACTIONS[e.action])))
    actor = fields.Function(lambda e: {"id": e.actor_id, "role": e.actor_role, "name": e.actor_name})
    note = fields.String()
    details = fields.Dict()


class ReportView(Schema):
    id = fields.String()
    community = fields.String()
    category = fields.String()
    description = fields.String()
    location = fields.Function(
        lambda r: {
            "grid": r.grid, "building": r.building, "unit": r.unit, "address": r.address,
            "latitude": r.latitude, "longitude": r.longitude,
        }
    )
    photos = fields.List(fields.String())
    attributes = fields.Dict()
    urgent = fields.Boolean()
    channel = fields.String()
    reporter = fields.Function(lambda r: {"id": r.reporter_id, "role": r.reporter_role, "name": r.reporter_name})
    status = fields.String()
    level = fields.String()
    status_name = fields.Function(lambda r: dict(zip(("zh", "en"), STATUS_NAMES[Status(r.status)])))
    handler = fields.Function(
        lambda r: {"staff_code": r.handler_staff_code, "name": r.handler_name} if r.handler_staff_code else None
    )
    task_id = fields.String(attribute="current_task_id")
    deadline_at = local_time("deadline_at")
    rework_count = fields.Integer()
    reopen_count = fields.Integer()
    rating = fields.String()
    supporters = fields.Integer()
    created_at = local_time("created_at")
    updated_at = local_time("updated_at")
    closed_at = local_time("closed_at")


def _public_media(report) -> list[str]:
    """Photos on the open web only: an upload here needs a sign-in to read."""
    return [url for url in report.photos or [] if url.startswith(("http://", "https://"))]


class PublicReportView(Schema):
    """A report as anyone may see it (Open311): what, where, how far along and who handles it as an
    organisation; never the reporter, a handler's name, an account or a household. Matters of the
    private groups (disputes, stability, household registration) show neither their text nor photos."""

    id = fields.String()
    community = fields.String()
    category = fields.String()
    private = fields.Function(lambda r: r.category_group in PRIVATE_GROUPS)
    description = fields.Function(lambda r: None if r.category_group in PRIVATE_GROUPS else r.description)
    status = fields.Function(lambda r: "closed" if r.status == Status.CLOSED else "open")
    lifecycle_status = fields.String(attribute="status")
    building = fields.String()
    address = fields.String()
    latitude = fields.Float()
    longitude = fields.Float()
    media_urls = fields.Function(lambda r: [] if r.category_group in PRIVATE_GROUPS else _public_media(r))
    deadline_at = local_time("deadline_at")
    created_at = local_time("created_at")
    updated_at = local_time("updated_at")
    closed_at = local_time("closed_at")


# Groups whose reports are about people (a family quarrel, a grievance, a registration): the public
# sees that such a matter exists and how far it is, not what it says.
PRIVATE_GROUPS = frozenset({"disputes", "stability", "household_registration"})

# One instance each: building a schema costs far more than using it.
category_view = CategoryView()
timeline_view = TimelineView()
report_view = ReportView()
public_report_view = PublicReportView()
