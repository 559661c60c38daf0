"""The phone in the grid worker's hand, on the real platform at 390×844: the seed's morning from
report to closure by clicks, the offline outbox, and each role's own screens."""
import base64
import struct
from datetime import date, datetime, time, timedelta

import pytest
import yaml

from deploy.demo.load import DEMO_FILE
from shared.times import SHANGHAI
from tests.browser.conftest import accessible, in_english, screenshot, sign_in
from tests.e2e.conftest import USERNAME_OF_STAFF
from tests.e2e.test_points import quarter
from tests.e2e.test_report_loop import task_of
from tests.support import wait_until

SOFA = "47号楼前废弃沙发占用车位"


def big_photo(page, width=4000, height=3000) -> bytes:
    """A camera-sized JPEG, painted by the browser itself (noise, so it does not compress to nothing)."""
    data = page.evaluate("""([w, h]) => new Promise(resolve => {
        const canvas = document.createElement('canvas'); canvas.width = w; canvas.height = h;
        const ctx = canvas.getContext('2d');
        for (let i = 0; i < 4000; i++) {
          ctx.fillStyle = `hsl(${(i * 37) % 360}, 60%, ${30 + (i % 40)}%)`;
          ctx.fillRect((i * 997) % w, (i * 613) % h, 80 + i % 120, 60 + i % 90);
        }
        canvas.toBlob(blob => { const r = new FileReader();
          r.onload = () => resolve(r.result.split(',')[1]); r.readAsDataURL(blob); }, 'image/jpeg', 0.95);
    })""", [width, height])
    return base64.b64decode(data)


