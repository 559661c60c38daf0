"""Routes of the community's mediation desk (六站): cases and their stations, agreements,
legal services, supervision and the residents' council. Each names its action from the
permission table; which station may act on which case is the mediation service's rule."""
import base64

from flask import Blueprint, Response, g, jsonify

from gateway import exports, views
from gateway.guard import requires
from gateway.openapi import documented
from gateway.permissions import public
from gateway.plumbing import call, json_body, query_args
from shared.contracts import rpc

blueprint = Blueprint("desk", __name__)

STATE = (409,)  # the case or agreement is not at the step this asks for


def _case_step(method: str, case_id: str, schema, status: int = 200):
    """A step on a case: the body checked here, the step taken by the service, the file returned."""
    return jsonify(call("mediation", method, g.caller, case_id, json_body(schema))), status


# --- cases: reception (接访站) and triage (事务分流站) ------------------------
@blueprint.post("/api/v1/cases")
@documented(body=rpc.NewCase, returns=views.CaseFile, status=201)
@requires("cases:open")
def open_case():
    """Register a walk-in or phone visit (接访登记)."""
    case = call("mediation", "open_case", g.caller, json_body(rpc.NewCase))
    return jsonify(case), 201, {"Location": f"/api/v1/cases/{case['id']}"}


@blueprint.get("/api/v1/cases")
@documented(query=rpc.CaseFilter, returns=views.CaseList)
@requires("cases:read")
def list_cases():
    """Cases the caller may see: their station's, the community's for the office, their own for residents."""
    return jsonify(call("mediation", "list_cases", g.caller, query_args(rpc.CaseFilter)))


@blueprint.get("/api/v1/cases/<case_id>")
@documented(returns=views.CaseFile)
@requires("cases:read")
def get_case(case_id):
    """The whole file (一案一档)."""
    return jsonify(call("mediation", "get_case", g.caller, case_id))


@blueprint.post("/api/v1/cases/<case_id>/parties")
@documented(body=rpc.Party, returns=views.CaseFile, status=201, problems=STATE)
@requires("cases:open")
def add_party(case_id):
    return _case_step("add_party", case_id, rpc.Party, 201)


@blueprint.post("/api/v1/cases/<case_id>/routing")
@documented(body=rpc.Route, returns=views.CaseFile, problems=STATE)
@requires("cases:route")
def route_case(case_id):
    """事务分流: to a station, back to dispatch as an ordinary task, or outside with a referral."""
    return _case_step("route_case", case_id, rpc.Route)


@blueprint.post("/api/v1/cases/<case_id>/send-back")
@documented(body=rpc.SendBack, returns=views.CaseFile, problems=STATE)
@requires("cases:route")
def send_back(case_id):
    """A station hands the case back to triage to be routed again."""
    return _case_step("send_back", case_id, rpc.SendBack)


# --- dispute mediation (争议调解站) -----------------------------------------
@blueprint.post("/api/v1/cases/<case_id>/consents")
@documented(body=rpc.Consent, returns=views.CaseFile, problems=STATE)
@requires("cases:mediate")
def record_consent(case_id):
    """A party agrees to mediation, or refuses (which ends it)."""
    return _case_step("record_consent", case_id, rpc.Consent)


@blueprint.post("/api/v1/cases/<case_id>/mediators")
@documented(body=rpc.MediatorAppointment, returns=views.CaseFile, problems=STATE)
@requires("cases:mediate")
def appoint_mediators(case_id):
    return _case_step("appoint_mediators", case_id, rpc.MediatorAppointment)


@blueprint.post("/api/v1/cases/<case_id>/rights-notice")
@documented(body=rpc.RightsNotice, returns=views.CaseFile, problems=STATE)
@requires("cases:mediate")
def give_rights_notice(case_id):
    return _case_step("give_rights_notice", case_id, rpc.RightsNotice)


@blueprint.post("/api/v1/cases/<case_id>/sessions")
@documented(body=rpc.MediationSession, returns=views.CaseFile, status=201, problems=STATE)
@requires("cases:mediate")
def hold_session(case_id):
    return _case_step("hold_session", case_id, rpc.MediationSession, 201)


