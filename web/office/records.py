"""The community office's records: the working calendar (工作日历) that every deadline is counted
on, the points ledger (积分台账) with its reversals, and the audit log (审计日志) of who did what.

Each reads and changes them through the gateway with the signed-in person's own token; a change
goes back to the page it came from, where it shows at once.
"""
from datetime import date, datetime

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from shared.contracts.validation import EARLIEST, LATEST
from shared.times import SHANGHAI
from web.gateway_client import GatewayProblem
from web.office import AUDIT_READERS, LEDGER_READERS, OFFICE, midnight_of
from web.views.access import signed_in

blueprint = Blueprint("records", __name__, template_folder="templates")

PER_PAGE = 20


def _missing(field: str) -> GatewayProblem:
    """An empty field the console notices before asking the gateway, told as the gateway tells it."""
    return GatewayProblem(422, "invalid_input", _("提交的内容有误，请按提示修改。"),
                          [{"field": field, "code": "required", "message": _("此项必填。")}])


# --- 工作日历 ------------------------------------------------------------------------
def _year() -> int:
    """The year asked for, this year in Shanghai when there is none or it is out of range."""
    asked = request.args.get("year", type=int)
    return asked if asked and EARLIEST.year <= asked <= LATEST.year else datetime.now(SHANGHAI).year


@blueprint.get("/office/calendar")
@signed_in(OFFICE)
def calendar(problem: GatewayProblem | None = None, year: int | None = None, form: dict | None = None):
    """The year's holidays and make-up working days, the form to add one, and every change with its reason."""
    year = year or _year()
    days = g.api.get("/api/v1/calendar", year=year)["days"]
    changes = g.api.get("/api/v1/calendar/changes", year=year)["items"]
    return render_template("office/calendar.html", year=year, days=days, changes=changes, problem=problem,
                           form=form or {}, saved=request.args.get("saved"), weekday=_weekday,
                           field_labels={"date": _("日期"), "kind": _("类型"), "name": _("名称或原因")})


def _weekday(day: str) -> str:
    return (_("周一"), _("周二"), _("周三"), _("周四"), _("周五"), _("周六"), _("周日"))[
        date.fromisoformat(day).weekday()]


@blueprint.post("/office/calendar")
@signed_in()
def set_calendar_day():
    form = {name: (request.form.get(name) or "").strip() for name in ("date", "kind", "name")}
    return _change_day(form["date"], form["kind"], form["name"], form)


@blueprint.post("/office/calendar/<day>/removal")
@signed_in()
def remove_calendar_day(day):
    """Back to the weekly pattern, with the reason kept by the calendar's history."""
    return _change_day(day, "normal", (request.form.get("name") or "").strip(), {})


def _change_day(day: str, kind: str, name: str, form: dict):
    try:
        year = date.fromisoformat(day).year
    except ValueError:
        return calendar(_missing("date"), form=form)
    try:
        if not name:
            raise _missing("name")
        g.api.call("PUT", f"/api/v1/calendar/days/{day}", json={"kind": kind, "name": name})
    except GatewayProblem as refused:
        return calendar(refused, year=year, form=form)
    return redirect(url_for("records.calendar", year=year, saved=day), 303)


# --- 积分台账 ------------------------------------------------------------------------
LEDGER_FILTERS = ("state", "household", "period")


@blueprint.get("/office/ledger")
@signed_in(LEDGER_READERS)
def ledger(problem: GatewayProblem | None = None):
    """The community's ledger, newest first, a page at a time; an entry that counts may be reversed."""
    filters = {name: request.args.get(name, "").strip() for name in LEDGER_FILTERS}
    page = max(1, request.args.get("page", 1, type=int))
    answer = g.api.get("/api/v1/ledger", **filters, page=page, per_page=PER_PAGE)
    kept = {k: v for k, v in filters.items() if v}
    return render_template("office/ledger.html", entries=answer["items"], total=answer["total"], page=page,
                           pages=max(1, -(-answer["total"] // PER_PAGE)), filters=filters, problem=problem,
                           reversal=request.args.get("reversal"), field_labels={"reason": _("冲正理由")},
                           link=lambda **more: url_for("records.ledger", **{**kept, **more}))


@blueprint.post("/office/ledger/<entry_id>/reversal")
@signed_in()
def reverse_entry(entry_id):
    """A reversing entry of the opposite points (never an edit); the ledger then shows the household's lines."""
    reason = (request.form.get("reason") or "").strip()
    try:
        if not reason:
            raise _missing("reason")
        reversal = g.api.post(f"/api/v1/ledger/{entry_id}/reversal", {"reason": reason})
    except GatewayProblem as refused:
        return ledger(refused)
    return redirect(url_for("records.ledger", household=reversal["household"], reversal=reversal["id"]), 303)


# --- 审计日志 ------------------------------------------------------------------------
@blueprint.get("/office/audit")
@signed_in(AUDIT_READERS)
def audit():
    """Who did what and when, newest first, filtered and paged; each role sees what the gateway shows it
    (the office: its community's rows with account ids; district IT: pseudonyms and networks)."""
    filters = {name: request.args.get(name, "").strip() for name in ("actor", "action", "since", "until")}
    page = max(1, request.args.get("page", 1, type=int))
    try:
        answer = g.api.get("/api/v1/audit", actor=filters["actor"], action=filters["action"],
                           since=midnight_of(filters["since"]), until=midnight_of(filters["until"], days_after=1),
                           page=page, per_page=PER_PAGE)
        problem = None
    except GatewayProblem as refused:
        if refused.status != 422:
            raise
        answer, problem = {"items": [], "total": 0}, refused
    kept = {k: v for k, v in filters.items() if v}
    return render_template("office/audit.html", entries=answer["items"], total=answer["total"], page=page,
                           pages=max(1, -(-answer["total"] // PER_PAGE)), filters=filters, problem=problem,
                           by_account=g.sign_in.role != "district_it",
                           field_labels={"actor": _("账号"), "action": _("操作"), "since": _("从"), "until": _("到")},
                           link=lambda **more: url_for("records.audit", **{**kept, **more}))