def jpeg_size(content: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame marker."""
    at = 2
    while at < len(content):
        marker, length = content[at + 1], struct.unpack(">H", content[at + 2:at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", content[at + 5:at + 9])
            return width, height
        at += 2 + length
    raise AssertionError("no start-of-frame in the JPEG")


def choose_photos(page, *photos: bytes) -> None:
    page.locator("input[type=file][data-photos]").first.set_input_files(
        [{"name": f"IMG_{i}.jpg", "mimeType": "image/jpeg", "buffer": photo} for i, photo in enumerate(photos)])
    page.locator("[data-photo-list] img").nth(len(photos) - 1).wait_for()


def fill_report(page, description: str, photos: tuple[bytes, ...], building="47") -> None:
    page.goto("/report")
    page.get_by_label("搜索类别").fill("车位")
    page.get_by_label("废弃物占用车位").check()
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("楼栋号").select_option(building)
    page.get_by_role("button", name="下一步").click()
    if photos:
        choose_photos(page, *photos)
    page.get_by_role("button", name="下一步").click()
    page.get_by_label("问题描述").fill(description)
    page.get_by_role("button", name="下一步").click()


def reports_of(api, description: str) -> list[dict]:
    found = api.get("/api/v1/reports", params={"reporter": api.username, "per_page": 100}).json()["items"]
    return [r for r in found if r["description"] == description]


def test_the_seeds_morning_from_the_sofa_to_its_closure_by_clicks(phone, as_user):
    zhang = sign_in(phone(), "zhangyan")
    assert "/todo" in zhang.url
    fill_report(zhang, SOFA, (big_photo(zhang),))
    assert "车位" in zhang.locator("[data-review]").inner_text()
    screenshot(zhang, "report-review")
    zhang.get_by_role("button", name="提交", exact=True).click()
    zhang.get_by_text("已提交").wait_for()
    (report,) = reports_of(as_user("zhangyan"), SOFA)
    assert report["channel"] == "patrol"
    # The upload was re-encoded in the browser: a JPEG of at most 1600 px on its long edge, well under 1.5 MB.
    photo = as_user("zhangyan").get("/api/v1/media/" + report["photos"][0].rstrip("/").rsplit("/", 1)[-1])
    assert photo.headers["Content-Type"] == "image/jpeg" and len(photo.content) < 1_500_000
    assert max(jpeg_size(photo.content)) <= 1600
    accessible(zhang)

    # Dispatch gives the task to the company's least-loaded clerk: 吴丽 on a fresh street, 李桂英 once the
    # screens tested before this one have given 吴丽 work. That clerk opens it from her list.
    task = wait_until(lambda: next(iter(as_user("wuli").get("/api/v1/tasks", params={"report_id": report["id"]})
                                        .json()["items"]), None), what="the sofa's task")
    staff_code = task["handler"]["staff_code"]
    clerk = sign_in(phone(), USERNAME_OF_STAFF.get(staff_code, staff_code))
    assert "/tasks" in clerk.url
    clerk.locator(f'a[href$="/tasks/{task["id"]}"]').click()
    screenshot(clerk, "task")
    clerk.get_by_role("button", name="签收").click()
    clerk.get_by_text("处理中").first.wait_for()
    clerk.get_by_label("处置说明").fill("沙发已清运")
    choose_photos(clerk, big_photo(clerk, 1200, 900))
    clerk.get_by_role("button", name="提交处置反馈").click()
    clerk.get_by_text("已处置，待核查").first.wait_for()

    zhang.goto("/todo")
    screenshot(zhang, "todo")
    zhang.get_by_role("link", name=SOFA[:10]).first.click()
    zhang.get_by_label("通过，结案").check()
    zhang.get_by_label("核查说明（不通过时必填）").fill("现场已清理")
    choose_photos(zhang, big_photo(zhang, 1200, 900))
    zhang.get_by_role("button", name="提交核查").click()
    zhang.get_by_text("已结案").first.wait_for()
    timeline = as_user("zhangyan").get(f"/api/v1/reports/{report['id']}").json()["timeline"]
    shown = zhang.locator(".timeline li strong").all_inner_texts()
    assert shown == [entry["action_name"]["zh"] for entry in timeline]
    screenshot(zhang, "report-closed")
    accessible(zhang)


def test_a_report_made_offline_is_sent_once_when_the_network_returns(phone, as_user):
    context = phone()
    page = sign_in(context, "zhangyan")
    description = "地下室楼梯间堆放杂物（离线上报）"
    fill_report(page, description, (big_photo(page, 2000, 1500), big_photo(page, 1500, 2000)), building="48")
    context.set_offline(True)
    page.get_by_role("button", name="提交", exact=True).click()
    page.get_by_text("已保存到待发送（1 条）").wait_for()
    assert page.locator("#outbox-banner").inner_text().startswith("待发送 1 条")
    assert reports_of(as_user("zhangyan"), description) == []
    screenshot(page, "outbox-offline")
    context.set_offline(False)
    page.evaluate("() => window.consoleOutbox.flush()")
    page.locator("#outbox-banner").wait_for(state="hidden")
    (report,) = reports_of(as_user("zhangyan"), description)
    assert len(report["photos"]) == 2
    page.evaluate("() => window.consoleOutbox.flush()")  # a second flush has nothing left to send
    assert len(reports_of(as_user("zhangyan"), description)) == 1


@pytest.mark.parametrize(("username", "home", "absent"), [
    ("zhangyan", "/todo", ("我家积分",)),
    ("wuli", "/tasks", ("待办", "我家积分")),
    ("ytl-44-1-01", "/my-reports", ("待办", "任务")),
    ("ytl-bl-44", "/my-reports", ("待办", "任务", "我家积分")),
])
def test_each_role_lands_on_its_own_home_without_the_others_screens(phone, username, home, absent):
    page = sign_in(phone(), username)
    assert page.url.endswith(home)
    bar = page.get_by_role("navigation", name="主导航")
    for label in absent:
        assert bar.get_by_role("link", name=label, exact=True).count() == 0
    accessible(page)


def test_a_forged_action_gets_the_gateways_refusal_in_chinese(phone, platform, as_user):
    task = as_user("wuli").get("/api/v1/tasks").json()["items"][0]
    context = phone()
    page = sign_in(context, "ytl-44-1-01")
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    answer = context.request.post(f"{platform.web_url}/tasks/{task['id']}/accept", form={"csrf_token": csrf})
    assert answer.status == 403
    assert "联系社区办公室" in answer.text()


def test_english_chrome_on_the_phone(phone):
    page = sign_in(phone(), "zhangyan")
    page.goto("/report?lang=en")
    assert page.get_by_role("heading", name="① Category").is_visible()
    assert page.get_by_role("navigation", name="Main navigation").is_visible()
    in_english(page)
    screenshot(page, "report-en")
    for path in ("/todo", "/patrol", "/messages", "/me"):
        page.goto(f"{path}?lang=en")
        in_english(page)
        if path == "/todo":
            screenshot(page, "todo-en")


def test_a_resident_rates_unsatisfied_and_the_report_reopens(phone, as_user):
    resident, admin = as_user("ytl-44-1-01"), as_user("ytl-admin")
    description = "44号楼门口废弃自行车堆放"
    created = resident.post("/api/v1/reports", json={"category": "property.abandoned_item", "building": "44",
                                                     "description": description})
    assert created.status_code == 201, created.text
    report = created.json()["report"]
    task = task_of(admin, report["id"])
    handler = as_user(USERNAME_OF_STAFF.get(task["handler"]["staff_code"], task["handler"]["staff_code"]))
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已清走"}).status_code == 200
    grid_worker = as_user(f"ytl-gw-{task['location']['grid'].removeprefix('g')}")
    wait_until(lambda: resident.get(f"/api/v1/reports/{report['id']}").json()["status"] == "resolved",
               what="the report to be resolved")
    assert grid_worker.post(f"/api/v1/reports/{report['id']}/verification", json={"passed": True}).status_code == 200

    page = sign_in(phone(), "ytl-44-1-01")
    page.get_by_role("link", name=description[:10]).first.click()
    page.get_by_label("不满意（重新办理）").check()
    page.get_by_label("说明（可不填）").fill("又堆回来了")
    page.get_by_role("button", name="提交评价").click()
    page.get_by_role("heading", name="评价").wait_for(state="detached")
    assert resident.get(f"/api/v1/reports/{report['id']}").json()["reopen_count"] == 1
    # Reopened, it is dispatched again as a new task: then the page shows the whole story.
    wait_until(lambda: resident.get(f"/api/v1/reports/{report['id']}").json()["status"] == "assigned",
               what="the reopened report to be dispatched again")
    page.reload()
    assert "已派遣" in page.locator(".facts").inner_text()
    timeline = resident.get(f"/api/v1/reports/{report['id']}").json()["timeline"]
    assert page.locator(".timeline li strong").all_inner_texts() == [e["action_name"]["zh"] for e in timeline]
    accessible(page)


def test_the_outbox_page_warns_about_an_item_nearly_a_day_old_and_deletes_it(phone):
    context = phone()
    page = sign_in(context, "zhangyan")
    page.goto("/outbox")
    context.set_offline(True)  # the item waits instead of being sent
    page.evaluate("""() => idbKeyval.set('outbox:old-one', {id: 'old-one', created_at: Date.now() - 21 * 3600 * 1000,
        action: '/report', title: '事件上报', fields: [], photos: [], state: 'waiting'})""")
    page.evaluate("() => window.consoleOutbox.flush()")
    item = page.locator("#outbox-list li", has_text="事件上报")
    assert "已保存超过 20 小时" in item.inner_text() and "21 h" in item.inner_text()
    assert page.locator("#outbox-banner").inner_text().startswith("待发送 1 条")
    accessible(page)
    item.get_by_role("button", name="删除").click()
    page.get_by_text("没有待发送的内容。").wait_for()
    context.set_offline(False)


def test_a_resident_objects_to_a_deduction_and_sees_it_under_objection(phone, as_user):
    neighbour, admin, review = as_user("ytl-44-1-02"), as_user("ytl-admin"), as_user("ytl-review-01")
    code, starts, ends = quarter(datetime.now())
    admin.post("/api/v1/fund-periods", json={"code": code, "starts_on": starts, "ends_on": ends, "fund": "1000.00",
                                             "base": "5.00", "threshold": 0})
    report = neighbour.post("/api/v1/reports", json={"category": "sanitation.garbage", "building": "44", "unit": "1",
                                                     "description": "单元门口垃圾袋（积分异议）"}).json()["report"]
    task = task_of(admin, report["id"])
    handler = as_user(USERNAME_OF_STAFF.get(task["handler"]["staff_code"], task["handler"]["staff_code"]))
    assert handler.post(f"/api/v1/tasks/{task['id']}/accept").status_code == 200
    assert handler.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "已清理"}).status_code == 200
    wait_until(lambda: neighbour.get(f"/api/v1/reports/{report['id']}").json()["status"] == "resolved",
               what="the report to be resolved")
    verified = as_user("ytl-gw-02").post(f"/api/v1/reports/{report['id']}/verification", json={
        "passed": True, "note": "经走访系 01 户所为", "responsible_household": "ytl-44-1-01", "rule": "ENV-LITTER"})
    assert verified.status_code == 200, verified.text
    deduction = wait_until(lambda: [e for e in review.get("/api/v1/ledger", params={"household": "ytl-44-1-01"})
                                    .json()["items"] if e["rule_code"] == "ENV-LITTER"], what="the deduction")[0]
    assert review.post(f"/api/v1/ledger/{deduction['id']}/verification",
                       json={"approve": True, "note": "监控为证"}).json()["state"] == "published"

    page = sign_in(phone(), "ytl-44-1-01")
    page.goto("/points")
    entry = page.locator(".card", has_text="ENV-LITTER")
    assert "公示中" in entry.inner_text()
    entry.get_by_text("提出异议").click()
    entry.get_by_label("异议理由").fill("垃圾不是我家的")
    entry.get_by_role("button", name="提交异议").click()
    page.locator(".card", has_text="ENV-LITTER").get_by_text("异议中").wait_for()
    screenshot(page, "points")
    accessible(page)


def test_the_todo_list_opens_without_a_network_marked_as_offline_data(phone):
    context = phone()
    page = sign_in(context, "zhangyan")
    page.evaluate("() => navigator.serviceWorker.ready")
    page.goto("/todo")  # through the service worker now: it keeps a copy
    page.wait_for_function("() => caches.match('/todo').then(hit => !!hit)")
    context.set_offline(True)
    page.reload()
    assert page.get_by_text("离线数据").is_visible()
    assert page.get_by_role("heading", name="待办").is_visible()
    assert page.get_by_role("link", name="待核查").is_visible()
    context.set_offline(False)


def test_what_was_typed_survives_a_closed_tab_and_my_location_goes_with_the_report(phone, as_user):
    context = phone(geolocation={"latitude": 35.0581, "longitude": 118.3429}, permissions=["geolocation"])
    page = sign_in(context, "zhangyan")
    description = "48号楼北侧井盖松动（草稿）"
    fill_report(page, description, (), building="48")
    page.get_by_role("button", name="上一步").click()
    page.get_by_role("button", name="上一步").click()
    page.get_by_role("button", name="上一步").click()
    page.get_by_role("button", name="使用当前位置").click()
    page.get_by_text("已记录当前位置").wait_for()
    page.close()

    again = context.new_page()
    again.goto("/report")
    again.get_by_label("废弃物占用车位").wait_for()
    assert again.get_by_label("废弃物占用车位").is_checked()
    for _ in range(4):
        again.get_by_role("button", name="下一步").click()
    assert description in again.locator("[data-review]").inner_text()
    again.get_by_role("button", name="提交", exact=True).click()
    again.get_by_text("已提交").wait_for()
    (report,) = reports_of(as_user("zhangyan"), description)
    assert (report["location"]["latitude"], report["location"]["longitude"]) == (35.0581, 118.3429)


def tab_to(page, selector: str, most: int = 30) -> None:
    """Press Tab, as a keyboard user does, until the element ``selector`` names has the focus."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


def test_the_keyboard_alone_completes_the_report(phone, as_user):
    page = sign_in(phone(), "zhangyan")
    page.goto("/report")
    description = "47号楼单元门禁损坏（键盘上报）"
    tab_to(page, "#category-search")
    page.keyboard.type("车位")
    tab_to(page, "input[value='property.abandoned_item']")
    page.keyboard.press("Space")
    tab_to(page, "[data-wizard-next]")
    page.keyboard.press("Enter")
    tab_to(page, "#building")
    page.keyboard.type("47")  # the list jumps to 47 号楼 as a keyboard user types
    for _ in range(2):  # 位置 → 照片 → 描述
        tab_to(page, "[data-wizard-next]")
        page.keyboard.press("Enter")
    tab_to(page, "#description")
    page.keyboard.type(description)
    tab_to(page, "[data-wizard-next]")
    page.keyboard.press("Enter")
    tab_to(page, "#report-form button[type=submit]")
    page.keyboard.press("Enter")
    page.get_by_text("已提交").wait_for()
    assert len(reports_of(as_user("zhangyan"), description)) == 1


def test_messages_tell_the_handler_of_new_work_with_an_unread_badge(phone, as_user):
    created = as_user("zhangyan").post("/api/v1/reports", json={
        "category": "property.abandoned_item", "building": "48", "description": "48号楼前废旧床垫（消息）"})
    assert created.status_code == 201, created.text
    wait_until(lambda: as_user("wuli").get("/api/v1/notifications", params={"unread": "true"}).json()["unread"],
               what="a message for the property staff")
    page = sign_in(phone(), "wuli")
    bar = page.get_by_role("navigation", name="主导航")
    bar.get_by_text("条未读").wait_for(state="attached")
    bar.get_by_role("link", name="消息").click()
    assert page.locator(".card", has_text="未读").count() >= 1
    accessible(page)
    page.get_by_role("button", name="全部标为已读").click()
    page.get_by_role("button", name="全部标为已读").wait_for(state="detached")  # nothing unread is left
    assert page.locator(".card", has_text="未读").count() == 0
    assert as_user("wuli").get("/api/v1/notifications", params={"unread": "true"}).json()["unread"] == 0


def test_a_patrol_is_started_checked_in_at_a_building_with_a_photo_tracked_and_ended(phone, as_user):
    context = phone(geolocation={"latitude": 35.0581, "longitude": 118.3429}, permissions=["geolocation"])
    page = sign_in(context, "zhangyan")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="巡查").click()
    page.get_by_role("button", name="开始巡查").click()
    page.get_by_text("巡查中").wait_for()
    page.get_by_label("楼栋号").select_option("47")
    page.get_by_label("说明（可不填）").fill("消防通道畅通")
    choose_photos(page, big_photo(page, 1600, 1200))
    page.get_by_role("button", name="打卡", exact=True).click()
    page.get_by_text("消防通道畅通").wait_for()
    page.get_by_text("已记 1 个点").wait_for()
    context.set_geolocation({"latitude": 35.0590, "longitude": 118.3440})
    page.get_by_text("已记 2 个点").wait_for()
    page.evaluate("() => window.consoleTrack.send()")
    screenshot(page, "patrol")
    accessible(page)
    page.get_by_role("button", name="结束巡查").click()
    page.get_by_role("button", name="开始巡查").wait_for()
    (patrol,) = as_user("zhangyan").get("/api/v1/patrols", params={"walker": "ytl-gw-04"}).json()["items"][:1]
    walked = as_user("zhangyan").get(f"/api/v1/patrols/{patrol['id']}").json()
    assert walked["ended_at"] and [c["building"] for c in walked["check_ins"]] == ["47"]
    assert walked["check_ins"][0]["photo"]
    assert len(walked["track"]) >= 2 and walked["distance_m"] > 0


