"""六站 the desk (1366×768): one case list with a tab per station, the case page offering the steps
its state allows (a refusal shows the gateway's own words), the 调解协议书 to print or to download as the
gateway's PDF, the residents' council's agenda and meetings, and the review group's queue of proposed
points (积分审核)."""
import re
from datetime import datetime

from flask import Blueprint, Response, abort, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l

from shared.times import SHANGHAI
from web.gateway_client import GatewayProblem, answer_of
from web.views.access import signed_in

blueprint = Blueprint("desk", __name__, template_folder="templates")

OFFICE = ("community_admin", "party_secretary")
DESK = ("station_staff", *OFFICE)
REVIEWERS = ("review_group", "community_admin")
STATIONS = (("reception", _l("接访")), ("triage", _l("事务分流")), ("mediation", _l("争议调解")),
            ("legal", _l("法律服务")), ("supervision", _l("督导督办")), ("council", _l("居民议事")))
# How a case's history reads (the service names each step by a code).
CASE_STEPS = {
    "opened": _l("登记"), "party_added": _l("登记当事人"), "routed": _l("分流"), "sent_back": _l("退回分流"),
    "consent": _l("当事人意见"), "mediation_started": _l("开始调解"), "mediators_appointed": _l("指定调解员"),
    "rights_notice": _l("告知权利义务"), "session": _l("调解"), "extended": _l("延长调解期限"),
    "mediation_failed": _l("调解不成"), "agreement_drafted": _l("制作协议书"), "signed": _l("签名"),
    "agreement_effective": _l("协议生效"), "performed": _l("履行"), "consultation": _l("法律咨询"),
    "referred": _l("转介"), "resolved": _l("办结"), "supervision_order": _l("督办单"), "follow_up": _l("回访"),
    "reopened": _l("重新办理"), "closed": _l("结案"), "agenda_item": _l("提交议事"), "council_decided": _l("议事决定"),
}
# Which station's staff take which step (the office takes any); the gateway checks again.
STEP_STATION = {
    "party": ("reception", "triage", "mediation"), "route": ("triage",), "send_back": ("mediation", "legal", "council"),
    "consent": ("mediation",), "mediators": ("mediation",), "rights_notice": ("mediation",),
    "session": ("mediation",), "agreement": ("mediation",), "extension": ("mediation",), "failure": ("mediation",),
    "signature": ("mediation",), "performance": ("mediation",), "judicial": ("mediation",),
    "resolution": ("legal", "council"), "agenda_item": ("council",), "legal_aid": ("legal",), "order": ("supervision",),
    "follow_up": ("supervision",),
}


def steps_allowed(case: dict) -> set[str]:
    """The steps the case's state allows now (domain rules of services/mediation, seen from outside)."""
    status, station = case["status"], case["station"]
    state = (case.get("mediation") or {}).get("state")
    steps: set[str] = set()
    if status in ("registered", "in_progress") and state not in ("mediating", "agreed"):
        steps.add("party")
    if status == "registered":
        steps.add("route")
    if status in ("registered", "in_progress"):
        steps.add("order")
    if status == "in_progress":
        if state not in ("mediating", "agreed"):
            steps.add("send_back")
        if station == "mediation" and state == "awaiting_consent":
            steps.add("consent")
        if station == "mediation" and state == "mediating":
            steps |= {"mediators", "rights_notice", "session", "agreement", "extension", "failure"}
        if station in ("legal", "council"):
            steps.add("resolution")
        if station == "council":
            steps.add("agenda_item")  # the council's decision on it resolves the case
        if station == "legal":
            steps.add("legal_aid")
    for agreement in case.get("agreements", []):
        if not agreement["effective"]:
            steps.add("signature")
        elif not agreement["performed"]:
            steps |= {"performance", "judicial"}
    if status == "resolved":
        steps.add("follow_up")
    return steps


