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


def template_labels() -> dict:
    return {"statuses": TASK_STATUSES, "levels": LEVELS, "kinds": REQUEST_KINDS, "request_states": REQUEST_STATES}
