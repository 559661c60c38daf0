"""The desk screens (1366×768) and the command wall (1920×1080) in headless Chromium, on the real
platform: the community office's figures, lists, exports and approvals, the six-station desk from
reception to a performed agreement, the street's queue and figures, district IT, the wall."""
import csv
import io
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook
from pypdf import PdfReader

from deploy.demo.load import DEMO_FILE, DEMO_PASSWORD
from shared.times import SHANGHAI
from tests.browser.conftest import accessible, in_english, screenshot
from tests.e2e.conftest import Api
from tests.support import wait_until

WALL = {"width": 1920, "height": 1080}


def signed_in(context, username: str, path: str = "/"):
    """The sign-in form with the demo password, then ``path``."""
    page = context.new_page()
    page.goto("/signin")
    page.get_by_label("账号", exact=True).fill(username)
    page.get_by_label("密码", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录", exact=True).click()
    page.wait_for_load_state()
    page.goto(path)
    return page


def this_month() -> dict:
    now = datetime.now().astimezone()
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (first + timedelta(days=32)).replace(day=1)
    return {"period_from": first.isoformat(), "period_to": following.isoformat()}


def file_report(api, building="44", category="sanitation.garbage", description="垃圾满溢", **more):
    answer = api.post("/api/v1/reports", json={"category": category, "building": building,
                                               "description": description, **more})
    assert answer.status_code == 201, answer.text
    return answer.json()["report"]


def task_of(api, report_id: str) -> dict:
    return wait_until(lambda: (task_id := api.get(f"/api/v1/reports/{report_id}").json()["task_id"])
                      and api.get(f"/api/v1/tasks/{task_id}").json(), what="the report's task")


def username_of(task: dict) -> str:
    """Demo accounts are named by staff code, except the two people the article names."""
    return {"ytl-wy-01": "wuli", "ytl-gw-04": "zhangyan"}.get(task["handler"]["staff_code"],
                                                             task["handler"]["staff_code"])


def percent(rate) -> str:
    return "—" if rate is None else f"{rate * 100:.1f}%"


COUNTS = ("found", "overdue", "yellow", "red")


def shows_the_apis_figures(page, api, keys) -> dict:
    """The page's numbers equal /figures for this month. Events still being handled may move the figures
    between the two reads, so both are read again (page reloaded) until they agree."""
    def agree():
        figures = api.get("/api/v1/figures", params=this_month()).json()["rows"][0]
        page.reload()
        shown = {key: page.locator(f"[data-kpi={key}]").inner_text() for key in keys}
        expected = {key: str(figures[key]) if key in COUNTS else percent(figures[key]) for key in keys}
        return figures if shown == expected else None

    return wait_until(agree, timeout_s=60, every_s=1, what="the page to show the API's figures")


# --- community office ---------------------------------------------------------------------
def test_every_kpi_on_the_dashboard_equals_the_apis_figure_and_grouping_swaps_in_place(desktop, as_user):
    file_report(as_user("ytl-bl-44"))
    page = signed_in(desktop(), "ytl-admin", "/office")
    figures = shows_the_apis_figures(page, as_user("ytl-admin"), (
        *COUNTS, "completion_rate", "on_time_rate", "grid_resolution_rate", "community_resolution_rate",
        "satisfaction_rate"))
    accessible(page)
    screenshot(page, "office-dashboard")

    page.evaluate("window.__stillTheSamePage = true")
    page.get_by_label("分组").select_option("category")
    page.wait_for_url(re.compile(r"group_by=category"))
    page.locator("table.figures caption", has_text="类别").wait_for()
    assert page.evaluate("window.__stillTheSamePage") is True  # swapped by htmx, no full page load
    by_category = as_user("ytl-admin").get("/api/v1/figures", params={**this_month(), "group_by": "category"}).json()
    shown = {row.get_attribute("data-key") for row in page.locator("table.figures tbody tr").all()}
    assert shown == {row["key"] for row in by_category["rows"]}

    page.locator("[data-kpi=found]").click()
    page.wait_for_url(re.compile(r"/office/events"))
    assert page.get_by_role("status").inner_text() == f"共 {figures['found']} 条"


def test_the_event_list_keeps_its_filters_in_the_url_and_page_two_is_the_apis_page_two(desktop, as_user):
    reporter, admin = as_user("ytl-bl-44"), as_user("ytl-admin")
    for n in range(23):
        file_report(reporter, description=f"分页测试 {n}")
    page = signed_in(desktop(), "ytl-admin", "/office/events")
    page.get_by_label("网格").fill("g02")
    page.get_by_label("类别").select_option("sanitation.garbage")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"grid=g02"))
    page.reload()
    assert page.get_by_label("网格").input_value() == "g02"
    assert page.get_by_label("类别").input_value() == "sanitation.garbage"
    page.get_by_role("link", name="下一页").click()
    page.wait_for_url(re.compile(r"page=2"))
    api_page = admin.get("/api/v1/reports", params={"grid": "g02", "category": "sanitation.garbage", "page": 2,
                                                    "per_page": 20}).json()
    shown = [row.get_attribute("data-id") for row in page.locator("table.list tbody tr[data-id]").all()]
    assert shown == [item["id"] for item in api_page["items"]] and shown
    accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="导出台账（Excel）").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    rows = list(workbook.active.iter_rows(values_only=True))
    everything = admin.get("/api/v1/reports", params={"grid": "g02", "category": "sanitation.garbage",
                                                      "per_page": 100}).json()
    assert rows[0][0] == "编号" and [r[0] for r in rows[1:]] == [item["id"] for item in everything["items"]]


