import pytest

from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


def test_sign_in_page_speaks_chinese_then_english_after_the_switch(page, live_server, screenshot):
    make_user("agent9", "agent")
    page.goto(f"{live_server.url}/workspace/login/")
    assert page.locator("h1").inner_text().endswith("员工登录")
    screenshot(page, "login-zh")
    page.select_option("#lang-login", "en")
    page.wait_for_load_state("networkidle")
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Staff sign-in" in page.locator("h1").inner_text()


def test_wrong_password_shows_the_error_next_to_the_form(page, live_server):
    make_user("agent9", "agent")
    page.goto(f"{live_server.url}/workspace/login/")
    page.fill("#id_username", "agent9")
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    alert = page.locator("[role=alert]")
    assert alert.is_visible()
    assert page.locator("#id_password").get_attribute("aria-invalid") == "true"
