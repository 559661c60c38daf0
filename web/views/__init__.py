"""The console's pages, one blueprint per area; the navigation each role sees.

A role sees only the screens it may use; the gateway still decides every call.
"""
from flask import Flask
from flask_babel import lazy_gettext as _l

from web.views import auth, home, messages, patrol, points, probes, public, reports, work
from web.views.labels import template_labels

GRID_STAFF = ("grid_worker", "grid_leader")
NEIGHBOURS = ("resident", "volunteer", "unit_leader", "building_leader")
# Everyone whose reports, tasks or cases change hands; district IT has none (its screens are the ops ones).
MESSAGED = GRID_STAFF + NEIGHBOURS + ("property_staff", "community_admin", "party_secretary", "review_group",
                                     "station_staff", "street_platform")

# (endpoint, label, roles or None for everyone): the phone's bottom bar, in order.
NAVIGATION = (
    ("work.todo", _l("待办"), GRID_STAFF),
    ("patrol.current", _l("巡查"), GRID_STAFF),
    ("work.tasks", _l("任务"), ("property_staff",)),
    ("reports.new", _l("上报"), GRID_STAFF + ("property_staff",)),
    ("reports.new", _l("随手拍"), NEIGHBOURS),
    ("reports.mine", _l("我的上报"), GRID_STAFF + ("property_staff",) + NEIGHBOURS),
    ("points.household", _l("我家积分"), ("resident",)),
    ("messages.inbox", _l("消息"), MESSAGED),
    ("home.me", _l("我的"), None),
)


def navigation(role: str) -> list[tuple[str, str]]:
    return [(endpoint, label) for endpoint, label, roles in NAVIGATION if roles is None or role in roles]


def register(app: Flask) -> None:
    # The desk screens (office, street, six stations, wall and district IT) keep their own packages.
    from web import desk, office, wall
    from web.office import records

    app.context_processor(template_labels)
    for module in (probes, auth, home, work, reports, points, messages, patrol, public, office, records, desk,
                   wall):
        app.register_blueprint(module.blueprint)