@blueprint.post("/api/v1/cases/<case_id>/extension")
@documented(body=rpc.MediationExtension, returns=views.CaseFile, problems=STATE)
@requires("cases:mediate")
def extend_mediation(case_id):
    """More time for mediation: only with every party's consent."""
    return _case_step("extend_mediation", case_id, rpc.MediationExtension)


@blueprint.post("/api/v1/cases/<case_id>/failure")
@documented(body=rpc.MediationFailure, returns=views.CaseFile, problems=STATE)
@requires("cases:mediate")
def fail_mediation(case_id):
    """调解不成: the routes open to the parties are explained, and the case is referred."""
    return _case_step("fail_mediation", case_id, rpc.MediationFailure)


@blueprint.post("/api/v1/cases/<case_id>/agreements")
@documented(body=rpc.AgreementDraft, returns=views.Agreement, status=201, problems=STATE)
@requires("cases:mediate")
def draft_agreement(case_id):
    agreement = call("mediation", "draft_agreement", g.caller, case_id, json_body(rpc.AgreementDraft))
    return jsonify(agreement), 201, {"Location": f"/api/v1/agreements/{agreement['id']}/document"}


@blueprint.post("/api/v1/agreements/<agreement_id>/signatures")
@documented(body=rpc.Signature, returns=views.Agreement, problems=STATE)
@requires("cases:mediate")
def sign_agreement(agreement_id):
    """A party's or the mediator's signature; the agreement takes effect with the last one."""
    return jsonify(call("mediation", "sign_agreement", g.caller, agreement_id, json_body(rpc.Signature)))


@blueprint.post("/api/v1/agreements/<agreement_id>/obligations/<obligation_id>/performance")
@documented(body=rpc.Performance, returns=views.Agreement, problems=STATE)
@requires("cases:mediate")
def record_performance(agreement_id, obligation_id):
    return jsonify(call("mediation", "record_performance", g.caller, agreement_id, obligation_id,
                        json_body(rpc.Performance)))


@blueprint.post("/api/v1/agreements/<agreement_id>/judicial-confirmation")
@documented(body=rpc.JudicialConfirmation, returns=views.Agreement, problems=STATE)
@requires("cases:mediate")
def record_judicial_confirmation(agreement_id):
    """司法确认: the parties applied to the court, and what it decided."""
    return jsonify(call("mediation", "record_judicial_confirmation", g.caller, agreement_id,
                        json_body(rpc.JudicialConfirmation)))


@blueprint.get("/api/v1/agreements/<agreement_id>/document")
@documented(media_type="text/html")
@requires("cases:read")
def agreement_document(agreement_id):
    """调解协议书, ready to print (Chinese)."""
    page = call("mediation", "agreement_document", g.caller, agreement_id)
    return Response(page, content_type="text/html; charset=utf-8", headers={"Cache-Control": "private, no-store"})


@blueprint.get("/api/v1/agreements/<agreement_id>/document.pdf")
@documented(media_type="application/pdf")
@requires("cases:read")
def agreement_pdf(agreement_id):
    """调解协议书 as an A4 PDF (Chinese), to download. It names the parties: only those who may read the case."""
    document = call("mediation", "agreement_pdf", g.caller, agreement_id)
    number = document["number"]
    return Response(base64.b64decode(document["content_b64"]), content_type="application/pdf", headers={
        "Content-Disposition": exports.file_name(f"调解协议书-{number}", "pdf", plain=f"agreement-{number}"),
        "Cache-Control": "private, no-store"})


# --- legal services (法律服务站) --------------------------------------------
@blueprint.post("/api/v1/consultations")
@documented(body=rpc.Consultation, returns=views.CaseFile, status=201, problems=STATE)
@requires("cases:legal")
def record_consultation():
    """Legal advice, on a case or to a walk-in visitor (which opens and resolves a case)."""
    return jsonify(call("mediation", "record_consultation", g.caller, json_body(rpc.Consultation))), 201


