"""The whole service flow in real browsers, as a new user finds it on the pages alone.

A customer on a 360 px phone asks for a repair on the portal; an agent at a desk finds the new
ticket in the queue, accepts it, takes it on, starts it and answers publicly; the customer opens
the link of the SMS and reads the answer; the agent resolves the ticket; the customer confirms
that it is solved and the ticket is closed. Elements are found by what a person sees (labels,
roles, text); the ticket moves only through the pages — the database is only read, to check.
"""

import re

import pytest
from playwright.sync_api import expect

from fivestar.notifications.models import Channel, OutboxMessage
from fivestar.tickets.access import follow_url
from fivestar.tickets.models import Reply, Status, Ticket
from tests.browser.conftest import PATIENT_TIMEOUT_MS
from tests.conftest import make_user

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("reseeded", "patient_expect"),
]

NUMBER = re.compile(r"SR-\d{8}-\d{6}")
DESCRIPTION = "洗衣机不脱水，滚筒转不起来，面板显示故障码 E21，已经断电重启过一次。"
REPLY = "周女士您好，E21 多为排水泵堵塞。工程师明天上午 9 点前电话联系您预约上门。"
RESOLUTION = "上门清理了排水泵里的硬币和线头，试机脱水三次均正常，E21 不再出现。"
SMS_LINK = re.compile(r"https?://\S+/portal/f/[^\s/]+/")



def sms_to_customer(ticket: Ticket, template_code: str) -> OutboxMessage:
    """The SMS queued for the ticket's customer with this template (exactly one)."""
    return OutboxMessage.objects.get(about_id=ticket.pk, channel=Channel.SMS,
                                     template_code=template_code)


def link_in(sms: OutboxMessage, ticket: Ticket) -> str:
    """The follow link the SMS carries. The texts do not carry one yet (the seeded templates
    and ``ticket_context`` have no link): then the link the system would send,
    ``follow_url``, on the live server (SITE_URL is pointed at it)."""
    found = SMS_LINK.search(sms.body)
    return found.group(0) if found else follow_url(ticket=ticket)