def a_plain_weekend_behind_us(admin) -> date:
    """A Friday at least a week ago whose Friday, weekend and Monday the working calendar leaves as they are."""
    friday = datetime.now(SHANGHAI).date() - timedelta(days=7)
    friday -= timedelta(days=(friday.weekday() - 4) % 7)
    while True:
        days = [friday + timedelta(days=n) for n in range(4)]
        special = {d["date"] for year in {day.year for day in days}
                   for d in admin.get("/api/v1/calendar", params={"year": year}).json()["days"]}
        if not special & {day.isoformat() for day in days}:
            return friday
        friday -= timedelta(days=7)


def test_the_countdown_on_the_todo_list_counts_working_time_only(phone, platform, as_user):
    zhang = as_user("zhangyan")
    friday = a_plain_weekend_behind_us(as_user("ytl-admin"))
    description = "47号楼消防通道堆放纸箱（周五下午）"
    platform.clock.set(datetime.combine(friday, time(16, 0), SHANGHAI))
    try:
        created = zhang.post("/api/v1/reports", json={"category": "safety.hazard", "building": "47",
                                                      "description": description})
        assert created.status_code == 201, created.text
        task = task_of(zhang, created.json()["report"]["id"])
        assert task["handler"]["staff_code"] == "ytl-gw-04"
        page = sign_in(phone(), "zhangyan")
        page.goto("/todo?tab=mine")
        card = page.locator(".card", has_text=description[:12])
        # One working day from Friday 16:00 is Monday's close: 1.5 h on Friday and Monday's 7.5 h. The weekend's
        # 48 hours between them do not count (by the wall clock it would be 3 days and 1.5 hours).
        assert "正常" in card.inner_text() and "剩余 1 个工作日 1 小时 30 分钟" in card.inner_text()
        screenshot(page, "todo-countdown")
        accessible(page)
        page.goto("/todo?tab=mine&lang=en")
        assert "1 working day 1 hour 30 minutes left" in card.inner_text()
        # Tuesday 09:00: half an hour of office time past Monday's close.
        platform.clock.set(datetime.combine(friday + timedelta(days=4), time(9, 0), SHANGHAI))
        page.goto("/todo?tab=mine&lang=zh")
        assert "红牌" in card.inner_text() and "已超期 30 分钟" in card.inner_text()
        handled = zhang.post(f"/api/v1/tasks/{task['id']}/accept")  # resolved work has no clock left to run
        assert handled.status_code == 200, handled.text
        assert zhang.post(f"/api/v1/tasks/{task['id']}/resolve", json={"note": "纸箱已清走"}).status_code == 200
    finally:
        platform.clock.path.write_text("")  # the system's time again