def mine(steps: set[str]) -> set[str]:
    """Of the steps, those the caller's station takes (the office: all)."""
    if g.sign_in.role in OFFICE:
        return steps
    station = g.sign_in.account.get("station")
    return {step for step in steps if station in STEP_STATION[step]}


@blueprint.get("/desk")
@signed_in(DESK)
def cases():
    default = g.sign_in.account.get("station") or "reception"
    station = request.args.get("station") or default
    if station not in dict(STATIONS):
        abort(404)
    listed = g.api.get("/api/v1/cases", station=station)["items"]
    order = {"overdue": 0, "near_deadline": 1}
    listed.sort(key=lambda c: (order.get((c.get("clock") or {}).get("state"), 2), c.get("due_at") or ""))
    return render_template("desk/cases.html", stations=STATIONS, station=station, cases=listed)


@blueprint.post("/desk/cases")
@signed_in(DESK)
def open_case():
    """接访登记: a walk-in or a phone call registered at reception; the new case's page follows."""
    try:
        opened = g.api.post("/api/v1/cases", {
            "source": request.form.get("source", "walk_in"), "visitor_name": request.form.get("visitor_name", ""),
            "contact": _text("contact"), "description": request.form.get("description", ""),
            "building": _text("building")})
    except GatewayProblem as refused:
        listed = g.api.get("/api/v1/cases", station="reception")["items"]
        return render_template("desk/cases.html", stations=STATIONS, station="reception", cases=listed,
                               problem=refused)
    return redirect(url_for("desk.case", case_id=opened["id"]))


@blueprint.get("/desk/cases/<case_id>")
@signed_in(DESK)
def case(case_id, problem: GatewayProblem | None = None):
    found = g.api.get(f"/api/v1/cases/{case_id}")
    return render_template("desk/case.html", case=found, steps=mine(steps_allowed(found)), problem=problem,
                           stations=dict(STATIONS), step_names=CASE_STEPS,
                           today=datetime.now(SHANGHAI).date().isoformat())


def _lines(name: str) -> list[str]:
    return [line.strip() for line in request.form.get(name, "").replace("，", ",").replace(",", "\n").splitlines()
            if line.strip()]


def _moment(name: str) -> str | None:
    """A datetime-local field (the desk's clock is Shanghai's) as ISO 8601 with its offset."""
    value = request.form.get(name, "")
    try:
        return datetime.fromisoformat(value).replace(tzinfo=SHANGHAI).isoformat()
    except ValueError:
        return value or None


def _text(name: str) -> str | None:
    return request.form.get(name, "").strip() or None