def test_the_event_list_toggles_to_the_plan_where_each_status_has_its_own_shape_and_name(desktop, as_user):
    admin = as_user("ytl-admin")
    task = task_of(admin, file_report(as_user("ytl-bl-44"), building="45", description="45号楼平面图测试")["id"])
    page = signed_in(desktop(), "ytl-admin", "/office/events?kind=tasks&building=45")
    page.get_by_role("link", name="平面图", exact=True).click()
    page.wait_for_url(re.compile(r"view=plan"))
    assert "building=45" in page.url and page.get_by_label("楼栋").input_value() == "45"  # the filters stay

    plan = admin.get("/api/v1/communities/ytl/plan").json()
    drawn = [b.get_attribute("data-building") for b in page.locator("svg.plan g.building").all()]
    assert drawn == [f["properties"]["building"] for f in plan["features"]]  # every building of the plan
    listed = admin.get("/api/v1/tasks", params={"building": "45", "per_page": 200}).json()["items"]
    markers = page.locator("svg.plan [data-event]")
    assert {m.get_attribute("data-event") for m in markers.all()} == {t["id"] for t in listed[:12]}
    assert page.locator("g.building[data-building='45']").get_attribute("data-count") == str(len(listed))

    # each status its own shape, named in the legend; the task's marker has its status's shape
    keys = page.locator(".legend .marker-key")
    assert [k.inner_text() for k in keys.all()] == ["待签收", "处理中", "已处置", "返工", "已办结", "已退单", "已上报"]
    shape_of = "e => e.querySelector('.event').innerHTML"
    shapes = [k.evaluate(shape_of) for k in keys.all()]
    assert len(set(shapes)) == len(shapes)
    marker = page.locator(f"svg.plan [data-event='{task['id']}']")
    assert marker.evaluate(shape_of) == shapes[["assigned", "accepted", "resolved", "rework", "closed", "returned",
                                                "escalated"].index(marker.get_attribute("data-kind"))]
    assert "45号楼" in page.locator("#plan-buildings tr[data-building='45']").inner_text()
    accessible(page)
    screenshot(page, "office-events-plan")

    page.get_by_role("link", name="列表", exact=True).click()
    page.wait_for_url(re.compile(r"building=45"))
    assert "view=plan" not in page.url and page.locator(f"tr[data-id='{task['id']}']").count() == 1


def test_the_task_export_holds_the_rows_of_the_filtered_list(desktop, as_user):
    admin = as_user("ytl-admin")
    for n in range(2):
        task_of(admin, file_report(as_user("ytl-bl-44"), description=f"任务导出 {n}")["id"])
    page = signed_in(desktop(), "ytl-admin", "/office/events?kind=tasks")
    page.get_by_label("网格").fill("g02")
    page.get_by_label("状态").select_option("assigned")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"grid=g02"))
    listed = admin.get("/api/v1/tasks", params={"grid": "g02", "status": "assigned", "per_page": 200}).json()
    assert listed["total"] >= 2

    with page.expect_download() as download:
        page.get_by_role("link", name="导出台账（Excel）").click()
    workbook = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()), read_only=True)
    rows = list(workbook["任务台账"].iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "案卷编号", "派遣时间", "类别", "状态")
    assert [r[0] for r in rows[1:]] == [t["id"] for t in listed["items"]]
    assert {r[4] for r in rows[1:]} == {"待签收"} and {r[7] for r in rows[1:]} == {"g02"}

    with page.expect_download() as download:
        page.get_by_role("link", name="导出（CSV）").click()
    lines = list(csv.reader(io.StringIO(Path(download.value.path()).read_bytes().decode("utf-8-sig"))))
    assert [line[0] for line in lines[1:]] == [t["id"] for t in listed["items"]]