def test_the_wizard_offers_the_same_problem_to_join_before_a_second_report_is_made(phone, as_user):
    neighbour, resident = as_user("ytl-44-1-02"), as_user("ytl-44-1-01")
    first = neighbour.post("/api/v1/reports", json={"category": "property.facility", "building": "44",
                                                    "description": "44号楼1单元楼道灯不亮（附议）"})
    assert first.status_code == 201, first.text
    first_id = first.json()["report"]["id"]
    mine_before = resident.get("/api/v1/reports", params={"reporter": "ytl-44-1-01"}).json()["total"]

    page = sign_in(phone(), "ytl-44-1-01")
    page.goto("/report")
    page.get_by_label("搜索类别").fill("设施")
    page.get_by_label("公共设施损坏").check()
    page.get_by_role("button", name="下一步").click()
    # Building 44 is the resident's own, filled in: with the category chosen, the open report is offered.
    offer = page.locator(f'[data-duplicate="{first_id}"]')
    offer.wait_for()
    assert page.get_by_role("heading", name="这是同一件事吗？").is_visible()
    assert "楼道灯" not in offer.inner_text()  # a neighbour's words stay hers: the number, state and time only
    screenshot(page, "report-duplicates")
    accessible(page)
    offer.get_by_role("button", name="我也遇到了（附议）").click()
    page.get_by_role("heading", name="已附议").wait_for()
    assert neighbour.get(f"/api/v1/reports/{first_id}").json()["supporters"] == 1
    assert resident.get("/api/v1/reports", params={"reporter": "ytl-44-1-01"}).json()["total"] == mine_before
    accessible(page)

    page.goto("/report?lang=en")
    page.get_by_label("Broken shared facility").check()
    page.get_by_role("button", name="Next").click()
    offer.wait_for()
    assert "You have said \"me too\"." in offer.inner_text()


