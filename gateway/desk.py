"""Routes of the community's mediation desk (六站): cases and their stations, agreements,
legal services, supervision and the residents' council. Each names its action from the
permission table; which station may do what to which case is the mediation service's rule."""
from flask import Blueprint, Response, g, jsonify, request

from gateway.api import call, json_body
from gateway.guard import requires
from gateway.permissions import public

blueprint = Blueprint("desk", __name__)


def _created(result: dict, location: str):
    return jsonify(result), 201, {"Location": location}


# --- cases: reception (接访站) and triage (事务分流站) ------------------------
@blueprint.post("/api/v1/cases")
@requires("cases:open")
def open_case():
    case = call("mediation", "open_case", g.caller, json_body())
    return _created(case, f"/api/v1/cases/{case['id']}")


@blueprint.get("/api/v1/cases")
@requires("cases:read")
def list_cases():
    filters = {k: v for k, v in request.args.items() if k in ("station", "status", "source", "report_id")}
    return jsonify(call("mediation", "list_cases", g.caller, filters))


@blueprint.get("/api/v1/cases/<case_id>")
@requires("cases:read")
def get_case(case_id):
    return jsonify(call("mediation", "get_case", g.caller, case_id))


@blueprint.post("/api/v1/cases/<case_id>/routing")
@requires("cases:route")
def route_case(case_id):
    return jsonify(call("mediation", "route_case", g.caller, case_id, json_body()))


# --- dispute mediation (争议调解站) -----------------------------------------
@blueprint.post("/api/v1/cases/<case_id>/consents")
@requires("cases:mediate")
def record_consent(case_id):
    return jsonify(call("mediation", "record_consent", g.caller, case_id, json_body()))


@blueprint.post("/api/v1/cases/<case_id>/mediators")
@requires("cases:mediate")
def appoint_mediators(case_id):
    return jsonify(call("mediation", "appoint_mediators", g.caller, case_id, json_body()))


@blueprint.post("/api/v1/cases/<case_id>/rights-notice")
@requires("cases:mediate")
def give_rights_notice(case_id):
    return jsonify(call("mediation", "give_rights_notice", g.caller, case_id, json_body()))


@blueprint.post("/api/v1/cases/<case_id>/sessions")
@requires("cases:mediate")
def hold_session(case_id):
    return jsonify(call("mediation", "hold_session", g.caller, case_id, json_body())), 201


@blueprint.post("/api/v1/cases/<case_id>/extension")
@requires("cases:mediate")
def extend_mediation(case_id):
    return jsonify(call("mediation", "extend_mediation", g.caller, case_id, json_body()))


@blueprint.post("/api/v1/cases/<case_id>/failure")
@requires("cases:mediate")
def fail_mediation(case_id):
    """调解不成: the routes open to the parties are explained, and the case is referred."""
    return jsonify(call("mediation", "fail_mediation", g.caller, case_id, json_body()))


@blueprint.post("/api/v1/cases/<case_id>/agreements")
@requires("cases:mediate")
def draft_agreement(case_id):
    agreement = call("mediation", "draft_agreement", g.caller, case_id, json_body())
    return _created(agreement, f"/api/v1/agreements/{agreement['id']}/document")


@blueprint.post("/api/v1/agreements/<agreement_id>/signatures")
@requires("cases:mediate")
def sign_agreement(agreement_id):
    return jsonify(call("mediation", "sign_agreement", g.caller, agreement_id, json_body()))


@blueprint.post("/api/v1/agreements/<agreement_id>/obligations/<obligation_id>/performance")
@requires("cases:mediate")
def record_performance(agreement_id, obligation_id):
    return jsonify(call("mediation", "record_performance", g.caller, agreement_id, obligation_id, json_body()))


@blueprint.post("/api/v1/agreements/<agreement_id>/judicial-confirmation")
@requires("cases:mediate")
def record_judicial_confirmation(agreement_id):
    """司法确认: the court's decision, when the parties applied."""
    return jsonify(call("mediation", "record_judicial_confirmation", g.caller, agreement_id, json_body()))


@blueprint.get("/api/v1/agreements/<agreement_id>/document")
@requires("cases:read")
def agreement_document(agreement_id):
    """调解协议书, ready to print (Chinese)."""
    page = call("mediation", "agreement_document", g.caller, agreement_id)
    return Response(page, content_type="text/html; charset=utf-8", headers={"Cache-Control": "private, no-store"})


# --- legal services (法律服务站) --------------------------------------------
@blueprint.post("/api/v1/consultations")
@requires("cases:legal")
def record_consultation():
    return jsonify(call("mediation", "record_consultation", g.caller, json_body())), 201


@blueprint.post("/api/v1/cases/<case_id>/legal-aid-referral")
@requires("cases:legal")
def refer_to_legal_aid(case_id):
    return jsonify(call("mediation", "refer_to_legal_aid", g.caller, case_id, json_body()))


# --- supervision (督导督办站) -----------------------------------------------
@blueprint.get("/api/v1/supervision")
@requires("cases:supervise")
def supervision_lists():
    return jsonify(call("mediation", "supervision_lists", g.caller))


@blueprint.post("/api/v1/cases/<case_id>/supervision-orders")
@requires("cases:supervise")
def issue_supervision_order(case_id):
    return jsonify(call("mediation", "issue_supervision_order", g.caller, case_id, json_body())), 201


@blueprint.post("/api/v1/cases/<case_id>/follow-ups")
@requires("cases:supervise")
def record_follow_up(case_id):
    """回访: satisfied closes the case; unsatisfied reopens it."""
    return jsonify(call("mediation", "record_follow_up", g.caller, case_id, json_body())), 201


# --- residents' council (居民议事站) ----------------------------------------
@blueprint.post("/api/v1/council/items")
@requires("council:raise")
def raise_agenda_item():
    return jsonify(call("mediation", "raise_agenda_item", g.caller, json_body())), 201


@blueprint.post("/api/v1/council/meetings")
@requires("council:meet")
def hold_meeting():
    return jsonify(call("mediation", "hold_meeting", g.caller, json_body())), 201


@blueprint.post("/api/v1/council/items/<item_id>/decision")
@requires("council:meet")
def decide(item_id):
    return jsonify(call("mediation", "decide", g.caller, item_id, json_body()))


@blueprint.get("/api/v1/public/<community>/council-decisions")
@public("council:published")
def published_decisions(community):
    """Decisions of the residents' council, published: no sign-in needed, no names."""
    return jsonify(call("mediation", "published_decisions", community))


# --- figures --------------------------------------------------------------
@blueprint.get("/api/v1/desk-figures")
@requires("cases:figures")
def desk_figures():
    """Visitors received, disputes mediated and resolved, success rate, ... per station and period."""
    query = {k: v for k, v in request.args.items() if k in ("from", "to")}
    return jsonify(call("mediation", "figures", g.caller, query))
