"""The mediation service as a real process on a real RabbitMQ vhost, on SQLite and
PostgreSQL: escalations arrive once as cases, a walk-in goes through people's
mediation to a performed agreement and a satisfied follow-up, the other paths
(refusal, failure, the 30-day limit, extension, legal advice, the council), and
bad input that changes nothing. Events are captured from the bus itself."""
import base64
import io
import json
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
import yaml
from kombu import Connection, Queue
from nameko.standalone.rpc import ClusterRpcProxy
from pypdf import PdfReader

from deploy.demo.load import DEMO_FILE, station_staff
from deploy.local import LocalPlatform
from shared.bus import event_exchange, event_publisher, work_queue
from shared.clock import FileClock
from shared.config import REPO_ROOT
from shared.contracts.errors import Conflict, Forbidden, InvalidInput, NotFound
from shared.contracts.subscriptions import subscription
from shared.envelope import Event, to_message
from shared.times import SHANGHAI
from tests.support import WithRequestIds, answers, wait_until

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI)  # a Monday


def person(account, role, name, community="ytl", **more):
    return {"account_id": account, "role": role, "name": name, "community": community, "grid": None,
            "building": None, "staff_code": None, "company": None, "station": None, **more}


def staff(station, code, name, community="ytl"):
    return person(code, "station_staff", name, community, staff_code=code, station=station)


RECEPTION = staff("reception", "ytl-st-reception", "王秀梅")
TRIAGE = staff("triage", "ytl-st-triage", "孙立新")
MEDIATOR = staff("mediation", "ytl-st-mediator-01", "李德华")
MEDIATOR_2 = staff("mediation", "ytl-st-mediator-02", "周桂芳")
LEGAL = staff("legal", "ytl-st-legal", "赵明远")
SUPERVISION = staff("supervision", "ytl-st-supervision", "钱国栋")
COUNCIL = staff("council", "ytl-st-council", "郑淑琴")
OFFICE = person("ytl-admin", "community_admin", "砚台岭社区办公室", staff_code="ytl-office-01")
APPLICANT = person("ytl-44-1-01", "resident", "杜慧", building="44")
RESPONDENT = person("ytl-44-2-01", "resident", "侯建华", building="44")
STRANGER = person("ytl-47-1-01", "resident", "陌生人", building="47")
JQS_RECEPTION = staff("reception", "jqs-st-reception", "韩春燕", community="jqs")

PARTIES = [
    {"role": "applicant", "name": "杜慧", "phone": "13812341004", "household": "ytl-44-1-01",
     "account_id": "ytl-44-1-01"},
    {"role": "respondent", "name": "侯建华", "phone": "15963900015", "household": "ytl-44-2-01",
     "account_id": "ytl-44-2-01"},
]
WALK_IN = {"source": "walk_in", "visitor_name": "杜慧", "contact": "13812341004", "visitor_account_id": "ytl-44-1-01",
           "description": "44号楼2单元住户夜间饮酒喧哗,影响休息", "category": "dispute.noise", "building": "44",
           "parties": PARTIES}
RULE = {"code": "CIV-QUIET", "version": 1, "area": "civility_integrity", "description_zh": "夜间22点后不得高声喧哗",
        "description_en": "No loud noise after 22:00", "points": -2, "cap_per_period": 10,
        "needs_verification": True, "evidence_required": False, "valid_from": "2026-12-01", "valid_to": None,
        "concerns_petitioning": False}


class Bus:
    """Every event mediation publishes, caught by a queue of the test's own."""

    def __init__(self, uri):
        self.connection = Connection(uri)
        self.queue = Queue("test-mediation-events", exchange=event_exchange("mediation"), routing_key="#",
                           durable=False, auto_delete=False)
        bound = self.queue(self.connection.channel())
        bound.declare()
        bound.purge()  # the vhost lives for the module; each test hears only its own events
        self.seen = []

    def drain(self):
        bound = self.queue(self.connection.channel())
        while (message := bound.get(no_ack=True)) is not None:
            self.seen.append(json.loads(message.body) if isinstance(message.body, (str, bytes)) else message.body)
        return self.seen

    def of(self, case_id=None, event_type=None):
        self.drain()
        return [e for e in self.seen if (case_id is None or e["payload"].get("case_id") == case_id)
                and (event_type is None or e["type"] == event_type)]

    def wait_for(self, event_type, case_id=None, count=1):
        return wait_until(lambda: len(self.of(case_id, event_type)) >= count and self.of(case_id, event_type),
                          what=f"{event_type} of {case_id}")