def test_a_patrol_walked_offline_is_queued_and_reaches_the_platform_once(phone, as_user):
    walker = as_user("ytl-gw-03")

    def patrols() -> list[dict]:
        return walker.get("/api/v1/patrols", params={"walker": "ytl-gw-03", "per_page": 100}).json()["items"]

    before = len(patrols())
    context = phone(geolocation={"latitude": 35.0570, "longitude": 118.3420}, permissions=["geolocation"])
    page = sign_in(context, "ytl-gw-03")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="巡查").click()
    context.set_offline(True)
    page.get_by_role("button", name="开始巡查").click()
    page.get_by_text("巡查中 · 待发送").wait_for()
    page.get_by_text("已记 1 个点").wait_for()
    page.get_by_label("楼栋号").select_option("45")
    page.get_by_label("说明（可不填）").fill("地下室照明正常（离线打卡）")
    page.get_by_role("button", name="打卡", exact=True).click()
    page.locator("[data-queued-item]", has_text="45 号楼").wait_for()
    context.set_geolocation({"latitude": 35.0575, "longitude": 118.3426})
    page.get_by_text("已记 2 个点").wait_for()
    page.get_by_role("button", name="结束巡查").click()
    page.get_by_text("巡查已结束，还在待发送里").wait_for()
    # The start, the check-in, the track and the end wait in the phone; the platform has none of them.
    assert page.locator("#outbox-banner").inner_text().startswith("待发送 4 条")
    assert len(patrols()) == before
    screenshot(page, "patrol-offline")
    accessible(page)

    with page.expect_navigation():  # everything sent, the page shows the platform's own state again
        context.set_offline(False)
    page.get_by_role("button", name="开始巡查").wait_for()
    page.evaluate("() => window.consoleOutbox.flush()")  # a second flush has nothing left to send
    walked_now = patrols()
    assert len(walked_now) == before + 1
    walked = walker.get(f"/api/v1/patrols/{walked_now[0]['id']}").json()
    assert walked["ended_at"] and [(c["building"], c["note"]) for c in walked["check_ins"]] == [
        ("45", "地下室照明正常（离线打卡）")]
    assert len(walked["track"]) >= 2 and walked["distance_m"] > 0
    assert page.evaluate("() => window.consoleOutbox.items()") == []
    page.goto("/patrol?lang=en")
    assert page.get_by_role("button", name="Start a patrol").is_visible()
    accessible(page)