def test_an_extension_approved_in_approvals_changes_the_tasks_deadline_on_its_page(desktop, as_user):
    admin = as_user("ytl-admin")
    task = task_of(admin, file_report(as_user("ytl-bl-44"), description="审批测试")["id"])
    handler = as_user(username_of(task))
    until = datetime.fromisoformat(task["deadline_at"]) + timedelta(days=3)
    asked = handler.post(f"/api/v1/tasks/{task['id']}/extension-requests",
                         json={"reason": "等待配件到货", "until": until.isoformat()})
    assert asked.status_code == 201, asked.text

    page = signed_in(desktop(), "ytl-admin", "/office/approvals")
    card = page.locator(f"[data-request='{asked.json()['id']}']")
    assert "等待配件到货" in card.inner_text() and until.strftime("%Y-%m-%d %H:%M") in card.inner_text()
    accessible(page)
    card.get_by_label("审批意见（驳回时必填）").fill("同意延期")
    card.get_by_role("button", name="同意").click()
    page.wait_for_load_state()
    assert not page.locator(f"[data-request='{asked.json()['id']}']").count()
    page.goto(f"/office/tasks/{task['id']}")
    assert page.locator("[data-deadline]").inner_text() == until.strftime("%Y-%m-%d %H:%M")


def test_supervision_lists_red_before_yellow(desktop, as_user, platform):
    page = signed_in(desktop(), "ytl-admin", "/office/supervision")
    cards = [row.get_attribute("data-card") for row in page.locator("tr[data-card]").all()]
    assert cards == sorted(cards, key=lambda c: 0 if c in ("red", "supervised") else 1)
    accessible(page)


def test_the_office_adds_a_holiday_to_the_working_calendar_and_removes_it_with_a_reason(desktop, as_user):
    admin = as_user("ytl-admin")
    page = signed_in(desktop(), "ytl-admin", "/office/calendar?year=2027")
    accessible(page)
    page.get_by_label("日期", exact=True).fill("2027-03-15")
    page.get_by_role("button", name="保存").click()  # no reason: the field is named and marked
    assert "名称或原因：此项必填" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("名称或原因").get_attribute("aria-invalid") == "true"

    page.get_by_label("类型").select_option("holiday")
    page.get_by_label("名称或原因").fill("社区停电检修")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(re.compile(r"saved=2027-03-15"))
    row = page.locator("#calendar-days tr[data-day='2027-03-15']")
    assert "放假" in row.inner_text() and "社区停电检修" in row.inner_text() and "周一" in row.inner_text()
    assert {"date": "2027-03-15", "kind": "holiday", "name": "社区停电检修"} in \
        admin.get("/api/v1/calendar", params={"year": 2027}).json()["days"]

    row.get_by_role("button", name="移除").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("移除原因").fill("检修改期")
    accessible(page)
    dialog.get_by_role("button", name="确认移除").click()
    page.wait_for_load_state()
    assert page.locator("#calendar-days tr[data-day='2027-03-15']").count() == 0
    screenshot(page, "office-calendar")
    history = [row.inner_text() for row in page.locator("#calendar-changes tbody tr").all()]
    assert "检修改期" in history[0] and "恢复正常" in history[0] and "ytl-admin" in history[0]
    assert "社区停电检修" in history[1] and "放假" in history[1]
    assert not [d for d in admin.get("/api/v1/calendar", params={"year": 2027}).json()["days"]
                if d["date"] == "2027-03-15"]


def an_entry_that_counts(as_user) -> dict:
    """A deduction through the whole ladder: proposed by the office, verified, published, objected to by
    the household, upheld by the review group; it counts from then on."""
    admin, review = as_user("ytl-admin"), as_user("ytl-review-01")
    proposed = admin.post("/api/v1/ledger", json={
        "household": "ytl-44-2-01", "rule": "LAW-EBIKE", "reason": "44号楼2单元楼道飞线充电",
        "evidence_kind": "document", "evidence_ref": "巡查照片 2026-12-01"})
    assert proposed.status_code == 201, proposed.text
    entry_id = proposed.json()["id"]
    assert review.post(f"/api/v1/ledger/{entry_id}/verification", json={"approve": True}).status_code == 200
    objected = as_user("ytl-44-2-01").post(f"/api/v1/ledger/{entry_id}/objection", json={"reason": "车不是我家的"})
    assert objected.status_code == 200, objected.text
    upheld = review.post(f"/api/v1/ledger/{entry_id}/decision", json={"uphold": True, "note": "照片可见车牌"})
    assert upheld.json()["counts"] is True, upheld.text
    return upheld.json()