@pytest.fixture
def desk(vhost, database_url, tmp_path):
    """The mediation service as `nameko run` starts it, on the parametrised database and a file clock."""
    clock = FileClock(str(tmp_path / "now"))
    clock.set(T0)
    running = LocalPlatform(tmp_path, env={"AMQP_URI": vhost.uri, "MEDIATION_DATABASE_URL": database_url,
                                           "CLOCK": f"file:{clock.path}", "EVENT_RETRY_DELAYS_S": "[0.2, 0.5]"})
    subprocess.run([sys.executable, "-m", "shared.migrations", "upgrade", "mediation"], env=running.env,
                   cwd=REPO_ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    running.bus = Bus(vhost.uri)
    running.start_service("mediation")
    running.rpc = ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30)
    running.cluster = WithRequestIds(running.rpc.start())
    try:
        wait_until(lambda: answers(running.cluster.mediation), what="mediation up")
        demo = yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8"))
        assert running.cluster.mediation.import_station_staff(station_staff(demo)) == 9
        running.clock = clock
        running.m = running.cluster.mediation
        yield running
    finally:
        running.rpc.stop()
        running.stop_all()
        running.bus.connection.release()


def walk_in(m, **more):
    return m.open_case(RECEPTION, {**WALK_IN, **more})


def at_mediation(m, **more):
    case = walk_in(m, **more)
    return m.route_case(TRIAGE, case["id"], {"to": "mediation", "note": "邻里纠纷,转争议调解站"})


def mediating(m, **more):
    case = at_mediation(m, **more)
    for party in case["parties"]:
        case = m.record_consent(MEDIATOR, case["id"], {"party_id": party["id"], "consents": True})
    return case


def ready_for_session(m):
    case = mediating(m)
    m.appoint_mediators(MEDIATOR, case["id"], {"mediators": ["ytl-st-mediator-01"], "chosen_by": "parties"})
    return m.give_rights_notice(MEDIATOR, case["id"], {"note": "已告知当事人享有的权利和承担的义务"})


def session(m, case_id):
    return m.hold_session(MEDIATOR, case_id, {
        "held_at": "2026-11-03T19:00:00+08:00", "place": "砚台岭社区人民调解室",
        "attendees": ["杜慧", "侯建华", "李德华"], "record": "双方陈述,调解员释法说理"})


def agreement_of(m, case):
    party = {p["role"]: p["id"] for p in case["parties"]}
    return m.draft_agreement(MEDIATOR, case["id"], {
        "facts": "侯建华家于11月1日夜间饮酒喧哗至凌晨<script>alert(1)</script>",
        "responsibilities": "侯建华对噪音扰民负主要责任",
        "obligations": [{"party_id": party["respondent"], "what": "书面道歉并保证夜间22点后不再喧哗",
                         "how": "当面致歉并张贴保证书", "due_on": "2026-11-10"}]})


# --- reception --------------------------------------------------------------------
def escalation(report_id, task_id="task-1", community="ytl"):
    return Event(type="report.escalated", source="dispatch", correlation_id=report_id, payload={
        "report_id": report_id, "community": community, "street": "lanshan", "category": "dispute.noise",
        "dispute": True, "from_level": "grid", "level": "community", "reason": "网格调解未果,上报社区",
        "task_id": task_id, "deadline_at": "2026-11-09T09:00:00+08:00", "urgent": False, "grid": "g01",
        "building": "44", "description": "44号楼夜间饮酒喧哗,邻里纠纷"})