def people_in_the_demo() -> set[str]:
    """Every name and phone number of a person in the demo street."""
    found: set[str] = set()

    def walk(node, person=False):
        if isinstance(node, dict):
            if person or "phone" in node:
                found.update(str(node[key]) for key in ("name", "phone") if node.get(key))
            for key, value in node.items():
                walk(value, person=key == "members")
        elif isinstance(node, list):
            for item in node:
                walk(item, person)

    walk(yaml.safe_load(DEMO_FILE.read_text(encoding="utf-8")))
    return found


def test_the_public_notice_opens_without_sign_in_and_shows_no_one(phone, as_user):
    code, starts, ends = quarter(datetime.now())
    as_user("ytl-admin").post("/api/v1/fund-periods", json={"code": code, "starts_on": starts, "ends_on": ends,
                                                            "fund": "1000.00", "base": "5.00", "threshold": 0})
    council = as_user("ytl-council")
    item = council.post("/api/v1/council/items", json={"title": "楼道堆物清理约定", "description": "各单元楼道"}).json()
    meeting = council.post("/api/v1/council/meetings", json={
        "held_at": datetime.now().astimezone().isoformat(), "place": "社区议事厅", "attendees": 19,
        "item_ids": [item["id"]]}).json()
    decided = council.post(f"/api/v1/council/items/{item['id']}/decision", json={
        "meeting_id": meeting["id"], "decision": "每月第一个周六集中清理楼道", "votes_for": 14, "votes_against": 2,
        "abstentions": 3})
    assert decided.status_code == 200, decided.text

    page = phone().new_page()
    page.goto(f"/public/ytl?period={code}")
    assert "/public/ytl" in page.url  # no sign-in asked
    assert page.get_by_role("heading", name=f"积分公示（{code}）").is_visible()
    households = page.locator("[data-publication] tbody tr")
    assert households.count() > 10 and households.first.locator("th").inner_text().startswith("ytl-")
    decision = page.locator(f'[data-decision="{decided.json()["id"]}"]')
    assert "每月第一个周六集中清理楼道" in decision.inner_text() and "赞成 14，反对 2，弃权 3" in decision.inner_text()
    shown = page.locator("main").inner_text()
    assert [who for who in people_in_the_demo() if who in shown] == []
    assert page.get_by_role("navigation", name="主导航").count() == 0
    screenshot(page, "public-notice")
    accessible(page)
    page.goto(f"/public/ytl?period={code}&lang=en")
    assert page.get_by_role("heading", name=f"Points on notice ({code})").is_visible()
    assert "14 for, 2 against, 3 abstaining" in page.locator(f'[data-decision="{decided.json()["id"]}"]').inner_text()
    page.goto("/public/ytl?period=1999-Q1&lang=zh")
    assert page.get_by_text("这一期还没有公示").is_visible()