def test_request_reply_resolve_and_confirm_across_phone_and_desk(
    phone_page, page, live_server, sign_in, screenshot, settings
):
    settings.SITE_URL = live_server.url  # links built for messages point at this server
    make_user("agent1", "agent", display_name="王客服")
    phone, desk = phone_page, page
    phone.set_default_timeout(PATIENT_TIMEOUT_MS)
    desk.set_default_timeout(PATIENT_TIMEOUT_MS)

    # 1. The customer, on a phone, asks for a repair from the portal's front page.
    phone.goto(f"{live_server.url}/portal/")
    phone.get_by_role("link", name=re.compile("报修")).click()
    expect(phone.get_by_role("heading", name="报修 / 咨询", level=1)).to_be_visible()
    phone.get_by_text("故障报修", exact=True).click()
    expect(phone.get_by_label("故障报修")).to_be_checked()
    phone.get_by_label("问题描述").fill(DESCRIPTION)
    phone.get_by_label("您的称呼").fill("周女士")
    phone.get_by_label("手机号码").fill("138 1234 5678")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    phone.get_by_role("button", name="提交", exact=True).click()

    expect(phone.get_by_role("heading", name="提交成功")).to_be_visible()
    expect(phone).to_have_url(re.compile(r"/portal/submit/SR-\d{8}-\d{6}/done/$"))
    shown = phone.get_by_text(NUMBER)
    expect(shown).to_be_visible()
    number = shown.inner_text().strip()
    assert NUMBER.fullmatch(number), number
    expect(phone.get_by_text("138****5678", exact=False)).to_be_visible()
    screenshot(phone, "flow-1-portal-submitted")
    ticket = Ticket.objects.get(number=number)
    assert (ticket.status, ticket.channel, ticket.type) == (Status.NEW, "web", "repair")
    assert number in sms_to_customer(ticket, "ticket_created").body

    # 2. The agent signs in at a desk and finds the new ticket among those nobody holds yet.
    sign_in(desk, "agent1")
    desk.goto(f"{live_server.url}/workspace/")
    expect(desk.get_by_role("heading", name="工单队列")).to_be_visible()
    desk.get_by_role("navigation", name="队列").get_by_role(
        "link", name=re.compile(r"^未派单")).click()
    row = desk.get_by_role("row").filter(has_text=number)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("新建")
    row.get_by_role("link", name=number).click()
    expect(desk).to_have_url(re.compile(rf"/workspace/tickets/{number}/$"))
    expect(desk.get_by_role("heading", level=1)).to_contain_text("洗衣机不脱水")

    actions = desk.get_by_role("group", name="可执行的操作")
    status = desk.locator("#ticket-header [data-status]")  # the status badge in the header
    expect(status).to_have_text("新建")

    actions.get_by_role("button", name="受理", exact=True).click()
    expect(status).to_have_text("已受理")

    # Nobody holds it: the agent gives it to themself.
    actions.get_by_role("link", name=re.compile(r"^派单")).click()
    assignee = desk.get_by_label("处理人", exact=True)
    expect(assignee).to_be_visible()
    assignee.select_option(label=assignee.locator("option", has_text="王客服").inner_text())
    desk.get_by_role("button", name="确定派单").click()
    expect(status).to_have_text("已派单")
    expect(desk.locator("#ticket-header")).to_contain_text("王客服")

    actions.get_by_role("button", name="开始处理").click()
    expect(status).to_have_text("处理中")

    # A public reply (the default), which the customer is told about by SMS.
    reply_box = desk.get_by_role("region", name="回复客户 / 内部备注")
    expect(reply_box.get_by_label("公开回复")).to_be_checked()
    reply_box.get_by_label("内容", exact=True).fill(REPLY)
    reply_box.get_by_role("button", name="提交", exact=True).click()
    timeline = desk.get_by_role("region", name=re.compile("处理记录"))
    expect(timeline.locator("article", has_text=REPLY)).to_contain_text("公开回复")
    expect(reply_box.get_by_label("内容", exact=True)).to_have_value("")
    screenshot(desk, "flow-2-agent-ticket")
    reply = Reply.objects.get(ticket=ticket)
    assert not reply.internal and not reply.from_customer and reply.body == REPLY

    # 3. The customer opens the link of the SMS about the reply and reads it.
    sms = sms_to_customer(ticket, "ticket_reply")
    assert sms.recipient == "+8613812345678" and number in sms.body and "E21" in sms.body
    phone.goto(link_in(sms, ticket))
    expect(phone).to_have_url(f"{live_server.url}/portal/tickets/{number}/")  # token gone
    conversation = phone.get_by_role("region", name="沟通记录")
    expect(conversation).to_contain_text(REPLY)
    expect(conversation).to_contain_text("王客服")
    expect(phone.get_by_text("处理中", exact=True).first).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(phone, "flow-3-customer-sees-reply")

    # 4. The agent resolves the ticket, saying what was done.
    actions.get_by_role("link", name=re.compile(r"^解决")).click()
    desk.get_by_label("处理过程").fill(RESOLUTION)
    desk.get_by_role("button", name="确定解决").click()
    expect(status).to_have_text("已解决")
    # The timeline swaps in place and records the result; the "客户反映" card shows it only
    # after a reload (it is not among the parts an action re-renders).
    expect(timeline).to_contain_text(RESOLUTION)
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED and ticket.resolution == RESOLUTION
    assert number in sms_to_customer(ticket, "ticket_resolved").body

    # 5. The customer reloads the page, reads the result and confirms that it is solved.
    phone.reload()
    expect(phone.get_by_role("heading", name="问题解决了吗？")).to_be_visible()
    expect(phone.get_by_text(RESOLUTION)).to_be_visible()
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.get_by_role("button", name="已解决", exact=True).click()
    expect(phone.get_by_role("heading", name="工单已关闭")).to_be_visible()
    expect(phone.get_by_text("感谢您的确认，工单已关闭。", exact=False)).to_be_visible()
    expect(phone.get_by_role("button", name="已解决", exact=True)).to_have_count(0)
    screenshot(phone, "flow-4-closed")

    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED and ticket.customer_confirmed
    assert number in sms_to_customer(ticket, "ticket_closed").body
    # The agent's page shows it closed too, with nothing left to do but reopen.
    desk.reload()
    expect(status).to_have_text("已关闭")
