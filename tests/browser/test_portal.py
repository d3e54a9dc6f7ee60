"""The customer portal in a real browser on a 360 px phone: submit, follow, reply, confirm."""

import re

import pytest

from fivestar.tickets.access import follow_token
from fivestar.tickets.models import Reply, Status, Ticket
from tests.factories import CustomerFactory, TicketFactory
from tests.portal.conftest import PNG, code_sent_to

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("reseeded")]



NUMBER = re.compile(r"SR-\d{8}-\d{6}")


def follow_path(ticket: Ticket) -> str:
    return f"/portal/f/{follow_token(ticket=ticket)}/"


def test_submit_from_a_phone_and_get_a_number(phone_page, live_server, screenshot):
    page = phone_page
    page.goto(f"{live_server.url}/portal/")
    page.get_by_role("link", name=re.compile("报修")).click()
    page.get_by_text("技术咨询", exact=True).click()
    page.fill("#id_description", "洗衣机脱水时噪音很大，像有东西在撞击，最近一周越来越严重。")
    page.set_input_files("#id_photos", files=[
        {"name": "noise.png", "mimeType": "image/png", "buffer": PNG}])
    assert "noise.png" in page.locator(".file-drop").inner_text()
    page.fill("#id_name", "赵女士")
    page.fill("#id_phone", "139 0000 1234")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    screenshot(page, "portal-submit-phone")
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(r"/portal/submit/SR-.*/done/"))

    number = page.locator("#ticket-number").inner_text().strip()
    assert NUMBER.fullmatch(number)
    assert "139****1234" in page.content()
    assert "前联系您" in page.locator(".promises").inner_text()
    screenshot(page, "portal-submitted-phone")
    ticket = Ticket.objects.get(number=number)
    assert ticket.channel == "web" and ticket.type == "consultation"
    assert ticket.attachments.count() == 1

    page.get_by_role("link", name="查看工单进度").click()
    page.wait_for_url(re.compile(rf"/portal/tickets/{number}/"))
    assert page.locator("[aria-current=step]").inner_text().startswith("受理")
    assert page.locator("#photos img").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "portal-ticket-phone")


def test_errors_are_shown_beside_the_fields_and_focus_the_first(phone_page, live_server):
    page = phone_page
    page.goto(f"{live_server.url}/portal/submit/")
    page.fill("#id_description", "空调不制冷")
    page.fill("#id_name", "钱")
    page.fill("#id_phone", "12345")
    page.get_by_role("button", name="提交").click()
    page.wait_for_load_state("networkidle")

    assert page.locator("#id_phone").get_attribute("aria-invalid") == "true"
    assert page.locator("#id_phone_error").is_visible()
    assert page.evaluate("document.activeElement.id") == "id_phone"
    assert Ticket.objects.count() == 0


def test_the_sms_link_opens_the_ticket(phone_page, live_server):
    ticket = TicketFactory(customer=CustomerFactory(phone="+8613812345678"),
                           status=Status.IN_PROGRESS, title="冰箱不制冷")
    page = phone_page
    page.goto(live_server.url + follow_path(ticket))

    assert page.url == f"{live_server.url}/portal/tickets/{ticket.number}/"  # token gone
    assert page.locator("h1").inner_text() == "冰箱不制冷"
    assert page.locator(".badge").first.inner_text() == "处理中"


def test_number_and_a_one_time_code_open_the_ticket(phone_page, live_server, screenshot):
    ticket = TicketFactory(customer=CustomerFactory(phone="+8613812345678"),
                           status=Status.ASSIGNED, title="热水器不出热水")
    page = phone_page
    page.goto(f"{live_server.url}/portal/track/")
    page.fill("#id_number", ticket.number.lower())
    page.fill("#id_phone", "13812345678")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url(re.compile("/portal/track/verify/"))
    assert "138****5678" in page.content()

    page.fill("#id_code", code_sent_to("+8613812345678"))
    screenshot(page, "portal-code-phone")
    page.get_by_role("button", name="查看工单").click()
    page.wait_for_url(re.compile(rf"/portal/tickets/{ticket.number}/"))
    assert page.locator("h1").inner_text() == "热水器不出热水"


def test_another_customers_ticket_is_not_found(phone_page, live_server):
    mine = TicketFactory(customer=CustomerFactory(), status=Status.IN_PROGRESS)
    theirs = TicketFactory(customer=CustomerFactory(), title="别人的工单")
    page = phone_page
    page.goto(live_server.url + follow_path(mine))

    response = page.goto(f"{live_server.url}/portal/tickets/{theirs.number}/")
    assert response.status == 404
    assert "别人的工单" not in page.content()
    assert page.get_by_role("link", name="用工单号查询").is_visible()


def test_the_customer_replies_then_confirms_it_is_solved(phone_page, live_server, screenshot):
    ticket = TicketFactory(customer=CustomerFactory(phone="+8613812345678"),
                           status=Status.RESOLVED, title="空调漏水",
                           resolution="清理了排水管，试机一小时无漏水。")
    page = phone_page
    page.goto(live_server.url + follow_path(ticket))
    assert page.get_by_role("heading", name="问题解决了吗？").is_visible()

    page.fill("#id_body", "谢谢师傅，今天没再漏水了。")
    page.get_by_role("button", name="发送").click()
    page.locator(".sent-note").wait_for()
    assert page.locator(".msg-me").inner_text().endswith("谢谢师傅，今天没再漏水了。")
    assert Reply.objects.get(ticket=ticket).from_customer

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="已解决").click()
    page.get_by_role("heading", name="工单已关闭").wait_for()
    screenshot(page, "portal-closed-phone")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.customer_confirmed
