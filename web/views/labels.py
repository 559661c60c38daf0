"""How the platform's codes read on the pages (the gateway names report statuses itself; task
states, levels and change requests it leaves as codes)."""
from flask_babel import lazy_gettext as _l

TASK_STATUSES = {
    "assigned": _l("待签收"), "accepted": _l("处理中"), "resolved": _l("已处置，待核查"), "rework": _l("返工中"),
    "closed": _l("已结案"), "returned": _l("已退回"), "escalated": _l("已上报"),
}
LEVELS = {"grid": _l("网格"), "community": _l("社区"), "street": _l("街道")}
REQUEST_KINDS = {"extension": _l("延期"), "deferral": _l("缓办")}
REQUEST_STATES = {"pending": _l("待审批"), "approved": _l("已同意"), "denied": _l("已驳回")}
ROLES = {
    "resident": _l("居民"), "volunteer": _l("志愿者"), "unit_leader": _l("单元长"), "building_leader": _l("楼长"),
    "grid_worker": _l("网格员"), "grid_leader": _l("网格长"), "property_staff": _l("物业人员"),
    "community_admin": _l("社区办公室"), "party_secretary": _l("社区书记"), "street_platform": _l("街道平台"),
    "review_group": _l("评议组"), "district_it": _l("区信息中心"), "station_staff": _l("六站工作人员"),
}


def template_labels() -> dict:
    return {"statuses": TASK_STATUSES, "levels": LEVELS, "kinds": REQUEST_KINDS, "request_states": REQUEST_STATES,
            "roles": ROLES}