def test_an_escalation_delivered_twice_opens_one_case_linked_to_its_report(desk, vhost):
    event = escalation("report-44")
    publisher = event_publisher(vhost.uri)
    for _ in range(2):
        publisher.publish(to_message(event), exchange=event_exchange("dispatch"),
                          routing_key="report.escalated.community.dispute.noise")
    [case] = wait_until(lambda: desk.m.list_cases(OFFICE, {"report_id": "report-44"})["items"], what="the case")
    work = work_queue(subscription("mediation", "dispatch", "report.escalated"))
    with Connection(vhost.uri) as connection:
        wait_until(lambda: work(connection.channel()).queue_declare(passive=True).message_count == 0,
                   what="the queue to drain")
    time.sleep(1)
    assert len(desk.m.list_cases(OFFICE, {"report_id": "report-44"})["items"]) == 1
    assert (case["number"], case["source"], case["station"], case["status"]) == (
        "YTL-2026-0001", "escalation", "reception", "registered")
    assert (case["report_id"], case["task_id"]) == ("report-44", "task-1")
    [opened] = desk.bus.wait_for("case.opened", case["id"])
    assert opened["correlation_id"] == "report-44"
    assert (opened["payload"]["report_id"], opened["payload"]["task_id"]) == ("report-44", "task-1")

    # triage hands it on to mediation; every event of the case carries the report
    case = desk.m.route_case(TRIAGE, case["id"], {"to": "mediation", "note": "矛盾纠纷"})
    [routed] = desk.bus.wait_for("case.routed", case["id"])
    assert (routed["payload"]["from_station"], routed["payload"]["to"], routed["payload"]["report_id"]) == (
        "reception", "mediation", "report-44")
    assert [s["action"] for s in desk.m.get_case(OFFICE, case["id"])["history"]] == ["opened", "routed"]

    # a second escalation is settled by legal advice: a difficult problem solved (escalated, then resolved)
    publisher.publish(to_message(escalation("report-47", "task-2")), exchange=event_exchange("dispatch"),
                      routing_key="report.escalated.community.dispute.noise")
    [second] = wait_until(lambda: desk.m.list_cases(OFFICE, {"report_id": "report-47"})["items"], what="case 2")
    desk.m.route_case(OFFICE, second["id"], {"to": "legal"})
    with pytest.raises(Forbidden):
        desk.m.resolve_case(MEDIATOR, second["id"], {"outcome": "advice_given", "summary": "x"})
    desk.clock.set(T0 + timedelta(days=2))
    resolved = desk.m.resolve_case(LEGAL, second["id"], {"outcome": "advice_given", "summary": "已释法,双方认可"})
    assert (resolved["status"], resolved["number"]) == ("resolved", "YTL-2026-0002")
    [event] = desk.bus.wait_for("case.resolved", second["id"])
    assert (event["payload"]["report_id"], event["payload"]["outcome"]) == ("report-47", "advice_given")
    figures = desk.m.figures(OFFICE, {"from": "2026-11-01", "to": "2026-11-30"})
    legal = next(row for row in figures["stations"] if row["station"] == "legal")
    assert (legal["resolved"], legal["difficult_solved"], legal["average_days_to_resolve"]) == (1, 1, 2.0)
    assert (figures["total"]["received"], figures["total"]["escalations"], figures["total"]["visitors"]) == (2, 2, 0)