def test_the_office_reverses_a_ledger_entry_and_the_audit_log_records_who_did_it(desktop, as_user):
    entry = an_entry_that_counts(as_user)
    page = signed_in(desktop(), "ytl-admin", "/office/ledger?household=ytl-44-2-01")
    row = page.locator(f"tr[data-entry='{entry['id']}']")
    assert "-10" in row.inner_text() and "异议不成立" in row.inner_text()
    accessible(page)
    row.get_by_role("button", name="冲正").click()
    dialog = page.get_by_role("dialog")
    assert "-10" in dialog.inner_text()
    dialog.get_by_role("button", name="取消").click()  # asked first: nothing is sent until confirmed
    assert page.locator(f"tr[data-reverses='{entry['id']}']").count() == 0
    row.get_by_role("button", name="冲正").click()
    dialog.get_by_label("冲正理由").fill("申诉成立：电动车系邻居所有")
    dialog.get_by_role("button", name="确认冲正").click()
    page.wait_for_url(re.compile(r"reversal="))
    reversal = page.locator(f"tr[data-reverses='{entry['id']}']")
    assert "+10" in reversal.inner_text() and "申诉成立" in reversal.inner_text()
    assert "已被" in page.locator(f"tr[data-entry='{entry['id']}']").inner_text()
    screenshot(page, "office-ledger")
    listed = as_user("ytl-admin").get("/api/v1/ledger", params={"household": "ytl-44-2-01"}).json()["items"]
    [reversed_line] = [e for e in listed if e["reverses"] == entry["id"]]
    assert reversal.get_attribute("data-entry") == reversed_line["id"] and reversed_line["points"] == 10

    page.goto("/office/audit")
    page.get_by_label("操作", exact=True).fill("points:review")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url(re.compile(r"action=points"))
    recorded = page.locator(f"tr[data-target='{entry['id']}']", has_text="reversal")
    assert "ytl-admin" in recorded.inner_text() and "成功" in recorded.inner_text()
    accessible(page)

    # district IT reads the same row without the account: a pseudonym and a network
    ops = signed_in(desktop(), "district-it", "/office/audit?action=points:review")
    seen = ops.locator(f"tr[data-target='{entry['id']}']", has_text="reversal").inner_text()
    assert "ytl-admin" not in seen and "社区办公室" in seen
    assert ops.get_by_label("账号").count() == 0


# --- the six-station desk ---------------------------------------------------------------------
def test_the_noise_dispute_at_building_44_runs_through_the_desk_by_clicks(desktop, as_user):
    leader, office = as_user("ytl-bl-44"), as_user("ytl-admin")
    report = file_report(leader, category="dispute.night_disturbance", unit="1",
                         description="44号楼1单元楼上住户每晚十一点后搬动家具、大声喧哗")
    task = task_of(office, report["id"])
    handler = as_user(username_of(task))
    assert handler.post(f"/api/v1/tasks/{task['id']}/escalation",
                        json={"reason": "双方各执一词,需社区调解"}).status_code == 200
    case = wait_until(lambda: (items := as_user("ytl-reception").get(
        "/api/v1/cases", params={"report_id": report["id"]}).json()["items"]) and items[0], what="the case")

    # 接访站: both parties
    reception = signed_in(desktop(), "ytl-reception", "/desk")
    reception.get_by_role("link", name=case["number"]).click()
    for role, name, household in (("applicant", "杜慧", "ytl-44-1-01"), ("respondent", "夏磊", "ytl-44-1-02")):
        form = reception.locator("form#party")
        form.get_by_label("身份").select_option(role)
        form.get_by_label("姓名").fill(name)
        form.get_by_label("户号").fill(household)
        form.get_by_role("button", name="登记").click()
        reception.wait_for_load_state()
    assert "夏磊" in reception.inner_text("main")
    accessible(reception)

    # 事务分流站 → 争议调解站; the office's page, opened before, then offers a step out of order: the
    # service refuses it and the page shows its Chinese words
    stale = signed_in(desktop(), "ytl-admin", f"/desk/cases/{case['id']}")
    triage = signed_in(desktop(), "ytl-triage", f"/desk/cases/{case['id']}")
    triage.locator("form#route").get_by_label("分流到").select_option("mediation")
    triage.locator("form#route").get_by_role("button", name="分流").click()
    triage.wait_for_load_state()
    stale.locator("form#route").get_by_role("button", name="分流").click()
    refusal = stale.get_by_role("alert").inner_text()
    assert "案件当前为" in refusal and "不能" in refusal, refusal
    assert not stale.locator("form#route").count()  # the page now offers only what the case allows

    # 争议调解站: consent, mediator, rights, a session, the agreement, signatures, performance
    mediator = signed_in(desktop(), "ytl-mediator", f"/desk/cases/{case['id']}")
    for party in ("申请人 · 杜慧", "被申请人 · 夏磊"):
        form = mediator.locator("form#consent")
        form.get_by_label("当事人", exact=True).select_option(label=party)
        form.get_by_role("button", name="记录").click()
        mediator.wait_for_load_state()
    mediator.locator("form#mediators").get_by_label("调解员编号（逗号分隔）").fill("ytl-st-mediator-01")
    mediator.locator("form#mediators").get_by_role("button", name="指定").click()
    mediator.locator("form#rights_notice").get_by_role("button", name="已告知").click()
    session = mediator.locator("form#session")
    session.get_by_label("时间").fill("2026-11-26T19:00")
    session.get_by_label("地点").fill("砚台岭社区争议调解室")
    session.get_by_label("参加人（逗号分隔）").fill("杜慧,夏磊,李德华")
    session.get_by_label("调解经过").fill("双方陈述;夏磊承认夜间噪音,同意整改")
    session.get_by_role("button", name="保存记录").click()
    agreement = mediator.locator("form#agreement")
    agreement.get_by_label("纠纷事实").fill("夏磊家夜间二十三点后搬动家具、喧哗,影响楼下杜慧家休息。")
    agreement.get_by_label("责任").fill("夏磊对噪音扰民负主要责任。")
    agreement.get_by_label("履行义务的当事人").select_option(label="被申请人 · 夏磊")
    agreement.get_by_label("履行期限").fill("2026-12-03")
    agreement.get_by_label("履行内容").fill("二十二点后不再搬动家具、大声喧哗,椅脚加装防噪垫")
    agreement.get_by_label("履行方式").fill("自行整改,社区回访核实")
    agreement.get_by_role("button", name="生成协议书").click()
    for _signer in range(3):
        mediator.locator("form#signature").get_by_role("button", name="签名").click()
        mediator.wait_for_load_state()
    assert "已生效" in mediator.inner_text("main")
    accessible(mediator)
    screenshot(mediator, "desk-case")

    document = mediator.context.new_page()
    document.goto(mediator.get_by_role("link", name="打印协议书").get_attribute("href"))
    text = document.inner_text("body")
    assert "调解协议书" in text and "杜慧" in text and "夏磊" in text
    # the PDF the gateway writes, downloaded by a click
    with mediator.expect_download() as download:
        mediator.get_by_role("link", name="下载协议书（PDF）").click()
    assert download.value.suggested_filename == f"调解协议书-{case['number']}.pdf"
    pdf = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    text = "".join(page.extract_text() for page in pdf.pages)
    assert "调解协议书" in text and "杜慧" in text and "夏磊" in text

    mediator.locator("form#performance").get_by_role("button", name="已履行").click()
    mediator.wait_for_load_state()
    wait_until(lambda: office.get(f"/api/v1/reports/{report['id']}").json()["status"] == "resolved",
               what="the report's task resolved by the case")

    # 督导督办站: the follow-up visit closes the case, and the report with it
    supervision = signed_in(desktop(), "ytl-supervision", f"/desk/cases/{case['id']}")
    supervision.locator("form#follow_up").get_by_role("button", name="记录回访").click()
    supervision.wait_for_load_state()
    assert "已结案" in supervision.inner_text("main")
    wait_until(lambda: office.get(f"/api/v1/reports/{report['id']}").json()["status"] == "closed",
               what="the report to close with the case")