INLINE_STYLE = re.compile(r"<style>.*?</style>", re.DOTALL)
# step -> (gateway path under the case or agreement, the body from the form)
STEPS = {
    "party": ("cases/{case}/parties", lambda: {"role": request.form.get("role"), "name": request.form.get("name", ""),
                                               "phone": _text("phone"), "household": _text("household")}),
    "route": ("cases/{case}/routing", lambda: {"to": request.form.get("to"), "note": _text("note"),
                                               "body": _text("body"), "category": _text("category")}),
    "send_back": ("cases/{case}/send-back", lambda: {"note": request.form.get("note", "")}),
    "consent": ("cases/{case}/consents", lambda: {"party_id": request.form.get("party_id"),
                                                  "consents": request.form.get("consents") == "yes",
                                                  "note": _text("note")}),
    "mediators": ("cases/{case}/mediators", lambda: {"mediators": _lines("mediators"),
                                                     "chosen_by": request.form.get("chosen_by", "station")}),
    "rights_notice": ("cases/{case}/rights-notice", lambda: {"note": _text("note")}),
    "session": ("cases/{case}/sessions", lambda: {"held_at": _moment("held_at"), "place": request.form.get("place", ""),
                                                  "attendees": _lines("attendees"),
                                                  "record": request.form.get("record", "")}),
    "agreement": ("cases/{case}/agreements", lambda: {
        "facts": request.form.get("facts", ""), "responsibilities": request.form.get("responsibilities", ""),
        "obligations": [{"party_id": request.form.get("party_id"), "what": request.form.get("what", ""),
                         "how": request.form.get("how", ""), "due_on": request.form.get("due_on")}]}),
    "extension": ("cases/{case}/extension", lambda: {"days": request.form.get("days", type=int),
                                                     "consenting_parties": request.form.getlist("consenting"),
                                                     "note": _text("note")}),
    "failure": ("cases/{case}/failure", lambda: {"reason": request.form.get("reason", ""),
                                                 "routes_explained": _lines("routes"), "body": _text("body")}),
    "signature": ("agreements/{agreement}/signatures",
                  lambda: {"as_mediator": True} if request.form.get("signer") == "mediator"
                  else {"party_id": request.form.get("signer")}),
    "performance": ("agreements/{agreement}/obligations/{obligation}/performance",
                    lambda: {"performed_on": request.form.get("performed_on"), "note": _text("note")}),
    "judicial": ("agreements/{agreement}/judicial-confirmation",
                 lambda: {"applied_on": request.form.get("applied_on"), "court": request.form.get("court", "")}),
    "resolution": ("cases/{case}/resolution", lambda: {"outcome": request.form.get("outcome"),
                                                       "summary": request.form.get("summary", "")}),
    "agenda_item": ("council/items", lambda: {"title": request.form.get("title", ""),
                                              "description": request.form.get("description", ""),
                                              "case_id": request.view_args["case_id"]}),
    "legal_aid": ("cases/{case}/legal-aid-referral", lambda: {"reason": request.form.get("reason", ""),
                                                              "body_name": _text("body_name")}),
    "order": ("cases/{case}/supervision-orders", lambda: {"to": request.form.get("to", ""),
                                                          "instruction": request.form.get("instruction", ""),
                                                          "due_on": request.form.get("due_on")}),
    "follow_up": ("cases/{case}/follow-ups", lambda: {"satisfied": request.form.get("satisfied") == "yes",
                                                      "note": _text("note")}),
}


@blueprint.post("/desk/cases/<case_id>/<step>")
@signed_in(DESK)
def take_step(case_id, step):
    """One step, as the case page offered it. A refusal comes back as the case page itself with the gateway's
    title (Chinese first) above the steps the case allows now: the page the person goes on working from."""
    if step not in STEPS:
        abort(404)
    path, body = STEPS[step]
    where = path.format(case=case_id, agreement=request.form.get("agreement_id", ""),
                        obligation=request.form.get("obligation_id", ""))
    try:
        g.api.post(f"/api/v1/{where}", {k: v for k, v in body().items() if v is not None})
    except GatewayProblem as refused:
        return case(case_id, refused)
    return redirect(url_for("desk.case", case_id=case_id) + f"#{step}")


@blueprint.get("/desk/agreements/<agreement_id>")
@signed_in(DESK)
def agreement(agreement_id):
    """调解协议书 as the mediation service writes it, with the A4 print sheet of the console."""
    response = g.api.client.request("GET", f"/api/v1/agreements/{agreement_id}/document", g.lang,
                                    g.sign_in.access_token)
    if response.status_code != 200:
        abort(response.status_code if response.status_code in (403, 404) else 502)
    # The console's own A4 sheet instead of the document's inline style (the console allows no inline style).
    sheet = (f'<link rel="stylesheet" href="{url_for("static", filename="css/agreement-print.css")}">'
             '<link rel="icon" href="data:,">')
    page = INLINE_STYLE.sub("", response.text).replace("</head>", f"{sheet}</head>", 1)
    return Response(page, content_type="text/html; charset=utf-8", headers={"Cache-Control": "private, no-store"})