# --- the whole mediation ---------------------------------------------------------
def test_a_walk_in_is_mediated_to_a_performed_agreement_and_closes_after_a_satisfied_visit(desk):
    m, bus = desk.m, desk.bus
    case = walk_in(m)
    assert (case["number"], case["status"], case["station"]) == ("YTL-2026-0001", "registered", "reception")
    assert case["visitor"]["contact"] == "13812341004"  # reception handles it
    case = m.route_case(TRIAGE, case["id"], {"to": "mediation", "note": "邻里噪音纠纷"})
    assert (case["station"], case["mediation"]["state"]) == ("mediation", "awaiting_consent")
    applicant, respondent = case["parties"]

    case = m.record_consent(MEDIATOR, case["id"], {"party_id": applicant["id"], "consents": True})
    assert case["mediation"]["state"] == "awaiting_consent"
    desk.clock.set(T0 + timedelta(hours=2))
    case = m.record_consent(MEDIATOR, case["id"], {"party_id": respondent["id"], "consents": True})
    assert case["mediation"]["state"] == "mediating"
    assert case["due_at"] == "2026-12-02T11:00:00.000+08:00"  # 30 days from when every party consented
    m.appoint_mediators(MEDIATOR, case["id"], {"mediators": ["ytl-st-mediator-01", "ytl-st-mediator-02"],
                                                "chosen_by": "station"})
    m.give_rights_notice(MEDIATOR, case["id"], {"note": "已告知权利义务"})
    case = session(m, case["id"])
    assert case["sessions"][0]["place"] == "砚台岭社区人民调解室"
    agreement = agreement_of(m, case)
    assert (agreement["case_number"], agreement["effective"]) == ("YTL-2026-0001", False)

    desk.clock.set(T0 + timedelta(days=1))
    agreement = m.sign_agreement(MEDIATOR, agreement["id"], {"party_id": applicant["id"]})
    agreement = m.sign_agreement(RESPONDENT, agreement["id"], {"party_id": respondent["id"]})  # signs for himself
    assert not agreement["effective"] and not bus.of(case["id"], "agreement.signed")
    agreement = m.sign_agreement(MEDIATOR_2, agreement["id"], {"as_mediator": True})
    assert (agreement["effective"], agreement["effective_on"], agreement["judicial_confirmation_by"]) == (
        True, "2026-11-03", "2026-12-03")
    assert [s["recorded_by"] for s in agreement["signatures"]] == [MEDIATOR["account_id"], RESPONDENT["account_id"],
                                                                   MEDIATOR_2["account_id"]]
    [signed] = bus.wait_for("agreement.signed", case["id"])
    assert signed["payload"]["households"] == ["ytl-44-1-01", "ytl-44-2-01"]
    assert (signed["payload"]["obligations"], signed["payload"]["judicial_confirmation_by"]) == (1, "2026-12-03")

    document = m.agreement_document(APPLICANT, agreement["id"])
    for text in ("人民调解协议书", "YTL-2026-0001", "杜慧", "侯建华", "书面道歉并保证夜间22点后不再喧哗",
                 "当面致歉并张贴保证书", "2026年11月10日", "三十日内", "2026年12月3日", "@media print", "周桂芳"):
        assert text in document, text
    assert "<script>" not in document and "&lt;script&gt;" in document
    with pytest.raises(NotFound):
        m.agreement_document(STRANGER, agreement["id"])
    # the same agreement as a PDF, over RPC in base64, for the parties and the desk only
    pdf = m.agreement_pdf(APPLICANT, agreement["id"])
    assert pdf["number"] == "YTL-2026-0001"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(base64.b64decode(pdf["content_b64"]))).pages)
    for words in ("人民调解协议书", "杜慧", "侯建华", "周桂芳"):
        assert words in text, words
    with pytest.raises(NotFound):
        m.agreement_pdf(STRANGER, agreement["id"])

    m.record_judicial_confirmation(LEGAL, agreement["id"], {"applied_on": "2026-11-05", "court": "兰山区人民法院"})
    desk.clock.set(T0 + timedelta(days=7))
    [obligation] = agreement["obligations"]
    agreement = m.record_performance(MEDIATOR, agreement["id"], obligation["id"],
                                     {"performed_on": "2026-11-08", "note": "已当面道歉"})
    assert agreement["performed"]
    [performed] = bus.wait_for("agreement.performed")
    assert performed["payload"] == {"case_id": case["id"], "agreement_id": agreement["id"], "community": "ytl",
                                    "households": ["ytl-44-1-01", "ytl-44-2-01"]}
    [resolved] = bus.wait_for("case.resolved", case["id"])
    assert (resolved["payload"]["outcome"], resolved["payload"]["station"]) == ("agreement_performed", "mediation")

    case = m.record_follow_up(SUPERVISION, case["id"], {"satisfied": True, "note": "双方满意,已无噪音"})
    assert (case["status"], case["close_outcome"], case["follow_up_satisfied"]) == ("closed", "resolved", True)
    [closed] = bus.wait_for("case.closed", case["id"])
    assert (closed["payload"]["outcome"], closed["payload"]["follow_up_satisfied"]) == ("resolved", True)
    file = m.get_case(OFFICE, case["id"])
    assert [s["action"] for s in file["history"]] == [
        "opened", "routed", "consent", "consent", "mediation_started", "mediators_appointed", "rights_notice",
        "session", "agreement_drafted", "signed", "signed", "signed", "agreement_effective",
        "judicial_confirmation", "performed", "resolved", "follow_up", "closed"]
    assert file["agreements"][0]["judicial_confirmation"]["court"] == "兰山区人民法院"
    assert [e["type"] for e in bus.of(case["id"])] == ["case.opened", "case.routed", "agreement.signed",
                                                       "agreement.performed", "case.resolved", "case.closed"]

    figures = m.figures(MEDIATOR, {"from": "2026-11-01", "to": "2026-11-30"})
    row = next(row for row in figures["stations"] if row["station"] == "mediation")
    assert (row["mediated"], row["mediation_succeeded"], row["mediation_failed"], row["success_rate"]) == (1, 1, 0, 1.0)
    assert (row["resolved"], row["average_days_to_resolve"], row["overdue"]) == (1, 7.0, 0)
    assert (figures["total"]["visitors"], figures["total"]["received"]) == (1, 1)
    assert m.figures(OFFICE, {"from": "2026-12-01", "to": "2026-12-31"})["total"]["resolved"] == 0

    # personal data: the applicant sees her own phone but not the respondent's; other staff see them masked
    mine = m.get_case(APPLICANT, case["id"])
    assert [p["phone"] for p in mine["parties"]] == ["13812341004", None]
    assert [p["phone"] for p in m.get_case(LEGAL, case["id"])["parties"]] == ["138****1004", "159****0015"]
    assert m.list_cases(APPLICANT, {})["items"][0]["id"] == case["id"]
    assert m.list_cases(STRANGER, {})["items"] == []
    with pytest.raises(NotFound):
        m.get_case(STRANGER, case["id"])
    with pytest.raises(NotFound):
        m.get_case(JQS_RECEPTION, case["id"])  # another community


