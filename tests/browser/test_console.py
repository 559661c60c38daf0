"""The console's foundation: sign-in through the gateway, the session kept on the server,
the language switch, sign-out; accessible and local-only pages."""
import re

from tests.browser.conftest import accessible, screenshot, sign_in


def test_a_demo_account_signs_in_in_two_clicks_and_no_token_reaches_the_browser(phone):
    context = phone()
    page = context.new_page()
    page.goto("/")
    assert page.url.endswith("/signin")
    accessible(page)
    screenshot(page, "signin")
    page.get_by_role("button", name="zhangyan").click()
    page.wait_for_load_state()
    assert "/signin" not in page.url
    (cookie,) = [c for c in context.cookies() if c["name"] == "console_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    stored = page.evaluate("() => JSON.stringify([Object.entries(localStorage), Object.entries(sessionStorage)])")
    assert "eyJ" not in stored and "token" not in stored.lower()
    page.goto("/me")
    assert page.get_by_text("张燕").is_visible()
    accessible(page)


def test_a_wrong_password_shows_the_gateways_own_words_and_what_to_do(phone):
    page = phone().new_page()
    page.goto("/signin")
    page.get_by_label("账号", exact=True).fill("zhangyan")
    page.get_by_label("密码", exact=True).fill("not-the-password")
    page.get_by_role("button", name="登录", exact=True).click()
    alert = page.get_by_role("alert")
    assert "密码" in alert.inner_text() or "账号" in alert.inner_text()
    assert "请按提示" in alert.inner_text() or "登录" in alert.inner_text()


def test_english_on_request_and_the_choice_is_kept(phone):
    page = phone().new_page()
    page.goto("/signin?lang=en")
    assert page.get_by_role("heading", name="Sign in to the grid governance platform").is_visible()
    assert page.locator("html").get_attribute("lang") == "en"
    page.goto("/signin")
    assert page.get_by_role("button", name="Sign in", exact=True).is_visible()
    page.get_by_label("Account", exact=True).fill("zhangyan")
    page.get_by_label("Password", exact=True).fill("wrong")
    page.get_by_role("button", name="Sign in", exact=True).click()
    # The gateway's problem title comes through in the chosen language.
    assert re.search(r"[A-Za-z]{4,}", page.get_by_role("alert").inner_text())
    assert not re.search(r"[\u4e00-\u9fff]", page.get_by_role("alert").inner_text())


def test_signing_out_ends_the_sign_in_on_the_server(phone):
    context = phone()
    page = sign_in(context, "wuli")
    page.goto("/me")
    page.get_by_role("button", name="退出登录").click()
    page.goto("/me")
    assert "/signin" in page.url


def test_a_form_without_its_csrf_token_is_refused(phone, platform):
    context = phone()
    sign_in(context, "zhangyan")
    answer = context.request.post(f"{platform.web_url}/signout", form={"csrf_token": "forged"})
    assert answer.status == 400 and "页面已过期" in answer.text()