def test_reception_registers_a_walk_in_and_lands_on_its_case(desktop):
    page = signed_in(desktop(), "ytl-reception", "/desk")
    page.get_by_text("接访登记").click()
    page.get_by_label("来访人").fill("王秀英")
    page.get_by_label("反映的问题").fill("楼道长期堆放杂物,多次反映未清理")
    page.get_by_role("button", name="登记", exact=True).click()
    page.wait_for_url(re.compile(r"/desk/cases/"))
    assert "楼道长期堆放杂物" in page.inner_text("main") and page.locator("form#route").count() == 0
    accessible(page)


def test_the_council_takes_a_case_to_a_meeting_and_its_published_decision_resolves_the_case(desktop, as_user, platform):
    opened = as_user("ytl-reception").post("/api/v1/cases", json={
        "source": "walk_in", "visitor_name": "王秀英", "building": "44",
        "description": "44号楼楼道长期堆放杂物,存在消防隐患,邻里意见不一"})
    assert opened.status_code == 201, opened.text
    case = opened.json()
    routed = as_user("ytl-triage").post(f"/api/v1/cases/{case['id']}/routing", json={"to": "council"})
    assert routed.status_code == 200, routed.text

    # 居民议事站: the case goes on the agenda from its page, another item from the council's own page
    page = signed_in(desktop(), "ytl-council", f"/desk/cases/{case['id']}")
    raised = page.locator("form#agenda_item")
    raised.get_by_label("议题名称").fill("44号楼楼道禁止堆放杂物")
    raised.get_by_role("button", name="提交议题").click()
    page.wait_for_load_state()
    assert "提交议事：44号楼楼道禁止堆放杂物" in page.inner_text("main")
    page.goto("/desk/council")
    page.get_by_text("提出议题").click()
    page.get_by_label("议题名称").fill("议事厅周末开放时间")
    page.get_by_label("议题内容").fill("提请议事会商定周末开放议事厅供居民活动")
    page.get_by_role("button", name="提交议题").click()
    page.wait_for_url(re.compile(r"/desk/council"))
    item = page.locator("tr[data-item]", has_text="44号楼楼道禁止堆放杂物")
    assert "待议" in item.inner_text()
    accessible(page)

    meeting = page.locator("form#meeting")
    meeting.get_by_label("会议时间").fill("2026-11-28T19:30")
    meeting.get_by_label("会议地点").fill("砚台岭社区议事厅")
    meeting.get_by_label("到会人数").fill("25")
    meeting.get_by_label("44号楼楼道禁止堆放杂物").check()
    meeting.get_by_label("议事厅周末开放时间").check()
    meeting.get_by_role("button", name="记录会议").click()
    page.wait_for_load_state()
    assert "已列入会议" in item.inner_text()
    card = page.locator("section[data-meeting]", has_text="砚台岭社区议事厅")
    assert "到会 25 人" in card.inner_text()

    # more votes than people present: refused in the service's words, and nothing is decided
    vote = card.locator("form", has_text="44号楼楼道禁止堆放杂物")
    vote.get_by_label("决定内容").fill("楼道杂物限七日内自行清理,逾期由物业清运")
    vote.get_by_label("赞成票").fill("30")
    vote.get_by_label("反对票").fill("0")
    vote.get_by_role("button", name="记录表决").click()
    assert "投票数 30 超过到会人数 25" in page.get_by_role("alert").inner_text()
    assert "已列入会议" in item.inner_text()

    vote.get_by_label("决定内容").fill("楼道杂物限七日内自行清理,逾期由物业清运")
    vote.get_by_label("赞成票").fill("20")
    vote.get_by_label("反对票").fill("3")
    vote.get_by_label("弃权票").fill("2")
    vote.get_by_role("button", name="记录表决").click()
    page.wait_for_load_state()
    assert "已表决" in item.inner_text()
    row = page.locator("table.published tr[data-decision]", has_text="44号楼楼道禁止堆放杂物")
    assert "通过（赞成 20，反对 3，弃权 2）" in row.inner_text()
    accessible(page)
    screenshot(page, "desk-council")

    # what the page shows as published is what anyone reads without signing in, and it names no one
    public = Api(platform.url).get("/api/v1/public/ytl/council-decisions")
    assert public.status_code == 200
    [decision] = [d for d in public.json()["items"] if d["title"] == "44号楼楼道禁止堆放杂物"]
    assert row.get_attribute("data-decision") == decision["id"] and decision["adopted"] is True
    assert (decision["votes_for"], decision["votes_against"], decision["abstentions"]) == (20, 3, 2)
    assert "郑淑琴" not in public.text and "王秀英" not in public.text  # the clerk, the visitor

    # the decision on the case's item resolves the case, for the follow-up visit
    page.goto(f"/desk/cases/{case['id']}")
    assert "待回访" in page.locator("p.meta").inner_text()
    assert "议事决定：楼道杂物限七日内自行清理" in page.inner_text("main")