@blueprint.post("/api/v1/cases/<case_id>/legal-aid-referral")
@documented(body=rpc.LegalAidReferral, returns=views.CaseFile, problems=STATE)
@requires("cases:legal")
def refer_to_legal_aid(case_id):
    return _case_step("refer_to_legal_aid", case_id, rpc.LegalAidReferral)


@blueprint.post("/api/v1/cases/<case_id>/resolution")
@documented(body=rpc.CaseResolution, returns=views.CaseFile, problems=STATE)
@requires("cases:legal")
def resolve_case(case_id):
    """A station settles the case itself: advice given, or settled on the spot."""
    return _case_step("resolve_case", case_id, rpc.CaseResolution)


# --- supervision (督导督办站) -----------------------------------------------
@blueprint.get("/api/v1/supervision")
@documented(returns=views.SupervisionLists)
@requires("cases:supervise")
def supervision_lists():
    """Open cases near their deadline and overdue."""
    return jsonify(call("mediation", "supervision_lists", g.caller))


@blueprint.post("/api/v1/cases/<case_id>/supervision-orders")
@documented(body=rpc.SupervisionOrder, returns=views.CaseFile, status=201, problems=STATE)
@requires("cases:supervise")
def issue_supervision_order(case_id):
    return _case_step("issue_supervision_order", case_id, rpc.SupervisionOrder, 201)


@blueprint.post("/api/v1/cases/<case_id>/follow-ups")
@documented(body=rpc.FollowUp, returns=views.CaseFile, status=201, problems=STATE)
@requires("cases:supervise")
def record_follow_up(case_id):
    """回访: satisfied closes the case; unsatisfied reopens it."""
    return _case_step("record_follow_up", case_id, rpc.FollowUp, 201)


# --- residents' council (居民议事站) ----------------------------------------
@blueprint.post("/api/v1/council/items")
@documented(body=rpc.AgendaItem, returns=views.CouncilItem, status=201)
@requires("council:raise")
def raise_agenda_item():
    return jsonify(call("mediation", "raise_agenda_item", g.caller, json_body(rpc.AgendaItem))), 201


@blueprint.post("/api/v1/council/meetings")
@documented(body=rpc.CouncilMeeting, returns=views.Meeting, status=201, problems=STATE)
@requires("council:meet")
def hold_meeting():
    return jsonify(call("mediation", "hold_meeting", g.caller, json_body(rpc.CouncilMeeting))), 201


@blueprint.post("/api/v1/council/items/<item_id>/decision")
@documented(body=rpc.CouncilDecision, returns=views.PublishedDecision, problems=STATE)
@requires("council:meet")
def decide(item_id):
    """The vote on an item; adopted when more than half of the votes cast are for it."""
    return jsonify(call("mediation", "decide", g.caller, item_id, json_body(rpc.CouncilDecision)))


@blueprint.get("/api/v1/council/items")
@documented(query=rpc.CouncilItemFilter, returns=views.CouncilItems)
@requires("council:read")
def council_items():
    """The council's agenda (议题): open, scheduled for a meeting, or decided."""
    return jsonify(call("mediation", "council_items", g.caller, query_args(rpc.CouncilItemFilter)))


@blueprint.get("/api/v1/council/meetings")
@documented(returns=views.Meetings)
@requires("council:read")
def council_meetings():
    """The council's meetings, newest first, each with its agenda and decisions (votes, never names)."""
    return jsonify(call("mediation", "council_meetings", g.caller))


@blueprint.get("/api/v1/public/<community>/council-decisions")
@documented(returns=views.PublishedDecisions)
@public("council:published")
def published_decisions(community):
    """Decisions of the residents' council, published: no sign-in needed, no names."""
    return jsonify(call("mediation", "published_decisions", community))


# --- figures --------------------------------------------------------------
@blueprint.get("/api/v1/desk-figures")
@documented(query=rpc.MediationFigures, returns=views.DeskFigures)
@requires("cases:figures")
def desk_figures():
    """Visitors received, disputes mediated and resolved, success rate, overdue ... per station and period."""
    return jsonify(call("mediation", "figures", g.caller, query_args(rpc.MediationFigures)))
