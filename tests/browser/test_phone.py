"""The phone in the grid worker's hand, on the real platform at 390×844: the seed's morning from
report to closure by clicks, the offline outbox, and each role's own screens."""
import base64
import struct

import pytest

from tests.browser.conftest import accessible, screenshot, sign_in

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
    page.get_by_label("楼栋号").fill(building)
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

    wu = sign_in(phone(), "wuli")
    assert "/tasks" in wu.url
    wu.get_by_role("link", name=SOFA[:10]).first.click()
    screenshot(wu, "task")
    wu.get_by_role("button", name="签收").click()
    wu.get_by_text("处理中").first.wait_for()
    wu.get_by_label("处置说明").fill("沙发已清运")
    choose_photos(wu, big_photo(wu, 1200, 900))
    wu.get_by_role("button", name="提交处置反馈").click()
    wu.get_by_text("已处置，待核查").first.wait_for()

    zhang.goto("/todo")
    screenshot(zhang, "todo")
    zhang.get_by_role("link", name=SOFA[:10]).first.click()
    zhang.get_by_label("通过，结案").check()
    zhang.get_by_label("核查说明（不通过时必填）").fill("现场已清理")
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