def test_the_case_list_has_a_tab_per_station(desktop):
    page = signed_in(desktop(), "ytl-admin", "/desk")
    tabs = page.get_by_role("navigation", name="站点").get_by_role("link")
    assert [t.inner_text() for t in tabs.all()] == ["接访", "事务分流", "争议调解", "法律服务", "督导督办", "居民议事"]
    tabs.nth(2).click()
    page.wait_for_url(re.compile(r"station=mediation"))
    accessible(page)


# --- the street ---------------------------------------------------------------------------
def test_the_street_queue_shows_every_reason_on_the_way_up_and_its_communities_figures(desktop, as_user):
    zhang_yan, office = as_user("zhangyan"), as_user("ytl-admin")
    report = file_report(zhang_yan, building="47", category="environment.pollution", description="油烟直排")
    grid_task = task_of(zhang_yan, report["id"])
    community = zhang_yan.post(f"/api/v1/tasks/{grid_task['id']}/escalation",
                               json={"reason": "涉及执法,网格无法解决"}).json()["successor"]
    street_task = office.post(f"/api/v1/tasks/{community['id']}/escalation",
                              json={"reason": "需街道协调"}).json()["successor"]

    page = signed_in(desktop(), "lanshan-street", "/street")
    card = page.locator(f"[data-task='{street_task['id']}']")
    assert "砚台岭社区" in card.inner_text()
    assert "涉及执法,网格无法解决" in card.inner_text() and "需街道协调" in card.inner_text()
    accessible(page)
    card.get_by_role("button", name="签收").click()
    page.wait_for_load_state()
    assert as_user("lanshan-street").get(f"/api/v1/tasks/{street_task['id']}").json()["status"] == "accepted"

    page.goto("/office")
    shows_the_apis_figures(page, as_user("lanshan-street"), ("found",))
    assert page.locator("table.figures tbody tr[data-key=ytl]").count() == 1


# --- the wall -----------------------------------------------------------------------------------
def demo_people() -> tuple[set[str], set[str]]:
    """Every person's name and phone in the demo file."""
    names, phones = set(), set()

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "name" and isinstance(value, str) and re.fullmatch(r"[\u4e00-\u9fff]{2,4}", value):
                    names.add(value)
                elif key == "phone":
                    phones.add(str(value))
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")))
    return names, phones