def test_an_unsatisfied_follow_up_reopens_the_case_where_it_was_resolved(desk):
    m = desk.m
    case = desk.m.record_consultation(LEGAL, {"question": "邻居占用公共楼道堆放杂物,能否要求清理?",
                                              "advice": "可先协商,协商不成可请物业依规处理或申请调解",
                                              "visitor_name": "杜慧", "contact": "13812341004"})
    assert (case["status"], case["station"], case["outcome"]) == ("resolved", "legal", "advice_given")
    case = m.record_follow_up(SUPERVISION, case["id"], {"satisfied": False, "note": "问题仍未解决"})
    assert (case["status"], case["station"], case["resolved_at"]) == ("in_progress", "legal", None)
    assert [s["action"] for s in case["history"]][-2:] == ["follow_up", "reopened"]
    [reopened] = desk.bus.wait_for("case.reopened", case["id"])
    assert (reopened["payload"]["station"], reopened["payload"]["reason"]) == ("legal", "问题仍未解决")


# --- the other paths ----------------------------------------------------------------
def test_a_refusing_party_ends_it_no_mediation_and_the_case_closes_with_the_reason(desk):
    m = desk.m
    case = at_mediation(m)
    applicant, respondent = case["parties"]
    m.record_consent(MEDIATOR, case["id"], {"party_id": applicant["id"], "consents": True})
    with pytest.raises(InvalidInput) as refused:
        m.record_consent(MEDIATOR, case["id"], {"party_id": respondent["id"], "consents": False})
    assert refused.value.errors == [{"field": "note", "code": "reason_required", "params": {}}]
    case = m.record_consent(MEDIATOR, case["id"], {"party_id": respondent["id"], "consents": False,
                                                    "note": "不愿调解,要求直接起诉"})
    assert (case["status"], case["close_outcome"], case["mediation"]["state"]) == ("closed", "refused", "refused")
    assert "不愿调解,要求直接起诉" in case["close_reason"]
    [closed] = desk.bus.wait_for("case.closed", case["id"])
    assert closed["payload"]["outcome"] == "refused" and "不愿调解" in closed["payload"]["reason"]
    with pytest.raises(Conflict):
        m.appoint_mediators(MEDIATOR, case["id"], {"mediators": ["ytl-st-mediator-01"], "chosen_by": "station"})


def test_a_failed_mediation_explains_the_routes_and_refers_the_case(desk):
    m = desk.m
    case = ready_for_session(m)
    session(m, case["id"])
    with pytest.raises(InvalidInput) as refused:
        m.fail_mediation(MEDIATOR, case["id"], {"reason": "双方分歧过大", "routes_explained": []})
    assert refused.value.errors[0]["field"] == "routes_explained"
    case = m.fail_mediation(MEDIATOR, case["id"], {
        "reason": "双方对赔偿数额分歧过大,调解不成", "routes_explained": ["可向人民法院提起诉讼", "可申请仲裁"]})
    assert (case["status"], case["close_outcome"], case["mediation"]["state"]) == ("closed", "referred", "failed")
    assert case["referrals"][0]["routes_explained"] == ["可向人民法院提起诉讼", "可申请仲裁"]
    [referred] = desk.bus.wait_for("case.referred", case["id"])
    assert (referred["payload"]["body"], referred["payload"]["routes_explained"]) == (
        "court", ["可向人民法院提起诉讼", "可申请仲裁"])
    figures = m.figures(OFFICE, {"from": "2026-11-01", "to": "2026-11-30"})
    row = next(row for row in figures["stations"] if row["station"] == "mediation")
    assert (row["mediated"], row["mediation_failed"], row["success_rate"], row["resolved"]) == (1, 1, 0.0, 0)
    [closed] = desk.bus.wait_for("case.closed", case["id"])
    assert closed["payload"]["outcome"] == "referred"


