"""Standard reasons (标准理由): what a handler or a grid worker picks from a list when they return,
escalate, ask for more time or a deferral, or fail a verification, as the 12345 practice words them.

Data, not free text, so the office can count them; a free-text note still goes with any of them,
and "other" (其他) needs one. The gateway lists them (GET /api/v1/reasons); the request schemas of
shared.contracts.rpc check the codes; the services keep the code beside the words people read.
"""
from types import MappingProxyType

OTHER = "other"

# kind -> ((code, 中文, English), ...); "other" is last in every list.
REASONS = MappingProxyType({
    "return": (
        ("not_our_duty", "不属于本单位职责", "Not our responsibility"),
        ("wrong_location", "位置信息有误", "The location is wrong"),
        ("wrong_category", "问题类别有误", "The category is wrong"),
        ("duplicate", "重复派单", "Dispatched twice"),
        (OTHER, "其他", "Other"),
    ),
    "escalation": (
        ("beyond_grid_powers", "超出网格职权,需上级协调", "Beyond this level's powers; the next level must coordinate"),
        ("law_enforcement", "涉及执法,本级无法解决", "Needs law enforcement"),
        ("several_departments", "涉及多个部门", "Involves several departments"),
        ("dispute_escalating", "矛盾激化,需上级介入", "The dispute is escalating"),
        ("safety_risk", "存在安全风险,需紧急处置", "A safety risk needs urgent handling"),
        (OTHER, "其他", "Other"),
    ),
    "extension": (
        ("waiting_materials", "等待材料或配件", "Waiting for materials or parts"),
        ("weather", "天气原因无法施工", "The weather prevents the work"),
        ("waiting_other_body", "需等待相关单位配合", "Waiting for another body"),
        ("resident_absent", "当事人不在家,无法入户", "The resident is not at home"),
        ("large_work", "工程量大,需更多时间", "The work is large and needs more time"),
        (OTHER, "其他", "Other"),
    ),
    "deferral": (
        ("needs_funding", "需专项资金,暂无法解决", "Needs special funding"),
        ("planned_renovation", "已纳入规划或改造,需统一安排", "Part of planned renovation"),
        ("legal_process", "需等待法律程序", "Waiting for a legal process"),
        ("policy", "政策原因暂不能解决", "Policy does not allow it yet"),
        (OTHER, "其他", "Other"),
    ),
    "verification_failure": (
        ("not_done", "现场问题未处理", "Not dealt with on site"),
        ("partly_done", "仅部分处理", "Only partly dealt with"),
        ("recurred", "问题复发", "The problem came back"),
        ("photos_mismatch", "反馈照片与现场不符", "The photos do not match the site"),
        (OTHER, "其他", "Other"),
    ),
})


def codes(kind: str) -> tuple[str, ...]:
    return tuple(code for code, _zh, _en in REASONS[kind])


def listed() -> dict[str, list[dict]]:
    """Every list, as the API answers it."""
    return {kind: [{"code": code, "name": {"zh": zh, "en": en}, "needs_note": code == OTHER}
                   for code, zh, en in reasons] for kind, reasons in REASONS.items()}


def stated(kind: str, code: str | None, note: str | None) -> str | None:
    """The words a reason is read in on timelines and lists: the standard reason (in Chinese, the
    record's language), then the note; the note alone when no code was chosen."""
    if code is None or code == OTHER:
        return note
    label = next(zh for c, zh, _en in REASONS[kind] if c == code)
    return f"{label}:{note}" if note else label