CHART_BOXES = "#stage [data-chart]"


def wall_charts(page) -> dict:
    """Each chart on the wall as ECharts holds it (its category axis' labels beside its series' values) and
    the screen readers' table beside it, once every box has its chart."""
    page.wait_for_function(f"() => [...document.querySelectorAll('{CHART_BOXES}')].every(echarts.getInstanceByDom)")
    return page.evaluate(f"""() => Object.fromEntries([...document.querySelectorAll('{CHART_BOXES}')].map(box => {{
        const option = echarts.getInstanceByDom(box).getOption();
        const axis = [...option.xAxis, ...option.yAxis].find(a => a.type === 'category');
        const table = [...box.nextElementSibling.querySelectorAll('tbody tr')].map(
            row => [...row.children].map(cell => cell.textContent.trim()));
        return [box.dataset.chart, {{chart: axis.data.map((label, n) => [label, option.series[0].data[n]]), table}}];
    }}))""")


def the_charts_hold_the_apis_figures(page, api, lang: str = "zh") -> dict:
    """The category mix, the grid ranking and today's end of the 30-day trend equal /figures, and each
    chart's table reads the same numbers. Read again (page reloaded) until the page and the API agree."""
    names = {c["code"]: c["name"][lang] for c in api.get("/api/v1/categories").json()["items"]}
    today = datetime.now(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)

    def agree():
        month = this_month()
        mix = sorted(api.get("/api/v1/figures", params={**month, "group_by": "category"}).json()["rows"],
                     key=lambda r: -r["found"])[:8]
        grids = sorted(api.get("/api/v1/figures", params={**month, "group_by": "grid"}).json()["rows"],
                       key=lambda r: (-(r["completion_rate"] or 0), -(r["on_time_rate"] or 0), r["key"] or ""))[:8]
        found_today = api.get("/api/v1/figures", params={"period_from": today.isoformat(), "period_to": (
            today + timedelta(days=1)).isoformat()}).json()["rows"][0]["found"]
        page.reload()
        charts = wall_charts(page)
        shown = (sorted(map(tuple, charts["categories"]["chart"])), list(map(tuple, charts["ranking"]["chart"])),
                 len(charts["trend"]["chart"]), tuple(charts["trend"]["chart"][-1]))
        expected = (sorted((names[r["key"]], r["found"]) for r in mix),
                    [(r["key"], r["completion_rate"]) for r in grids], 30, (today.strftime("%m-%d"), found_today))
        return charts if shown == expected else None

    charts = wait_until(agree, timeout_s=60, every_s=1, what="the wall's charts to hold the API's figures")
    reads_as_its_chart(charts)
    return charts


def reads_as_its_chart(charts: dict) -> None:
    """A chart is never the only way to a number: its table holds the same rows."""
    for name, format_value in (("categories", str), ("ranking", percent), ("trend", str)):
        assert charts[name]["table"] == [[label, format_value(value)] for label, value in charts[name]["chart"]], name