def test_past_the_thirty_days_supervision_lists_it_and_issues_an_order_and_extension_needs_every_party(desk):
    m = desk.m
    case = ready_for_session(m)
    applicant, respondent = case["parties"]
    assert m.supervision_lists(SUPERVISION) == {"near_deadline": [], "overdue": []}
    desk.clock.set(T0 + timedelta(days=26))
    [near] = m.supervision_lists(SUPERVISION)["near_deadline"]
    assert (near["id"], near["clock"]["state"], near["clock"]["days_left"]) == (case["id"], "near_deadline", 4)

    with pytest.raises(InvalidInput) as refused:
        m.extend_mediation(MEDIATOR, case["id"], {"days": 15, "consenting_parties": [applicant["id"]]})
    assert refused.value.errors == [{"field": "consenting_parties", "code": "extension_needs_every_party",
                                     "params": {"missing": "侯建华"}}]
    assert m.get_case(OFFICE, case["id"])["due_at"] == case["due_at"]  # unchanged

    desk.clock.set(T0 + timedelta(days=31))
    overdue = m.figures(OFFICE, {"from": "2026-11-01", "to": "2026-12-31"})
    assert next(r for r in overdue["stations"] if r["station"] == "mediation")["overdue"] == 1
    lists = m.supervision_lists(OFFICE)
    assert [c["id"] for c in lists["overdue"]] == [case["id"]] and lists["near_deadline"] == []
    with pytest.raises(Forbidden):
        m.supervision_lists(MEDIATOR)
    case = m.issue_supervision_order(SUPERVISION, case["id"], {
        "to": "李德华", "instruction": "调解已超期,请三日内与双方协商延期或终结调解", "due_on": "2026-12-06"})
    assert case["orders"][0]["to"] == "李德华" and case["history"][-1]["action"] == "supervision_order"

    case = m.extend_mediation(MEDIATOR, case["id"], {"days": 15, "consenting_parties": [applicant["id"],
                                                                                       respondent["id"]]})
    assert case["mediation"]["extended_days"] == 15
    assert m.supervision_lists(SUPERVISION)["overdue"] == []


def test_a_walk_in_legal_consultation_opens_and_resolves_a_case_that_counts(desk):
    m = desk.m
    with pytest.raises(InvalidInput) as refused:
        m.record_consultation(LEGAL, {"question": "如何申请法律援助?", "advice": "携带身份证明到法律援助中心"})
    assert refused.value.errors == [{"field": "visitor_name", "code": "visitor_required", "params": {}}]
    case = m.record_consultation(LEGAL, {"question": "房屋租赁押金不退怎么办?", "advice": "保留证据,可申请调解或起诉",
                                         "visitor_name": "侯建华", "contact": "15963900015"})
    assert (case["source"], case["station"], case["status"], case["outcome"]) == (
        "walk_in", "legal", "resolved", "advice_given")
    assert case["consultations"][0]["advisor"] == "赵明远"
    desk.bus.wait_for("case.resolved", case["id"])
    assert [e["type"] for e in desk.bus.of(case["id"])] == ["case.opened", "case.resolved"]
    with pytest.raises(Forbidden):
        m.record_consultation(MEDIATOR, {"question": "x", "advice": "y", "visitor_name": "z"})

    # legal aid from a case triage sent to legal services
    routed = m.route_case(TRIAGE, walk_in(m)["id"], {"to": "legal"})
    referred = m.refer_to_legal_aid(LEGAL, routed["id"], {"reason": "经济困难,符合法律援助条件"})
    assert (referred["status"], referred["referrals"][0]["body"]) == ("closed", "legal_aid")

    figures = m.figures(OFFICE, {"from": "2026-11-01", "to": "2026-11-30"})
    legal = next(row for row in figures["stations"] if row["station"] == "legal")
    assert (legal["received"], legal["visitors"], legal["resolved"]) == (1, 1, 1)
    assert (figures["total"]["received"], figures["total"]["visitors"], figures["total"]["resolved"]) == (2, 2, 1)
    assert figures["total"]["average_days_to_resolve"] == 0.0