@blueprint.get("/desk/agreements/<agreement_id>.pdf")
@signed_in(DESK)
def agreement_pdf(agreement_id):
    """调解协议书 as the gateway's PDF, passed on as it came: the same file an API client gets."""
    response = g.api.call_raw("GET", f"/api/v1/agreements/{agreement_id}/document.pdf")
    if response.status_code >= 300:
        answer_of(response)  # the gateway's problem, shown as the error page
    headers = {k: response.headers[k] for k in ("Content-Disposition", "Cache-Control") if k in response.headers}
    return Response(response.content, content_type="application/pdf", headers=headers)


# --- 居民议事 -------------------------------------------------------------------------
# Who raises items and who holds the meetings (the office does both); the mediation service checks again.
RAISING_STATIONS = ("council", "reception", "triage")
MEETING_STATIONS = ("council",)


def _station_may(stations: tuple[str, ...]) -> bool:
    return g.sign_in.role in OFFICE or g.sign_in.account.get("station") in stations


@blueprint.get("/desk/council")
@signed_in(DESK)
def council(problem: GatewayProblem | None = None):
    """The agenda, the meetings with their votes, and the decisions as the public sees them (公示, no names)."""
    community = g.sign_in.account["community"]
    return render_template("desk/council.html", items=g.api.get("/api/v1/council/items")["items"],
                           meetings=g.api.get("/api/v1/council/meetings")["items"],
                           published=g.api.get(f"/api/v1/public/{community}/council-decisions")["items"],
                           may_raise=_station_may(RAISING_STATIONS), may_meet=_station_may(MEETING_STATIONS),
                           problem=problem)


@blueprint.post("/desk/council/items")
@signed_in(DESK)
def raise_agenda_item():
    return _council_step("/api/v1/council/items", {"title": request.form.get("title", ""),
                                                   "description": request.form.get("description", "")}, "items")


@blueprint.post("/desk/council/meetings")
@signed_in(DESK)
def hold_meeting():
    """议事会: when, where, how many came, and the items it takes up."""
    return _council_step("/api/v1/council/meetings", {
        "held_at": _moment("held_at"), "place": request.form.get("place", ""),
        "attendees": request.form.get("attendance", type=int), "item_ids": request.form.getlist("item_ids")},
        "meetings")


@blueprint.post("/desk/council/items/<item_id>/decision")
@signed_in(DESK)
def decide(item_id):
    """The vote on an item at its meeting; the service publishes the decision."""
    return _council_step(f"/api/v1/council/items/{item_id}/decision", {
        "meeting_id": request.form.get("meeting_id", ""), "decision": request.form.get("decision", ""),
        **{count: request.form.get(count, type=int) for count in ("votes_for", "votes_against", "abstentions")}},
        "published")


def _council_step(path: str, body: dict, anchor: str):
    """One council step; a refusal comes back as the council page with the gateway's words above it."""
    try:
        g.api.post(path, {k: v for k, v in body.items() if v is not None})
    except GatewayProblem as refused:
        return council(refused)
    return redirect(url_for("desk.council") + f"#{anchor}")


# --- 积分审核 -------------------------------------------------------------------------
@blueprint.get("/review")
@signed_in(REVIEWERS)
def review(problem: GatewayProblem | None = None):
    proposed = g.api.get("/api/v1/ledger", state="proposed", per_page=100)["items"]
    objected = g.api.get("/api/v1/ledger", state="objected", per_page=100)["items"]
    return render_template("desk/review.html", proposed=proposed, objected=objected, problem=problem)


@blueprint.post("/review/<entry_id>/<step>")
@signed_in(REVIEWERS)
def review_step(entry_id, step):
    bodies = {"verification": lambda: {"approve": request.form.get("decision") == "approve",
                                       "note": _text("note")},
              "decision": lambda: {"uphold": request.form.get("decision") == "uphold",
                                   "note": request.form.get("note", "")}}
    if step not in bodies:
        abort(404)
    try:
        g.api.post(f"/api/v1/ledger/{entry_id}/{step}", bodies[step]())
    except GatewayProblem as refused:
        return review(refused)
    return redirect(url_for("desk.review"))