def test_the_wall_fits_both_screens_names_no_one_and_shows_a_new_report_after_one_refresh(desktop, as_user):
    office = as_user("ytl-admin")
    file_report(office)  # the month has figures and a category mix even when this test runs alone
    context = desktop(viewport=WALL)
    page = signed_in(context, "ytl-admin", "/signin")
    page.clock.install()
    page.goto("/wall")
    page.locator("#stage .updated").wait_for()
    shows_the_apis_figures(page, office, ("found", "completion_rate", "on_time_rate", "grid_resolution_rate",
                                          "satisfaction_rate"))
    the_charts_hold_the_apis_figures(page, office)
    accessible(page)
    screenshot(page, "wall")

    names, phones = demo_people()
    text = page.inner_text("body")
    assert not [n for n in names if n in text] and not [p for p in phones if p in text]

    # The plan's open events: each state its own shape, shown in the legend beside its words.
    legend = page.evaluate("""() => [...document.querySelectorAll('.legend .marker-key')].map(
        key => [key.dataset.kind, key.querySelector('g.event').innerHTML, key.textContent.trim()])""")
    assert [words for _kind, _shape, words in legend] == ["新上报", "处理中", "黄牌", "红牌"]
    assert len({shape for _kind, shape, _words in legend}) == 4, legend
    marked = {kind: shape for kind, shape, _words in legend}
    points = page.evaluate("""() => [...document.querySelectorAll('.plan g[data-kind]')].map(
        point => [point.dataset.kind, point.querySelector('g.event').innerHTML])""")
    assert points and all(marked[kind] == shape for kind, shape in points)

    before = int(page.locator("g[data-building='52']").get_attribute("data-count"))
    updated = page.locator("#stage .updated time").inner_text()
    drawn = page.evaluate(
        f"() => [...document.querySelectorAll('{CHART_BOXES}')].map(box => echarts.getInstanceByDom(box).id)")
    file_report(office, building="52", category="property.facility", description="52号楼单元门禁损坏")
    wait_until(lambda: any(t["location"]["building"] == "52" for t in office.get(
        "/api/v1/tasks", params={"building": "52"}).json()["items"]), what="the new task")
    page.clock.fast_forward(61_000)
    page.wait_for_function(f"() => Number(document.querySelector(\"g[data-building='52']\").dataset.count) > {before}")
    assert re.fullmatch(r"\d\d:\d\d:\d\d", page.locator("#stage .updated time").inner_text()) \
        and page.locator("#stage .updated time").inner_text() != updated
    # The refreshed stage has its charts again, and the ones drawn on the stage it replaced are gone.
    reads_as_its_chart(wall_charts(page))
    assert len(drawn) == 3 and page.evaluate("ids => ids.filter(id => echarts.getInstanceById(id)).length", drawn) == 0

    for viewport in (WALL, {"width": 1280, "height": 720}):
        page.set_viewport_size(viewport)
        page.wait_for_timeout(200)
        # Every box of the stage within the screen, and every box of a column within its column; the latest
        # events scroll inside their own clipped box, and the screen readers' tables are clipped to nothing.
        outside = page.evaluate("""([w, h]) => [...document.querySelectorAll('#stage *')].filter(e => {
            if (e.closest('.ticker ul, .visually-hidden')) return false;
            const r = e.getBoundingClientRect(), column = e.closest('.col');
            const c = column && column !== e ? column.getBoundingClientRect() : {left: 0, top: 0, right: w, bottom: h};
            return r.width && (r.right > Math.min(w, c.right) + 1 || r.bottom > Math.min(h, c.bottom) + 1
                               || r.left < c.left - 1 || r.top < c.top - 1);
        }).map(e => e.tagName + '.' + e.getAttribute('class'))""", [viewport["width"], viewport["height"]])
        assert outside == [], viewport

    page.goto("/wall?lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Community plan").is_visible()
    assert page.locator(".legend .marker-key").all_inner_texts() == ["New", "In progress", "Yellow card", "Red card"]
    the_charts_hold_the_apis_figures(page, office, lang="en")
    accessible(page)


def test_the_street_sees_its_wall_with_the_charts_of_its_figures(desktop, as_user):
    file_report(as_user("ytl-admin"))
    page = signed_in(desktop(viewport=WALL), "lanshan-street", "/wall")
    the_charts_hold_the_apis_figures(page, as_user("lanshan-street"))
    accessible(page)


@pytest.mark.parametrize("username, paths", [
    ("ytl-admin", ("/office/events?kind=tasks", "/office/staff", "/office/patrols", "/desk/council")),
    ("ytl-review-01", ("/review",)),
])
def test_every_other_desk_page_is_accessible(desktop, username, paths):
    page = signed_in(desktop(), username, paths[0])
    for path in paths:
        page.goto(path)
        assert page.locator("h1").count() == 1
        accessible(page)


def test_english_on_the_desk_screens(desktop):
    page = signed_in(desktop(), "ytl-admin", "/office?lang=en")
    assert page.get_by_role("heading", name="Dashboard").is_visible()
    in_english(page)
    screenshot(page, "office-dashboard-en")
    for path in ("/office/events", "/office/approvals", "/office/supervision", "/desk/council"):
        page.goto(f"{path}?lang=en")
        in_english(page)


@pytest.mark.parametrize("username, path, heading", [
    ("ytl-admin", "/office/calendar", "Working calendar"),
    ("ytl-admin", "/office/ledger", "Points ledger"),
    ("ytl-admin", "/office/audit", "Audit log"),
    ("ytl-admin", "/office/events?kind=tasks&view=plan", "Events"),
])
def test_english_on_the_office_records_and_the_plan(desktop, username, path, heading):
    page = signed_in(desktop(), username, f"{path}{'&' if '?' in path else '?'}lang=en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name=heading, exact=True).is_visible()
    assert page.get_by_role("navigation", name="Work menu").is_visible()
    accessible(page)


# --- district IT (last: it stops a service and starts it again) ----------------------------------
def test_district_it_sees_a_killed_service_turn_abnormal_and_back(desktop, platform):
    page = signed_in(desktop(), "district-it", "/ops")
    assert page.locator("tr[data-service=scoring]").get_by_text("正常").is_visible()
    accessible(page)
    platform.kill("scoring")
    try:
        page.reload()
        assert page.locator("tr[data-service=scoring]").get_by_text("异常").is_visible()
    finally:
        platform.start_service("scoring")
    wait_until(lambda: (page.reload() or True) and page.locator("tr[data-service=scoring]").get_by_text("正常").count(),
               timeout_s=90, what="scoring back")