def test_triage_hands_a_case_back_to_dispatch_or_outside_and_the_case_links_it(desk):
    m = desk.m
    case = walk_in(m)
    with pytest.raises(InvalidInput) as refused:
        m.route_case(TRIAGE, case["id"], {"to": "dispatch"})
    assert refused.value.errors[0] == {"field": "category", "code": "category_required", "params": {}}
    case = m.route_case(TRIAGE, case["id"], {"to": "dispatch", "category": "property.facility",
                                             "note": "楼道灯损坏,属物业事项"})
    assert (case["status"], case["close_outcome"]) == ("closed", "handed_to_dispatch")
    [routed] = desk.bus.wait_for("case.routed", case["id"])
    assert routed["payload"]["dispatch"]["report_id"] == case["handed_report_id"]
    assert routed["payload"]["dispatch"]["category"] == "property.facility"
    assert m.list_cases(OFFICE, {"report_id": case["handed_report_id"]})["items"][0]["id"] == case["id"]

    rerouted = m.route_case(TRIAGE, walk_in(m)["id"], {"to": "legal", "note": "咨询赔偿"})
    rerouted = m.send_back(LEGAL, rerouted["id"], {"note": "实为邻里纠纷,应调解"})
    assert (rerouted["status"], rerouted["station"]) == ("registered", "triage")
    rerouted = m.route_case(TRIAGE, rerouted["id"], {"to": "mediation"})
    assert [(s["action"], s["station"]) for s in rerouted["history"]] == [
        ("opened", "reception"), ("routed", "legal"), ("sent_back", "triage"), ("routed", "mediation")]

    outside = m.route_case(TRIAGE, walk_in(m)["id"], {"to": "outside", "body": "police", "note": "涉嫌违法,移交派出所"})
    assert (outside["status"], outside["close_outcome"], outside["referrals"][0]["body_name"]) == (
        "closed", "referred", "公安机关")
    assert desk.bus.wait_for("case.referred", outside["id"])[0]["payload"]["body"] == "police"


def test_a_council_decision_adopts_a_rule_publishes_it_and_resolves_the_case_it_came_from(desk):
    m = desk.m
    case = m.route_case(TRIAGE, walk_in(m)["id"], {"to": "council", "note": "涉及多户,提交居民议事"})
    item = m.raise_agenda_item(COUNCIL, {"title": "夜间噪音管理", "description": "议定夜间安静时段",
                                         "case_id": case["id"]})
    resident_item = m.raise_agenda_item(APPLICANT, {"title": "增设非机动车棚", "description": "44号楼前"})
    assert resident_item["raised_role"] == "resident"
    with pytest.raises(InvalidInput) as refused:
        m.hold_meeting(COUNCIL, {"held_at": "2026-11-05T19:00:00+08:00", "place": "社区议事厅", "attendees": 31,
                                 "item_ids": [item["id"], "nope"]})
    assert refused.value.errors == [{"field": "item_ids.1", "code": "item_not_found", "params": {"id": "nope"}}]
    meeting = m.hold_meeting(COUNCIL, {"held_at": "2026-11-05T19:00:00+08:00", "place": "社区议事厅",
                                       "attendees": 31, "item_ids": [item["id"], resident_item["id"]]})
    assert meeting["attendance"] == 31
    with pytest.raises(InvalidInput) as refused:
        m.decide(COUNCIL, item["id"], {"meeting_id": meeting["id"], "votes_for": 30, "votes_against": 5,
                                       "abstentions": 0, "decision": "x"})
    assert refused.value.errors[0]["code"] == "votes_exceed_attendance"
    decision = m.decide(COUNCIL, item["id"], {"meeting_id": meeting["id"], "votes_for": 25, "votes_against": 4,
                                              "abstentions": 2, "decision": "每晚22点至次日6点为安静时段",
                                              "adopts_rule": RULE})
    assert decision["adopted"] is True
    [decided] = desk.bus.wait_for("council.decided")
    assert decided["payload"]["adopts_rule"] == RULE  # exactly what scoring's import_rules takes
    assert decided["payload"]["title"] == "夜间噪音管理"
    resolved = m.get_case(OFFICE, case["id"])
    assert (resolved["status"], resolved["outcome"]) == ("resolved", "council_decided")
    desk.clock.set(T0 + timedelta(hours=1))
    rejected = m.decide(COUNCIL, resident_item["id"], {"meeting_id": meeting["id"], "votes_for": 10,
                                                       "votes_against": 15, "abstentions": 6, "decision": "暂不增设"})
    assert rejected["adopted"] is False and len(desk.bus.of(event_type="council.decided")) == 1
    public = m.published_decisions("ytl")["items"]
    assert [d["title"] for d in public] == ["增设非机动车棚", "夜间噪音管理"]
    assert "raised_by" not in json.dumps(public) and "杜慧" not in json.dumps(public, ensure_ascii=False)
    with pytest.raises(Conflict):
        m.decide(COUNCIL, item["id"], {"meeting_id": meeting["id"], "votes_for": 1, "votes_against": 0,
                                       "decision": "again"})


