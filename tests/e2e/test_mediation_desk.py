"""The six-station desk end to end, over HTTP only: a night-time noise dispute at building 44
climbs from its grid to the community, becomes a case at reception, is mediated to a signed and
performed agreement, and the report closes with the case."""
import io

import pytest
from pypdf import PdfReader

from tests.e2e.conftest import Api
from tests.support import wait_until

pytestmark = pytest.mark.e2e

OFFICE = "ytl-admin"


def ok(answer, status=200) -> dict:
    assert answer.status_code == status, answer.text
    return answer.json()


def pdf_text(content: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def escalated_noise_dispute(as_user, as_handler) -> tuple[dict, dict]:
    """The building leader of 44 reports it; the grid cannot settle it and passes it up."""
    leader = as_user("ytl-bl-44")
    report = ok(leader.post("/api/v1/reports", json={
        "category": "dispute.night_disturbance", "building": "44", "unit": "1",
        "description": "44号楼1单元楼上住户每晚十一点后搬动家具、大声喧哗,楼下住户多次上门沟通无果"}), 201)["report"]
    office = as_user(OFFICE)
    task_id = wait_until(lambda: office.get(f"/api/v1/reports/{report['id']}").json()["task_id"],
                         what="the report to be dispatched")
    task = ok(office.get(f"/api/v1/tasks/{task_id}"))
    assert task["level"] == "grid"
    escalated = ok(as_handler(task).post(f"/api/v1/tasks/{task_id}/escalation",
                                         json={"reason": "双方各执一词,网格多次劝说无效,需社区调解"}))
    assert escalated["successor"]["level"] == "community"
    return report, escalated["successor"]


def case_of(api, report_id: str) -> dict:
    def found():
        items = ok(api.get("/api/v1/cases", params={"report_id": report_id}))["items"]
        return items[0] if items else None

    return wait_until(found, what=f"a case for report {report_id} at reception")


def test_a_noise_dispute_is_mediated_to_a_performed_agreement_and_the_report_closes_with_the_case(
        as_user, as_handler):
    report, community_task = escalated_noise_dispute(as_user, as_handler)
    reception, triage = as_user("ytl-reception"), as_user("ytl-triage")
    mediator, supervision = as_user("ytl-mediator"), as_user("ytl-supervision")

    # 接访站: the escalation arrived as a case linked to the report
    case = case_of(reception, report["id"])
    assert (case["source"], case["station"], case["task_id"]) == ("escalation", "reception", community_task["id"])
    applicant = ok(reception.post(f"/api/v1/cases/{case['id']}/parties", json={
        "role": "applicant", "name": "杜慧", "phone": "15963900013", "household": "ytl-44-1-01",
        "account_id": "ytl-44-1-01"}), 201)["parties"][-1]
    respondent = ok(reception.post(f"/api/v1/cases/{case['id']}/parties", json={
        "role": "respondent", "name": "夏磊", "phone": "15963900014", "household": "ytl-44-1-02",
        "account_id": "ytl-44-1-02"}), 201)["parties"][-1]

    # 事务分流站 → 争议调解站
    routed = ok(triage.post(f"/api/v1/cases/{case['id']}/routing", json={"to": "mediation", "note": "邻里噪音纠纷"}))
    assert routed["station"] == "mediation"
    for party in (applicant, respondent):
        ok(mediator.post(f"/api/v1/cases/{case['id']}/consents", json={"party_id": party["id"], "consents": True}))
    ok(mediator.post(f"/api/v1/cases/{case['id']}/mediators",
                     json={"mediators": ["ytl-st-mediator-01"], "chosen_by": "station"}))
    ok(mediator.post(f"/api/v1/cases/{case['id']}/rights-notice", json={"note": "已告知双方权利义务"}))
    ok(mediator.post(f"/api/v1/cases/{case['id']}/sessions", json={
        "held_at": "2026-11-26T19:00:00+08:00", "place": "砚台岭社区争议调解室",
        "attendees": ["杜慧", "夏磊", "李德华"], "record": "双方陈述;夏磊承认夜间噪音,同意整改"}), 201)

    agreement = ok(mediator.post(f"/api/v1/cases/{case['id']}/agreements", json={
        "facts": "夏磊家夜间二十三点后搬动家具、喧哗,影响楼下杜慧家休息。",
        "responsibilities": "夏磊对噪音扰民负主要责任。",
        "obligations": [{"party_id": respondent["id"], "what": "二十二点后不再搬动家具、大声喧哗,椅脚加装防噪垫",
                         "how": "自行整改,社区回访核实", "due_on": "2026-12-03"}]}), 201)
    for signer in ({"party_id": applicant["id"]}, {"party_id": respondent["id"]}, {"as_mediator": True}):
        agreement = ok(mediator.post(f"/api/v1/agreements/{agreement['id']}/signatures", json=signer))
    assert agreement["effective"] and agreement["judicial_confirmation_by"]

    document = mediator.get(f"/api/v1/agreements/{agreement['id']}/document")
    assert document.status_code == 200 and document.headers["Content-Type"].startswith("text/html")
    for text in ("调解协议书", case["number"], "杜慧", "夏磊", "椅脚加装防噪垫", "司法确认"):
        assert text in document.text, text
    pdf = mediator.get(f"/api/v1/agreements/{agreement['id']}/document.pdf")
    assert pdf.status_code == 200 and pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Cache-Control"] == "private, no-store"
    assert pdf.headers["Content-Disposition"].startswith(f'attachment; filename="agreement-{case["number"]}.pdf"')
    for text in ("调解协议书", case["number"], "杜慧", "夏磊", "椅脚加装防噪垫", "司法确认"):
        assert text in pdf_text(pdf.content), text

    obligation = agreement["obligations"][0]
    performed = ok(mediator.post(f"/api/v1/agreements/{agreement['id']}/obligations/{obligation['id']}/performance",
                                 json={"performed_on": "2026-11-30", "note": "已加装防噪垫,夜间无噪音"}))
    assert performed["performed"]
    office = as_user(OFFICE)
    wait_until(lambda: office.get(f"/api/v1/reports/{report['id']}").json()["status"] == "resolved",
               what="the report's task to be resolved by the case")

    # 督导督办站: the follow-up visit is satisfied; the case closes, and the report with it
    closed = ok(supervision.post(f"/api/v1/cases/{case['id']}/follow-ups",
                                 json={"satisfied": True, "note": "楼下住户反映已安静"}), 201)
    assert (closed["status"], closed["follow_up_satisfied"]) == ("closed", True)
    final = wait_until(lambda: (r := office.get(f"/api/v1/reports/{report['id']}").json())["status"] == "closed" and r,
                       what="the report to close with the case")
    actions = [step["action"] for step in final["timeline"]]
    for action in ("escalated", "case_opened", "case_routed", "agreement_signed", "case_resolved", "case_closed",
                   "closed"):
        assert action in actions, action

    # One case, one file: every step on it; the applicant sees their own case, a neighbour does not
    file = ok(office.get(f"/api/v1/cases/{case['id']}"))
    steps = [step["action"] for step in file["history"]]
    assert steps[0] == "opened" and "routed" in steps and steps[-1] == "closed"
    assert [c["id"] for c in ok(as_user("ytl-44-1-01").get("/api/v1/cases"))["items"]] == [case["id"]]
    assert as_user("ytl-44-2-01").get(f"/api/v1/cases/{case['id']}").status_code == 404
    # The agreement's PDF names the parties: a party has it, as the desk does; roles that may not read cases
    # are refused (403), and those who may but not this one find nothing (404): a neighbour, a grid worker,
    # another community's office. Nothing without signing in.
    pdf_path = f"/api/v1/agreements/{agreement['id']}/document.pdf"
    assert "夏磊" in pdf_text(as_user("ytl-44-1-01").get(pdf_path).content)
    for username, status in (("wuli", 403), ("district-it", 403), ("ytl-44-2-01", 404), ("zhangyan", 404),
                             ("jqs-admin", 404)):
        refused = as_user(username).get(pdf_path)
        assert refused.status_code == status and refused.json()["status"] == status, username
    assert Api(office.base_url).get(pdf_path).status_code == 401

    figures = ok(office.get("/api/v1/desk-figures", params={"from": "2026-01-01", "to": "2026-12-31"}))
    assert figures["total"]["mediation_succeeded"] >= 1 and figures["total"]["difficult_solved"] >= 1


def test_bad_steps_get_a_clear_problem_and_change_nothing(as_user, as_handler):
    report, _task = escalated_noise_dispute(as_user, as_handler)
    reception, triage, mediator = as_user("ytl-reception"), as_user("ytl-triage"), as_user("ytl-mediator")
    case = case_of(reception, report["id"])
    party = ok(reception.post(f"/api/v1/cases/{case['id']}/parties",
                              json={"role": "applicant", "name": "杜慧", "household": "ytl-44-1-01"}),
               201)["parties"][0]
    other = ok(reception.post(f"/api/v1/cases/{case['id']}/parties",
                              json={"role": "respondent", "name": "夏磊", "household": "ytl-44-1-02"}),
               201)["parties"][1]

    # acting on another station's case: the mediator may not route what is still at reception
    refused = mediator.post(f"/api/v1/cases/{case['id']}/routing", json={"to": "mediation"})
    assert refused.status_code == 403 and refused.json()["code"] == "not_your_station"

    ok(triage.post(f"/api/v1/cases/{case['id']}/routing", json={"to": "mediation"}))
    for p in (party, other):
        ok(mediator.post(f"/api/v1/cases/{case['id']}/consents", json={"party_id": p["id"], "consents": True}))
    ok(mediator.post(f"/api/v1/cases/{case['id']}/mediators", json={"mediators": ["ytl-st-mediator-01"],
                                                                    "chosen_by": "parties"}))
    ok(mediator.post(f"/api/v1/cases/{case['id']}/rights-notice", json={}))
    ok(mediator.post(f"/api/v1/cases/{case['id']}/sessions", json={
        "held_at": "2026-11-26T19:00:00+08:00", "place": "调解室", "attendees": ["杜慧", "夏磊"],
        "record": "首次调解"}), 201)

    # an agreement without obligations
    empty = mediator.post(f"/api/v1/cases/{case['id']}/agreements",
                          json={"facts": "噪音", "responsibilities": "夏磊", "obligations": []})
    assert empty.status_code == 422 and [e["field"] for e in empty.json()["errors"]] == ["obligations"]
    english = as_user("ytl-mediator", lang="en").post(f"/api/v1/cases/{case['id']}/agreements",
                                                      json={"facts": "x", "responsibilities": "y", "obligations": []})
    assert english.json()["errors"][0]["message"].isascii()

    # a signature by someone who is not a party
    agreement = ok(mediator.post(f"/api/v1/cases/{case['id']}/agreements", json={
        "facts": "噪音", "responsibilities": "夏磊", "obligations": [
            {"party_id": other["id"], "what": "夜间保持安静", "how": "自行整改", "due_on": "2026-12-03"}]}), 201)
    before = ok(mediator.get(f"/api/v1/cases/{case['id']}"))
    assert len(before["agreements"]) == 1  # the refused draft left nothing behind
    stranger = mediator.post(f"/api/v1/agreements/{agreement['id']}/signatures", json={"party_id": "not-a-party"})
    assert stranger.status_code in (403, 422) and stranger.json()["errors"][0]["field"] == "party_id"

    # an extension without both parties' consent
    extension = mediator.post(f"/api/v1/cases/{case['id']}/extension",
                              json={"days": 15, "consenting_parties": [party["id"]]})
    assert extension.status_code in (409, 422) and extension.json()["code"] in (
        "extension_needs_every_party", "invalid_input")

    after = ok(mediator.get(f"/api/v1/cases/{case['id']}"))
    assert after["agreements"][0]["signatures"] == [] and after["mediation"] == before["mediation"]
    assert [s["action"] for s in after["history"]] == [s["action"] for s in before["history"]]