# --- who may act, and bad input -------------------------------------------------------
def test_another_stations_case_and_bad_inputs_are_refused_and_change_nothing(desk):
    m = desk.m
    case = ready_for_session(m)
    session(m, case["id"])
    before = m.get_case(OFFICE, case["id"])
    with pytest.raises(Forbidden) as refused:
        m.hold_session(LEGAL, case["id"], {"held_at": "2026-11-03T19:00:00+08:00", "place": "x",
                                           "attendees": ["a"], "record": "b"})
    assert (refused.value.code, refused.value.params) == ("not_your_station",
                                                          {"station": "legal", "case_station": "mediation"})
    with pytest.raises(Forbidden):
        m.route_case(TRIAGE, case["id"], {"to": "legal"})  # it stands at mediation now
    with pytest.raises(Forbidden):
        m.open_case(MEDIATOR, WALK_IN)
    with pytest.raises(Forbidden):
        m.record_consent(APPLICANT, case["id"], {"party_id": case["parties"][0]["id"], "consents": True})
    with pytest.raises(InvalidInput) as refused:
        m.draft_agreement(MEDIATOR, case["id"], {"facts": "a", "responsibilities": "b", "obligations": []})
    assert refused.value.errors == [{"field": "obligations", "code": "obligations_required", "params": {}}]
    with pytest.raises(InvalidInput) as refused:
        m.draft_agreement(MEDIATOR, case["id"], {"facts": "a", "responsibilities": "b", "obligations": [
            {"party_id": "someone-else", "what": "x", "how": "y", "due_on": "2026-11-10"}]})
    assert refused.value.errors[0]["field"] == "obligations.0.party_id"
    with pytest.raises(InvalidInput) as refused:
        m.appoint_mediators(MEDIATOR, case["id"], {"mediators": ["ytl-st-legal"], "chosen_by": "station"})
    assert refused.value.errors[0] == {"field": "mediators.0", "code": "unknown_mediator",
                                       "params": {"code": "ytl-st-legal"}}

    agreement = agreement_of(m, m.get_case(OFFICE, case["id"]))
    with pytest.raises(InvalidInput) as refused:
        m.sign_agreement(MEDIATOR, agreement["id"], {"party_id": "not-a-party"})
    assert refused.value.errors == [{"field": "party_id", "code": "not_a_party", "params": {"party": "not-a-party"}}]
    with pytest.raises(Forbidden) as refused:
        m.sign_agreement(MEDIATOR_2, agreement["id"], {"as_mediator": True})  # not appointed to this case
    assert (refused.value.code, refused.value.field) == ("not_a_mediator", "as_mediator")
    with pytest.raises(NotFound):
        m.sign_agreement(STRANGER, agreement["id"], {"party_id": case["parties"][0]["id"]})
    with pytest.raises(Forbidden):  # a party signs only for themselves
        m.sign_agreement(RESPONDENT, agreement["id"], {"party_id": case["parties"][0]["id"]})
    with pytest.raises(Conflict):
        m.record_performance(MEDIATOR, agreement["id"], agreement["obligations"][0]["id"],
                             {"performed_on": "2026-11-08"})  # not in effect yet
    with pytest.raises(InvalidInput):
        m.open_case(RECEPTION, {**WALK_IN, "source": "pigeon", "visitor_name": ""})

    after = m.get_case(OFFICE, case["id"])
    assert after["agreements"][0]["signatures"] == []
    assert len(after["history"]) == len(before["history"]) + 1  # only the agreement drafted
    assert after["mediators"] == before["mediators"]
    assert [c["number"] for c in m.list_cases(OFFICE, {})["items"]] == ["YTL-2026-0001"]
    assert desk.bus.of(event_type="agreement.signed") == []


def test_cases_opened_at_once_get_one_number_each_per_community_and_year(desk):
    replies = [desk.m.open_case.call_async(RECEPTION, {**WALK_IN, "description": f"第 {n} 件"}) for n in range(12)]
    replies.append(desk.m.open_case.call_async(JQS_RECEPTION, {**WALK_IN, "parties": []}))
    numbers = sorted(reply.result()["number"] for reply in replies)
    assert numbers == ["JQS-2026-0001", *(f"YTL-2026-{n:04d}" for n in range(1, 13))]
